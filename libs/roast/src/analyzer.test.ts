import { describe, expect, it } from 'vitest';
import { analyzeRoast, RoastAnalyzer } from './analyzer.ts';
import { DEFAULT_ANALYSIS_SETTINGS } from './settings.ts';
import {
  CHARGE_T,
  DROP_T,
  syntheticBt,
  syntheticCrossing,
  syntheticRoast,
  syntheticTurningPoint,
} from './test-curves.ts';
import type { RoastEvent, RoastEvents, RoastPhase, RoastSample } from './types.ts';
import { fromCelsius } from './units.ts';

const { dryEndBt, firstCrackBt } = DEFAULT_ANALYSIS_SETTINGS;

// R1 state codes.
const PREHEAT = 2;
const CHARGE = 4;
const ROASTING = 6;
const COOLING = 8;

function withStates(samples: readonly RoastSample[], chargeAt: number, dropAt: number): RoastSample[] {
  return samples.map((s) => ({
    ...s,
    stateCode: s.t < chargeAt - 30 ? PREHEAT : s.t < chargeAt ? CHARGE : s.t < dropAt ? ROASTING : COOLING,
  }));
}

function stream(analyzer: RoastAnalyzer, samples: readonly RoastSample[], each?: (s: RoastSample) => void) {
  const emitted: RoastEvent[] = [];
  for (const sample of samples) {
    emitted.push(...analyzer.push(sample));
    each?.(sample);
  }
  emitted.push(...analyzer.finish());
  return emitted;
}

const times = (events: RoastEvents) => Object.fromEntries(Object.values(events).map((e) => [e.kind, e.t]));

describe('inference on a synthetic roast', () => {
  const truth = {
    charge: CHARGE_T,
    turningPoint: syntheticTurningPoint(),
    dryEnd: syntheticCrossing(dryEndBt),
    firstCrack: syntheticCrossing(firstCrackBt),
    drop: DROP_T,
  };

  // Seconds of error allowed: a sample interval, the turning point also the width of its flat bottom.
  it.each([
    [
      '10 Hz, noise, spikes and dropouts',
      { intervalS: 0.1, noiseC: 0.2, spikeRate: 0.01, dropoutRate: 0.03 },
      1,
    ],
    [
      '1 Hz, noise, spikes and dropouts',
      { intervalS: 1, noiseC: 0.2, spikeRate: 0.01, dropoutRate: 0.03 },
      2,
    ],
    ['every 2 s, clean', { intervalS: 2 }, 2],
  ])('finds every event at %s', (_, options, toleranceS) => {
    const { events, metrics } = analyzeRoast(syntheticRoast(options), { unit: 'C' });
    expect(Object.keys(events).sort()).toEqual(Object.keys(truth).sort());
    for (const event of Object.values(events)) {
      expect(event.source).toBe('inferred');
      const slack = event.kind === 'turningPoint' ? toleranceS + 2 : toleranceS;
      expect(Math.abs(event.t - truth[event.kind]), event.kind).toBeLessThanOrEqual(slack);
      expect(Math.abs((event.bt ?? 0) - syntheticBt(event.t)), event.kind).toBeLessThan(0.5);
    }
    expect(metrics.totalS).toBeCloseTo(DROP_T - CHARGE_T, -1);
    // The beans' rate of rise peaks about 3 min after charge on this curve.
    expect(metrics.maxRor?.sinceChargeS).toBeGreaterThan(150);
    expect(metrics.maxRor?.sinceChargeS).toBeLessThan(210);
  });

  it('gives the same events for the same roast logged in °F', () => {
    const celsius = syntheticRoast({ intervalS: 1, noiseC: 0.2 });
    const fahrenheit = celsius.map((s) => ({ ...s, bt: Number.isNaN(s.bt) ? s.bt : fromCelsius(s.bt, 'F') }));
    const inC = analyzeRoast(celsius, { unit: 'C' });
    const inF = analyzeRoast(fahrenheit, { unit: 'F' });
    for (const event of Object.values(inC.events)) {
      expect(inF.events[event.kind]?.t).toBeCloseTo(event.t, 6);
      expect(inF.events[event.kind]?.bt).toBeCloseTo(event.bt ?? 0, 6);
    }
    expect(inF.metrics.maxRor?.ror).toBeCloseTo(inC.metrics.maxRor?.ror ?? 0, 6);
  });

  it('passes through every phase while streaming, confirming each event soon after it happened', () => {
    const analyzer = new RoastAnalyzer({ unit: 'C' });
    const phases: RoastPhase[] = [];
    const emitted = stream(analyzer, syntheticRoast({ intervalS: 1, noiseC: 0.2 }), () => {
      if (phases.at(-1) !== analyzer.phase) phases.push(analyzer.phase);
    });
    expect(phases).toEqual(['beforeCharge', 'drying', 'maillard', 'development', 'dropped']);
    expect(emitted.map((e) => e.kind)).toEqual(['charge', 'turningPoint', 'dryEnd', 'firstCrack', 'drop']);
    for (const e of emitted)
      expect(e.detectedAt - e.t, e.kind).toBeLessThan(e.kind === 'turningPoint' ? 30 : 12);
  });

  it('finds no turning point in beans loaded cold, but still dry end and first crack', () => {
    const cold = syntheticRoast({ intervalS: 1, preheatC: 25 });
    const { events } = analyzeRoast(cold, { unit: 'C', marks: [{ kind: 'charge', t: CHARGE_T }] });
    expect(Object.keys(events).sort()).toEqual(['charge', 'drop', 'dryEnd', 'firstCrack']);
    expect(events.firstCrack?.t).toBeCloseTo(syntheticCrossing(firstCrackBt), 0);
  });

  it('ignores a sample that is not later than the one before', () => {
    const samples = syntheticRoast({ intervalS: 1 });
    const replayed = samples.flatMap((s, i) =>
      i === 300 ? [s, { t: s.t - 5, bt: 20 }, { t: s.t, bt: 400 }] : [s],
    );
    expect(analyzeRoast(replayed, { unit: 'C' })).toEqual(analyzeRoast(samples, { unit: 'C' }));
  });
});

describe('the environment channel', () => {
  it('has its own rate of rise and leaves the bean analysis alone', () => {
    const samples = syntheticRoast({ intervalS: 1 });
    const withEt = samples.map((s) => ({ ...s, et: 220 + (s.t / 60) * 6 }));
    const withoutEt = samples.map((s) => ({ ...s, et: -1 }));
    const a = analyzeRoast(withEt, { unit: 'C' });
    const b = analyzeRoast(withoutEt, { unit: 'C' });
    expect(a.etRor.length).toBeGreaterThan(0);
    for (const r of a.etRor) expect(r.ror).toBeCloseTo(6, 6);
    expect(b.et).toEqual([]);
    expect(b.etRor).toEqual([]);
    expect(b.events).toEqual(a.events);
  });
});

describe("the roaster's state codes", () => {
  it('give charge and drop at the state changes, whatever the curve shows', () => {
    // The states change 10 s after the curve's own breaks.
    const samples = withStates(syntheticRoast({ intervalS: 1 }), CHARGE_T + 10, DROP_T + 10);
    const { events } = analyzeRoast(samples, { unit: 'C' });
    expect(events.charge).toMatchObject({ t: CHARGE_T + 10, source: 'stateCode', sinceChargeS: 0 });
    expect(events.drop).toMatchObject({ t: DROP_T + 10, source: 'stateCode' });
    expect(events.firstCrack?.source).toBe('inferred');
  });

  it('give no charge on a stream that starts mid-roast', () => {
    const samples = withStates(syntheticRoast({ intervalS: 1 }), CHARGE_T, DROP_T).filter(
      (s) => s.t > CHARGE_T + 30,
    );
    const { events, phase } = analyzeRoast(samples, { unit: 'C' });
    expect(Object.keys(events)).toEqual(['drop']);
    expect(events.drop?.sinceChargeS).toBeNull();
    expect(phase).toBe('dropped');
  });

  it('outrank a mark', () => {
    const samples = withStates(syntheticRoast({ intervalS: 1 }), CHARGE_T, DROP_T);
    const { events } = analyzeRoast(samples, { unit: 'C', marks: [{ kind: 'charge', t: CHARGE_T + 20 }] });
    expect(events.charge).toMatchObject({ t: CHARGE_T, source: 'stateCode' });
  });
});

describe('marks', () => {
  const samples = syntheticRoast({ intervalS: 1, noiseC: 0.2 });
  const firstCrackMark = { kind: 'firstCrack', t: 560 } as const;

  it('replace an inferred event and are reported when they land on the timeline', () => {
    const analyzer = new RoastAnalyzer({ unit: 'C' });
    const fromMark: RoastEvent[] = [];
    const fromSamples = stream(analyzer, samples, (s) => {
      if (s.t === 600) fromMark.push(...analyzer.mark(firstCrackMark));
    });
    // The inferred charge is the break between two readings, near CHARGE_T.
    const chargeT = analyzer.events.charge?.t ?? Number.NaN;
    expect(Math.abs(chargeT - CHARGE_T)).toBeLessThan(0.5);
    expect(analyzer.events.firstCrack).toMatchObject({ t: 560, source: 'mark', sinceChargeS: 560 - chargeT });
    expect(fromSamples.filter((e) => e.kind === 'firstCrack').map((e) => e.source)).toEqual(['inferred']);
    expect(fromMark.map((e) => [e.kind, e.source])).toEqual([['firstCrack', 'mark']]);
    expect(analyzer.metrics.developmentS).toBeCloseTo(DROP_T - 560, 0);
  });

  it('corrected by a later mark of the same kind take the later one', () => {
    const { events } = analyzeRoast(samples, {
      unit: 'C',
      marks: [firstCrackMark, { kind: 'firstCrack', t: 565 }],
    });
    expect(events.firstCrack?.t).toBe(565);
  });

  it('give the same analysis whenever they arrive', () => {
    const marks = [{ kind: 'charge', t: CHARGE_T + 4 } as const, { kind: 'drop', t: DROP_T - 30 } as const];
    const whole = analyzeRoast(samples, { unit: 'C', marks });
    const late = new RoastAnalyzer({ unit: 'C' });
    stream(late, samples);
    for (const mark of marks) late.mark(mark);
    const { events, metrics } = late.snapshot();
    expect(times(events)).toEqual(times(whole.events));
    expect(metrics).toEqual(whole.metrics);
    // A drop marked 30 s before the curve's break withdraws nothing else but ends the roast there.
    expect(events.drop).toMatchObject({ t: DROP_T - 30, source: 'mark' });
    expect(events.charge).toMatchObject({ t: CHARGE_T + 4, source: 'mark' });
  });
});

describe('weights', () => {
  it('give the weight loss, also when the roasted weight comes after the roast', () => {
    const analyzer = new RoastAnalyzer({ unit: 'C', weights: { greenG: 400 } });
    stream(analyzer, syntheticRoast({ intervalS: 2 }));
    expect(analyzer.metrics.weightLossPercent).toBeNull();
    analyzer.setWeights({ greenG: 400, roastedG: 346 });
    expect(analyzer.metrics.weightLossPercent).toBeCloseTo(13.5, 9);
  });
});
