import type { Sample } from '@roast-operator/proto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSamples, encodeSamples, RECORD_BYTES } from './codec.ts';
import { testBatch } from './fixtures.ts';

const uint32 = fc.integer({ min: 0, max: 0xffff_ffff });
const reading = fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: undefined });

/** Any sample the protocol can carry with finite readings; absent readings are left out, as decoded. */
const sampleArb = fc
  .record({
    timeMs: fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    beanTemp: reading,
    ibtsTemp: reading,
    exhaustTemp: reading,
    beanRor: reading,
    heater: uint32,
    fan: uint32,
    drum: uint32,
    stateCode: uint32,
  })
  .map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as unknown as Sample);

describe('the sample codec', () => {
  it('round-trips every sample exactly, -0 and extremes included', () => {
    fc.assert(
      fc.property(fc.array(sampleArb, { maxLength: 30 }), (samples) => {
        expect(decodeSamples(encodeSamples(samples).points)).toStrictEqual(samples);
      }),
    );
  });

  it('writes fixed-width records behind a format byte and reports the time span', () => {
    const { samples } = testBatch(1, 7);
    const encoded = encodeSamples(samples);
    expect(encoded.points.byteLength).toBe(1 + RECORD_BYTES * samples.length);
    expect(encoded).toMatchObject({ count: 10, firstMs: samples[0]?.timeMs, lastMs: samples[9]?.timeMs });
  });

  it('reports the span of samples that are out of order', () => {
    const [a, b, c] = testBatch(1, 7).samples as [Sample, Sample, Sample];
    expect(encodeSamples([b, c, a])).toMatchObject({ firstMs: a.timeMs, lastMs: c.timeMs });
    expect(encodeSamples([])).toMatchObject({ count: 0, firstMs: undefined, lastMs: undefined });
  });

  it('stores NaN and infinite readings as absent, never as numbers', () => {
    const sample: Sample = {
      timeMs: 5,
      beanTemp: Number.NaN,
      ibtsTemp: Number.POSITIVE_INFINITY,
      exhaustTemp: Number.NEGATIVE_INFINITY,
      beanRor: 1.5,
      heater: 1,
      fan: 2,
      drum: 3,
      stateCode: 4,
    };
    const encoded = encodeSamples([sample]);
    expect(encoded.nonFinite).toBe(3);
    expect(decodeSamples(encoded.points)).toStrictEqual([
      { timeMs: 5, beanRor: 1.5, heater: 1, fan: 2, drum: 3, stateCode: 4 },
    ]);
  });

  it('refuses what it cannot hold exactly rather than store it altered', () => {
    const good = testBatch(1, 1).samples[0] as Sample;
    for (const bad of [
      { ...good, timeMs: 1.5 },
      { ...good, timeMs: Number.NaN },
      { ...good, timeMs: 2 ** 53 },
      { ...good, heater: -1 },
      { ...good, fan: 2 ** 32 },
      { ...good, drum: 0.5 },
      { ...good, stateCode: Number.NaN },
    ])
      expect(() => encodeSamples([good, bad])).toThrow(RangeError);
  });

  it('refuses a blob of an unknown format or a truncated one', () => {
    const { points } = encodeSamples(testBatch(1, 1).samples);
    expect(() => decodeSamples(new Uint8Array([2, ...points.subarray(1)]))).toThrow(
      /unknown telemetry format 2/,
    );
    expect(() => decodeSamples(new Uint8Array())).toThrow(/unknown telemetry format/);
    expect(() => decodeSamples(points.subarray(0, points.byteLength - 1))).toThrow(/truncated/);
  });

  it('decodes only the samples of a half-open window, appending to what it is given', () => {
    const { samples } = testBatch(1, 4);
    const { points } = encodeSamples(samples);
    const from = samples[2]!.timeMs;
    const to = samples[5]!.timeMs;
    const out = decodeSamples(points, from, to, [samples[9]!]);
    expect(out).toStrictEqual([samples[9], samples[2], samples[3], samples[4]]);
  });

  it('decodes a blob that is a view into a larger buffer', () => {
    const { points } = encodeSamples(testBatch(2, 3).samples);
    const padded = new Uint8Array(points.byteLength + 16);
    padded.set(points, 7);
    expect(decodeSamples(padded.subarray(7, 7 + points.byteLength))).toStrictEqual(testBatch(2, 3).samples);
  });
});
