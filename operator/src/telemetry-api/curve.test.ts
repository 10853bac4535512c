import type { Sample } from '@roast-operator/proto';
import { describe, expect, it } from 'vitest';
import { csvColumns, originOf, selectPoints, toCsv, toPoint } from './curve.ts';

const base = Date.UTC(2026, 10, 24, 9);
const sample = (ms: number, extra: Partial<Sample> = {}): Sample => ({
  timeMs: base + ms,
  heater: 5,
  fan: 4,
  drum: 6,
  stateCode: 6,
  ...extra,
});
const times = (s: readonly Sample[]) => s.map((x) => x.timeMs - base);
/** Every 500 ms for 10 s: 0, 500, …, 9500. */
const curve = Array.from({ length: 20 }, (_, i) => sample(i * 500));

describe('the origin', () => {
  it.each([
    [
      'the charge event when recorded',
      curve,
      new Date(base + 2000).toISOString(),
      { ms: base + 2000, from: 'charge' },
    ],
    ['the first point without one', curve, undefined, { ms: base, from: 'firstPoint' }],
    ['the first point when the charge time is unreadable', curve, 'soon', { ms: base, from: 'firstPoint' }],
    ['nothing with neither', [], undefined, undefined],
    ['the charge with no points yet', [], new Date(base).toISOString(), { ms: base, from: 'charge' }],
  ])('is %s', (_what, samples, charge, expected) => {
    expect(originOf(samples, charge)).toEqual(expected);
  });
});

describe('selecting points', () => {
  it.each([
    ['all of them, unthinned', {}, 0, 100, times(curve), false, undefined],
    ['those after since (exclusive)', { sinceMs: base + 8000 }, 0, 100, [8500, 9000, 9500], false, undefined],
    ['none after the last', { sinceMs: base + 9500 }, 0, 100, [], false, undefined],
    ['the first page under the cap', {}, 0, 3, [0, 500, 1000], true, undefined],
    ['the next page from since', { sinceMs: base + 1000 }, 0, 3, [1500, 2000, 2500], true, undefined],
    // Buckets [0, 2000), [2000, 4000), …: each shown by its last sample.
    [
      'one per step, the last of each bucket',
      { stepMs: 2000 },
      0,
      100,
      [1500, 3500, 5500, 7500, 9500],
      false,
      2000,
    ],
    // Aligned to the origin (charge at 1 s): [-1000, 1000), [1000, 3000), …
    [
      'step buckets aligned to the origin',
      { stepMs: 2000 },
      base + 1000,
      100,
      [500, 2500, 4500, 6500, 8500, 9500],
      false,
      2000,
    ],
    ['a step finer than the samples', { stepMs: 100 }, 0, 100, times(curve), false, 100],
    // span 9500 ms / 4 → buckets of 2376 ms from the first point: at most 4 points.
    ['at most maxPoints', { maxPoints: 4 }, 0, 100, [2000, 4500, 7000, 9500], false, 2376],
    ['one point: the newest', { maxPoints: 1 }, 0, 100, [9500], false, 9501],
    ['maxPoints above the count keeps all', { maxPoints: 50 }, 0, 100, times(curve), false, 191],
    [
      'maxPoints over what since leaves',
      { sinceMs: base + 7000, maxPoints: 2 },
      0,
      100,
      [8500, 9500],
      false,
      1001,
    ],
  ])('%s', (_what, query, originMs, cap, expected, more, stepMs) => {
    const selection = selectPoints(curve, query, originMs || base, cap);
    expect(times(selection.samples)).toEqual(expected);
    expect(selection.more).toBe(more);
    expect(selection.stepMs).toBe(stepMs);
  });

  it('keeps maxPoints a bound for any span', () => {
    for (const n of [1, 2, 3, 7, 19, 20]) {
      for (const span of [0, 1, 999, 9500, 3_600_000]) {
        const samples = Array.from({ length: 200 }, (_, i) => sample(Math.floor((i * span) / 199)));
        const selection = selectPoints(samples, { maxPoints: n }, base, 5000);
        expect(selection.samples.length, `${n} points over ${span} ms`).toBeLessThanOrEqual(n);
        expect(selection.samples.at(-1)).toBe(samples.at(-1));
      }
    }
  });
});

describe('points and CSV', () => {
  const full = sample(1500, { beanTemp: 180.5, ibtsTemp: 201.25, exhaustTemp: 150, beanRor: 9.8 });
  const sparse = sample(-2000, { stateCode: 4 });

  it('puts a sample on the session axis, omitting absent readings', () => {
    expect(toPoint(full, base)).toEqual({
      t: 1.5,
      time: '2026-11-24T09:00:01.500Z',
      beanTemperatureCelsius: 180.5,
      ibtsTemperatureCelsius: 201.25,
      exhaustTemperatureCelsius: 150,
      beanRateOfRiseCelsiusPerMinute: 9.8,
      heater: 5,
      fan: 4,
      drum: 6,
      stateCode: 6,
    });
    expect(toPoint(sparse, base)).toEqual({
      t: -2,
      time: '2026-11-24T08:59:58.000Z',
      heater: 5,
      fan: 4,
      drum: 6,
      stateCode: 4,
    });
  });

  it.each([
    ['a header alone for no points', [], [csvColumns.join(',')]],
    [
      'one row per point, empty where a reading is absent',
      [full, sparse],
      [
        't,time,beanTemperatureCelsius,ibtsTemperatureCelsius,exhaustTemperatureCelsius,beanRateOfRiseCelsiusPerMinute,heater,fan,drum,stateCode',
        '1.5,2026-11-24T09:00:01.500Z,180.5,201.25,150,9.8,5,4,6,6',
        '-2,2026-11-24T08:59:58.000Z,,,,,5,4,6,4',
      ],
    ],
  ])('CSV: %s', (_what, samples, lines) => {
    expect(toCsv(samples.map((s) => toPoint(s, base)))).toBe(`${lines.join('\n')}\n`);
  });
});
