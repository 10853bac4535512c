// The live stream of each roaster, by Roaster UID. A second stream for a roaster is refused unless it comes
// from the same node and device (that device reconnecting after its old stream died unseen: the new one
// replaces it). Removal only takes the stream that is still the roaster's live one.
import { status } from '@grpc/grpc-js';
import type { RoasterRef } from '../dispatch.ts';
import type { LinkMetrics } from './metrics.ts';
import { type Call, LinkStream, StreamError, type StreamOptions } from './stream.ts';
import type { CheckedHello } from './validate.ts';

export class StreamRegistry {
  readonly #streams = new Map<string, LinkStream>();
  readonly #metrics: LinkMetrics;

  constructor(metrics: LinkMetrics) {
    this.#metrics = metrics;
  }

  /** The roaster's live stream, if it has one. */
  get(roasterUid: string): LinkStream | undefined {
    return this.#streams.get(roasterUid);
  }

  values(): IterableIterator<LinkStream> {
    return this.#streams.values();
  }

  /** Whether the roaster has a stream that is open now. */
  isConnected(roaster: RoasterRef): boolean {
    const stream = this.#streams.get(roaster.uid);
    return stream !== undefined && !stream.closed && stream.roaster.name === roaster.name;
  }

  /** Makes a new stream the roaster's live one; throws ALREADY_EXISTS for another device's. */
  register(call: Call, hello: CheckedHello, opts: (stream: () => LinkStream) => StreamOptions): LinkStream {
    const uid = hello.roaster.uid;
    const existing = this.#streams.get(uid);
    if (existing && (existing.node !== hello.nodeName || existing.serial !== hello.device.serial)) {
      throw new StreamError(
        status.ALREADY_EXISTS,
        `the roaster is connected from node ${existing.node} device ${existing.serial || '(no serial)'}; a stream from another device is refused`,
      );
    }
    const stream: LinkStream = new LinkStream(
      call,
      hello,
      opts(() => stream),
    );
    this.#streams.set(uid, stream);
    this.#changed();
    // The map already names the new stream, so the old one's end does not report the roaster Disconnected.
    existing?.end(new StreamError(status.ABORTED, 'replaced by a newer stream from the same device'));
    return stream;
  }

  /** Removes the stream if it still is its roaster's live one; true when it was. */
  remove(stream: LinkStream): boolean {
    const uid = stream.roaster.uid;
    if (this.#streams.get(uid) !== stream) return false;
    this.#streams.delete(uid);
    this.#changed();
    return true;
  }

  /** Heartbeats to every edge; a stream silent for longer than `silenceMs` is handed to `end`. */
  beat(now: number, silenceMs: number, end: (stream: LinkStream, error: StreamError) => void): void {
    for (const stream of this.#streams.values()) {
      if (now - stream.lastHeardAt > silenceMs) {
        end(stream, new StreamError(status.DEADLINE_EXCEEDED, `nothing heard for ${silenceMs} ms`));
        continue;
      }
      // The wire carries whole milliseconds.
      const heartbeat = { timeMs: Math.round(now) };
      stream.send({ body: { $case: 'heartbeat', value: heartbeat } }).catch(() => undefined);
    }
  }

  /** The edges' latches changed: the gauge counts those held by the edges connected now. */
  latchesChanged(): void {
    let held = 0;
    for (const stream of this.#streams.values()) held += stream.latches.length;
    this.#metrics.edgeLatches.set(held);
  }

  #changed(): void {
    this.#metrics.streams.set(this.#streams.size);
    this.latchesChanged();
  }
}
