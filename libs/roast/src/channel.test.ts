import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHANNEL_SETTINGS, isReading, rateOfRise } from './channel.ts';
import { random } from './test-curves.ts';

const ramp = (perMin: number, intervalS: number, endT = 120) =>
  Array.from({ length: Math.floor(endT / intervalS) + 1 }, (_, i) => ({
    t: i * intervalS,
    value: 150 + (perMin / 60) * i * intervalS,
  }));

describe('rate of rise', () => {
  it('is the slope of a steady ramp at any sampling interval, in °C/min', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -40, max: 40, noNaN: true }),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        (perMin, intervalS) => {
          const rates = rateOfRise(ramp(perMin, intervalS));
          expect(rates.length).toBeGreaterThan(0);
          for (const r of rates) expect(r.ror).toBeCloseTo(perMin, 6);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives no rate before half the span is covered', () => {
    const rates = rateOfRise(ramp(10, 1));
    expect(rates[0]?.t).toBe(DEFAULT_CHANNEL_SETTINGS.ror.spanS / 2);
  });

  it('ignores dropouts (−1, NaN) and implausible readings', () => {
    const next = random(7);
    const readings = ramp(12, 1.5, 300).map((r) => {
      const roll = next();
      return { t: r.t, value: roll < 0.05 ? -1 : roll < 0.1 ? Number.NaN : roll < 0.12 ? 900 : r.value };
    });
    for (const r of rateOfRise(readings)) expect(r.ror).toBeCloseTo(12, 6);
  });

  it.each([1, 0.1])('is barely moved by isolated sensor spikes (sampling every %d s)', (intervalS) => {
    // A +40 °C spike every 37 samples, lasting one sample at 1 Hz and three at 10 Hz.
    const spiky = (i: number) => (intervalS < 1 ? i % 37 < 3 : i % 37 === 0) && i > 0;
    const readings = ramp(12, intervalS, 300).map((r, i) => ({
      t: r.t,
      value: spiky(i) ? r.value + 40 : r.value,
    }));
    const rates = rateOfRise(readings);
    expect(rates.length).toBeGreaterThan(0);
    for (const r of rates) expect(Math.abs(r.ror - 12)).toBeLessThan(0.5);
  });

  it('follows a change of rate within the span plus the smoothing', () => {
    // 20 °C/min, then 5 °C/min from t = 100 s.
    const readings = ramp(20, 1, 200).map((r) => ({
      t: r.t,
      value: r.t <= 100 ? r.value : 150 + 100 / 3 + ((r.t - 100) * 5) / 60,
    }));
    const { spanS, smoothingS } = DEFAULT_CHANNEL_SETTINGS.ror;
    const settledFrom = 100 + spanS + smoothingS;
    const rates = rateOfRise(readings);
    expect(rates.filter((r) => r.t <= 100).every((r) => Math.abs(r.ror - 20) < 1e-6)).toBe(true);
    expect(rates.filter((r) => r.t >= settledFrom).every((r) => Math.abs(r.ror - 5) < 1e-6)).toBe(true);
  });
});

describe('isReading', () => {
  it.each([
    [150, true],
    [-1, false],
    [Number.NaN, false],
    [Number.POSITIVE_INFINITY, false],
    [0, false],
    [701, false],
  ])('%d °C → %s', (celsius, expected) => {
    expect(isReading(celsius)).toBe(expected);
  });
});
