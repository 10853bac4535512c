import type { Sample } from '@roast-operator/proto';

// Readings become numbered batches, and a batch stays here until the gateway acknowledges it (the gateway
// acks after commit). Seqs are consecutive from 1 within a boot epoch, so the buffer is a window of them:
// acks and overflow take batches off the front, new batches go on the back, and each stream sends from the
// first batch it has not sent yet. After a reconnect every unacknowledged batch goes again, in order,
// before anything newer; an acknowledged one never does. When the buffer is full the oldest batch is
// dropped and counted, and so are its samples: the gateway learns both counts from every batch, and the
// samples are what a RoastSession reports lost.

export type Batch = { readonly seq: number; readonly samples: readonly Sample[] };

/** What an overflow dropped: whole batches, and the samples they held. */
export type Dropped = { readonly batches: number; readonly points: number };

export class TelemetryBuffer {
  readonly #batchSamples: number;
  readonly #capacity: number;
  #open: Sample[] = [];
  /** Unacknowledged batches, consecutive seqs, oldest first. */
  #batches: Batch[] = [];
  #lastSeq = 0;
  /** Every batch up to this seq is acknowledged. */
  #committed = 0;
  /** The current stream has sent every batch up to this seq. */
  #sentThrough = 0;
  #droppedBatches = 0;
  #droppedPoints = 0;

  constructor(options: { readonly batchSamples: number; readonly capacity: number }) {
    if (options.batchSamples < 1 || options.capacity < 1)
      throw new RangeError('a batch and the buffer hold ≥ 1');
    this.#batchSamples = options.batchSamples;
    this.#capacity = options.capacity;
  }

  /** Batches waiting for an ack, sent or not. */
  get depth(): number {
    return this.#batches.length;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  get committedSeq(): number {
    return this.#committed;
  }

  /** Batches dropped unsent or unacknowledged because the buffer was full, since start. */
  get droppedBatches(): number {
    return this.#droppedBatches;
  }

  /** The samples of those batches, since start. */
  get droppedPoints(): number {
    return this.#droppedPoints;
  }

  /** Whether samples wait in a batch not yet closed. */
  get open(): boolean {
    return this.#open.length > 0;
  }

  /** Adds a sample to the open batch; true when that batch is now full and should be closed. */
  add(sample: Sample): boolean {
    this.#open.push(sample);
    return this.#open.length >= this.#batchSamples;
  }

  /** Closes the open batch under the next seq; returns what the overflow dropped of the old batches. */
  close(): Dropped {
    if (this.#open.length === 0) return { batches: 0, points: 0 };
    this.#batches.push({ seq: ++this.#lastSeq, samples: this.#open });
    this.#open = [];
    const overflow = this.#batches.splice(0, Math.max(0, this.#batches.length - this.#capacity));
    const dropped = { batches: overflow.length, points: overflow.reduce((n, b) => n + b.samples.length, 0) };
    this.#droppedBatches += dropped.batches;
    this.#droppedPoints += dropped.points;
    return dropped;
  }

  /**
   * Releases every batch up to `committedSeq`; returns how many. A seq beyond the last one closed is
   * clamped to it: releasing batches not yet numbered would keep them from ever being sent.
   */
  acknowledge(committedSeq: number): number {
    const through = Math.min(committedSeq, this.#lastSeq);
    if (through <= this.#committed) return 0;
    this.#committed = through;
    this.#sentThrough = Math.max(this.#sentThrough, through);
    const released = this.#batches.findIndex((b) => b.seq > through);
    const count = released === -1 ? this.#batches.length : released;
    this.#batches.splice(0, count);
    return count;
  }

  /** A new stream: every unacknowledged batch is to be sent again, oldest first. */
  rewind(): void {
    this.#sentThrough = this.#committed;
  }

  /** The next batch for the current stream, in seq order, or undefined when it has sent them all. */
  next(): Batch | undefined {
    const first = this.#batches[0];
    if (!first) return undefined;
    const batch = this.#batches[Math.max(0, this.#sentThrough + 1 - first.seq)];
    if (batch) this.#sentThrough = batch.seq;
    return batch;
  }
}
