import type { Sample } from '@roast-operator/proto';

// A batch's samples are stored as one BLOB of fixed-width little-endian records behind a format byte:
//
//   offset  0  time_ms       float64  (an int64 on the wire; every millisecond time is a safe integer)
//           8  presence      uint8    bit i set when reading i is present
//           9  heater        uint32
//          13  fan           uint32
//          17  drum          uint32
//          21  state_code    uint32
//          25  bean_temp     float64  (0 when absent)
//          33  ibts_temp     float64
//          41  exhaust_temp  float64
//          49  bean_ror      float64
//
// Fixed width keeps encoding and decoding to straight DataView calls (no parsing, no allocation per field)
// and the sample count is implied by the length. The uint32 levels match the protocol's types, so any
// valid batch round-trips exactly. A future layout would take a new format byte, so rows written before
// stay decodable.

const FORMAT_V1 = 1;
const HEADER_BYTES = 1;
/** Bytes per sample in format 1. */
export const RECORD_BYTES = 57;

const READINGS = ['beanTemp', 'ibtsTemp', 'exhaustTemp', 'beanRor'] as const;
const LEVELS = ['heater', 'fan', 'drum', 'stateCode'] as const;
const PRESENCE_OFFSET = 8;
const LEVELS_OFFSET = 9;
const READINGS_OFFSET = 25;

export interface EncodedSamples {
  points: Uint8Array;
  count: number;
  /** Earliest and latest sample time; undefined for an empty batch. */
  firstMs: number | undefined;
  lastMs: number | undefined;
  /** Readings that were NaN or infinite and are stored as absent. */
  nonFinite: number;
}

/** A sample time must be a whole number of milliseconds that a float64 holds exactly. */
function checkTime(value: number, index: number): void {
  if (!Number.isSafeInteger(value))
    throw new RangeError(`sample ${index}: timeMs ${value} is not a safe integer`);
}

function checkLevel(name: string, value: number, index: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff)
    throw new RangeError(`sample ${index}: ${name} ${value} is not a uint32`);
}

function writeSample(view: DataView, offset: number, sample: Sample, index: number): number {
  checkTime(sample.timeMs, index);
  view.setFloat64(offset, sample.timeMs, true);
  for (let i = 0; i < LEVELS.length; i++) {
    const name = LEVELS[i]!;
    checkLevel(name, sample[name], index);
    view.setUint32(offset + LEVELS_OFFSET + 4 * i, sample[name], true);
  }
  let presence = 0;
  let nonFinite = 0;
  for (let i = 0; i < READINGS.length; i++) {
    const value = sample[READINGS[i]!];
    if (typeof value !== 'number') continue;
    // A NaN or infinite reading is no reading: it is stored as absent, never as a number.
    if (!Number.isFinite(value)) {
      nonFinite++;
      continue;
    }
    presence |= 1 << i;
    view.setFloat64(offset + READINGS_OFFSET + 8 * i, value, true);
  }
  view.setUint8(offset + PRESENCE_OFFSET, presence);
  return nonFinite;
}

/**
 * Packs samples into one BLOB. Throws a RangeError for a sample the format cannot hold exactly (a time that
 * is not a safe integer, a level that is not a uint32): such a batch must be refused, not stored altered.
 */
export function encodeSamples(samples: readonly Sample[]): EncodedSamples {
  const points = new Uint8Array(HEADER_BYTES + RECORD_BYTES * samples.length);
  const view = new DataView(points.buffer);
  view.setUint8(0, FORMAT_V1);
  let firstMs: number | undefined;
  let lastMs: number | undefined;
  let nonFinite = 0;
  samples.forEach((sample, index) => {
    nonFinite += writeSample(view, HEADER_BYTES + RECORD_BYTES * index, sample, index);
    if (firstMs === undefined || sample.timeMs < firstMs) firstMs = sample.timeMs;
    if (lastMs === undefined || sample.timeMs > lastMs) lastMs = sample.timeMs;
  });
  return { points, count: samples.length, firstMs, lastMs, nonFinite };
}

function readSample(view: DataView, offset: number, timeMs: number): Sample {
  const sample: Sample = {
    timeMs,
    heater: view.getUint32(offset + LEVELS_OFFSET, true),
    fan: view.getUint32(offset + LEVELS_OFFSET + 4, true),
    drum: view.getUint32(offset + LEVELS_OFFSET + 8, true),
    stateCode: view.getUint32(offset + LEVELS_OFFSET + 12, true),
  };
  const presence = view.getUint8(offset + PRESENCE_OFFSET);
  // A plain loop: reads decode thousands of samples per call and a closure per sample shows.
  for (let i = 0; i < READINGS.length; i++)
    if (presence & (1 << i)) sample[READINGS[i]!] = view.getFloat64(offset + READINGS_OFFSET + 8 * i, true);
  return sample;
}

/**
 * Unpacks a BLOB written by encodeSamples, appending to `out` the samples with fromMs <= time < toMs (all by
 * default). Absent readings are left out of the samples.
 */
export function decodeSamples(
  points: Uint8Array,
  fromMs = Number.NEGATIVE_INFINITY,
  toMs = Number.POSITIVE_INFINITY,
  out: Sample[] = [],
): Sample[] {
  const view = new DataView(points.buffer, points.byteOffset, points.byteLength);
  if (points.byteLength < HEADER_BYTES || view.getUint8(0) !== FORMAT_V1)
    throw new Error(`unknown telemetry format ${points.byteLength ? view.getUint8(0) : 'empty'}`);
  const count = (points.byteLength - HEADER_BYTES) / RECORD_BYTES;
  if (!Number.isInteger(count)) throw new Error(`telemetry blob of ${points.byteLength} bytes is truncated`);
  for (let offset = HEADER_BYTES; offset < points.byteLength; offset += RECORD_BYTES) {
    const timeMs = view.getFloat64(offset, true);
    if (timeMs >= fromMs && timeMs < toMs) out.push(readSample(view, offset, timeMs));
  }
  return out;
}
