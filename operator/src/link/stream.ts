// One edge agent's stream after its hello: an outbound queue that respects the transport's back-pressure
// and lets an EmergencyStop overtake everything queued, and telemetry ingest with a cap on batches in
// flight, acknowledged in arrival order once each is committed.
import type { ServerDuplexStream, status } from '@grpc/grpc-js';
import type { Clock } from '@roast-operator/clock';
import type { ConnectRequest, ConnectResponse, Latch, TelemetryBatch } from '@roast-operator/proto';
import { NotSent, type RoasterRef } from '../dispatch.ts';
import type { CheckedHello } from './validate.ts';

export type Call = ServerDuplexStream<ConnectRequest, ConnectResponse>;

/** A gRPC status to end a stream with. */
export class StreamError extends Error {
  readonly code: status;
  constructor(code: status, message: string) {
    super(message);
    this.name = 'StreamError';
    this.code = code;
  }
}

interface Outgoing {
  message: ConnectResponse;
  written: PromiseWithResolvers<void>;
}

interface Ingest {
  seq: number;
  receivedAt: number;
  committed: Promise<unknown>;
}

export interface StreamOptions {
  /** Batches received and not yet acknowledged before the stream stops reading. */
  maxInFlightBatches: number;
  /** Commits a batch; rejects when it cannot (the stream then ends, so the edge resends). */
  commit(batch: TelemetryBatch): Promise<unknown>;
  acked(seq: number, receivedAt: number): void;
  failed(err: unknown): void;
  clock: Clock;
}

export class LinkStream {
  readonly call: Call;
  readonly hello: CheckedHello;
  readonly connectedAt: number;
  lastHeardAt: number;
  closed = false;
  /** The latches the edge last reported. */
  latches: readonly Latch[];
  readonly #queue: Outgoing[] = [];
  readonly #ingests: Ingest[] = [];
  readonly #opts: StreamOptions;
  #draining = false;
  #ackChain: Promise<void> = Promise.resolve();

  constructor(call: Call, hello: CheckedHello, opts: StreamOptions) {
    this.call = call;
    this.hello = hello;
    this.latches = hello.latches;
    this.#opts = opts;
    this.connectedAt = opts.clock.now();
    this.lastHeardAt = this.connectedAt;
  }

  /** The roaster the stream speaks for. */
  get roaster(): RoasterRef {
    return this.hello.roaster;
  }

  get node(): string {
    return this.hello.nodeName;
  }
  get pod(): string {
    return this.hello.podName;
  }
  get serial(): string {
    return this.hello.device.serial;
  }

  /** Queues a message; `urgent` goes ahead of everything not yet written. Resolves once written. */
  send(message: ConnectResponse, urgent = false): Promise<void> {
    if (this.closed) return Promise.reject(new NotSent('the edge agent stream has ended'));
    const item = { message, written: Promise.withResolvers<void>() };
    if (urgent) this.#queue.unshift(item);
    else this.#queue.push(item);
    this.#pump();
    return item.written.promise;
  }

  /** Writes until the transport asks to wait, then resumes on drain. */
  #pump(): void {
    while (!this.#draining && !this.closed) {
      const item = this.#queue.shift();
      if (item === undefined) return;
      const more = this.call.write(item.message, (err?: Error | null) =>
        err ? item.written.reject(err) : item.written.resolve(),
      );
      if (!more) {
        this.#draining = true;
        this.call.once('drain', () => {
          this.#draining = false;
          this.#pump();
        });
      }
    }
  }

  /** Stores a batch; acknowledges it after commit, never ahead of a batch received before it. */
  ingest(batch: TelemetryBatch): void {
    const ingest = {
      seq: batch.seq,
      receivedAt: this.#opts.clock.now(),
      committed: this.#opts.commit(batch),
    };
    // Observed here so a rejection is never unhandled; the ack chain reports it in order.
    ingest.committed.catch(() => undefined);
    this.#ingests.push(ingest);
    if (this.#ingests.length >= this.#opts.maxInFlightBatches) this.call.pause();
    this.#ackChain = this.#ackChain.then(() => this.#ack(ingest));
  }

  async #ack(ingest: Ingest): Promise<void> {
    if (this.closed) return;
    try {
      await ingest.committed;
    } catch (err) {
      this.#opts.failed(err);
      return;
    }
    this.#ingests.shift();
    if (this.#ingests.length < this.#opts.maxInFlightBatches) this.call.resume();
    const ack = { bootEpoch: this.hello.bootEpoch, committedSeq: ingest.seq };
    await this.send({ body: { $case: 'ack', value: ack } }).catch(() => undefined);
    this.#opts.acked(ingest.seq, ingest.receivedAt);
  }

  /** Ends the stream with a status; what was queued and not written certainly did not leave. */
  end(error?: StreamError): void {
    if (!this.lost()) return;
    if (error) this.call.emit('error', { code: error.code, details: error.message });
    else this.call.end();
  }

  /** The transport ended under us: nothing more can be written. False when it had already ended. */
  lost(): boolean {
    if (this.closed) return false;
    this.closed = true;
    for (const item of this.#queue.splice(0)) {
      item.written.reject(new NotSent('the edge agent stream ended before the command was written'));
    }
    return true;
  }
}
