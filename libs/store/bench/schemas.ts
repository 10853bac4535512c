// The table layouts the store's schema was chosen against, fed the same deliveries in transactions of the
// same size, without the store's queue: what each layout costs SQLite and its codec, nothing else. As in
// the store, no checkpoint runs inside a commit (the store's checkpointer thread does that work), except
// in the variant that measures what checkpoints inside commits would cost. The log therefore grows with
// the data: keep --points near its default for this part, or it measures the log more than the layout.
import { statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { Sample, TelemetryBatch } from '@roast-operator/proto';
import { decodeSamples, encodeSamples } from '../src/codec.ts';
import { configure, migrate, transaction, WRITER_AUTOCHECKPOINT } from '../src/schema.ts';

/** One batch as a stream delivers it; roaster and boot are interned ids (equal here), as in the store. */
export interface Delivery {
  roasterId: number;
  batch: TelemetryBatch;
}

interface Layout {
  name: string;
  /** Statements run after the store's own configuration. */
  pragmas: string;
  create(db: DatabaseSync): void;
  /** Prepares the insert of one delivery. */
  writer(db: DatabaseSync): (d: Delivery) => void;
  /** One roaster's samples in time order. */
  read(db: DatabaseSync, roasterId: number): Sample[];
}

type Packed = Uint8Array | string;

/** The store's own tables (its migration), the samples of a batch packed by `pack`. */
function batchLayout(
  name: string,
  pack: (samples: Sample[]) => Packed,
  unpack: (points: Packed) => Sample[],
  pragmas = '',
): Layout {
  return {
    name,
    pragmas,
    create: migrate,
    writer(db) {
      const insert = db.prepare(
        `INSERT INTO batches
           (boot_id, seq, roaster_id, first_ms, last_ms, points_n, dropped, dropped_points, points)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (boot_id, seq) DO NOTHING`,
      );
      return ({ roasterId, batch }) => {
        const times = batch.samples.map((s) => s.timeMs);
        const first = Math.min(...times);
        const last = Math.max(...times);
        insert.run(roasterId, batch.seq, roasterId, first, last, times.length, 0, 0, pack(batch.samples));
      };
    },
    read(db, roasterId) {
      const rows = db
        .prepare('SELECT points FROM batches WHERE roaster_id = ? ORDER BY first_ms')
        .all(roasterId);
      return rows.flatMap((row) => unpack(row.points as Packed));
    },
  };
}

const POINT_COLUMNS = 'time_ms, bean, ibts, exhaust, ror, heater, fan, drum, state';

/** One row per sample, keyed by `keys` (the rest of the CREATE TABLE statement). */
function pointLayout(name: string, keys: string): Layout {
  return {
    name,
    pragmas: '',
    create: (db) =>
      db.exec(`CREATE TABLE points (roaster_id INTEGER NOT NULL, boot_id INTEGER NOT NULL, seq INTEGER NOT NULL,
        i INTEGER NOT NULL, time_ms INTEGER NOT NULL, bean REAL, ibts REAL, exhaust REAL, ror REAL,
        heater INTEGER NOT NULL, fan INTEGER NOT NULL, drum INTEGER NOT NULL, state INTEGER NOT NULL${keys}`),
    writer(db) {
      const insert = db.prepare(
        `INSERT INTO points (roaster_id, boot_id, seq, i, ${POINT_COLUMNS})
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      );
      return ({ roasterId, batch }) => {
        batch.samples.forEach((s, i) => {
          const { beanTemp, ibtsTemp, exhaustTemp, beanRor } = s;
          const readings = [beanTemp, ibtsTemp, exhaustTemp, beanRor].map((v) => v ?? null);
          insert.run(
            roasterId,
            roasterId,
            batch.seq,
            i,
            s.timeMs,
            ...readings,
            s.heater,
            s.fan,
            s.drum,
            s.stateCode,
          );
        });
      };
    },
    read(db, roasterId) {
      const rows = db
        .prepare(`SELECT ${POINT_COLUMNS} FROM points WHERE roaster_id = ? ORDER BY time_ms`)
        .all(roasterId);
      return rows.map((row) => rowToSample(row as Record<string, number | null>));
    },
  };
}

function rowToSample(row: Record<string, number | null>): Sample {
  const sample: Sample = {
    timeMs: row.time_ms as number,
    heater: row.heater as number,
    fan: row.fan as number,
    drum: row.drum as number,
    stateCode: row.state as number,
  };
  const readings = { beanTemp: row.bean, ibtsTemp: row.ibts, exhaustTemp: row.exhaust, beanRor: row.ror };
  for (const [key, value] of Object.entries(readings))
    if (value !== null && value !== undefined) sample[key as keyof typeof readings] = value;
  return sample;
}

const blob = (samples: Sample[]) => encodeSamples(samples).points;
const unblob = (points: Packed) => decodeSamples(points as Uint8Array);
const json = (samples: Sample[]) => JSON.stringify(samples);
const unjson = (points: Packed) => JSON.parse(points as string) as Sample[];

export const layouts: Layout[] = [
  batchLayout('row per batch, BLOB of fixed-width records (chosen)', blob, unblob),
  batchLayout('row per batch, BLOB, synchronous=FULL', blob, unblob, 'PRAGMA synchronous = FULL'),
  batchLayout(
    'row per batch, BLOB, checkpoints inside commits (SQLite default)',
    blob,
    unblob,
    WRITER_AUTOCHECKPOINT,
  ),
  batchLayout('row per batch, JSON text', json, unjson),
  pointLayout(
    'row per point, composite primary key (roaster, boot, seq, i)',
    ', PRIMARY KEY (roaster_id, boot_id, seq, i)) WITHOUT ROWID',
  ),
  pointLayout(
    'row per point, rowid + unique (boot, seq, i) + (roaster, time) index',
    ', id INTEGER PRIMARY KEY); CREATE UNIQUE INDEX points_key ON points (boot_id, seq, i); ' +
      'CREATE INDEX points_time ON points (roaster_id, time_ms)',
  ),
];

export interface LayoutResult {
  name: string;
  pointsPerSecond: number;
  /** Per transaction of `group` batches: how long it held the thread. */
  commitP99Ms: number;
  commitMaxMs: number;
  bytesPerPoint: number;
  /** Reading one roaster's samples back as objects, in time order. */
  readPointsPerSecond: number;
}

/** Ingests `deliveries` into a new file at `path` in transactions of `group` batches. */
export function measureLayout(
  layout: Layout,
  path: string,
  deliveries: Delivery[],
  group: number,
): LayoutResult {
  const db = new DatabaseSync(path);
  try {
    configure(db, 'normal');
    db.exec(layout.pragmas);
    layout.create(db);
    const write = layout.writer(db);
    const points = deliveries.reduce((n, d) => n + d.batch.samples.length, 0);
    const commits: number[] = [];
    const started = performance.now();
    for (let i = 0; i < deliveries.length; i += group) {
      const begun = performance.now();
      transaction(db, () => deliveries.slice(i, i + group).forEach(write));
      commits.push(performance.now() - begun);
    }
    const seconds = (performance.now() - started) / 1000;
    commits.sort((a, b) => a - b);
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    const bytes = statSync(path).size;
    const readStarted = performance.now();
    const read = layout.read(db, deliveries[0]?.roasterId ?? 0).length;
    const readSeconds = (performance.now() - readStarted) / 1000;
    return {
      name: layout.name,
      pointsPerSecond: points / seconds,
      commitP99Ms: commits[Math.ceil(commits.length * 0.99) - 1] ?? 0,
      commitMaxMs: commits.at(-1) ?? 0,
      bytesPerPoint: bytes / points,
      readPointsPerSecond: read / readSeconds,
    };
  } finally {
    db.close();
  }
}
