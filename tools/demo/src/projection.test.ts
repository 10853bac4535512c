import { describe, expect, it } from 'vitest';
import { type CurvePoint, projectBean, rateOfRise, sinceTurningPoint } from './projection.ts';

/** A rise whose rate decays exponentially: RoR(t) = r0·e^(−t/T), in °C/s. */
function decayingRise(r0: number, decay: number) {
  return (t: number) => 100 + r0 * decay * (1 - Math.exp(-t / decay));
}

const sampled = (curve: (t: number) => number, times: readonly number[]): CurvePoint[] =>
  times.map((seconds) => ({ seconds, celsius: curve(seconds) }));

describe('projectBean', () => {
  it('follows a rise whose rate decays, from readings 100 s apart, within 1 °C over the next 100 s', () => {
    for (const decay of [120, 200, 400]) {
      const curve = decayingRise(0.4, decay);
      const points = sampled(curve, [100, 200, 300]);
      for (const ahead of [20, 50, 100]) {
        expect(Math.abs(projectBean(points, 300 + ahead)! - curve(300 + ahead))).toBeLessThan(1);
      }
    }
  });

  it('stays below the straight line through the last two readings, which overshoots a falling RoR', () => {
    const curve = decayingRise(0.4, 200);
    const points = sampled(curve, [200, 300]);
    const straight = points[1]!.celsius + ((points[1]!.celsius - points[0]!.celsius) / 100) * 100;
    const projected = projectBean(points, 400)!;
    expect(projected).toBeLessThan(straight);
    expect(projected).toBeGreaterThan(points[1]!.celsius);
  });

  it('holds the last reading when the curve is not rising, or for a time not after it', () => {
    const falling = [
      { seconds: 0, celsius: 150 },
      { seconds: 60, celsius: 110 },
    ];
    expect(projectBean(falling, 120)).toBe(110);
    expect(projectBean([{ seconds: 10, celsius: 120 }], 100)).toBe(120);
    expect(projectBean(sampled(decayingRise(0.4, 200), [100, 200]), 150)).toBe(decayingRise(0.4, 200)(200));
    expect(projectBean([], 10)).toBeUndefined();
  });
});

describe('rateOfRise and sinceTurningPoint', () => {
  it('give °C/min over the last two readings, and the curve from its lowest reading on', () => {
    const points = [
      { seconds: 0, celsius: 150 },
      { seconds: 60, celsius: 98 },
      { seconds: 120, celsius: 110 },
      { seconds: 180, celsius: 130 },
    ];
    expect(rateOfRise(points)).toBeCloseTo(20);
    expect(rateOfRise(points.slice(0, 1))).toBeUndefined();
    expect(sinceTurningPoint(points)).toEqual(points.slice(1));
  });
});
