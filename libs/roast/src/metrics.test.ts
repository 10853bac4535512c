import { describe, expect, it } from 'vitest';
import { roastMetrics, roastPhase } from './metrics.ts';
import type { RorPoint } from './ror.ts';
import { DEFAULT_ANALYSIS_SETTINGS } from './settings.ts';
import type { RoastEvent, RoastEventKind, RoastEvents } from './types.ts';

const event = (kind: RoastEventKind, t: number): RoastEvent => ({
  kind,
  t,
  sinceChargeS: t - 100,
  bt: 150,
  source: 'inferred',
  detectedAt: t,
});

const roast = (...kinds: [RoastEventKind, number][]): RoastEvents =>
  Object.fromEntries(kinds.map(([kind, t]) => [kind, event(kind, t)]));

const full = roast(
  ['charge', 100],
  ['turningPoint', 160],
  ['dryEnd', 340],
  ['firstCrack', 580],
  ['drop', 700],
);
const bt = [
  { t: 100, value: 200 },
  { t: 700, value: 210 },
  { t: 760, value: 120 },
];

/** Rate of rise every second from `from` to `to` given by a function of time. */
const rates = (from: number, to: number, ror: (t: number) => number): RorPoint[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ t: from + i, ror: ror(from + i) }));

const metrics = (events: RoastEvents, btRor: RorPoint[] = [], now = 760, weights = {}) =>
  roastMetrics({ events, bt, btRor, now, weights, settings: DEFAULT_ANALYSIS_SETTINGS });

describe('roast phase', () => {
  it.each<[string, RoastEvents, string]>([
    ['nothing yet', {}, 'beforeCharge'],
    ['charge', roast(['charge', 100]), 'drying'],
    ['dry end', roast(['charge', 100], ['dryEnd', 340]), 'maillard'],
    ['first crack', roast(['charge', 100], ['dryEnd', 340], ['firstCrack', 580]), 'development'],
    ['drop', full, 'dropped'],
    ['a drop reported by a roaster on a stream that began mid-roast', roast(['drop', 700]), 'dropped'],
  ])('after %s', (_, events, phase) => {
    expect(roastPhase(events)).toBe(phase);
  });
});

describe('roast metrics', () => {
  it('times the phases of a finished roast and its development ratio', () => {
    const m = metrics(full);
    expect(m).toMatchObject({ totalS: 600, dryingS: 240, maillardS: 240, developmentS: 120, finalBt: 210 });
    expect(m.dtrPercent).toBeCloseTo(20, 9);
  });

  it('counts the running phase up to the latest sample', () => {
    const m = metrics(roast(['charge', 100], ['dryEnd', 340], ['firstCrack', 580]), [], 640);
    expect(m).toMatchObject({ totalS: 540, maillardS: 240, developmentS: 60 });
    expect(m.dtrPercent).toBeCloseTo(100 / 9, 9);
  });

  it('leaves a phase whose boundary was never found unknown once the roast moved on', () => {
    const m = metrics(roast(['charge', 100], ['firstCrack', 580], ['drop', 700]));
    expect(m).toMatchObject({ dryingS: null, maillardS: null, developmentS: 120, totalS: 600 });
  });

  it('has no figures before charge', () => {
    expect(metrics({})).toMatchObject({
      totalS: null,
      dtrPercent: null,
      maxRor: null,
      rorCrash: null,
      rorFlick: null,
    });
  });

  it('takes the highest rate from the turning point to drop', () => {
    // Spikes before TP (charge artefacts) and after drop do not count.
    const btRor = rates(100, 760, (t) => (t < 160 || t > 700 ? 99 : t === 280 ? 22 : 10));
    expect(metrics(full, btRor).maxRor).toEqual({ t: 280, sinceChargeS: 180, ror: 22 });
  });

  it.each<[string, (t: number) => number, boolean, boolean]>([
    ['a steady decline', (t) => 10 - (t - 100) / 100, false, false],
    ['a crash after first crack', (t) => (t < 580 ? 8 : t < 620 ? 8 - (5 * (t - 580)) / 40 : 3), true, false],
    [
      'a crash and a flick',
      (t) => (t < 580 ? 8 : t < 620 ? 8 - (5 * (t - 580)) / 40 : 3 + (t - 620) / 40),
      true,
      true,
    ],
    ['a rebound that fades before drop', (t) => (t < 580 ? 8 : t > 640 && t < 660 ? 10 : 7), false, false],
    ['a late crash, outside the window', (t) => (t < 690 ? 8 : 2), false, false],
  ])('flags %s', (_, ror, crash, flick) => {
    expect(metrics(full, rates(100, 700, ror))).toMatchObject({ rorCrash: crash, rorFlick: flick });
  });

  it.each([
    [{ greenG: 250, roastedG: 213 }, 14.8],
    [{ greenG: 250 }, null],
    [{}, null],
  ])('weight loss from %o', (weights, loss) => {
    const got = metrics(full, [], 760, weights).weightLossPercent;
    if (loss === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(loss, 9);
  });
});
