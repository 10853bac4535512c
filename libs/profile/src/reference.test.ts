import type { ReferenceCurve } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import { beanAt, curveEnd, rateOfRiseAt, timeReaching, valueAt } from './reference.ts';

// Charge at 200 °C, turning point 100 °C at 60 s, then 10 °C a minute up to 210 °C at 720 s.
const curve: ReferenceCurve = {
  seconds: [0, 60, 120, 720],
  beanCelsius: [200, 100, 110, 210],
};

describe('valueAt', () => {
  it.each([
    ['before the curve', -1, undefined],
    ['at the first point', 0, 200],
    ['between two points', 30, 150],
    ['at an inner point', 60, 100],
    ['at the last point', 720, 210],
    ['past the curve', 720.5, undefined],
  ])('%s', (_, t, expected) => {
    expect(valueAt(curve.seconds, curve.beanCelsius, t)).toBe(expected);
  });
});

describe('beanAt and curveEnd', () => {
  it('read the straight line between points, and the last time', () => {
    expect(beanAt(curve, 420)).toBe(160);
    expect(curveEnd(curve)).toBe(720);
  });
});

describe('rateOfRiseAt', () => {
  it.each([
    ['from the slope over the last 30 s', curve, 420, 10],
    ['through the turning point: 125 °C at 45 s to 102.5 °C at 75 s', curve, 75, -45],
    ['at charge, with no span behind it', curve, 0, undefined],
    ['past the curve', curve, 800, undefined],
    ['from the profile’s own column', { ...curve, rateOfRiseCelsiusPerMinute: [0, 0, 20, 8] }, 420, 14],
  ])('%s', (_, c, t, expected) => {
    const got = rateOfRiseAt(c as ReferenceCurve, t);
    if (expected === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(expected, 9);
  });
});

describe('timeReaching', () => {
  it.each([
    ['a temperature on the rise', 160, 420],
    ['the turning point itself', 100, 60],
    ['an inner point exactly', 110, 120],
    ['the last point', 210, 720],
    ['below the turning point (only seen while falling)', 95, undefined],
    ['a charge temperature, reached again late', 200, 660],
    ['beyond the curve', 215, undefined],
  ])('%s', (_, celsius, expected) => {
    const got = timeReaching(curve, celsius);
    if (expected === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(expected, 9);
  });
});
