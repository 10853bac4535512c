import { DatabaseSync } from 'node:sqlite';
import { type Clock, settle, systemClock } from '@roast-operator/clock';
import { createLogger, type Logger } from '@roast-operator/log';
import type { Sample, TelemetryBatch } from '@roast-operator/proto';
import { Checkpointer } from './checkpointer.ts';
import { decodeSamples, type EncodedSamples, encodeSamples } from './codec.ts';
import { GroupCommit } from './group-commit.ts';
import { configure, migrate, transaction, WRITER_AUTOCHECKPOINT } from './schema.ts';
import type { AppendResult, RetentionResult, SessionCounts, SessionWindow, TelemetryStore } from './store.ts';

export interface SqliteTelemetryStoreOptions {
  /** Group commit: the longest an append waits for its transaction to start. Default 5 ms. */
  maxDelayMs?: number;
  /** Group commit: at most this many batches per transaction. Default 256. */
  maxBatches?: number;
  /** See configure() in schema.ts. Default 'normal'. */
  synchronous?: 'normal' | 'full';
  /** How long a statement waits for a lock held by another connection to the file. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** How often the background thread checkpoints the write-ahead log. Default 1000 ms. */
  checkpointIntervalMs?: number;
  /**
   * Past this many pages (4 KiB) in the write-ahead log, commits pause until it is checkpointed, so a
   * saturated burst cannot grow it without bound. Default 16384 (64 MiB).
   */
  maxLogPages?: number;
  /** Retention deletes at most this many batches per statement. Default 500. */
  retentionChunk?: number;
  log?: Logger;
  /** Dates batches without samples and times group commits. Default the system clock. */
  clock?: Clock;
}

/** Counters for the operator's /metrics and the benchmark. */
export interface StoreStats {
  commits: number;
  batchesStored: number;
  duplicates: number;
  pointsStored: number;
  /** Readings that arrived NaN or infinite and were stored as absent. */
  nonFiniteReadings: number;
  /** The longest group commit so far: the longest the event loop was held by ingest. */
  slowestCommitMs: number;
  /** The longest retention DELETE so far: the longest the event loop was held by retention. */
  slowestRetentionChunkMs: number;
  /** Times commits paused for the write-ahead log to be checkpointed (see checkpointer.ts). */
  logPauses: number;
}

/** A batch checked, encoded and resolved to interned ids, waiting for its group commit. */
interface PendingBatch {
  roasterId: number;
  bootId: number;
  bootEpoch: string;
  seq: number;
  dropped: number;
  droppedPoints: number;
  encoded: EncodedSamples;
}

interface RoasterRow {
  id: number;
  maxSpanMs: number;
}

/** The edge's cumulative drop counters as one batch carried them. */
interface DropCounters {
  dropped: number;
  droppedPoints: number;
}

interface BootCounts extends DropCounters {
  bootId: number;
  firstSeq: number;
  inside: number;
}

interface SessionRow extends RoasterRow {
  startMs: number;
  endMs: number | null;
}

/** Batches whose first sample is at most max span before `from` can hold samples in [from, to). */
const OVERLAPS = 'roaster_id = :roaster AND first_ms >= :low AND first_ms < :to AND last_ms >= :from';
const INSIDE = 'first_ms >= :from AND last_ms < :to';

function requireCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} ${value} is not a non-negative safe integer`);
}

function requireId(name: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0) throw new RangeError(`${name} is empty`);
}

function requireTime(name: string, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} ${value} is not a time in milliseconds`);
}

function inTimeOrder(samples: readonly Sample[]): boolean {
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]!.timeMs > samples[i]!.timeMs) return false;
  return true;
}

function prepareStatements(db: DatabaseSync) {
  const p = (sql: string) => db.prepare(sql);
  return {
    internRoaster: p('INSERT INTO roasters (uid) VALUES (?) ON CONFLICT (uid) DO NOTHING'),
    roasterId: p('SELECT id FROM roasters WHERE uid = ?'),
    roaster: p('SELECT id, max_span_ms AS maxSpanMs FROM roasters WHERE uid = ?'),
    internBoot: p('INSERT INTO boots (roaster_id, epoch) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    bootId: p('SELECT id FROM boots WHERE roaster_id = ? AND epoch = ?'),
    insertBatch: p(
      `INSERT INTO batches
         (boot_id, seq, roaster_id, first_ms, last_ms, points_n, dropped, dropped_points, points)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (boot_id, seq) DO NOTHING`,
    ),
    widenSpan: p('UPDATE roasters SET max_span_ms = :span WHERE id = :roaster AND max_span_ms < :span'),
    committedSeq: p(
      `SELECT MAX(b.seq) AS seq FROM roasters r JOIN boots o ON o.roaster_id = r.id
       JOIN batches b ON b.boot_id = o.id WHERE r.uid = ? AND o.epoch = ?`,
    ),
    overlapping: p(`SELECT points FROM batches WHERE ${OVERLAPS} ORDER BY first_ms, id`),
    // Per boot epoch: samples of the batches wholly inside the window (counted without decoding them), the
    // first seq in the window and the highest values of the edge's cumulative drop counters.
    countsByBoot: p(
      `SELECT boot_id AS bootId, MIN(seq) AS firstSeq, MAX(dropped) AS dropped,
         MAX(dropped_points) AS droppedPoints, SUM(CASE WHEN ${INSIDE} THEN points_n ELSE 0 END) AS inside
       FROM batches WHERE ${OVERLAPS} GROUP BY boot_id`,
    ),
    // The batches that straddle an end of the window: their samples are counted one by one.
    straddling: p(`SELECT points FROM batches WHERE ${OVERLAPS} AND NOT (${INSIDE})`),
    droppedBefore: p(
      `SELECT dropped, dropped_points AS droppedPoints FROM batches WHERE boot_id = ? AND seq < ?
       ORDER BY seq DESC LIMIT 1`,
    ),
    // The batch holding the latest sample starts at most max span before the latest first sample.
    latest: p(
      `SELECT points FROM batches WHERE roaster_id = :roaster
         AND first_ms >= (SELECT MAX(first_ms) FROM batches WHERE roaster_id = :roaster) - :span
       ORDER BY last_ms DESC, id DESC LIMIT 1`,
    ),
    putSession: p(
      `INSERT INTO sessions (uid, roaster_id, start_ms, end_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (uid) DO UPDATE SET
         roaster_id = excluded.roaster_id, start_ms = excluded.start_ms, end_ms = excluded.end_ms`,
    ),
    session: p(
      `SELECT r.id, r.max_span_ms AS maxSpanMs, s.start_ms AS startMs, s.end_ms AS endMs
       FROM sessions s JOIN roasters r ON r.id = s.roaster_id WHERE s.uid = ?`,
    ),
    roasterIds: p('SELECT id FROM roasters'),
    deleteChunk: p(
      `DELETE FROM batches WHERE id IN (SELECT id FROM batches
         WHERE roaster_id = :roaster AND first_ms < :cutoff AND last_ms < :cutoff LIMIT :limit)
       RETURNING points_n AS n`,
    ),
    deleteSessions: p('DELETE FROM sessions WHERE end_ms IS NOT NULL AND end_ms < ?'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/**
 * The embedded telemetry store: one SQLite file (WAL) on the operator's volume, written and read through
 * one connection, and checkpointed through a second one on a worker thread (checkpointer.ts). Only the
 * leader opens it: the Deployment runs one replica with a ReadWriteOnce volume.
 *
 * node:sqlite is synchronous, so every statement here runs on the event loop. Where it blocks and for how
 * long (docs/benchmarks.md, "Telemetry store", on 2 cores):
 * - append(): checks and encodes the batch (microseconds); the first batch of a new roaster or boot epoch
 *   also interns it with one small autocommit insert.
 * - a group commit: one transaction of up to maxBatches inserts, 2-5 ms for 256 ten-sample batches.
 * - reads: proportional to the batches in the range; a 15-minute 10 Hz session decodes in 3-7 ms.
 * - retention: one DELETE of at most retentionChunk batches (2-8 ms for 500) per turn of the loop.
 */
export class SqliteTelemetryStore implements TelemetryStore {
  readonly #db: DatabaseSync;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #group: GroupCommit<PendingBatch, AppendResult>;
  readonly #checkpointer: Checkpointer;
  readonly #retentionChunk: number;
  readonly #sql: Statements;
  /** Interned ids; a row once committed is never deleted, so a cached id stays valid. */
  readonly #roasterIds = new Map<string, number>();
  readonly #bootIds = new Map<string, number>();
  /** The largest span each roaster's row records, at least; saves an UPDATE per batch. */
  readonly #spans = new Map<number, number>();
  readonly #stats: StoreStats = {
    commits: 0,
    batchesStored: 0,
    duplicates: 0,
    pointsStored: 0,
    nonFiniteReadings: 0,
    slowestCommitMs: 0,
    slowestRetentionChunkMs: 0,
    logPauses: 0,
  };
  #closed = false;

  constructor(path: string, options: SqliteTelemetryStoreOptions = {}) {
    this.#db = new DatabaseSync(path, { timeout: options.busyTimeoutMs ?? 5000 });
    this.#log = options.log ?? createLogger({ component: 'telemetry-store' });
    this.#clock = options.clock ?? systemClock;
    this.#retentionChunk = options.retentionChunk ?? 500;
    try {
      configure(this.#db, options.synchronous ?? 'normal');
      migrate(this.#db);
      this.#sql = prepareStatements(this.#db);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.#group = new GroupCommit((items) => this.#commit(items), {
      maxDelayMs: options.maxDelayMs ?? 5,
      maxItems: options.maxBatches ?? 256,
      clock: this.#clock,
    });
    const checkpoints = {
      path,
      intervalMs: options.checkpointIntervalMs ?? 1000,
      maxLogFrames: options.maxLogPages ?? 16384,
    };
    this.#checkpointer = new Checkpointer(checkpoints, this.#log, {
      pause: () => {
        this.#stats.logPauses++;
        this.#group.pause();
      },
      resume: () => this.#group.resume(),
      lost: () => {
        if (!this.#closed) this.#db.exec(WRITER_AUTOCHECKPOINT);
      },
    });
  }

  get stats(): StoreStats {
    return { ...this.#stats };
  }

  async append(roasterUid: string, batch: TelemetryBatch): Promise<AppendResult> {
    this.#checkOpen();
    return this.#group.submit(this.#pending(roasterUid, batch));
  }

  /** Checks and encodes a batch before it joins a group, so one bad batch never fails the others. */
  #pending(roasterUid: string, batch: TelemetryBatch): PendingBatch {
    requireId('roaster UID', roasterUid);
    requireId('boot epoch', batch.bootEpoch);
    requireCount('seq', batch.seq);
    requireCount('dropped_batches_total', batch.droppedBatchesTotal);
    requireCount('dropped_points_total', batch.droppedPointsTotal);
    const encoded = encodeSamples(batch.samples);
    if (encoded.nonFinite > 0) {
      this.#stats.nonFiniteReadings += encoded.nonFinite;
      this.#log.warn('non-finite readings stored as absent', {
        roasterUid,
        bootEpoch: batch.bootEpoch,
        seq: batch.seq,
        readings: encoded.nonFinite,
      });
    }
    const roasterId = this.#internRoaster(roasterUid);
    return {
      roasterId,
      bootId: this.#internBoot(roasterId, batch.bootEpoch),
      bootEpoch: batch.bootEpoch,
      seq: batch.seq,
      dropped: batch.droppedBatchesTotal,
      droppedPoints: batch.droppedPointsTotal,
      encoded,
    };
  }

  /**
   * Interns outside the group transaction (its own autocommit), so a cached id always names a committed
   * row even when a later group commit fails.
   */
  #internRoaster(uid: string): number {
    let id = this.#roasterIds.get(uid);
    if (id === undefined) {
      this.#sql.internRoaster.run(uid);
      id = (this.#sql.roasterId.get(uid) as { id: number }).id;
      this.#roasterIds.set(uid, id);
    }
    return id;
  }

  #internBoot(roasterId: number, epoch: string): number {
    const key = `${roasterId}/${epoch}`;
    let id = this.#bootIds.get(key);
    if (id === undefined) {
      this.#sql.internBoot.run(roasterId, epoch);
      id = (this.#sql.bootId.get(roasterId, epoch) as { id: number }).id;
      this.#bootIds.set(key, id);
    }
    return id;
  }

  /** One group commit: blocks the event loop for the whole transaction (see the class comment). */
  #commit(items: PendingBatch[]): AppendResult[] {
    const started = performance.now();
    let results: AppendResult[];
    try {
      results = transaction(this.#db, () => items.map((item) => this.#insert(item)));
    } catch (error) {
      this.#log.error('group commit failed: its batches are not acknowledged', {
        batches: items.length,
        err: error,
      });
      throw error;
    }
    this.#stats.commits++;
    this.#stats.slowestCommitMs = Math.max(this.#stats.slowestCommitMs, performance.now() - started);
    for (const r of results) {
      if (r.duplicate) this.#stats.duplicates++;
      else this.#stats.batchesStored++;
      this.#stats.pointsStored += r.pointsStored;
    }
    return results;
  }

  #insert(item: PendingBatch): AppendResult {
    const { points, count: n, firstMs, lastMs } = item.encoded;
    // A batch without samples still takes its seq; it is dated by the store's clock so retention ages it.
    const first = firstMs ?? this.#clock.now();
    const last = lastMs ?? first;
    const { changes } = this.#sql.insertBatch.run(
      item.bootId,
      item.seq,
      item.roasterId,
      first,
      last,
      n,
      item.dropped,
      item.droppedPoints,
      points,
    );
    const duplicate = changes === 0;
    if (!duplicate) this.#widenSpan(item.roasterId, last - first);
    return { bootEpoch: item.bootEpoch, seq: item.seq, duplicate, pointsStored: duplicate ? 0 : n };
  }

  #widenSpan(roasterId: number, span: number): void {
    if (span <= (this.#spans.get(roasterId) ?? -1)) return;
    this.#sql.widenSpan.run({ roaster: roasterId, span });
    // Should the transaction roll back, the cache overstates the span: reads then scan a little more.
    this.#spans.set(roasterId, span);
  }

  async committedSeq(roasterUid: string, bootEpoch: string): Promise<number | undefined> {
    this.#checkOpen();
    const row = this.#sql.committedSeq.get(roasterUid, bootEpoch) as { seq: number | null };
    return row.seq ?? undefined;
  }

  async points(roasterUid: string, fromMs: number, toMs: number): Promise<Sample[]> {
    this.#checkOpen();
    requireTime('fromMs', fromMs);
    requireTime('toMs', toMs);
    const roaster = this.#sql.roaster.get(roasterUid) as RoasterRow | undefined;
    return roaster ? this.#pointsIn(roaster, fromMs, toMs) : [];
  }

  #range(roaster: RoasterRow, fromMs: number, toMs: number) {
    return { roaster: roaster.id, low: fromMs - roaster.maxSpanMs, from: fromMs, to: toMs };
  }

  /** Decodes the overlapping batches; sorting restores time order where batches overlap (a clock step). */
  #pointsIn(roaster: RoasterRow, fromMs: number, toMs: number): Sample[] {
    const rows = this.#sql.overlapping.all(this.#range(roaster, fromMs, toMs)) as { points: Uint8Array }[];
    const samples: Sample[] = [];
    for (const row of rows) decodeSamples(row.points, fromMs, toMs, samples);
    // Stable: samples with the same time keep the order they were stored in.
    return inTimeOrder(samples) ? samples : samples.sort((a, b) => a.timeMs - b.timeMs);
  }

  async latestPoint(roasterUid: string): Promise<Sample | undefined> {
    this.#checkOpen();
    const roaster = this.#sql.roaster.get(roasterUid) as RoasterRow | undefined;
    if (!roaster) return undefined;
    const row = this.#sql.latest.get({ roaster: roaster.id, span: roaster.maxSpanMs }) as
      | { points: Uint8Array }
      | undefined;
    if (!row) return undefined;
    return decodeSamples(row.points).reduce<Sample | undefined>(
      (latest, s) => (latest === undefined || s.timeMs >= latest.timeMs ? s : latest),
      undefined,
    );
  }

  async putSession(session: SessionWindow): Promise<void> {
    this.#checkOpen();
    requireId('session UID', session.uid);
    requireId('roaster UID', session.roasterUid);
    requireTime('startMs', session.startMs);
    if (session.endMs !== undefined) {
      requireTime('endMs', session.endMs);
      if (session.endMs < session.startMs)
        throw new RangeError(`session ${session.uid} ends before it starts`);
    }
    const roasterId = this.#internRoaster(session.roasterUid);
    this.#sql.putSession.run(session.uid, roasterId, session.startMs, session.endMs ?? null);
  }

  #session(uid: string): { roaster: RoasterRow; fromMs: number; toMs: number } | undefined {
    const row = this.#sql.session.get(uid) as SessionRow | undefined;
    if (!row) return undefined;
    // An open session reaches up to whatever arrives.
    const toMs = row.endMs ?? Number.MAX_SAFE_INTEGER;
    return { roaster: { id: row.id, maxSpanMs: row.maxSpanMs }, fromMs: row.startMs, toMs };
  }

  async sessionPoints(sessionUid: string): Promise<Sample[] | undefined> {
    this.#checkOpen();
    const session = this.#session(sessionUid);
    return session && this.#pointsIn(session.roaster, session.fromMs, session.toMs);
  }

  async sessionCounts(sessionUid: string): Promise<SessionCounts | undefined> {
    this.#checkOpen();
    const session = this.#session(sessionUid);
    if (!session) return undefined;
    const { roaster, fromMs, toMs } = session;
    const range = this.#range(roaster, fromMs, toMs);
    const counts: SessionCounts = { pointsStored: 0, pointsDropped: 0, droppedBatches: 0 };
    for (const boot of this.#sql.countsByBoot.all(range) as unknown as BootCounts[]) {
      const before = this.#droppedBefore(boot.bootId, boot.firstSeq);
      const batches = boot.dropped - before.dropped;
      counts.pointsStored += boot.inside;
      counts.droppedBatches += batches;
      // Every dropped batch held a sample at least. An edge from before dropped_points_total, and a row
      // stored before the store kept it, say 0 samples: the batch count is then the least that was lost,
      // and 0 still means the record is complete.
      counts.pointsDropped += Math.max(boot.droppedPoints - before.droppedPoints, batches);
    }
    for (const row of this.#sql.straddling.all(range) as { points: Uint8Array }[])
      counts.pointsStored += decodeSamples(row.points, fromMs, toMs).length;
    return counts;
  }

  /** The edge's drop counters are cumulative per boot: their values at the batch before the window. */
  #droppedBefore(bootId: number, firstSeq: number): DropCounters {
    const before = this.#sql.droppedBefore.get(bootId, firstSeq) as DropCounters | undefined;
    return before ?? { dropped: 0, droppedPoints: 0 };
  }

  async deleteBefore(cutoffMs: number): Promise<RetentionResult> {
    this.#checkOpen();
    requireTime('cutoffMs', cutoffMs);
    const result: RetentionResult = { batches: 0, points: 0, sessions: 0 };
    for (const { id } of this.#sql.roasterIds.all() as { id: number }[]) {
      for (let more = true; more && !this.#closed; ) {
        more = this.#deleteChunk(id, cutoffMs, result);
        // Between chunks, group commits and reads get their turn.
        await settle();
      }
    }
    if (this.#closed) return result;
    result.sessions = Number(this.#sql.deleteSessions.run(cutoffMs).changes);
    this.#log.info('retention', { cutoff: new Date(cutoffMs).toISOString(), ...result });
    return result;
  }

  /** One DELETE, its own short transaction; says whether a full chunk went (so more may be left). */
  #deleteChunk(roasterId: number, cutoffMs: number, result: RetentionResult): boolean {
    const started = performance.now();
    const deleted = this.#sql.deleteChunk.all({
      roaster: roasterId,
      cutoff: cutoffMs,
      limit: this.#retentionChunk,
    }) as { n: number }[];
    const ms = performance.now() - started;
    this.#stats.slowestRetentionChunkMs = Math.max(this.#stats.slowestRetentionChunkMs, ms);
    result.batches += deleted.length;
    for (const row of deleted) result.points += row.n;
    return deleted.length === this.#retentionChunk;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#group.flush();
    await this.#checkpointer.stop();
    // The last connection to close checkpoints what is left and removes the log.
    this.#db.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('telemetry store is closed');
  }
}
