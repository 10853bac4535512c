import { type Clock, systemClock, type Timer } from '@roast-operator/clock';
import { Logger } from '@roast-operator/log';
import { isNotFound, type KubeClient, type ResourceClient } from './client.ts';
import { type Event, events } from './kinds.ts';
import type { KubeObject } from './resource.ts';

export interface EventInput {
  type: 'Normal' | 'Warning';
  /** Why, in CamelCase (e.g. `ProposalRejected`). */
  reason: string;
  /** What the controller did or failed to do (e.g. `Govern`). */
  action: string;
  note?: string;
  related?: KubeObject;
}

/** A token bucket: `burst` tokens, refilled at `refillPerMs`. */
export class TokenBucket {
  readonly #burst: number;
  readonly #refillPerMs: number;
  #tokens: number;
  #at: number;

  constructor(burst: number, refillPerMs: number, now: number) {
    this.#burst = burst;
    this.#refillPerMs = refillPerMs;
    this.#tokens = burst;
    this.#at = now;
  }

  take(now: number): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** True when refilled to the brim, i.e. indistinguishable from a new bucket. */
  full(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= this.#burst;
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#refillPerMs);
    this.#at = now;
  }
}

export interface Series {
  /** The Event object recording this series, once created. */
  name?: string;
  namespace: string;
  count: number;
  lastObserved: number;
  dirty: boolean;
}

export type Decision =
  | { action: 'create'; series: Series }
  | { action: 'count'; series: Series }
  | { action: 'drop' };

export interface AggregatorOptions {
  /** Per regarding object (client-go's spam filter: burst 25, one more every 5 min). */
  burst?: number;
  refillPerMs?: number;
  /** A repeat within this time of the last occurrence extends the series (client-go: 6 min). */
  seriesWindowMs?: number;
}

/**
 * Decides, for each occurrence, whether to create an Event, count it into the series of an identical
 * recent one, or drop it because its object exceeded its rate. Pure, on an injected clock.
 */
export class EventAggregator {
  readonly #clock: Clock;
  readonly #burst: number;
  readonly #refillPerMs: number;
  readonly #windowMs: number;
  readonly #series = new Map<string, Series>();
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(clock: Clock, opts: AggregatorOptions = {}) {
    this.#clock = clock;
    this.#burst = opts.burst ?? 25;
    this.#refillPerMs = opts.refillPerMs ?? 1 / 300_000;
    this.#windowMs = opts.seriesWindowMs ?? 6 * 60_000;
  }

  observe(eventKey: string, objectKey: string, namespace: string): Decision {
    const now = this.#clock.now();
    const known = this.#series.get(eventKey);
    if (known && now - known.lastObserved <= this.#windowMs) {
      known.count++;
      known.lastObserved = now;
      known.dirty = true;
      return { action: 'count', series: known };
    }
    let bucket = this.#buckets.get(objectKey);
    if (!bucket) {
      bucket = new TokenBucket(this.#burst, this.#refillPerMs, now);
      this.#buckets.set(objectKey, bucket);
    }
    if (!bucket.take(now)) return { action: 'drop' };
    const series: Series = { namespace, count: 1, lastObserved: now, dirty: false };
    this.#series.set(eventKey, series);
    return { action: 'create', series };
  }

  /** Series with unwritten counts; clears their dirty mark. */
  takeDirty(): Series[] {
    const dirty = [...this.#series.values()].filter((s) => s.dirty && s.name);
    for (const s of dirty) s.dirty = false;
    return dirty;
  }

  /** Forgets a series (its Event is gone); the next occurrence starts a new one. */
  forget(series: Series): void {
    for (const [key, s] of this.#series) if (s === series) this.#series.delete(key);
  }

  /** Drops expired series and idle buckets so memory follows the active set. */
  prune(): void {
    const now = this.#clock.now();
    for (const [key, s] of this.#series)
      if (now - s.lastObserved > this.#windowMs && !s.dirty) this.#series.delete(key);
    for (const [key, b] of this.#buckets) if (b.full(now)) this.#buckets.delete(key);
  }
}

/** metav1.MicroTime text: RFC 3339 with microseconds. */
export function microTime(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000Z`;
}

function reference(obj: KubeObject) {
  const { name, namespace, uid, resourceVersion } = obj.metadata;
  return { apiVersion: obj.apiVersion, kind: obj.kind, name, namespace, uid, resourceVersion };
}

function identity(regarding: KubeObject, e: EventInput): string {
  const r = regarding.metadata;
  const rel = e.related?.metadata;
  return JSON.stringify([
    regarding.kind,
    r.namespace,
    r.name,
    r.uid,
    e.type,
    e.reason,
    e.action,
    e.note,
    rel?.uid,
  ]);
}

export interface EventRecorderOptions extends AggregatorOptions {
  /** `reportingController`, e.g. `roasting.simcorp.io/roaster-controller`. */
  controller: string;
  /** `reportingInstance`: this process (at most 128 characters). */
  instance: string;
  /** How often counts of repeated events are written. */
  flushIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/**
 * Records events.k8s.io/v1 Events like controller-runtime's recorder. Identical events within the series
 * window become one Event whose `series.count` is updated at most once per flush interval; new events
 * are rate limited per object. Recording never throws or blocks the caller: events are best effort.
 */
export class EventRecorder {
  readonly #api: ResourceClient<Event>;
  readonly #opts: EventRecorderOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #aggregator: EventAggregator;
  readonly #creating = new Set<Promise<void>>();
  #timer: Timer | undefined;

  constructor(client: KubeClient, opts: EventRecorderOptions) {
    this.#api = client.resource(events);
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#log = (opts.logger ?? new Logger()).child({ recorder: opts.controller });
    this.#aggregator = new EventAggregator(this.#clock, opts);
  }

  event(regarding: KubeObject, input: EventInput): void {
    const namespace = regarding.metadata.namespace ?? 'default';
    const objectKey = regarding.metadata.uid ?? `${namespace}/${regarding.metadata.name}`;
    const decision = this.#aggregator.observe(identity(regarding, input), objectKey, namespace);
    if (decision.action === 'drop') {
      this.#log.debug('event dropped by rate limit', {
        reason: input.reason,
        object: regarding.metadata.name,
      });
    } else if (decision.action === 'create') {
      const create = this.#create(regarding, input, decision.series);
      this.#creating.add(create);
      void create.finally(() => this.#creating.delete(create));
    } else {
      this.#timer ??= this.#clock.setTimer(() => void this.flush(), this.#opts.flushIntervalMs ?? 30_000);
    }
  }

  /** Waits for Events being created, then writes pending series counts. Never rejects. */
  async flush(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = undefined;
    await Promise.all(this.#creating);
    await Promise.all(this.#aggregator.takeDirty().map((s) => this.#writeSeries(s)));
    this.#aggregator.prune();
  }

  async #create(regarding: KubeObject, input: EventInput, series: Series): Promise<void> {
    const base = (regarding.metadata.name ?? 'event').slice(0, 230);
    // Time keeps names ordered; the random part keeps two recorders in the same millisecond apart.
    const name = `${base}.${Math.floor(this.#clock.now()).toString(16)}${crypto.randomUUID().slice(0, 6)}`;
    try {
      await this.#api.create({
        metadata: { name, namespace: series.namespace },
        eventTime: microTime(new Date(this.#clock.now())),
        reportingController: this.#opts.controller,
        reportingInstance: this.#opts.instance.slice(0, 128),
        action: input.action,
        reason: input.reason,
        type: input.type,
        note: (input.note ?? '').slice(0, 1024),
        regarding: reference(regarding),
        ...(input.related && { related: reference(input.related) }),
      });
      series.name = name;
    } catch (err) {
      this.#aggregator.forget(series);
      this.#log.warn('could not record event', { err, reason: input.reason });
    }
  }

  async #writeSeries(series: Series): Promise<void> {
    const lastObservedTime = microTime(new Date(this.#clock.now()));
    try {
      const patch = { series: { count: series.count, lastObservedTime } };
      await this.#api.patch(series.namespace, series.name!, patch, { type: 'merge' });
    } catch (err) {
      this.#aggregator.forget(series);
      if (!isNotFound(err)) this.#log.warn('could not update event series', { err, event: series.name });
    }
  }
}
