// Telemetry as the link takes it in: each batch committed to the store, counted, and then told to the
// feed's listeners (sessions follow each committed sample once); the edge's drop counters turned into
// metrics once per boot. A listener is isolated: one that throws is logged and skipped, so it can neither
// fail a commit that was stored nor disturb other listeners or streams.
import type { Logger } from '@roast-operator/log';
import type { TelemetryBatch } from '@roast-operator/proto';
import type { TelemetryStore } from '@roast-operator/store';
import type { RoasterRef } from '../dispatch.ts';
import type { StreamDevice, TelemetryFeed, TelemetryListener } from '../telemetry.ts';
import type { LinkMetrics } from './metrics.ts';

/** An edge's counters of the batches it dropped and their samples, in one boot. */
type DropCounters = { readonly bootEpoch: string; readonly batches: number; readonly points: number };

export class TelemetryIngest implements TelemetryFeed {
  readonly #store: () => TelemetryStore;
  readonly #metrics: LinkMetrics;
  readonly #log: Logger;
  readonly #listeners = new Set<TelemetryListener>();
  /** The drop counters each roaster's edge last reported, by Roaster UID. */
  readonly #drops = new Map<string, DropCounters>();

  /** `store` returns the open store or throws why there is none. */
  constructor(store: () => TelemetryStore, metrics: LinkMetrics, log: Logger) {
    this.#store = store;
    this.#metrics = metrics;
    this.#log = log;
  }

  subscribe(listener: TelemetryListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Commits a batch; rejects only when the store did not keep it. */
  async commit(ref: RoasterRef, batch: TelemetryBatch): Promise<unknown> {
    const result = await this.#store().append(ref.uid, batch);
    if (result.duplicate) this.#metrics.duplicateBatches.inc();
    else this.#metrics.pointsIngested.inc(result.pointsStored);
    // Committed now and never before: sessions follow each sample once.
    if (!result.duplicate) this.#tell('samples', (l) => l.samples(ref, batch.samples));
    return result;
  }

  connected(ref: RoasterRef, device: StreamDevice): void {
    this.#tell('connected', (l) => l.connected(ref, device));
  }

  disconnected(ref: RoasterRef): void {
    this.#tell('disconnected', (l) => l.disconnected(ref));
  }

  /**
   * The edge's drop counters run from its boot across all its streams, and every batch repeats them: the
   * metrics rise by what is new since the boot's highest report, so a reconnect counts nothing twice.
   */
  countDrops(roasterUid: string, batch: TelemetryBatch): void {
    const last = this.#drops.get(roasterUid);
    const seen = last?.bootEpoch === batch.bootEpoch ? last : { batches: 0, points: 0 };
    if (batch.droppedBatchesTotal > seen.batches)
      this.#metrics.batchesDropped.inc(batch.droppedBatchesTotal - seen.batches);
    if (batch.droppedPointsTotal > seen.points)
      this.#metrics.pointsDropped.inc(batch.droppedPointsTotal - seen.points);
    this.#drops.set(roasterUid, {
      bootEpoch: batch.bootEpoch,
      batches: Math.max(seen.batches, batch.droppedBatchesTotal),
      points: Math.max(seen.points, batch.droppedPointsTotal),
    });
  }

  #tell(what: keyof TelemetryListener, call: (listener: TelemetryListener) => void): void {
    for (const listener of this.#listeners) {
      try {
        call(listener);
      } catch (err) {
        // The stack says which listener broke; logged here once, the stream and the commit unaffected.
        const stack = err instanceof Error ? err.stack : undefined;
        this.#log.error('a telemetry listener failed; the data stays stored and the others were told', {
          err,
          stack,
          listener: what,
        });
      }
    }
  }
}
