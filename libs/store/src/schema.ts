import type { DatabaseSync } from 'node:sqlite';

/**
 * One row per received batch, its samples packed in a BLOB (see codec.ts). Ingest cost is paid per row and
 * per index entry, so a 10-sample batch costs one row and two small integer index entries instead of ten
 * rows in a composite-key tree; the benchmark in docs/benchmarks.md compares the alternatives.
 *
 * - `batches.id` is the rowid: every insert lands at the right edge of the table's b-tree, whatever the
 *   roaster, so interleaved streams never split pages in the middle of the table.
 * - `batches_boot_seq` (boot, seq), unique, is the dedup key; boot ids belong to one roaster, so it is the
 *   (roaster, boot epoch, seq) key in two integers, and MAX(seq) per boot is one index probe.
 * - `batches_roaster_time` (roaster, first sample time) serves time-range reads and retention. A batch spans
 *   at most `roasters.max_span_ms`, so a range read scans first times in [from - max span, to) only.
 * - Roaster UIDs and boot epochs (UUID strings) are interned once into `roasters` and `boots`, keeping the
 *   hot rows and indexes to integers.
 * - `sessions` maps a RoastSession UID to its roaster and [start, end) window.
 * - `batches.dropped` and `batches.dropped_points` are the edge's cumulative drop counters as the batch
 *   carried them (dropped_batches_total, dropped_points_total): batches lost to its buffer overflowing,
 *   and the samples they held.
 *
 * No foreign keys: the store writes every row itself and a check per insert would only cost time.
 */
const SCHEMA_V1 = `
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

/**
 * The edge's count of dropped samples (v2). ADD COLUMN with a constant default only rewrites the table's
 * definition, not its rows, so a store of any size migrates at once. Rows from before it read 0: their
 * edges did not count samples.
 */
const SCHEMA_V2 = 'ALTER TABLE batches ADD COLUMN dropped_points INTEGER NOT NULL DEFAULT 0;';

/**
 * Step i takes a file from user_version i to i + 1. A released step is never edited: files in the field
 * were written by it. A change is a new step at the end.
 */
const MIGRATIONS = [SCHEMA_V1, SCHEMA_V2];

const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * WAL lets reads run beside the one writer and turns a commit into an append to the log.
 * synchronous=NORMAL syncs the log at checkpoints instead of at every commit: a committed transaction
 * survives the process being killed (OOM, eviction, SIGKILL on upgrade: the log is in the OS page cache),
 * and the file is never corrupted; only a crash of the node's kernel or its power can roll back the
 * commits since the last checkpoint. FULL (an fsync per group commit, about one per 256 batches under
 * load) is offered for nodes where that matters; docs/benchmarks.md measures what it costs.
 *
 * Checkpoints are not the writer's: see checkpointer.ts, which turns them back on with
 * WRITER_AUTOCHECKPOINT should its thread die.
 */
export function configure(db: DatabaseSync, synchronous: 'normal' | 'full'): void {
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'};`);
  db.exec('PRAGMA wal_autocheckpoint = 0;');
  // journal_size_limit stays at SQLite's default (none), so the log file keeps its peak size: truncating
  // it when the log restarts falls on the writer and made those commits take 15–40 ms. The checkpointer
  // bounds the peak; close() removes the file.
}

/** SQLite's default: checkpoint in the commit that takes the log past 1000 pages (4 MiB). */
export const WRITER_AUTOCHECKPOINT = 'PRAGMA wal_autocheckpoint = 1000';

/**
 * Runs fn in one write transaction. IMMEDIATE takes the write lock up front, so a lock held by another
 * connection to the file (a backup, an operator's sqlite3 shell) fails the transaction before any work.
 */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    // A failed COMMIT may already have rolled back.
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function userVersion(db: DatabaseSync): number {
  return (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
}

/**
 * Creates the schema in a new file and brings a file of an earlier version up to this one, keeping its
 * data; refuses a file written by a later version of the store.
 */
export function migrate(db: DatabaseSync): void {
  // Decided under the write lock, so two processes opening a file at once migrate it once; the steps and
  // the new version commit together, so a failed step leaves the file as it was.
  transaction(db, () => {
    const version = userVersion(db);
    if (version >= SCHEMA_VERSION) return;
    for (const step of MIGRATIONS.slice(version)) db.exec(step);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  });
  const version = userVersion(db);
  if (version !== SCHEMA_VERSION)
    throw new Error(`telemetry store schema ${version} is not the supported ${SCHEMA_VERSION}`);
}
