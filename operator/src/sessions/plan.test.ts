import type { Mark, RoastSession, SessionPhase } from '@roast-operator/api';
import type { RoastEvent, RoastEventKind, RoastEvents, RoastMetrics } from '@roast-operator/roast';
import { describe, expect, it } from 'vitest';
import { ago, heater, iso, now, proposal, session } from '../testing/objects.ts';
import {
  activeSession,
  beanChannelOf,
  commandCounts,
  freshWindow,
  marksSeen,
  mergeEvents,
  newMarks,
  type PhaseInput,
  recordedMarks,
  retention,
  roastSample,
  type StatusEvents,
  sessionConditions,
  sessionName,
  sessionPhase,
  statusEvent,
  statusMetrics,
  weightLossPercent,
  writeDecision,
} from './plan.ts';

const chargeT = 1_700_000_000;

function event(
  kind: RoastEventKind,
  sinceChargeS: number,
  source: RoastEvent['source'] = 'inferred',
): RoastEvent {
  return {
    kind,
    t: chargeT + sinceChargeS,
    sinceChargeS,
    bt: 150 + sinceChargeS / 10,
    source,
    detectedAt: 0,
  };
}

const charge = event('charge', 0, 'stateCode');
const tp = event('turningPoint', 62);
const de = event('dryEnd', 240);
const fc = event('firstCrack', 420);
const drop = event('drop', 540, 'stateCode');

function phase(i: Partial<PhaseInput>): SessionPhase {
  return sessionPhase({
    current: 'Pending',
    active: true,
    events: {},
    roast: 'beforeCharge',
    state: 'Off',
    latched: false,
    ...i,
  }).phase;
}

const created = (name: string, secondsAgo: number, status?: RoastSession['status']): RoastSession => {
  const s = session(name, 'bullet-1', status);
  return {
    ...s,
    metadata: { ...s.metadata, creationTimestamp: iso(ago(secondsAgo)) },
  } as unknown as RoastSession;
};

describe('sessionPhase', () => {
  it.each<[string, Partial<PhaseInput>, SessionPhase]>([
    ['waits while the roaster is off', { state: 'Off' }, 'Pending'],
    ['preheats with the roaster', { state: 'Preheating' }, 'Preheating'],
    ['is ready for the beans', { state: 'ReadyToCharge' }, 'Preheating'],
    ['goes back to Pending when preheating is abandoned', { current: 'Preheating', state: 'Off' }, 'Pending'],
    [
      'is Charged until the turning point',
      { events: { charge }, roast: 'drying', state: 'Roasting' },
      'Charged',
    ],
    [
      'dries after the turning point',
      { events: { charge, turningPoint: tp }, roast: 'drying', state: 'Roasting' },
      'Drying',
    ],
    [
      'Maillard after dry end',
      { events: { charge, turningPoint: tp, dryEnd: de }, roast: 'maillard', state: 'Roasting' },
      'Maillard',
    ],
    [
      'develops after first crack',
      { events: { charge, firstCrack: fc }, roast: 'development', state: 'Roasting' },
      'Development',
    ],
    [
      'cools as soon as the roaster does, before the drop event is confirmed',
      { current: 'Development', events: { charge, firstCrack: fc }, roast: 'development', state: 'Cooling' },
      'Cooling',
    ],
    [
      'cools after the drop',
      { current: 'Development', events: { charge, drop }, roast: 'dropped', state: 'Cooling' },
      'Cooling',
    ],
    [
      'is Dropped when a drop is found while the roaster still reports roasting',
      { current: 'Development', events: { charge, drop }, roast: 'dropped', state: 'Roasting' },
      'Dropped',
    ],
    [
      'completes when cooling ends',
      { current: 'Cooling', events: { charge, drop }, roast: 'dropped', state: 'Shutdown' },
      'Completed',
    ],
    [
      'completes when a cooling roaster is switched off',
      { current: 'Cooling', events: { charge }, roast: 'drying', state: 'Off' },
      'Completed',
    ],
    [
      'is aborted when the roaster goes off before the drop',
      { current: 'Maillard', events: { charge }, roast: 'maillard', state: 'Off' },
      'Aborted',
    ],
    [
      'is aborted by an emergency stop before the drop',
      { current: 'Drying', events: { charge }, roast: 'drying', state: 'Roasting', latched: true },
      'Aborted',
    ],
    [
      'is not aborted by a latch after the drop',
      { current: 'Cooling', events: { charge, drop }, roast: 'dropped', state: 'Cooling', latched: true },
      'Cooling',
    ],
    ['is not aborted by a latch before the charge', { state: 'ReadyToCharge', latched: true }, 'Preheating'],
    [
      'fails when the roaster faults during the roast',
      { current: 'Drying', events: { charge }, roast: 'drying', state: 'Fault' },
      'Failed',
    ],
    [
      'never goes back once charged (an inferred event withdrawn)',
      { current: 'Maillard', events: { charge, turningPoint: tp }, roast: 'drying', state: 'Roasting' },
      'Maillard',
    ],
    [
      'never leaves an ended phase',
      { current: 'Completed', events: { charge }, roast: 'drying', state: 'Roasting' },
      'Completed',
    ],
    ['waits behind the running session', { active: false, state: 'Roasting', events: { charge } }, 'Pending'],
  ])('%s', (_, input, expected) => {
    expect(phase(input)).toBe(expected);
  });
});

describe('activeSession', () => {
  const human = (type: Mark['type']): Mark => ({ type, by: 'alice' });
  const robotNote: Mark = { type: 'note', by: 'system:serviceaccount:roastery:advisor' };
  /** A session planned `secondsAgo`, in `phase` (default: not started), with `marks`. */
  const planned = (name: string, secondsAgo: number, phase?: SessionPhase, marks: Mark[] = []) => {
    const s = created(name, secondsAgo, phase && { phase });
    return { ...s, spec: { ...s.spec, marks } } as RoastSession;
  };
  const charged = (name: string, secondsAgo: number) =>
    created(name, secondsAgo, { events: { charge: statusEvent(charge) } });

  it.each<[string, RoastSession[], string | undefined]>([
    ['the oldest idle session, when nobody claimed one', [planned('b', 100), planned('a', 200)], 'a'],
    [
      'a session a person marked present on, over an older idle one (an agent’s plan)',
      [planned('agent-plan', 300), planned('alice', 100, undefined, [human('present')])],
      'alice',
    ],
    [
      'a claimed session over an older one that is only preheating',
      [planned('agent-plan', 300, 'Preheating'), planned('alice', 100, undefined, [human('present')])],
      'alice',
    ],
    [
      'the oldest of several claimed sessions',
      [
        planned('later', 50, undefined, [human('present')]),
        planned('sooner', 100, undefined, [human('present')]),
      ],
      'sooner',
    ],
    [
      'a roast that began, over any claim (it runs to its end)',
      [planned('alice', 300, undefined, [human('present')]), planned('running', 100, 'Drying')],
      'running',
    ],
    [
      'a roast that began, known by its charge before its phase',
      [planned('alice', 300, undefined, [human('present')]), charged('charged', 100)],
      'charged',
    ],
    [
      'not a claim by notes alone (an agent may add notes)',
      [planned('agent-plan', 300, undefined, [robotNote]), planned('alice', 100, undefined, [human('note')])],
      'agent-plan',
    ],
    [
      'none of the ended ones',
      [planned('done', 300, 'Completed', [human('present')]), planned('next', 100)],
      'next',
    ],
    ['none while every one has ended', [planned('done', 300, 'Aborted')], undefined],
  ])('takes %s', (_, sessions, expected) => {
    expect(activeSession(sessions)?.metadata.name).toBe(expected);
  });

  it('never runs a session being deleted', () => {
    const older = planned('older', 200, undefined, [human('present')]);
    const deleting = {
      ...older,
      metadata: { ...older.metadata, deletionTimestamp: iso(now) },
    } as unknown as RoastSession;
    expect(activeSession([planned('newer', 100), deleting])?.metadata.name).toBe('newer');
  });
});

describe('freshWindow', () => {
  const queued = {
    type: 'Reconciling',
    status: 'True' as const,
    reason: 'Queued',
    message: '',
    lastTransitionTime: iso(ago(60)),
  };
  const waiting = { ...queued, reason: 'WaitingForCharge' };
  it.each<[string, RoastSession['status'], boolean]>([
    ['a session that waited and never began its roast', { phase: 'Pending', conditions: [queued] }, true],
    ['a session followed again after a restart', { phase: 'Preheating', conditions: [waiting] }, false],
    [
      'a session that began its roast',
      { phase: 'Pending', conditions: [queued], events: { charge: statusEvent(charge) } },
      false,
    ],
    ['a session never run', undefined, false],
  ])('is %s: %s', (_, status, expected) => {
    expect(freshWindow(created('s', 10, status))).toBe(expected);
  });
});

describe('sessionName', () => {
  it('names the session after the roaster and the charge time, the same for the same charge', () => {
    const at = Date.parse('2026-11-24T09:05:07.250Z');
    expect(sessionName('bullet-1', at)).toBe('bullet-1-20261124-090507');
    expect(sessionName('bullet-1', at + 500)).toBe(sessionName('bullet-1', at));
    expect(sessionName('x'.repeat(300), at)).toHaveLength(253);
  });
});

describe('roastSample', () => {
  const base = { timeMs: 1500, heater: 5, fan: 3, drum: 6, stateCode: 6 };
  const both = { ...base, beanTemp: 150, ibtsTemp: 170, exhaustTemp: 200 };

  it.each([
    ['an R1 reads IBTS where there is one', 'AillioBulletR1', both, 170],
    ['a simulated R1 too', 'Simulated', both, 170],
    ['an R1 without IBTS reads the bean probe', 'AillioBulletR1', { ...base, beanTemp: 150 }, 150],
    ['a replay reads the probe: its IBTS bytes carry the recording’s ET', 'Replay', both, 150],
    ['no reading is NaN', 'AillioBulletR1', base, Number.NaN],
    ['a replay without BT has no reading', 'Replay', { ...base, ibtsTemp: 170 }, Number.NaN],
  ])('%s', (_, model, sample, bt) => {
    expect(roastSample(sample, beanChannelOf(model)).bt).toBe(bt);
  });

  it('keeps seconds on the sample clock, the exhaust as environment and the state code', () => {
    expect(roastSample(both, 'ibts')).toEqual({ t: 1.5, bt: 170, et: 200, stateCode: 6 });
  });
});

describe('mergeEvents', () => {
  const found: RoastEvents = { charge, turningPoint: tp, firstCrack: fc };

  it('records nothing before a charge is known', () => {
    expect(mergeEvents(undefined, { firstCrack: fc })).toEqual({ events: {}, changed: [] });
  });

  it('records new events at once with their time, seconds since charge, BT and source', () => {
    const { events, changed } = mergeEvents(undefined, found);
    expect(changed).toEqual(['charge', 'turningPoint', 'firstCrack']);
    expect(events.turningPoint).toEqual({
      time: new Date((chargeT + 62) * 1000).toISOString(),
      secondsSinceCharge: 62,
      beanTemperatureCelsius: 156.2,
      source: 'Inferred',
    });
    expect(events.charge?.source).toBe('StateCode');
  });

  it('never rewrites a recorded event with other values from the same or a weaker source', () => {
    const recorded = mergeEvents(undefined, found).events;
    const moved = { ...found, turningPoint: event('turningPoint', 70) };
    expect(mergeEvents(recorded, moved)).toEqual({ events: recorded, changed: [] });
    const markedTp: StatusEvents = { ...recorded, firstCrack: { ...recorded.firstCrack!, source: 'Mark' } };
    expect(mergeEvents(markedTp, found).changed).toEqual([]);
  });

  it('lets a mark replace an inferred event, and a later mark an earlier one', () => {
    const recorded = mergeEvents(undefined, found).events;
    const marked = mergeEvents(recorded, { ...found, firstCrack: event('firstCrack', 430, 'mark') });
    expect(marked.changed).toEqual(['firstCrack']);
    expect(marked.events.firstCrack).toMatchObject({ source: 'Mark', secondsSinceCharge: 430 });
    const again = mergeEvents(marked.events, { ...found, firstCrack: event('firstCrack', 450, 'mark') });
    expect(again.events.firstCrack?.secondsSinceCharge).toBe(450);
    const same = mergeEvents(marked.events, { ...found, firstCrack: event('firstCrack', 430, 'mark') });
    expect(same.changed).toEqual([]);
  });
});

describe('marks', () => {
  const mark = (type: Mark['type']): Mark => ({ type, by: 'alice' });
  const marks = [mark('present'), mark('firstCrack'), mark('note'), mark('dryEnd')];

  it('takes the roast-event marks appended since the last look', () => {
    expect(newMarks(marks, 0)).toEqual([
      { index: 1, kind: 'firstCrack' },
      { index: 3, kind: 'dryEnd' },
    ]);
    expect(newMarks(marks, 2)).toEqual([{ index: 3, kind: 'dryEnd' }]);
    expect(newMarks(marks, 4)).toEqual([]);
    expect(newMarks(undefined, 0)).toEqual([]);
  });

  it('rebuilds from status: the marks it recorded, at their times, and which marks were already seen', () => {
    const t = Date.parse('2026-11-24T10:07:00Z');
    const events: StatusEvents = {
      charge: { time: iso(t - 420_000), secondsSinceCharge: 0, source: 'StateCode' },
      firstCrack: { time: iso(t), secondsSinceCharge: 420, source: 'Mark' },
      dryEnd: { time: iso(t - 180_000), secondsSinceCharge: 240, source: 'Inferred' },
    };
    expect(recordedMarks(events)).toEqual([{ kind: 'firstCrack', t: t / 1000 }]);
    // The dry-end mark after the recorded first crack came while no operator looked: it is new.
    expect(marksSeen(marks, events)).toBe(2);
    expect(marksSeen(marks, undefined)).toBe(0);
  });
});

describe('writeDecision', () => {
  it.each([
    [
      'an event or phase change goes at once',
      { urgent: true, newData: false, metricsWrittenAt: now - 100 },
      { write: true },
    ],
    [
      'numbers wait for their interval',
      { urgent: false, newData: true, metricsWrittenAt: now - 1000 },
      { write: false, wakeAt: now + 4000 },
    ],
    [
      'numbers go once it passed',
      { urgent: false, newData: true, metricsWrittenAt: now - 5000 },
      { write: true },
    ],
    [
      'nothing new, nothing written',
      { urgent: false, newData: false, metricsWrittenAt: now - 60_000 },
      { write: false },
    ],
  ])('%s', (_, input, expected) => {
    expect(writeDecision({ ...input, now })).toEqual(expected);
  });
});

describe('statusMetrics and commandCounts', () => {
  it('rounds the analyzer figures, caps percentages and adds the store counts', () => {
    const m: RoastMetrics = {
      totalS: 540.04,
      dryingS: 240,
      maillardS: 180,
      developmentS: 120,
      dtrPercent: 22.222,
      maxRor: { t: 0, sinceChargeS: 150, ror: 21.87 },
      finalBt: 205.33,
      weightLossPercent: null,
      rorCrash: null,
      rorFlick: null,
    };
    expect(statusMetrics(m, { pointsStored: 5400, pointsDropped: 0, droppedBatches: 0 }, 15)).toEqual({
      totalSeconds: 540,
      developmentSeconds: 120,
      developmentRatioPercent: 22.2,
      maxRateOfRiseCelsiusPerMinute: 21.9,
      finalBeanTemperatureCelsius: 205.3,
      weightLossPercent: 15,
      pointsStored: 5400,
      pointsDropped: 0,
    });
  });

  it.each([
    ['no counts without a store', undefined, {}],
    [
      'a complete record',
      { pointsStored: 5400, pointsDropped: 0, droppedBatches: 0 },
      { pointsStored: 5400, pointsDropped: 0 },
    ],
    [
      'the samples lost, not the batches they were in',
      { pointsStored: 5370, pointsDropped: 30, droppedBatches: 3 },
      { pointsStored: 5370, pointsDropped: 30 },
    ],
  ])('reports the store counts: %s', (_, counts, expected) => {
    const none: RoastMetrics = {
      totalS: null,
      dryingS: null,
      maillardS: null,
      developmentS: null,
      dtrPercent: null,
      maxRor: null,
      finalBt: null,
      weightLossPercent: null,
      rorCrash: null,
      rorFlick: null,
    };
    expect(statusMetrics(none, counts, undefined)).toEqual(expected);
  });

  it('gives the weight loss once both weights are known', () => {
    const s = created('s', 10);
    const weighed = (profile: object, weightOutGrams?: number) =>
      ({ ...s, spec: { ...s.spec, profile, ...(weightOutGrams && { weightOutGrams }) } }) as RoastSession;
    expect(weightLossPercent(weighed({ batchGrams: 400 }, 338))).toBe(15.5);
    expect(weightLossPercent(weighed({ batchGrams: 400 }))).toBeUndefined();
    expect(weightLossPercent(weighed({}, 338))).toBeUndefined();
  });

  it('counts the proposals naming the session by how they ended', () => {
    const p = (phase?: 'Succeeded' | 'Failed' | 'Blocked') =>
      proposal(heater(5), { session: 's', ...(phase && { status: { phase } }) });
    expect(commandCounts([p('Succeeded'), p('Succeeded'), p('Failed'), p('Blocked'), p()])).toEqual({
      proposed: 5,
      succeeded: 2,
      failed: 1,
      blocked: 1,
    });
  });
});

describe('conditions and retention', () => {
  it('is Ready once Completed, Reconciling while it runs, with the generation observed', () => {
    const s = {
      ...created('s', 10),
      metadata: { ...created('s', 10).metadata, generation: 2 },
    } as RoastSession;
    const running = sessionConditions(s, 'Drying', 'drying', 'Roasting', new Date(now));
    expect(running).toMatchObject([
      { type: 'Ready', status: 'False', reason: 'Drying', observedGeneration: 2 },
      { type: 'Reconciling', status: 'True', reason: 'Roasting' },
    ]);
    const done = sessionConditions(s, 'Completed', 'done', 'Completed', new Date(now));
    expect(done).toMatchObject([
      { type: 'Ready', status: 'True' },
      { type: 'Reconciling', status: 'False' },
    ]);
  });

  it('deletes an ended session once retention is over, counting from when it ended', () => {
    const ended = created('s', 3600, {
      phase: 'Completed',
      conditions: sessionConditions(created('s', 0), 'Completed', 'done', 'Completed', new Date(ago(60))),
    });
    expect(retention(ended, now, 120_000)).toEqual({ delete: false, wakeAt: ago(60) + 120_000 });
    expect(retention(ended, now, 60_000)).toEqual({ delete: true });
  });
});
