// Telemetry store benchmark: `npm run bench:store [-- --json] [-- --points N] [-- --runs N] [-- --live-seconds S]`.
// In a temporary directory, with the store's defaults (group commit every 5 ms or 256 batches). Throughput
// figures are the median of --runs runs (default 3), each into a new file:
// - ingest: 1, 10 and 50 roasters stream interleaved 10-sample batches (one second of 10 Hz telemetry
//   each), every stream keeping up to 64 batches unacknowledged, as an edge replaying its buffer after a
//   reconnect does: points per second, append → ack latency, group sizes, the longest event-loop stall;
// - live: 50 roasters each sending one batch a second, in real time: append → ack latency at fleet rate;
// - reads on the 50-roaster file: a 15-minute session, its counts, the latest point, the committed seq;
// - retention: deleting the older half of the 50-roaster file while nothing else runs;
// - layouts: the store's schema against the alternatives (schemas.ts) on the 50-roaster data.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DatabaseSync } from 'node:sqlite';
import { Logger } from '@roast-operator/log';
import { BASE_MS, BATCH_MS, POINTS_PER_BATCH, roasterUid, testBatch } from '../src/fixtures.ts';
import { SqliteTelemetryStore } from '../src/index.ts';
import { type Delivery, type LayoutResult, layouts, measureLayout } from './schemas.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const totalPoints = option('--points', 500_000);
const runs = option('--runs', 3);
const liveSeconds = option('--live-seconds', 5);
const window = 64;
const group = 256;
const quiet = new Logger({ level: 'error' });
const dir = mkdtempSync(join(tmpdir(), 'roast-store-bench-'));

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

function latencySummary(latencies: number[]) {
  const sorted = Float64Array.from(latencies).sort();
  return {
    ackP50Ms: percentile(sorted, 50),
    ackP99Ms: percentile(sorted, 99),
    ackMaxMs: percentile(sorted, 100),
  };
}

/** Runs `measure` `runs` times (run index given) and keeps the run with the median points per second. */
async function median<T extends { pointsPerSecond: number }>(
  measure: (run: number) => Promise<T> | T,
): Promise<T> {
  const results: T[] = [];
  for (let run = 0; run < runs; run++) results.push(await measure(run));
  results.sort((a, b) => a.pointsPerSecond - b.pointsPerSecond);
  return results[Math.floor((results.length - 1) / 2)] as T;
}

/** Runs fn while sampling the event loop; the largest delay is the longest the loop was held. */
async function withLoopMonitor<T>(fn: () => Promise<T>): Promise<T & { loopStallMaxMs: number }> {
  const monitor = monitorEventLoopDelay({ resolution: 1 });
  monitor.enable();
  const result = await fn();
  monitor.disable();
  return { ...result, loopStallMaxMs: monitor.max / 1e6 };
}

/** Every roaster's batches 1..n, interleaved the way concurrent streams deliver them. */
function interleaved(roasters: number, points: number): Delivery[] {
  const perRoaster = Math.ceil(points / POINTS_PER_BATCH / roasters);
  const out: Delivery[] = [];
  for (let seq = 1; seq <= perRoaster; seq++)
    for (let r = 0; r < roasters; r++) out.push({ roasterId: r + 1, batch: testBatch(r, seq) });
  return out;
}

/**
 * One roaster's stream of batches 1..count: `window` lanes each append the stream's next batch as soon as
 * their previous one is acknowledged. Batches are built as they are sent, as the gateway decodes them.
 */
async function stream(store: SqliteTelemetryStore, roaster: number, count: number, latencies: number[]) {
  let next = 1;
  const lane = async () => {
    while (next <= count) {
      const batch = testBatch(roaster, next++);
      const sent = performance.now();
      await store.append(roasterUid(roaster), batch);
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
}

async function ingest(roasters: number, path: string) {
  const perRoaster = Math.ceil(totalPoints / POINTS_PER_BATCH / roasters);
  const store = new SqliteTelemetryStore(path, { log: quiet });
  const latencies: number[] = [];
  const result = await withLoopMonitor(async () => {
    const started = performance.now();
    await Promise.all(Array.from({ length: roasters }, (_, r) => stream(store, r, perRoaster, latencies)));
    return { seconds: (performance.now() - started) / 1000 };
  });
  const { commits, pointsStored, batchesStored, slowestCommitMs } = store.stats;
  await store.close();
  return {
    roasters,
    points: pointsStored,
    seconds: result.seconds,
    pointsPerSecond: pointsStored / result.seconds,
    ...latencySummary(latencies),
    meanGroup: batchesStored / commits,
    slowestCommitMs,
    loopStallMaxMs: result.loopStallMaxMs,
  };
}

/** 50 roasters at one batch a second each, phases spread over the second, for `liveSeconds`. */
async function live(path: string) {
  const roasters = 50;
  const store = new SqliteTelemetryStore(path, { log: quiet });
  const latencies: number[] = [];
  const sends: Promise<void>[] = [];
  const timers: NodeJS.Timeout[] = [];
  for (let r = 0; r < roasters; r++) {
    let seq = 0;
    const send = () => {
      const sent = performance.now();
      sends.push(
        store
          .append(roasterUid(r), testBatch(r, ++seq))
          .then(() => void latencies.push(performance.now() - sent)),
      );
    };
    const start = () => {
      send();
      timers.push(setInterval(send, BATCH_MS));
    };
    timers.push(setTimeout(start, (r * BATCH_MS) / roasters));
  }
  await new Promise((resolve) => setTimeout(resolve, liveSeconds * 1000));
  for (const t of timers) clearInterval(t);
  await Promise.all(sends);
  await store.close();
  return { roasters, seconds: liveSeconds, batches: latencies.length, ...latencySummary(latencies) };
}

/** Mean milliseconds of fn over `runs` calls. */
async function timed(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < runs; i++) await fn();
  return (performance.now() - started) / runs;
}

async function reads(path: string) {
  const store = new SqliteTelemetryStore(path, { log: quiet });
  const uid = roasterUid(7);
  const startMs = BASE_MS + 60_000;
  const endMs = startMs + 15 * 60_000;
  await store.putSession({ uid: 'bench-session', roasterUid: uid, startMs, endMs });
  const points = (await store.sessionPoints('bench-session'))?.length ?? 0;
  const result = {
    sessionPoints: points,
    sessionPointsMs: await timed(20, () => store.sessionPoints('bench-session')),
    sessionCountsMs: await timed(20, () => store.sessionCounts('bench-session')),
    latestPointMs: await timed(200, () => store.latestPoint(uid)),
    committedSeqMs: await timed(200, () => store.committedSeq(uid, 'boot-7')),
  };
  await store.close();
  return result;
}

async function retention(path: string) {
  const store = new SqliteTelemetryStore(path, { log: quiet });
  const db = new DatabaseSync(path, { readOnly: true });
  const [first, last] = Object.values(
    db.prepare('SELECT MIN(first_ms), MAX(last_ms) FROM batches').get() ?? {},
  );
  db.close();
  const cutoff = Math.round(((first as number) + (last as number)) / 2);
  const result = await withLoopMonitor(async () => {
    const started = performance.now();
    const deleted = await store.deleteBefore(cutoff);
    return { ...deleted, seconds: (performance.now() - started) / 1000 };
  });
  const { slowestRetentionChunkMs } = store.stats;
  await store.close();
  return { ...result, pointsPerSecond: result.points / result.seconds, slowestRetentionChunkMs };
}

async function compareLayouts(): Promise<LayoutResult[]> {
  const deliveries = interleaved(50, totalPoints);
  const results: LayoutResult[] = [];
  for (const [i, layout] of layouts.entries())
    results.push(
      await median((run) => measureLayout(layout, join(dir, `layout-${i}-${run}.db`), deliveries, group)),
    );
  return results;
}

async function run() {
  const ingests = [];
  for (const roasters of [1, 10, 50])
    ingests.push(await median((run) => ingest(roasters, join(dir, `ingest-${roasters}-${run}.db`))));
  // Reads and retention work on a file the 50-roaster ingest left.
  const fleet = join(dir, 'ingest-50-0.db');
  return {
    machine: {
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      node: process.version,
      sqlite: sqliteVersion(),
      fsyncMs: fsyncMs(),
    },
    setup: {
      pointsPerScenario: totalPoints,
      pointsPerBatch: POINTS_PER_BATCH,
      inFlightPerStream: window,
      runs,
    },
    ingest: ingests,
    live: await live(join(dir, 'live.db')),
    reads: await reads(fleet),
    retention: await retention(fleet),
    layouts: await compareLayouts(),
  };
}

/** Median of one 4 KiB write + fsync in the benchmark's directory: what synchronous=FULL adds per commit. */
function fsyncMs(): number {
  const fd = openSync(join(dir, 'fsync-probe'), 'w');
  const block = new Uint8Array(4096).fill(1);
  const times = new Float64Array(50);
  for (let i = 0; i < times.length; i++) {
    const started = performance.now();
    writeSync(fd, block, 0, block.length, i * block.length);
    fsyncSync(fd);
    times[i] = performance.now() - started;
  }
  closeSync(fd);
  return percentile(times.sort(), 50);
}

function sqliteVersion(): string {
  const db = new DatabaseSync(':memory:');
  const { v } = db.prepare('SELECT sqlite_version() AS v').get() as { v: string };
  db.close();
  return v;
}

type Result = Awaited<ReturnType<typeof run>>;

function table(r: Result): string {
  const num = (v: number, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits });
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const row = (label: string, ...cells: string[]) =>
    `${label.padEnd(74)}${cells.map((c) => c.padStart(14)).join('')}`;
  return [
    `Telemetry store — ${r.machine.cpu} (${r.machine.cores} cores), Node ${r.machine.node}, SQLite ${r.machine.sqlite}, ` +
      `fsync of 4 KiB ${ms(r.machine.fsyncMs)}`,
    `${num(r.setup.pointsPerScenario)} points per scenario, ${r.setup.pointsPerBatch} per batch, ` +
      `${r.setup.inFlightPerStream} unacknowledged batches per stream, median of ${r.setup.runs} runs`,
    '',
    row(
      'ingest through the store',
      'points/s',
      'ack p50',
      'ack p99',
      'mean group',
      'max commit',
      'loop stall',
    ),
    ...r.ingest.map((i) =>
      row(
        `  ${i.roasters} roaster${i.roasters > 1 ? 's' : ''}`,
        num(i.pointsPerSecond),
        ms(i.ackP50Ms),
        ms(i.ackP99Ms),
        num(i.meanGroup, 1),
        ms(i.slowestCommitMs),
        ms(i.loopStallMaxMs),
      ),
    ),
    row(
      `live: ${r.live.roasters} roasters at 1 batch/s for ${r.live.seconds} s`,
      'batches',
      'ack p50',
      'ack p99',
      'ack max',
    ),
    row('', num(r.live.batches), ms(r.live.ackP50Ms), ms(r.live.ackP99Ms), ms(r.live.ackMaxMs)),
    row('reads on the 50-roaster file'),
    row(`  15-minute session (${num(r.reads.sessionPoints)} points)`, ms(r.reads.sessionPointsMs)),
    row('  its counts', ms(r.reads.sessionCountsMs)),
    row('  latest point', ms(r.reads.latestPointMs)),
    row('  committed seq', ms(r.reads.committedSeqMs)),
    row('retention: the older half of the 50-roaster file', 'points/s', 'seconds', 'max chunk', 'loop stall'),
    row(
      '',
      num(r.retention.pointsPerSecond),
      r.retention.seconds.toFixed(2),
      ms(r.retention.slowestRetentionChunkMs),
      ms(r.retention.loopStallMaxMs),
    ),
    row(
      'layouts, 50 interleaved roasters, 256 batches per transaction',
      'points/s',
      'commit p99',
      'commit max',
      'bytes/point',
      'read pts/s',
    ),
    ...r.layouts.map((l) =>
      row(
        `  ${l.name}`,
        num(l.pointsPerSecond),
        ms(l.commitP99Ms),
        ms(l.commitMaxMs),
        num(l.bytesPerPoint, 1),
        num(l.readPointsPerSecond),
      ),
    ),
    '',
  ].join('\n');
}

try {
  const result = await run();
  process.stdout.write(json ? `${JSON.stringify(result)}\n` : table(result));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
