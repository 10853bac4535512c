import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Logger } from '@roast-operator/log';
import { type Sample, TelemetryBatch } from '@roast-operator/proto';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { encodeSamples } from './codec.ts';
import { BASE_MS, POINTS_PER_BATCH, roasterUid, testBatch, testSample } from './fixtures.ts';
import { SqliteTelemetryStore, type SqliteTelemetryStoreOptions } from './sqlite-store.ts';

const run = promisify(execFile);
const quiet = new Logger({ level: 'error' });
const A = roasterUid(1);
const B = roasterUid(2);
const ALL_TIME = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] as const;

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'roast-store-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'telemetry.db');
}

function open(file: string, options: SqliteTelemetryStoreOptions = {}): SqliteTelemetryStore {
  const store = new SqliteTelemetryStore(file, { log: quiet, ...options });
  onTestFinished(() => store.close());
  return store;
}

/** A roaster’s batches from..to (seqs), of one boot epoch. */
function seqs(roaster: number, from: number, to: number): TelemetryBatch[] {
  return Array.from({ length: to - from + 1 }, (_, i) => testBatch(roaster, from + i));
}

function samplesOf(batches: TelemetryBatch[]): Sample[] {
  return batches.flatMap((b) => b.samples);
}

/** Batches stored per (roaster uid, boot epoch, seq), read with a connection of its own. */
function storedCounts(file: string): Map<string, number> {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const rows = db
      .prepare(
        `SELECT r.uid, o.epoch, b.seq, COUNT(*) AS n FROM batches b JOIN boots o ON o.id = b.boot_id
         JOIN roasters r ON r.id = b.roaster_id GROUP BY r.uid, o.epoch, b.seq`,
      )
      .all() as { uid: string; epoch: string; seq: number; n: number }[];
    return new Map(rows.map((r) => [`${r.uid}/${r.epoch}/${r.seq}`, r.n]));
  } finally {
    db.close();
  }
}

/**
 * The schema as version 1 of the store created it, frozen here: the files in the field were written by it,
 * so the migration is tested against this copy, which an edit to the store's own migrations cannot change.
 */
const SCHEMA_V1_AS_RELEASED = `
CREATE TABLE roasters (
  id          INTEGER PRIMARY KEY,
  uid         TEXT    NOT NULL UNIQUE,
  max_span_ms INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE boots (
  id         INTEGER PRIMARY KEY,
  roaster_id INTEGER NOT NULL,
  epoch      TEXT    NOT NULL,
  UNIQUE (roaster_id, epoch)
);
CREATE TABLE batches (
  id         INTEGER PRIMARY KEY,
  boot_id    INTEGER NOT NULL,
  seq        INTEGER NOT NULL,
  roaster_id INTEGER NOT NULL,
  first_ms   INTEGER NOT NULL,
  last_ms    INTEGER NOT NULL,
  points_n   INTEGER NOT NULL,
  dropped    INTEGER NOT NULL,
  points     BLOB    NOT NULL
);
CREATE UNIQUE INDEX batches_boot_seq ON batches (boot_id, seq);
CREATE INDEX batches_roaster_time ON batches (roaster_id, first_ms);
CREATE TABLE sessions (
  uid        TEXT    PRIMARY KEY,
  roaster_id INTEGER NOT NULL,
  start_ms   INTEGER NOT NULL,
  end_ms     INTEGER
);
`;

describe('SqliteTelemetryStore: writes', () => {
  it('round-trips batches exactly, absent readings staying absent', async () => {
    const store = open(tempFile());
    const batches = seqs(1, 1, 5);
    const acks = await Promise.all(batches.map((b) => store.append(A, b)));
    expect(acks).toEqual(
      batches.map((b) => ({ bootEpoch: 'boot-1', seq: b.seq, duplicate: false, pointsStored: 10 })),
    );
    expect(await store.points(A, ...ALL_TIME)).toStrictEqual(samplesOf(batches));
  });

  it('round-trips a batch as the gateway decodes it from the wire', async () => {
    const store = open(tempFile());
    const wire = TelemetryBatch.decode(TelemetryBatch.encode(testBatch(1, 9)).finish());
    await store.append(A, wire);
    expect(await store.points(A, ...ALL_TIME)).toEqual(wire.samples);
  });

  it('stores NaN and infinite readings as absent, and says so', async () => {
    const warnings: string[] = [];
    const store = open(tempFile(), { log: new Logger({ sink: (_, line) => warnings.push(line) }) });
    const batch = testBatch(1, 1);
    batch.samples[0] = { ...testSample(1, 1, 0), beanTemp: Number.NaN, ibtsTemp: Number.POSITIVE_INFINITY };
    await store.append(A, batch);
    const [first] = await store.points(A, ...ALL_TIME);
    expect(first).not.toHaveProperty('beanTemp');
    expect(first).not.toHaveProperty('ibtsTemp');
    expect(store.stats.nonFiniteReadings).toBe(2);
    expect(warnings.map((l) => JSON.parse(l))).toMatchObject([
      { level: 'warn', msg: 'non-finite readings stored as absent', roasterUid: A, seq: 1, readings: 2 },
    ]);
  });

  it('refuses a batch it cannot store exactly without failing the others of its group', async () => {
    const store = open(tempFile());
    const bad = { ...testBatch(1, 2), samples: [{ ...testSample(1, 2, 0), timeMs: 1.5 }] };
    const results = await Promise.allSettled([
      store.append(A, testBatch(1, 1)),
      store.append(A, bad),
      store.append(A, { ...testBatch(1, 3), seq: -1 }),
      store.append('', testBatch(1, 4)),
      store.append(A, { ...testBatch(1, 5), bootEpoch: '' }),
      store.append(A, testBatch(1, 6)),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    expect(await store.committedSeq(A, 'boot-1')).toBe(6);
    expect(await store.points(A, ...ALL_TIME)).toHaveLength(20);
  });

  it('acknowledges a repeated batch again but stores it once, whatever the order of seqs', async () => {
    const file = tempFile();
    const store = open(file);
    const order = [5, 3, 4, 1, 2, 3, 5, 5];
    // Concurrently, in one group: a repeat inside the same transaction is a duplicate too.
    const acks = await Promise.all(order.map((s) => store.append(A, testBatch(1, s))));
    expect(acks.map((a) => [a.seq, a.duplicate])).toEqual([
      [5, false],
      [3, false],
      [4, false],
      [1, false],
      [2, false],
      [3, true],
      [5, true],
      [5, true],
    ]);
    // In later groups, after a resend.
    for (const s of [2, 6, 1]) await store.append(A, testBatch(1, s));
    expect(store.stats).toMatchObject({ batchesStored: 6, duplicates: 5, pointsStored: 60 });
    expect(await store.committedSeq(A, 'boot-1')).toBe(6);
    expect(await store.points(A, ...ALL_TIME)).toStrictEqual(samplesOf(seqs(1, 1, 6)));
    expect([...storedCounts(file).values()].every((n) => n === 1)).toBe(true);
  });

  it('keeps seqs apart per boot epoch and per roaster', async () => {
    const store = open(tempFile());
    const acks = await Promise.all([
      store.append(A, testBatch(1, 1, 'first-boot')),
      store.append(A, testBatch(1, 1, 'second-boot')),
      store.append(B, testBatch(1, 1, 'first-boot')),
    ]);
    expect(acks.map((a) => a.duplicate)).toEqual([false, false, false]);
    expect(await store.committedSeq(A, 'first-boot')).toBe(1);
    expect(await store.committedSeq(A, 'third-boot')).toBeUndefined();
    expect(await store.committedSeq(roasterUid(99), 'first-boot')).toBeUndefined();
    expect(await store.points(B, ...ALL_TIME)).toHaveLength(10);
  });

  it('stores a batch without samples: it takes its seq', async () => {
    const store = open(tempFile());
    const ack = await store.append(A, { ...testBatch(1, 1), samples: [] });
    expect(ack).toEqual({ bootEpoch: 'boot-1', seq: 1, duplicate: false, pointsStored: 0 });
    expect(await store.committedSeq(A, 'boot-1')).toBe(1);
    expect(await store.points(A, ...ALL_TIME)).toEqual([]);
  });

  it('coalesces concurrent appends from many roasters into few transactions', async () => {
    const store = open(tempFile(), { maxBatches: 64 });
    const roasters = Array.from({ length: 50 }, (_, r) => r);
    // Interleaved the way 50 streams deliver: seq 1 of every roaster, then seq 2, …
    const batches = Array.from({ length: 30 }, (_, i) =>
      roasters.map((r) => [r, testBatch(r, i + 1)] as const),
    );
    const acks = await Promise.all(batches.flat().map(([r, b]) => store.append(roasterUid(r), b)));
    expect(acks.every((a) => !a.duplicate && a.pointsStored === POINTS_PER_BATCH)).toBe(true);
    expect(store.stats.batchesStored).toBe(1500);
    expect(store.stats.commits).toBe(Math.ceil(1500 / 64));
    for (const r of [0, 17, 49]) {
      expect(await store.points(roasterUid(r), ...ALL_TIME)).toStrictEqual(samplesOf(seqs(r, 1, 30)));
      expect(await store.committedSeq(roasterUid(r), `boot-${r}`)).toBe(30);
    }
  });
});

describe('SqliteTelemetryStore: acknowledged means committed', () => {
  it('resolves an append only once another connection can read its batch', async () => {
    const file = tempFile();
    const store = open(file, { maxDelayMs: 200 });
    let seenAtAck: number | undefined;
    const ack = store.append(A, testBatch(1, 1)).then((result) => {
      // Synchronously at the ack: a fresh connection sees what a restarted operator would.
      seenAtAck = storedCounts(file).get(`${A}/boot-1/1`);
      return result;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(seenAtAck).toBeUndefined();
    expect(storedCounts(file).size).toBe(0);
    await ack;
    expect(seenAtAck).toBe(1);
  });

  it('rejects, never acknowledges, appends whose transaction cannot commit', async () => {
    const file = tempFile();
    const errors: string[] = [];
    const log = new Logger({ level: 'error', sink: (_, line) => errors.push(line) });
    const store = open(file, { busyTimeoutMs: 20, log });
    await store.append(A, testBatch(1, 1)); // creates the file's rows for A
    const other = new DatabaseSync(file);
    other.exec('BEGIN IMMEDIATE'); // another writer holds the lock
    const results = await Promise.allSettled([
      store.append(A, testBatch(1, 2)),
      store.append(A, testBatch(1, 3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(errors.map((l) => JSON.parse(l))).toMatchObject([
      {
        msg: 'group commit failed: its batches are not acknowledged',
        batches: 2,
        err: { code: 'ERR_SQLITE_ERROR' },
      },
    ]);
    other.exec('ROLLBACK');
    other.close();
    expect(await store.committedSeq(A, 'boot-1')).toBe(1);
    // The edge resends what was not acknowledged; now it commits, as new batches.
    const retried = await Promise.all([store.append(A, testBatch(1, 2)), store.append(A, testBatch(1, 3))]);
    expect(retried.map((a) => a.duplicate)).toEqual([false, false]);
  });

  it('commits what is pending on close, then refuses further work', async () => {
    const file = tempFile();
    const store = open(file, { maxDelayMs: 60_000 });
    const pending = store.append(A, testBatch(1, 1));
    await store.close();
    await expect(pending).resolves.toMatchObject({ seq: 1, duplicate: false });
    await expect(store.append(A, testBatch(1, 2))).rejects.toThrow(/closed/);
    await expect(store.points(A, ...ALL_TIME)).rejects.toThrow(/closed/);
    expect(storedCounts(file).get(`${A}/boot-1/1`)).toBe(1);
  });

  it('keeps everything across close and reopen, and still recognises repeats', async () => {
    const file = tempFile();
    const first = open(file);
    await Promise.all(seqs(1, 1, 4).map((b) => first.append(A, b)));
    // Batch 1 and half of batch 2.
    await first.putSession({ uid: 'session-1', roasterUid: A, startMs: BASE_MS, endMs: BASE_MS + 2500 });
    await first.close();

    const again = open(file);
    expect(await again.points(A, ...ALL_TIME)).toStrictEqual(samplesOf(seqs(1, 1, 4)));
    expect(await again.committedSeq(A, 'boot-1')).toBe(4);
    expect(await again.sessionCounts('session-1')).toEqual({
      pointsStored: 15,
      pointsDropped: 0,
      droppedBatches: 0,
    });
    const acks = await Promise.all([again.append(A, testBatch(1, 4)), again.append(A, testBatch(1, 5))]);
    expect(acks.map((a) => a.duplicate)).toEqual([true, false]);
  });

  it('reopens the file of a writer killed mid-ingest with every acknowledged batch present once', async () => {
    const file = tempFile();
    const writer = fileURLToPath(new URL('./ingest-until-killed.ts', import.meta.url));
    const child = spawn(process.execPath, [writer, file, '5', '8'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.length > 60_000) child.kill('SIGKILL');
    });
    const [, signal] = await once(child, 'close');
    expect(signal).toBe('SIGKILL');

    // Only whole lines: the last may have been cut by the kill.
    const acked = output.split('\n').slice(0, -1);
    expect(acked.length).toBeGreaterThan(2000);
    const stored = storedCounts(file);
    const store = open(file);
    for (const line of acked) {
      const [, roaster, seq] = line.split(' ');
      expect(stored.get(`${roasterUid(Number(roaster))}/boot-${roaster}/${seq}`), line).toBe(1);
    }
    // Whatever was stored (acked or not yet) reads back exactly, each batch once.
    for (let r = 0; r < 5; r++) {
      const seqsStored = [...stored.keys()]
        .filter((key) => key.startsWith(`${roasterUid(r)}/`))
        .map((key) => Number(key.split('/')[2]))
        .sort((a, b) => a - b);
      const expected = samplesOf(seqsStored.map((s) => testBatch(r, s)));
      expect(await store.points(roasterUid(r), ...ALL_TIME)).toStrictEqual(expected);
    }
    const db = new DatabaseSync(file, { readOnly: true });
    expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    db.close();
  }, 30_000);

  it('checkpoints the log into the database file in the background while open', async () => {
    const file = tempFile();
    const store = open(file, { checkpointIntervalMs: 10 });
    const before = statSync(file).size;
    await Promise.all(seqs(1, 1, 300).map((b) => store.append(A, b)));
    // The writer never checkpoints below 16384 log pages: growth of the file is the thread's work.
    await vi.waitFor(() => expect(statSync(file).size).toBeGreaterThan(before + 100_000), { timeout: 3000 });
  });

  it('keeps the log bounded under saturated ingest by pausing commits until it is checkpointed', async () => {
    const file = tempFile();
    const store = open(file, { checkpointIntervalMs: 5, maxLogPages: 64 });
    let seq = 1;
    // The first commit after a pause restarts the log from its beginning, which bumps the checkpoint
    // sequence number in the log's header (offset 12, big-endian). Saturate until commits have paused a few
    // times and the log has restarted twice, however fast this machine is and however late the checkpoint
    // thread runs; a log that never restarts fails on the test's timeout.
    const restarts = () => readFileSync(`${file}-wal`).readUInt32BE(12);
    while (store.stats.logPauses < 3 || restarts() < 2)
      await Promise.all(Array.from({ length: 500 }, () => store.append(A, testBatch(1, seq++))));
    expect(await store.points(A, ...ALL_TIME)).toHaveLength((seq - 1) * POINTS_PER_BATCH);
    expect(await store.committedSeq(A, 'boot-1')).toBe(seq - 1);
  }, 30_000);

  it('keeps the process alive while appends wait for the log to drain', async () => {
    const file = tempFile();
    const module = (name: string) => JSON.stringify(new URL(name, import.meta.url).href);
    // A process with nothing but the store: the paused appends are all that is left to wait for.
    const script = join(dirname(file), 'drain.mjs');
    writeFileSync(
      script,
      `import { roasterUid, testBatch } from ${module('./fixtures.ts')};
       import { SqliteTelemetryStore } from ${module('./sqlite-store.ts')};
       const store = new SqliteTelemetryStore(${JSON.stringify(file)}, { checkpointIntervalMs: 2, maxLogPages: 16 });
       for (let seq = 1; seq <= 20_000; seq += 500)
         await Promise.all(Array.from({ length: 500 }, (_, i) => store.append(roasterUid(1), testBatch(1, seq + i))));
       await store.close();
       process.stdout.write('all acknowledged');`,
    );
    const { stdout } = await run(process.execPath, [script]);
    expect(stdout).toBe('all acknowledged');
    expect(storedCounts(file).size).toBe(20_000);
  }, 30_000);

  it('refuses a file written by a later schema version', () => {
    const file = tempFile();
    const db = new DatabaseSync(file);
    db.exec('PRAGMA user_version = 7');
    db.close();
    expect(() => new SqliteTelemetryStore(file, { log: quiet })).toThrow(/schema 7/);
  });

  it('opens a file the previous schema wrote, keeping its data, and counts dropped samples from then on', async () => {
    const file = tempFile();
    const old = new DatabaseSync(file);
    old.exec(`${SCHEMA_V1_AS_RELEASED} PRAGMA user_version = 1;`);
    old.exec(`INSERT INTO roasters (id, uid, max_span_ms) VALUES (1, '${A}', 900);
      INSERT INTO boots (id, roaster_id, epoch) VALUES (1, 1, 'boot-1');
      INSERT INTO sessions (uid, roaster_id, start_ms, end_ms) VALUES ('s', 1, ${BASE_MS}, NULL);`);
    const insert = old.prepare(
      `INSERT INTO batches (boot_id, seq, roaster_id, first_ms, last_ms, points_n, dropped, points)
       VALUES (1, ?, 1, ?, ?, ?, ?, ?)`,
    );
    // Seq 3 came after the edge had dropped 2 batches; that store kept no count of their samples.
    for (const [seq, dropped] of [
      [1, 0],
      [2, 0],
      [3, 2],
    ] as const) {
      const { firstMs, lastMs, count, points } = encodeSamples(testBatch(1, seq).samples);
      insert.run(seq, firstMs!, lastMs!, count, dropped, points);
    }
    old.close();

    const store = open(file);
    expect(await store.points(A, ...ALL_TIME)).toStrictEqual(samplesOf(seqs(1, 1, 3)));
    expect(await store.committedSeq(A, 'boot-1')).toBe(3);
    expect((await store.append(A, testBatch(1, 3))).duplicate).toBe(true);
    // No sample count for those batches: each held one at least.
    expect(await store.sessionCounts('s')).toEqual({ pointsStored: 30, pointsDropped: 2, droppedBatches: 2 });
    // An edge booted since counts samples too.
    await store.append(A, { ...testBatch(1, 4, 'boot-2'), droppedBatchesTotal: 1, droppedPointsTotal: 6 });
    expect(await store.sessionCounts('s')).toEqual({ pointsStored: 40, pointsDropped: 8, droppedBatches: 3 });
    await store.close();

    // Migrated once: opening it again finds the current version and the new rows.
    const again = open(file);
    expect(await again.sessionCounts('s')).toEqual({ pointsStored: 40, pointsDropped: 8, droppedBatches: 3 });
  });
});

describe('SqliteTelemetryStore: reads', () => {
  it('returns a time range in time order across batches stored in any order, half-open', async () => {
    const store = open(tempFile());
    for (const s of [3, 1, 4, 2]) await store.append(A, testBatch(1, s));
    await store.append(B, testBatch(2, 2));
    const all = samplesOf(seqs(1, 1, 4));
    expect(await store.points(A, ...ALL_TIME)).toStrictEqual(all);
    // [1.5 s, 3.2 s): from the middle of batch 1 to the middle of batch 3.
    const from = BASE_MS + 1500;
    const to = BASE_MS + 3200;
    expect(await store.points(A, from, to)).toStrictEqual(
      all.filter((p) => p.timeMs >= from && p.timeMs < to),
    );
    expect(await store.points(A, from, from)).toEqual([]);
    expect(await store.points(roasterUid(99), ...ALL_TIME)).toEqual([]);
  });

  it('orders samples of overlapping batches (an edge clock step) by time', async () => {
    const store = open(tempFile());
    await store.append(A, testBatch(1, 5));
    // The next batch's clock stepped back into batch 5's second.
    const stepped = testBatch(1, 6);
    stepped.samples = stepped.samples.map((s) => ({ ...s, timeMs: s.timeMs - 1050 }));
    await store.append(A, stepped);
    const times = (await store.points(A, ...ALL_TIME)).map((s) => s.timeMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times).toHaveLength(20);
  });

  it('finds samples of a long batch from a range that starts inside it', async () => {
    const store = open(tempFile());
    await store.append(A, testBatch(1, 1));
    // A backlog flushed as one batch spanning an hour.
    const long = testBatch(1, 2);
    long.samples = long.samples.map((s, i) => ({ ...s, timeMs: BASE_MS + 10_000 + i * 400_000 }));
    await store.append(A, long);
    const from = BASE_MS + 3_000_000;
    expect(await store.points(A, from, from + 1_000_000)).toStrictEqual(
      long.samples.filter((s) => s.timeMs >= from),
    );
  });

  it('gives the latest sample by time, not by arrival', async () => {
    const store = open(tempFile());
    expect(await store.latestPoint(A)).toBeUndefined();
    await store.append(A, testBatch(1, 7));
    await store.append(A, testBatch(1, 3)); // a late resend of older data
    expect(await store.latestPoint(A)).toStrictEqual(testSample(1, 7, 9));
    expect(await store.latestPoint(roasterUid(99))).toBeUndefined();
  });

  it('reads a session’s window of its roaster, open or ended, and counts it', async () => {
    const store = open(tempFile());
    await Promise.all([...seqs(1, 1, 6).map((b) => store.append(A, b)), store.append(B, testBatch(2, 3))]);
    await store.putSession({ uid: 's', roasterUid: A, startMs: BASE_MS + 2300 });
    const all = samplesOf(seqs(1, 1, 6));
    const open_ = all.filter((p) => p.timeMs >= BASE_MS + 2300);
    expect(await store.sessionPoints('s')).toStrictEqual(open_);
    expect(await store.sessionCounts('s')).toEqual({
      pointsStored: open_.length,
      pointsDropped: 0,
      droppedBatches: 0,
    });

    await store.putSession({ uid: 's', roasterUid: A, startMs: BASE_MS + 2300, endMs: BASE_MS + 4000 });
    const ended = open_.filter((p) => p.timeMs < BASE_MS + 4000);
    expect(await store.sessionPoints('s')).toStrictEqual(ended);
    expect(await store.sessionCounts('s')).toEqual({
      pointsStored: ended.length,
      pointsDropped: 0,
      droppedBatches: 0,
    });
    expect(await store.sessionPoints('unknown')).toBeUndefined();
    expect(await store.sessionCounts('unknown')).toBeUndefined();
  });

  // The edge's cumulative counters as batches 1..6 carried them; the session holds batches 4..6.
  it.each([
    ['nothing when the edge dropped nothing', [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], 0, 0],
    ['the rise of each counter across the session', [0, 0, 2, 2, 5, 5], [0, 0, 13, 13, 31, 31], 3, 18],
    ['nothing the edge dropped before the session', [0, 3, 3, 3, 3, 3], [0, 20, 20, 20, 20, 20], 0, 0],
    [
      'a sample per batch from an edge that counts batches only',
      [0, 0, 2, 2, 5, 5],
      [0, 0, 0, 0, 0, 0],
      3,
      3,
    ],
  ])('counts as dropped during a session %s', async (_, batches, points, droppedBatches, pointsDropped) => {
    const store = open(tempFile());
    await Promise.all(
      batches.map((d, i) =>
        store.append(A, { ...testBatch(1, i + 1), droppedBatchesTotal: d, droppedPointsTotal: points[i]! }),
      ),
    );
    await store.putSession({ uid: 's', roasterUid: A, startMs: BASE_MS + 4000, endMs: BASE_MS + 7000 });
    expect(await store.sessionCounts('s')).toEqual({ pointsStored: 30, pointsDropped, droppedBatches });
  });

  it('counts what each boot dropped during a session from that boot’s counters', async () => {
    const store = open(tempFile());
    await Promise.all(
      [0, 0, 2, 2, 5, 5].map((d, i) =>
        store.append(A, { ...testBatch(1, i + 1), droppedBatchesTotal: d, droppedPointsTotal: d * 7 }),
      ),
    );
    // A second boot inside the session starts its counters again.
    await store.append(A, { ...testBatch(1, 5, 'reboot'), droppedBatchesTotal: 1, droppedPointsTotal: 4 });
    await store.putSession({ uid: 's', roasterUid: A, startMs: BASE_MS + 4000, endMs: BASE_MS + 7000 });
    // Batches 4..6 of the first boot (2 -> 5 batches, 14 -> 35 samples) and batch 5 of the second (0 -> 1, 0 -> 4).
    expect(await store.sessionCounts('s')).toEqual({
      pointsStored: 40,
      pointsDropped: 25,
      droppedBatches: 4,
    });
  });

  it.each([
    ['dropped_batches_total', 'droppedBatchesTotal'],
    ['dropped_points_total', 'droppedPointsTotal'],
  ])('refuses a batch whose %s is not a count', async (name, field) => {
    const store = open(tempFile());
    for (const bad of [-1, 1.5, 2 ** 53])
      await expect(store.append(A, { ...testBatch(1, 1), [field]: bad })).rejects.toThrow(name);
    expect(await store.committedSeq(A, 'boot-1')).toBeUndefined();
  });
});

describe('SqliteTelemetryStore: retention', () => {
  it('deletes batches older than the cutoff in chunks, keeping a batch that reaches past it', async () => {
    const store = open(tempFile(), { retentionChunk: 7 });
    await Promise.all([...seqs(1, 1, 40).map((b) => store.append(A, b)), store.append(B, testBatch(2, 1))]);
    await store.putSession({ uid: 'old', roasterUid: A, startMs: BASE_MS, endMs: BASE_MS + 5000 });
    await store.putSession({ uid: 'open', roasterUid: A, startMs: BASE_MS });
    await store.putSession({ uid: 'recent', roasterUid: A, startMs: BASE_MS, endMs: BASE_MS + 30_000 });

    // Batch 20 spans 20.0 s .. 20.9 s: it reaches past 20.5 s and stays.
    const result = await store.deleteBefore(BASE_MS + 20_500);
    expect(result).toEqual({ batches: 20, points: 200, sessions: 1 });
    const left = await store.points(A, ...ALL_TIME);
    expect(left).toStrictEqual(samplesOf(seqs(1, 20, 40)));
    expect(await store.points(B, ...ALL_TIME)).toEqual([]);
    expect(await store.sessionPoints('old')).toBeUndefined();
    expect(await store.sessionPoints('open')).toHaveLength(left.length);
    expect(await store.committedSeq(A, 'boot-1')).toBe(40);
    expect(await store.deleteBefore(BASE_MS + 20_500)).toEqual({ batches: 0, points: 0, sessions: 0 });
  });

  it('lets appends commit while it works through the chunks', async () => {
    const store = open(tempFile(), { retentionChunk: 5, maxDelayMs: 1 });
    await Promise.all(seqs(1, 1, 400).map((b) => store.append(A, b)));
    const order: string[] = [];
    const retention = store.deleteBefore(BASE_MS + 1_000_000).then(() => order.push('retention'));
    const append = store.append(B, testBatch(2, 1)).then(() => order.push('append'));
    await Promise.all([retention, append]);
    expect(order).toEqual(['append', 'retention']);
    expect(await store.points(A, ...ALL_TIME)).toEqual([]);
  });
});
