import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '@roast-operator/clock';
import { Logger } from '@roast-operator/log';
import type { TelemetryBatch } from '@roast-operator/proto';
import { SqliteTelemetryStore } from '@roast-operator/store';
import { afterEach, describe, expect, it } from 'vitest';
import { TelemetryRetention } from './retention.ts';

const day = 86_400_000;
const roasterUid = '00000000-0000-4000-8000-000000000001';

function batch(seq: number, timeMs: number): TelemetryBatch {
  const samples = [0, 1].map((i) => ({
    timeMs: timeMs + i * 100,
    beanTemp: 150,
    heater: 5,
    fan: 3,
    drum: 6,
    stateCode: 6,
  }));
  return { bootEpoch: 'boot-1', seq, samples, droppedBatchesTotal: 0, droppedPointsTotal: 0 };
}

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('TelemetryRetention', () => {
  it('deletes, every period, the telemetry and the ended session windows older than the retention', async () => {
    dir = await mkdtemp(join(tmpdir(), 'roast-retention-'));
    const clock = new VirtualClock(Date.UTC(2026, 10, 24));
    const store = new SqliteTelemetryStore(join(dir, 'telemetry.db'));
    const now = clock.now();
    await store.append(roasterUid, batch(1, now - 40 * day));
    await store.append(roasterUid, batch(2, now - 10 * day));
    await store.putSession({ uid: 'old', roasterUid, startMs: now - 41 * day, endMs: now - 39 * day });
    await store.putSession({ uid: 'recent', roasterUid, startMs: now - 11 * day, endMs: now - 9 * day });
    const lines: string[] = [];
    const retention = new TelemetryRetention({
      store: () => store,
      retentionMs: 30 * day,
      periodMs: 3_600_000,
      clock,
      log: new Logger({ sink: (_, line) => lines.push(line) }),
    });
    const stop = new AbortController();
    const running = retention.start(stop.signal);
    try {
      // Nothing before the first period is over.
      await clock.advance(3_599_000);
      expect(await store.points(roasterUid, 0, now)).toHaveLength(4);
      await clock.advance(1000);
      await expect.poll(() => store.points(roasterUid, 0, now)).toHaveLength(2);
      expect(await store.sessionPoints('old')).toBeUndefined();
      expect(await store.sessionPoints('recent')).toHaveLength(2);
      expect(lines.some((l) => JSON.parse(l).msg === 'deleted old telemetry')).toBe(true);
    } finally {
      stop.abort();
      await running;
      await store.close();
    }
  });
});
