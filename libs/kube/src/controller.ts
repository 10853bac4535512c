import { type Clock, ItemBackoff, systemClock } from '@roast-operator/clock';
import { Logger } from '@roast-operator/log';
import type { Informer, InformerEvent } from './informer.ts';
import type { ControllerObserver, RuntimeMetrics } from './metrics.ts';
import { groupOf, type KubeObject, keyOf, objectKey } from './resource.ts';
import { WorkQueue } from './workqueue.ts';

/** What a reconcile asks for next; returning nothing means done until the next change. */
export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds (a timer, not a failure: no backoff). */
  requeueAfter?: number;
}

/** Thrown by a reconciler for a failure that retrying cannot fix: the key is not retried. */
export class TerminalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

export interface ReconcileContext {
  key: string;
  /** Logger carrying the controller and key. */
  log: Logger;
  /** Aborts when the controller stops; long reconciles should give up. */
  signal: AbortSignal;
  /** Consecutive failed attempts before this one. */
  retries: number;
}

/**
 * Brings the world in line with the desired state for `key`, reading from caches, idempotently. It
 * throws to be retried with backoff, or a TerminalError to give up on this key until its next change.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: lets a reconciler that returns nothing be a plain `async` function
export type Reconciler = (key: string, ctx: ReconcileContext) => Promise<ReconcileResult | void>;

/** Something the manager starts and stops: controllers, and leader-only services such as a gateway. */
export interface Runnable {
  readonly name: string;
  /** Run only while this process holds the leader lease. */
  readonly needLeaderElection: boolean;
  /** Runs until `signal` aborts, then winds down; resolves when it has. */
  start(signal: AbortSignal): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: sources of any kind can feed one controller
type AnyInformer = Informer<any>;
// biome-ignore lint/suspicious/noExplicitAny: sources of any kind can feed one controller
type AnySource = WatchSource<any>;

/** A watched kind and how its objects map to keys of this controller. */
export interface WatchSource<T extends KubeObject> {
  informer: Informer<T>;
  map: (obj: T) => string[];
  /** Return false to ignore an event (e.g. a status-only update). */
  predicate?: (event: InformerEvent<T>) => boolean;
}

export interface ControllerOptions<T extends KubeObject> {
  name: string;
  /** The primary kind. */
  for: Informer<T>;
  /**
   * The key of a primary object; the default is `namespace/name`. Objects sharing a key are reconciled
   * one at a time (e.g. every proposal of one roaster under the roaster's key).
   */
  key?: (obj: T) => string;
  predicate?: (event: InformerEvent<T>) => boolean;
  /** Kinds whose controller owner reference points at a primary: their changes reconcile the owner. */
  owns?: AnyInformer[];
  /** Other kinds, mapped to keys by the caller (see `watch`). */
  watches?: AnySource[];
  reconcile: Reconciler;
  /** Keys reconciled at once (never the same key twice). Default 1. */
  concurrency?: number;
  /** Default true: a controller writes, so only the leader runs it. */
  needLeaderElection?: boolean;
  backoff?: ItemBackoff<string>;
  clock?: Clock;
  logger?: Logger;
  metrics?: RuntimeMetrics;
}

const quietObserver: ControllerObserver = { reconciled() {}, failed() {}, activeWorkers() {} };

/** A watch source, typed by its informer's kind. */
export function watch<T extends KubeObject>(
  informer: Informer<T>,
  map: (obj: T) => string[],
  predicate?: (event: InformerEvent<T>) => boolean,
): WatchSource<T> {
  return { informer, map, ...(predicate && { predicate }) };
}

/** Skips status-only updates of the primary: metadata.generation moves only on spec changes. */
export function generationChanged<T extends KubeObject>(event: InformerEvent<T>): boolean {
  return event.type !== 'modified' || event.old.metadata.generation !== event.object.metadata.generation;
}

/**
 * controller-runtime's controller: watch events become keys in a deduplicating work queue; workers
 * reconcile keys with bounded concurrency, never one key twice at once; results and errors map to
 * requeue-after timers, per-key exponential backoff or, for terminal errors, no retry.
 */
export class Controller<T extends KubeObject> implements Runnable {
  readonly name: string;
  readonly needLeaderElection: boolean;
  readonly queue: WorkQueue;
  readonly #opts: ControllerOptions<T>;
  readonly #sources: AnySource[];
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #observer: ControllerObserver;

  constructor(opts: ControllerOptions<T>) {
    this.name = opts.name;
    this.needLeaderElection = opts.needLeaderElection ?? true;
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#log = (opts.logger ?? new Logger()).child({ controller: opts.name });
    const concurrency = opts.concurrency ?? 1;
    this.#observer = opts.metrics?.controller(opts.name, concurrency) ?? quietObserver;
    this.queue = new WorkQueue({
      clock: this.#clock,
      backoff: opts.backoff ?? new ItemBackoff({ initialMs: 5, maxMs: 1_000_000 }),
      ...(opts.metrics && { observer: opts.metrics.queue(opts.name, () => this.queue.inFlight()) }),
    });
    const keyFn = opts.key ?? objectKey;
    this.#sources = [
      watch(opts.for, (obj) => [keyFn(obj)], opts.predicate),
      ...(opts.owns ?? []).map((informer) => ({ informer, map: (obj: KubeObject) => this.#ownerKeys(obj) })),
      ...(opts.watches ?? []),
    ];
  }

  /** The informers this controller reads; the manager starts them and waits for their sync. */
  get informers(): AnyInformer[] {
    return [...new Set(this.#sources.map((s) => s.informer))];
  }

  /** Queues a key for reconciliation (also for timers and external triggers). */
  enqueue(key: string): void {
    this.queue.add(key);
  }

  async start(signal: AbortSignal): Promise<void> {
    try {
      await Promise.all(this.informers.map((i) => i.waitForSync(signal)));
    } catch (err) {
      if (signal.aborted) return; // stopped before the caches synced
      throw err;
    }
    const unsubscribe = this.#sources.map((source) =>
      source.informer.on((event) => this.#route(source, event)),
    );
    // Like an informer's initial list: every existing object is reconciled once on start.
    for (const source of this.#sources)
      for (const obj of source.informer.store.list()) this.#enqueueAll(source, obj);
    const concurrency = this.#opts.concurrency ?? 1;
    this.#log.info('starting workers', { concurrency });
    const workers = Array.from({ length: concurrency }, () => this.#work(signal));
    if (!signal.aborted)
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    for (const off of unsubscribe) off();
    this.#log.info('stopping: waiting for in-flight reconciles');
    await this.queue.shutdown();
    await Promise.all(workers);
  }

  async #work(signal: AbortSignal): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      await this.#process(key, signal);
    }
  }

  async #process(key: string, signal: AbortSignal): Promise<void> {
    const log = this.#log.child({ key });
    const started = this.#clock.now();
    this.#observer.activeWorkers(1);
    try {
      const result = await this.#opts.reconcile(key, { key, log, signal, retries: this.queue.retries(key) });
      this.#succeeded(key, result ?? {}, started);
    } catch (err) {
      this.#failed(key, err, started, log);
    } finally {
      this.#observer.activeWorkers(-1);
      this.queue.done(key);
    }
  }

  #succeeded(key: string, result: ReconcileResult, started: number): void {
    if (result.requeueAfter !== undefined && result.requeueAfter > 0) {
      this.queue.forget(key);
      this.queue.addAfter(key, result.requeueAfter);
      this.#observer.reconciled('requeue_after', this.#seconds(started));
    } else {
      this.queue.forget(key);
      this.#observer.reconciled('success', this.#seconds(started));
    }
  }

  #failed(key: string, err: unknown, started: number, log: Logger): void {
    const terminal = err instanceof TerminalError;
    this.#observer.failed(terminal);
    this.#observer.reconciled('error', this.#seconds(started));
    if (terminal) {
      this.queue.forget(key);
      log.error('reconcile failed terminally; not retrying', { err });
      return;
    }
    log.error('reconcile failed; retrying with backoff', { err, retries: this.queue.retries(key) });
    this.queue.addRateLimited(key);
  }

  #seconds(since: number): number {
    return (this.#clock.now() - since) / 1000;
  }

  #route(source: AnySource, event: InformerEvent<KubeObject>): void {
    if (source.predicate && !source.predicate(event)) return;
    const keys = new Set(source.map(event.object));
    // A change can move an object between keys (a new owner, a relabel): the old key needs a look too.
    // Adding each key once matters: a second add while a worker holds the key would reconcile it again.
    if (event.type === 'modified') for (const key of source.map(event.old)) keys.add(key);
    for (const key of keys) this.queue.add(key);
  }

  #enqueueAll(source: AnySource, obj: KubeObject): void {
    for (const key of source.map(obj)) this.queue.add(key);
  }

  /** The primary key of an owned object's controller owner, if the owner is of the primary kind. */
  #ownerKeys(obj: KubeObject): string[] {
    const primary = this.#opts.for.resource;
    // Owner references may name another version of the group; the group and kind identify the owner.
    const ref = obj.metadata.ownerReferences?.find(
      (r) => r.controller && r.kind === primary.kind && groupOf(r.apiVersion) === primary.group,
    );
    if (!ref) return [];
    const ownerKey = keyOf(primary.namespaced ? obj.metadata.namespace : undefined, ref.name);
    if (!this.#opts.key) return [ownerKey];
    // A custom key needs the owner object; a vanished owner's own delete event already queued its key.
    const owner = this.#opts.for.store.get(ownerKey);
    return owner ? [this.#opts.key(owner)] : [];
  }
}
