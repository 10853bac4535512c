import type { Sample, TelemetryBatch } from '@roast-operator/proto';

/**
 * What the store committed for one appended batch. The gateway acknowledges `seq` to the edge only with
 * this in hand: the batch is committed (now, or by an earlier copy).
 */
export interface AppendResult {
  bootEpoch: string;
  seq: number;
  /** True when (roaster, boot epoch, seq) was stored before: acknowledged again, stored once. */
  duplicate: boolean;
  /** Samples this append added (0 for a duplicate). */
  pointsStored: number;
}

/**
 * A RoastSession as the store sees it: the time window [startMs, endMs) of one roaster, written by the
 * operator when the session starts and again when it ends. An open session has no end.
 */
export interface SessionWindow {
  uid: string;
  roasterUid: string;
  startMs: number;
  endMs?: number | undefined;
}

/**
 * For RoastSession.status.metrics. The drop figures come from the edge's cumulative counters
 * (TelemetryBatch.dropped_batches_total and dropped_points_total): how far each rose from the batch before
 * the session's window to its last batch in the window, per boot epoch, since each boot counts from 0.
 */
export interface SessionCounts {
  /** Samples stored with a time inside the session's window. */
  pointsStored: number;
  /**
   * Samples lost with the batches the edge dropped from its full buffer: what `pointsStored` is missing,
   * and pointsDropped in the status. Never below `droppedBatches`, even from an edge that only counts
   * batches, so 0 means the record is complete.
   */
  pointsDropped: number;
  /** Batches lost to the edge's buffer overflowing (each held one sample or more). */
  droppedBatches: number;
}

export interface RetentionResult {
  batches: number;
  points: number;
  sessions: number;
}

/**
 * The telemetry store behind the link gateway (writes) and the telemetry read API (reads).
 *
 * A roaster is named by its Kubernetes UID, not namespace/name: the UID is what the gateway verified the
 * stream against (Hello names all three), and a Roaster deleted and recreated under the same name is a new
 * object, possibly bound to another device, whose history must not merge with the old one's.
 *
 * Times are the edge's wall clock in milliseconds since the epoch; ranges are half-open [from, to).
 */
export interface TelemetryStore {
  /**
   * Stores one batch and resolves once the transaction that holds it has committed. A batch whose
   * (roaster, boot epoch, seq) is already stored resolves as a duplicate and is not stored again. Rejects,
   * never resolves, when the batch cannot be stored exactly (its drop counters included: each must be a
   * non-negative safe integer) or the commit fails.
   */
  append(roasterUid: string, batch: TelemetryBatch): Promise<AppendResult>;
  /** The highest committed seq of a boot epoch (for Welcome.committed_seq); undefined when none is. */
  committedSeq(roasterUid: string, bootEpoch: string): Promise<number | undefined>;
  /** A roaster's samples with fromMs <= time < toMs, in time order. */
  points(roasterUid: string, fromMs: number, toMs: number): Promise<Sample[]>;
  /** A roaster's sample with the greatest time. */
  latestPoint(roasterUid: string): Promise<Sample | undefined>;
  /** Records or updates a session's window (the end when it ends). */
  putSession(session: SessionWindow): Promise<void>;
  /** The samples of a session's roaster inside its window, in time order; undefined for an unknown session. */
  sessionPoints(sessionUid: string): Promise<Sample[] | undefined>;
  /** What a session's record holds and lost (see SessionCounts); undefined for an unknown session. */
  sessionCounts(sessionUid: string): Promise<SessionCounts | undefined>;
  /**
   * Deletes every batch whose samples are all older than cutoffMs, and the sessions that ended before it,
   * in small chunks so appends keep flowing while it runs.
   */
  deleteBefore(cutoffMs: number): Promise<RetentionResult>;
  /** Commits what is pending, then releases the store. */
  close(): Promise<void>;
}
