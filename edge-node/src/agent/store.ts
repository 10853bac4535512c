import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { CommandResult } from '../commands.ts';
import type { Latch, LatchCause } from '../safety/latches.ts';

// What the edge must remember across restarts, in one SQLite file on a hostPath: the first result of each
// command UID (so a repeated dispatch is answered, not executed again), the latches (an intervention does
// not end because the pod was replaced), and the session the roaster is working for (so a restart in the
// middle of a roast is not mistaken for a roast nobody started).

/** How long a command's result is kept; longer than any proposal lives (default retention 7 days). */
const retentionMs = 8 * 24 * 3600_000;

export type Begun = { readonly state: 'new' } | { readonly state: 'done'; readonly result: CommandResult };

export class EdgeStore {
  readonly #db: DatabaseSync;

  /** Opens (creating) `edge.sqlite` in `directory`, or an in-memory store for ':memory:'. */
  static open(directory: string, now: number): EdgeStore {
    if (directory === ':memory:') return new EdgeStore(new DatabaseSync(':memory:'), now);
    mkdirSync(directory, { recursive: true });
    return new EdgeStore(new DatabaseSync(join(directory, 'edge.sqlite')), now);
  }

  private constructor(db: DatabaseSync, now: number) {
    this.#db = db;
    db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      CREATE TABLE IF NOT EXISTS command (uid TEXT PRIMARY KEY, accepted_at INTEGER NOT NULL, result TEXT);
      CREATE TABLE IF NOT EXISTS latch (id TEXT PRIMARY KEY, cause TEXT NOT NULL, detail TEXT NOT NULL, since INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS setting (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    this.#closeInterrupted(now);
    db.prepare('DELETE FROM command WHERE accepted_at < ?').run(now - retentionMs);
  }

  /**
   * Records that `uid` starts now, or returns its first result. A UID still running in this process is
   * the caller's to join; one left unfinished by an earlier process was answered Unknown at open.
   */
  begin(uid: string, now: number): Begun {
    const inserted = this.#db
      .prepare(
        'INSERT INTO command (uid, accepted_at, result) VALUES (?, ?, NULL) ON CONFLICT(uid) DO NOTHING',
      )
      .run(uid, now);
    if (inserted.changes === 1) return { state: 'new' };
    const row = this.#db.prepare('SELECT result FROM command WHERE uid = ?').get(uid) as {
      result: string | null;
    };
    if (row.result === null) throw new Error(`command ${uid} is already running`);
    return { state: 'done', result: JSON.parse(row.result) as CommandResult };
  }

  /** The first result of `uid`, once it has one. */
  result(uid: string): CommandResult | undefined {
    const row = this.#db
      .prepare('SELECT result FROM command WHERE uid = ? AND result IS NOT NULL')
      .get(uid) as { result: string } | undefined;
    return row && (JSON.parse(row.result) as CommandResult);
  }

  finish(result: CommandResult): void {
    this.#db.prepare('UPDATE command SET result = ? WHERE uid = ?').run(JSON.stringify(result), result.uid);
  }

  latches(): Latch[] {
    const rows = this.#db.prepare('SELECT id, cause, detail, since FROM latch ORDER BY since, id').all() as {
      id: string;
      cause: string;
      detail: string;
      since: number;
    }[];
    return rows.map((row) => ({ ...row, cause: row.cause as LatchCause }));
  }

  /** Records `latch` and forgets, in the same transaction, the latches it supersedes. */
  addLatch(latch: Latch, superseded: readonly Latch[] = []): void {
    this.#transaction(() => {
      this.removeLatches(superseded);
      this.#db
        .prepare(
          'INSERT INTO latch (id, cause, detail, since) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING',
        )
        .run(latch.id, latch.cause, latch.detail, latch.since);
    });
  }

  removeLatches(latches: readonly Latch[]): void {
    const remove = this.#db.prepare('DELETE FROM latch WHERE id = ?');
    for (const latch of latches) remove.run(latch.id);
  }

  /** The session the roaster works for, as the link last said. */
  session(): string | undefined {
    const row = this.#db.prepare("SELECT value FROM setting WHERE key = 'session'").get() as
      | { value: string }
      | undefined;
    return row?.value;
  }

  setSession(name: string | undefined): void {
    if (name === undefined) this.#db.prepare("DELETE FROM setting WHERE key = 'session'").run();
    else
      this.#db
        .prepare(
          "INSERT INTO setting (key, value) VALUES ('session', ?) ON CONFLICT(key) DO UPDATE SET value = ?",
        )
        .run(name, name);
  }

  close(): void {
    this.#db.close();
  }

  #transaction(work: () => void): void {
    this.#db.exec('BEGIN');
    try {
      work();
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Commands an earlier process accepted and never finished: whether they acted is not known. */
  #closeInterrupted(now: number): void {
    const rows = this.#db.prepare('SELECT uid, accepted_at FROM command WHERE result IS NULL').all() as {
      uid: string;
      accepted_at: number;
    }[];
    for (const { uid, accepted_at } of rows) {
      this.finish({
        uid,
        outcome: 'unknown',
        message: 'the edge agent stopped while executing it',
        latencyMs: now - accepted_at,
      });
    }
  }
}
