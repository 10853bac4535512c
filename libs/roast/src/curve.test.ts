import { describe, expect, it } from 'vitest';
import { type CurvePoint, crossingTime, Despiker, median, slope, valueAt, window } from './curve.ts';

const line = (n: number, dt: number, perS: number, t0 = 0): CurvePoint[] =>
  Array.from({ length: n }, (_, i) => ({ t: t0 + i * dt, value: 100 + perS * i * dt }));

function despike(values: readonly number[], dt: number, halfWindowS = 1, thresholdC = 1): number[] {
  const despiker = new Despiker({ halfWindowS, thresholdC });
  const out = values.flatMap((value, i) => despiker.push({ t: i * dt, value }));
  return [...out, ...despiker.flush()].map((p) => p.value);
}

describe('curve helpers', () => {
  it('windows a time-ordered curve, both ends included', () => {
    const points = line(10, 1, 1);
    expect(window(points, 3, 5).map((p) => p.t)).toEqual([3, 4, 5]);
    expect(window(points, 8).map((p) => p.t)).toEqual([8, 9]);
    expect(window(points, 20)).toEqual([]);
  });

  it.each([
    [0.1, 0.5],
    [1.5, -1.2],
    [2, 0],
  ])('fits the slope of a line sampled every %d s on an epoch clock (%d /s)', (dt, perS) => {
    expect(slope(line(20, dt, perS, 1.7e9))).toBeCloseTo(perS, 6);
  });

  it('has no slope for fewer than two times', () => {
    expect(slope([])).toBeUndefined();
    expect(slope([{ t: 1, value: 2 }])).toBeUndefined();
  });

  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('interpolates inside a curve and holds its ends outside', () => {
    const points = line(3, 10, 1);
    expect(valueAt(points, 15)).toBe(115);
    expect(valueAt(points, 10)).toBe(110);
    expect(valueAt(points, -5)).toBe(100);
    expect(valueAt(points, 99)).toBe(120);
    expect(valueAt([], 1)).toBeUndefined();
  });

  it('finds where a segment crosses a value', () => {
    expect(crossingTime({ t: 10, value: 148 }, { t: 12, value: 152 }, 150)).toBe(11);
  });
});

describe('Despiker', () => {
  it('replaces a single-sample spike by the median of its neighbourhood', () => {
    expect(despike([100, 101, 125, 103, 104], 1.5)).toEqual([100, 101, 103, 103, 104]);
  });

  it('passes readings within the threshold unchanged, noise included', () => {
    const noisy = [150, 150.4, 149.8, 150.3, 149.9, 150.2];
    expect(despike(noisy, 1)).toEqual(noisy);
  });

  it('keeps a steep monotone fall exactly (a charge is not a spike)', () => {
    const fall = [180, 177.7, 175.5, 173.2, 152.8, 122.2, 101.8, 95];
    expect(despike(fall, 2)).toEqual(fall);
  });

  it('removes a spike lasting 0.3 s at 10 Hz', () => {
    const values = Array.from({ length: 50 }, (_, i) => (i >= 20 && i < 23 ? 130 : 100));
    expect(despike(values, 0.1).every((v) => v === 100)).toBe(true);
  });

  it('holds a reading back until a later one beyond its half window arrives', () => {
    const despiker = new Despiker({ halfWindowS: 1, thresholdC: 1 });
    expect(despiker.push({ t: 0, value: 100 })).toEqual([]);
    expect(despiker.push({ t: 0.5, value: 100 })).toEqual([]);
    expect(despiker.push({ t: 1.2, value: 100 }).map((p) => p.t)).toEqual([0]);
    expect(despiker.flush().map((p) => p.t)).toEqual([0.5, 1.2]);
  });

  it('compares a reading after a long dropout with no reading across the gap', () => {
    expect(despike([100, 160, 100], 30)).toEqual([100, 160, 100]);
  });
});
