import type { Clock, Timer } from '@roast-operator/clock';
import type { Logger } from '@roast-operator/log';
import type { ConnectRequest, Sample } from '@roast-operator/proto';
import type { LinkMetrics } from './metrics.ts';
import { TelemetryBuffer } from './telemetry.ts';

// Telemetry on its way out: samples close into batches (by count, or `batchMs` after the first), wait in
// the buffer until acknowledged, and go out in order on the welcomed stream as fast as it takes them.

/** The stream batches go out on: a write that returns false asks to wait for 'drain'. */
export type BatchStream = {
  write(message: ConnectRequest): boolean;
  once(event: 'drain', listener: () => void): unknown;
};

export type OutboxOptions = {
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: LinkMetrics;
  /** Names this process's batches, with their seqs. */
  readonly bootEpoch: string;
  readonly batchSamples: number;
  readonly batchMs: number;
  readonly capacity: number;
};

export class TelemetryOutbox {
  readonly buffer: TelemetryBuffer;
  readonly #o: OutboxOptions;
  #flush: Timer | undefined;
  #stream: BatchStream | undefined;
  /** Waiting for the stream's 'drain' before more. */
  #blocked = false;

  constructor(options: OutboxOptions) {
    this.#o = options;
    this.buffer = new TelemetryBuffer({ batchSamples: options.batchSamples, capacity: options.capacity });
  }

  add(sample: Sample): void {
    if (this.buffer.add(sample)) this.#closeBatch();
    else this.#flush ??= this.#o.clock.setTimer(() => this.#closeBatch(), this.#o.batchMs);
  }

  /** Sends on `stream` from now on (a welcomed one: whatever it has not acknowledged), or on none. */
  sendOn(stream: BatchStream | undefined): void {
    this.#stream = stream;
    this.#blocked = false;
    this.#pump();
  }

  /** Everything up to `committedSeq` is committed: released for good. */
  release(committedSeq: number): void {
    const released = this.buffer.acknowledge(committedSeq);
    if (released > 0) this.#o.metrics.batchesAcked.inc(released);
  }

  stop(): void {
    this.#flush?.cancel();
  }

  #closeBatch(): void {
    this.#flush?.cancel();
    this.#flush = undefined;
    const dropped = this.buffer.close();
    if (dropped.batches > 0) {
      this.#o.metrics.batchesDropped.inc(dropped.batches);
      this.#o.metrics.pointsDropped.inc(dropped.points);
      this.#o.log.warn('telemetry buffer full: dropped the oldest batches', {
        batches: dropped.batches,
        points: dropped.points,
        batchesTotal: this.buffer.droppedBatches,
        pointsTotal: this.buffer.droppedPoints,
      });
    }
    this.#pump();
  }

  /** Writes the batches the stream has not had, in order, as fast as it takes them. */
  #pump(): void {
    const stream = this.#stream;
    if (!stream || this.#blocked) return;
    for (let batch = this.buffer.next(); batch; batch = this.buffer.next()) {
      const writable = stream.write({
        body: {
          $case: 'telemetry',
          value: {
            bootEpoch: this.#o.bootEpoch,
            seq: batch.seq,
            samples: [...batch.samples],
            droppedBatchesTotal: this.buffer.droppedBatches,
            droppedPointsTotal: this.buffer.droppedPoints,
          },
        },
      });
      this.#o.metrics.batchesSent.inc();
      this.#o.metrics.pointsSent.inc(batch.samples.length);
      if (!writable) {
        this.#blocked = true;
        stream.once('drain', () => {
          if (this.#stream !== stream) return;
          this.#blocked = false;
          this.#pump();
        });
        return;
      }
    }
  }
}
