import type { Sample, TelemetryBatch } from '@roast-operator/proto';

// Deterministic telemetry for the tests, the killed-writer child process and the benchmark: any side can
// rebuild the exact batch a (roaster, seq) stands for and compare it with what the store returns.

/** 2026-11-24T00:00:00Z. */
export const BASE_MS = Date.UTC(2026, 10, 24);
export const POINTS_PER_BATCH = 10;
/** One batch a second, ten samples 100 ms apart: what an edge at 10 Hz sends. */
export const BATCH_MS = 1000;

/** Sample i of batch seq; some readings are absent, the way a device sometimes reports none. */
export function testSample(roaster: number, seq: number, i: number): Sample {
  const timeMs = BASE_MS + seq * BATCH_MS + i * (BATCH_MS / POINTS_PER_BATCH);
  const sample: Sample = { timeMs, heater: seq % 10, fan: 1 + (seq % 12), drum: 1 + (i % 9), stateCode: 6 };
  sample.beanTemp = 20 + roaster + seq / 7 + i / 1000;
  if ((seq + i) % 3 !== 0) sample.ibtsTemp = 25.125 + seq / 3;
  if (i % 4 !== 1) sample.exhaustTemp = 180 - i / 9;
  if (seq % 5 !== 0) sample.beanRor = (seq % 40) / 3 - 2;
  return sample;
}

export function testBatch(roaster: number, seq: number, bootEpoch = `boot-${roaster}`): TelemetryBatch {
  const samples = Array.from({ length: POINTS_PER_BATCH }, (_, i) => testSample(roaster, seq, i));
  return { bootEpoch, seq, samples, droppedBatchesTotal: 0, droppedPointsTotal: 0 };
}

export function roasterUid(roaster: number): string {
  return `00000000-0000-4000-8000-${String(roaster).padStart(12, '0')}`;
}
