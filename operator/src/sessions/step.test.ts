import type { RoastEvent } from '@roast-operator/roast';
import { describe, expect, it } from 'vitest';
import { now, session } from '../testing/objects.ts';
import { type SessionSituation, type SessionStep, sessionStep } from './step.ts';

const counts = { proposed: 0, succeeded: 0, failed: 0, blocked: 0 };
const charge: RoastEvent = {
  kind: 'charge',
  t: 1000,
  sinceChargeS: 0,
  bt: 160,
  source: 'stateCode',
  detectedAt: 0,
};
const source = { type: 'Simulated', seed: 7 } as const;

const situation = (over: Partial<SessionSituation> = {}): SessionSituation => ({
  session: session('s1'),
  next: { phase: 'Pending', message: 'waiting' },
  events: {},
  counts,
  source: undefined,
  newData: false,
  metricsWrittenAt: 0,
  now,
  ...over,
});

// What was written last: a session already showing Charged, roasting, with its source and counts.
const shown = session('s2', 'bullet-1', {
  phase: 'Charged',
  source,
  commands: counts,
  events: {
    charge: {
      time: new Date(1_000_000).toISOString(),
      secondsSinceCharge: 0,
      beanTemperatureCelsius: 160,
      source: 'StateCode',
    },
  },
  conditions: [
    {
      type: 'Ready',
      status: 'False',
      reason: 'Charged',
      message: 'm',
      lastTransitionTime: '2026-11-24T09:00:00Z',
    },
    {
      type: 'Reconciling',
      status: 'True',
      reason: 'Roasting',
      message: 'm',
      lastTransitionTime: '2026-11-24T09:00:00Z',
    },
  ],
});
const roasting = (over: Partial<SessionSituation>) =>
  situation({
    session: shown,
    next: { phase: 'Charged', message: 'm' },
    events: { charge },
    source,
    ...over,
  });

const table: [string, SessionSituation, Partial<SessionStep> & { write: boolean }][] = [
  [
    'a new session is written at once: its conditions say it waits for a charge',
    situation(),
    { write: true, terminal: false },
  ],
  [
    'a phase change is written at once, naming the phase it leaves',
    situation({ next: { phase: 'Preheating', message: 'p' } }),
    { write: true, from: 'Pending' },
  ],
  ['nothing new while roasting: nothing written', roasting({}), { write: false }],
  [
    'new samples, numbers written less than 5 s ago: look again when they are due',
    roasting({ newData: true, metricsWrittenAt: now - 1000 }),
    { write: false, wakeAt: now + 4000 },
  ],
  [
    'new samples, numbers due: written',
    roasting({ newData: true, metricsWrittenAt: now - 5000 }),
    { write: true, charged: true },
  ],
  [
    'a changed command count is written at once',
    roasting({ counts: { ...counts, proposed: 1 } }),
    { write: true },
  ],
  [
    'an end is written at once, and ends the session',
    roasting({ next: { phase: 'Aborted', message: 'switched off' } }),
    { write: true, terminal: true, from: 'Charged' },
  ],
];

describe('sessionStep', () => {
  it.each(table)('%s', (_, s, want) => {
    expect(sessionStep(s)).toMatchObject(want);
  });

  it('writes phase, events, counts, source and both conditions in one status', () => {
    const step = sessionStep(
      situation({ next: { phase: 'Charged', message: 'charged' }, events: { charge }, source }),
    );
    expect(step.write && step.status).toMatchObject({
      phase: 'Charged',
      events: { charge: { secondsSinceCharge: 0 } },
      commands: counts,
      source,
      conditions: [
        { type: 'Ready', status: 'False', reason: 'Charged' },
        { type: 'Reconciling', status: 'True', reason: 'Roasting' },
      ],
    });
  });
});
