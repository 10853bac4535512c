import { describe, expect, it } from 'vitest';
import type { CurvePoint } from './curve.ts';
import { findBreak } from './detectors.ts';
import { DEFAULT_ANALYSIS_SETTINGS } from './settings.ts';

// A pre-heated probe rising slowly until beans go in at `breakT`, then falling towards them as a
// first-order lag: the break is a moment between two readings, not a reading.
function probe(breakT: number, intervalS: number, tauS: number): CurvePoint[] {
  const value = (t: number) =>
    t <= breakT ? 150 + 0.05 * t : 25 + (150 + 0.05 * breakT - 25) * Math.exp(-(t - breakT) / tauS);
  return Array.from({ length: Math.floor(200 / intervalS) }, (_, i) => ({
    t: i * intervalS,
    value: value(i * intervalS),
  }));
}

describe('findBreak', () => {
  it.each([
    // break time, sampling interval, probe time constant
    [100.5, 1, 57],
    [100.9, 1, 57],
    [101.3, 2, 57],
    [100.2, 2, 57],
    [100.7, 2, 20],
    [101.5, 2, 10],
  ])(
    'reports a break at %s s (readings every %s s, τ %s s) as the moment itself',
    (breakT, intervalS, tauS) => {
      const curve = probe(breakT, intervalS, tauS);
      const confirmed = curve
        .map((p) => findBreak(curve, p.t, DEFAULT_ANALYSIS_SETTINGS.charge))
        .find(Boolean);
      expect(confirmed).toBeDefined();
      // The last reading before the break and the first after it are up to a whole interval away.
      expect(Math.abs((confirmed?.t ?? 0) - breakT)).toBeLessThanOrEqual(intervalS / 4);
      expect(confirmed?.value).toBeCloseTo(150 + 0.05 * (confirmed?.t ?? 0), 0);
    },
  );

  it('finds no break in a steady rise', () => {
    const rise = Array.from({ length: 100 }, (_, t) => ({ t, value: 100 + 0.2 * t }));
    expect(rise.map((p) => findBreak(rise, p.t, DEFAULT_ANALYSIS_SETTINGS.charge)).filter(Boolean)).toEqual(
      [],
    );
  });
});
