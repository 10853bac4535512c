import { type Clock, ItemBackoff, systemClock, type Timer } from '@roast-operator/clock';

/** Observations a queue reports; the controller wires them to the `workqueue_*` metrics. */
export interface QueueObserver {
  added(): void;
  depth(n: number): void;
  /** Seconds a key waited between being queued and handed to a worker. */
  queued(seconds: number): void;
  /** Seconds a worker held a key. */
  worked(seconds: number): void;
  retried(): void;
}

const quiet: QueueObserver = { added() {}, depth() {}, queued() {}, worked() {}, retried() {} };

export interface WorkQueueOptions {
  clock?: Clock;
  backoff?: ItemBackoff<string>;
  observer?: QueueObserver;
}

/**
 * A rate-limited work queue of keys with client-go's semantics:
 * - a key is queued at most once (a burst of adds collapses into one item);
 * - a key is never handed out while a worker holds it; an add during processing marks it dirty and it
 *   is queued again once, when the worker calls `done`;
 * - `addAfter` keeps only the earliest pending delay per key;
 * - `addRateLimited` delays by the key's exponential failure backoff; `forget` resets it.
 * After `shutdown` no key is accepted or handed out; workers finish what they hold.
 */
export class WorkQueue {
  readonly #clock: Clock;
  readonly #backoff: ItemBackoff<string>;
  readonly #observer: QueueObserver;
  #queue: string[] = [];
  /** Keys that need processing, with the time they were first queued. */
  #dirty = new Map<string, number>();
  /** Keys held by workers, with the time processing started. */
  #processing = new Map<string, number>();
  #waiting = new Map<string, { at: number; timer: Timer }>();
  #getters: ((key: string | undefined) => void)[] = [];
  #drained: (() => void)[] = [];
  #shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.#clock = opts.clock ?? systemClock;
    this.#backoff = opts.backoff ?? new ItemBackoff({ initialMs: 5, maxMs: 1_000_000 });
    this.#observer = opts.observer ?? quiet;
  }

  get length(): number {
    return this.#queue.length;
  }

  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#observer.added();
    this.#dirty.set(key, this.#clock.now());
    if (this.#processing.has(key)) return;
    this.#enqueue(key);
  }

  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.#clock.now() + delayMs;
    const pending = this.#waiting.get(key);
    if (pending && pending.at <= at) return;
    pending?.timer.cancel();
    const timer = this.#clock.setTimer(() => {
      this.#waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.#waiting.set(key, { at, timer });
  }

  addRateLimited(key: string): void {
    this.#observer.retried();
    this.addAfter(key, this.#backoff.when(key));
  }

  forget(key: string): void {
    this.#backoff.forget(key);
  }

  retries(key: string): number {
    return this.#backoff.retries(key);
  }

  /** The next key to process, waiting for one; `undefined` once the queue shuts down. */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#queue.shift();
    if (key !== undefined) return Promise.resolve(this.#handOut(key));
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** Releases a key taken with `get`; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    const started = this.#processing.get(key);
    if (started === undefined) return;
    this.#processing.delete(key);
    this.#observer.worked((this.#clock.now() - started) / 1000);
    if (this.#dirty.has(key) && !this.#shuttingDown) this.#enqueue(key);
    if (this.#processing.size === 0) for (const resolve of this.#drained.splice(0)) resolve();
  }

  /** Seconds of work in progress and the longest single run, for the unfinished-work gauges. */
  inFlight(): { unfinishedSeconds: number; longestSeconds: number } {
    const now = this.#clock.now();
    let unfinishedSeconds = 0;
    let longestSeconds = 0;
    for (const started of this.#processing.values()) {
      const s = (now - started) / 1000;
      unfinishedSeconds += s;
      longestSeconds = Math.max(longestSeconds, s);
    }
    return { unfinishedSeconds, longestSeconds };
  }

  /** Stops intake and hand-out; pending delays are dropped. Resolves when no key is being processed. */
  shutdown(): Promise<void> {
    this.#shuttingDown = true;
    for (const { timer } of this.#waiting.values()) timer.cancel();
    this.#waiting.clear();
    this.#queue = [];
    this.#observer.depth(0);
    for (const resolve of this.#getters.splice(0)) resolve(undefined);
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  #enqueue(key: string): void {
    const getter = this.#getters.shift();
    if (getter) {
      getter(this.#handOut(key));
      return;
    }
    this.#queue.push(key);
    this.#observer.depth(this.#queue.length);
  }

  #handOut(key: string): string {
    const now = this.#clock.now();
    const queuedAt = this.#dirty.get(key) ?? now;
    this.#dirty.delete(key);
    this.#processing.set(key, now);
    this.#observer.queued((now - queuedAt) / 1000);
    this.#observer.depth(this.#queue.length);
    return key;
  }
}
