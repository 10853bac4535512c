import { Backoff, type Clock, sleep, systemClock, type Timer } from '@roast-operator/clock';
import { Logger } from '@roast-operator/log';
import { forCache } from './cache-transform.ts';
import { ApiError, isGone, type KubeClient, type ResourceClient } from './client.ts';
import { hasMetadata, type Kind } from './kinds.ts';
import { collectionPath, type KubeObject, objectKey } from './resource.ts';
import { type IndexFunc, Store } from './store.ts';

export type InformerEvent<T> =
  | { type: 'added'; object: T }
  | { type: 'modified'; object: T; old: T }
  /** `stale`: the delete was inferred by a relist, so `object` is the last state the cache saw. */
  | { type: 'deleted'; object: T; stale: boolean };

export type InformerHandler<T> = (event: InformerEvent<T>) => void;

export interface InformerOptions<T> {
  /** Watch one namespace; all namespaces when omitted. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  indexes?: Record<string, IndexFunc<T>>;
  /** List page size. */
  pageSize?: number;
  /** Fill the store with a streaming list where the server serves one (default true). */
  streamingList?: boolean;
  /** Range the server-side watch timeout is drawn from, so many watches do not expire together. */
  watchTimeoutSeconds?: readonly [number, number];
  /**
   * A watch with no bytes for this long is presumed stalled (e.g. a silently dropped connection) and
   * restarted. The API server sends a bookmark about every 60 s, so this must be longer than that.
   */
  inactivityTimeoutMs?: number;
  backoff?: Backoff;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
}

export interface InformerStats {
  lists: number;
  /** Of the lists, those the server streamed (WatchList). */
  streamedLists: number;
  watches: number;
  /** Relists after a 410 Gone (`expired`) and after any other failure (`error`). */
  relists: { expired: number; error: number };
  lastError?: string;
}

/** A watch event as it arrives: the object is parsed only once it is known to be one of the kind's. */
interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

class WatchStalled extends Error {
  constructor(ms: number) {
    super(`watch stalled: no data for ${ms} ms`);
    this.name = 'WatchStalled';
  }
}

/**
 * Reflector and cache for one resource (client-go's informer, kube-rs' watcher → reflector):
 * a paginated list fills the store, a watch from the list's resourceVersion keeps it current. The
 * resourceVersion follows every event including bookmarks, so a watch the server ends cleanly resumes
 * where it stopped. A 410 Gone or any failure (a dropped connection, a stalled stream, an error
 * response) leads to a relist whose diff against the store emits the changes missed, including deletes;
 * failures back off with jitter first. The loop never gives up: it runs until `stop`.
 *
 * Objects are parsed by the kind's schema once, when they arrive (controller-runtime's cache transform):
 * the store holds typed objects, without their managedFields (`forCache`). One that does not fit is
 * reported once by the client and kept out of the store, as if it did not exist, until a new version of it
 * fits.
 */
export class Informer<T extends KubeObject> {
  readonly resource: Kind<T>;
  readonly store: Store<T>;
  readonly stats: InformerStats = {
    lists: 0,
    streamedLists: 0,
    watches: 0,
    relists: { expired: 0, error: 0 },
  };
  readonly #api: ResourceClient<T>;
  readonly #client: KubeClient;
  readonly #opts: InformerOptions<T>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  readonly #inactivityMs: number;
  readonly #handlers = new Set<InformerHandler<T>>();
  #resourceVersion: string | undefined;
  #synced = false;
  #syncWaiters: (() => void)[] = [];
  #lastContact = Number.NEGATIVE_INFINITY;
  /** Fill the store with a streaming list (until the server shows it serves none). */
  #streaming: boolean;
  #stop = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(client: KubeClient, resource: Kind<T>, opts: InformerOptions<T> = {}) {
    this.resource = resource;
    this.store = new Store<T>(opts.indexes);
    this.#client = client;
    this.#api = client.resource<T>(resource);
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#backoff = opts.backoff ?? new Backoff({ initialMs: 1600, maxMs: 60_000, jitter: 0.5 });
    this.#inactivityMs = Math.ceil(opts.inactivityTimeoutMs ?? 90_000);
    this.#streaming = opts.streamingList ?? true;
    this.#log = (opts.logger ?? new Logger()).child({
      informer: resource.plural,
      ...(opts.namespace && { namespace: opts.namespace }),
    });
  }

  /** The resourceVersion the next watch resumes from. */
  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  /** True once the first list has filled the store. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** Synced, and the API server was heard from within the inactivity timeout. */
  isFresh(): boolean {
    return this.#synced && this.#clock.now() - this.#lastContact < this.#inactivityMs;
  }

  /** Resolves once synced; rejects if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** Subscribes to changes of the store; returns the unsubscribe function. */
  on(handler: InformerHandler<T>): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort(new Error('informer stopped'));
    await this.#loop;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    let mustList = true;
    while (!signal.aborted) {
      try {
        if (mustList) await this.#list(signal);
        mustList = false;
        await this.#watch(signal);
      } catch (err) {
        if (signal.aborted) break;
        mustList = true;
        await this.#failed(err, signal).catch(() => {});
      }
    }
  }

  /** Logs and counts a failure, then waits before the relist; a 410 relists at once. */
  async #failed(err: unknown, signal: AbortSignal): Promise<void> {
    this.stats.lastError = err instanceof Error ? err.message : String(err);
    if (isGone(err)) {
      this.stats.relists.expired++;
      this.#log.info('resourceVersion expired, relisting', { resourceVersion: this.#resourceVersion });
      return;
    }
    this.stats.relists.error++;
    const delayMs = Math.round(this.#backoff.next());
    this.#log.warn('list/watch failed, relisting after backoff', { err, delayMs });
    await sleep(this.#clock, delayMs, signal);
  }

  /** Fills the store: a streaming list where the server serves one, else a paginated list. */
  async #list(stop: AbortSignal): Promise<void> {
    if (this.#streaming) {
      try {
        return await this.#streamList(stop);
      } catch (err) {
        // A server without the WatchList feature refuses sendInitialEvents as an invalid request.
        if (!(err instanceof ApiError) || (err.code !== 400 && err.code !== 422)) throw err;
        this.#streaming = false;
        this.#log.info('the API server serves no streaming list; listing in pages', { err: err.message });
      }
    }
    await this.#pagedList(stop);
  }

  /**
   * client-go's WatchList: one watch with sendInitialEvents sends every object as ADDED, then a bookmark
   * marked as the end of the initial events, whose resourceVersion the watch resumes from. The API server
   * answers it from its watch cache, without encoding one large list.
   */
  async #streamList(stop: AbortSignal): Promise<void> {
    const signal = AbortSignal.any([stop, AbortSignal.timeout(this.#inactivityMs)]);
    const { labelSelector, fieldSelector } = this.#opts;
    const query = {
      watch: true,
      sendInitialEvents: true,
      resourceVersionMatch: 'NotOlderThan',
      allowWatchBookmarks: true,
      labelSelector,
      fieldSelector,
    };
    const stream = await this.#client.stream(
      collectionPath(this.resource, this.#opts.namespace),
      query,
      signal,
    );
    const items: T[] = [];
    try {
      const end = await this.#initialEvents(stream.body, items);
      this.stats.lists++;
      this.stats.streamedLists++;
      this.#replace(items, end);
    } finally {
      stream.close();
    }
  }

  /** Collects the initial events; returns the resourceVersion of the bookmark that ends them. */
  async #initialEvents(body: ReadableStream<Uint8Array>, items: T[]): Promise<string> {
    for await (const event of this.#events(body)) {
      if (event.type === 'ERROR') throw this.#watchError(event);
      if (!hasMetadata(event.object)) throw new Error(`watch event ${event.type} without object metadata`);
      const meta = event.object.metadata;
      if (event.type === 'BOOKMARK') {
        if (meta.annotations?.['k8s.io/initial-events-end'] === 'true') return meta.resourceVersion ?? '';
        continue;
      }
      const object = event.type === 'ADDED' ? this.#api.parse(event.object) : undefined;
      if (object !== undefined) items.push(forCache(object));
    }
    throw new Error('the streaming list ended before its initial events did');
  }

  async #pagedList(stop: AbortSignal): Promise<void> {
    const items: T[] = [];
    let page: Awaited<ReturnType<ResourceClient<T>['list']>> | undefined;
    do {
      page = await this.#api.list({
        ...this.#selectors(),
        limit: this.#opts.pageSize ?? 500,
        ...(page?.continue && { continue: page.continue }),
        // A page stuck as long as a silent watch is just as stalled.
        signal: AbortSignal.any([stop, AbortSignal.timeout(this.#inactivityMs)]),
      });
      items.push(...page.items.map(forCache));
    } while (page.continue);
    this.stats.lists++;
    this.#lastContact = this.#clock.now();
    this.#replace(items, page.resourceVersion);
  }

  /** Makes the store what a list returned, emitting what a watch would have, deletes included. */
  #replace(items: T[], resourceVersion: string): void {
    this.#resourceVersion = resourceVersion;
    const diff = this.store.replace(items);
    for (const object of diff.deleted) this.#emit({ type: 'deleted', object, stale: true });
    for (const object of diff.added) this.#emit({ type: 'added', object });
    for (const { old, obj } of diff.updated) this.#emit({ type: 'modified', object: obj, old });
    this.#markSynced();
  }

  /** Runs one watch; resolves when the server ends it cleanly, rejects on any failure. */
  async #watch(stop: AbortSignal): Promise<void> {
    const abort = new AbortController();
    const onStop = () => abort.abort(stop.reason);
    stop.addEventListener('abort', onStop, { once: true });
    let timer: Timer | undefined;
    const arm = () => {
      timer?.cancel();
      timer = this.#clock.setTimer(
        () => abort.abort(new WatchStalled(this.#inactivityMs)),
        this.#inactivityMs,
      );
    };
    arm();
    let close = () => {};
    const opened = this.#clock.now();
    try {
      const stream = await this.#client.stream(
        collectionPath(this.resource, this.#opts.namespace),
        this.#watchQuery(),
        abort.signal,
      );
      close = stream.close;
      this.stats.watches++;
      const events = await this.#consume(stream.body, arm);
      // As client-go: a watch closed at once without a single event is a failure, or a server that
      // keeps doing that would be re-watched in a tight loop.
      if (events === 0 && this.#clock.now() - opened < 1000)
        throw new Error('watch closed at once, with no events');
      this.#backoff.reset();
    } catch (err) {
      throw abort.signal.reason instanceof WatchStalled ? abort.signal.reason : err;
    } finally {
      timer?.cancel();
      stop.removeEventListener('abort', onStop);
      close();
    }
  }

  /** Applies the stream's events as they come; returns how many there were. */
  async #consume(body: ReadableStream<Uint8Array>, onData: () => void): Promise<number> {
    let events = 0;
    for await (const event of this.#events(body, onData)) {
      this.#apply(event);
      events++;
    }
    return events;
  }

  /**
   * A watch stream's events, one JSON object a line. An unparsable line throws: a lost event must lead to a
   * relist, never be skipped.
   */
  async *#events(
    body: ReadableStream<Uint8Array>,
    onData: () => void = () => {},
  ): AsyncGenerator<WatchEvent> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of body) {
      onData();
      this.#lastContact = this.#clock.now();
      buffer += decoder.decode(chunk, { stream: true });
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line) yield JSON.parse(line) as WatchEvent;
      }
    }
  }

  /** An ERROR event carries the API server's Status saying why the watch ended. */
  #watchError(event: WatchEvent): ApiError {
    const status = (event.object ?? {}) as { code?: number };
    return new ApiError(
      'WATCH',
      collectionPath(this.resource, this.#opts.namespace),
      status.code ?? 500,
      event.object,
    );
  }

  #apply(event: WatchEvent): void {
    const raw = event.object;
    if (event.type === 'ERROR') throw this.#watchError(event);
    if (!hasMetadata(raw)) throw new Error(`watch event ${event.type} without object metadata`);
    this.#resourceVersion = raw.metadata.resourceVersion;
    this.#backoff.reset();
    if (event.type === 'BOOKMARK') return;
    if (event.type !== 'ADDED' && event.type !== 'MODIFIED' && event.type !== 'DELETED')
      throw new Error(`unknown watch event ${event.type}`);
    const key = objectKey(raw);
    if (event.type === 'DELETED') {
      const gone = this.store.remove(key);
      const last = this.resource.schema.safeParse(raw);
      if (gone) this.#emit({ type: 'deleted', object: last.success ? last.data : gone, stale: false });
      return;
    }
    const parsed = this.#api.parse(raw);
    if (parsed === undefined) {
      // No longer readable (the client reported it once): out of the cache, as if deleted.
      const gone = this.store.remove(key);
      if (gone) this.#emit({ type: 'deleted', object: gone, stale: true });
      return;
    }
    const object = forCache(parsed);
    const old = this.store.upsert(object);
    this.#emit(old ? { type: 'modified', object, old } : { type: 'added', object });
  }

  #emit(event: InformerEvent<T>): void {
    for (const handler of this.#handlers) {
      try {
        handler(event);
      } catch (err) {
        // A faulty handler must not break the watch of every other subscriber.
        this.#log.error('event handler failed', { err, event: event.type, key: objectKey(event.object) });
      }
    }
  }

  #markSynced(): void {
    if (this.#synced) return;
    this.#synced = true;
    this.#log.info('cache synced', { objects: this.store.size, resourceVersion: this.#resourceVersion });
    for (const resolve of this.#syncWaiters.splice(0)) resolve();
  }

  #selectors() {
    const { namespace, labelSelector, fieldSelector } = this.#opts;
    return { namespace, labelSelector, fieldSelector };
  }

  #watchQuery() {
    const [min, max] = this.#opts.watchTimeoutSeconds ?? [300, 600];
    const random = this.#opts.random ?? Math.random;
    return {
      watch: true,
      resourceVersion: this.#resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: Math.floor(min + random() * (max - min + 1)),
      labelSelector: this.#opts.labelSelector,
      fieldSelector: this.#opts.fieldSelector,
    };
  }
}
