import { describe, expect, it } from 'vitest';
import { normal, uniform } from './random.ts';

function draws(next: typeof uniform, seed: number, count: number): number[] {
  const values = [];
  let s = seed;
  for (let i = 0; i < count; i++) {
    const d = next(s);
    values.push(d.value);
    s = d.seed;
  }
  return values;
}

describe('seeded PRNG', () => {
  it('repeats a sequence for a seed and gives another for another seed', () => {
    expect(draws(uniform, 42, 100)).toEqual(draws(uniform, 42, 100));
    expect(draws(uniform, 43, 100)).not.toEqual(draws(uniform, 42, 100));
  });

  it('spreads uniform draws over [0, 1)', () => {
    const values = draws(uniform, 1, 10_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const tenths = Array.from(
      { length: 10 },
      (_, k) => values.filter((v) => Math.floor(v * 10) === k).length,
    );
    for (const count of tenths) expect(Math.abs(count - 1000)).toBeLessThan(120);
  });

  it('draws standard normals', () => {
    const values = draws(normal, 1, 10_000);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(values.every(Number.isFinite)).toBe(true);
  });
});
