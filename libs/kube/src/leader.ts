import { hostname } from 'node:os';
import { type Clock, sleep, systemClock } from '@roast-operator/clock';
import { Logger } from '@roast-operator/log';
import { isConflict, isNotFound, type KubeClient, type ResourceClient } from './client.ts';
import { microTime } from './events.ts';
import { type Lease, leases } from './kinds.ts';
import type { RuntimeMetrics } from './metrics.ts';

type LeaseSpec = NonNullable<Lease['spec']>;

export interface LeaderElectionOptions {
  namespace: string;
  /** Lease name, also the `name` label of leader_election_master_status. */
  name: string;
  /** Unique per process; defaults to `<hostname>_<uuid>` as client-go does. */
  identity?: string;
  /** How long a lease holds without renewal (controller-runtime: 15 s). */
  leaseDurationMs?: number;
  /** The leader steps down if it cannot renew for this long (10 s); less than the lease duration. */
  renewDeadlineMs?: number;
  /** Interval between attempts to acquire or renew (2 s). */
  retryPeriodMs?: number;
  /** Called once leadership is acquired; `signal` aborts when it ends (e.g. to label the leader's pod). */
  onStartedLeading?: (signal: AbortSignal) => void;
  /** Called when leadership ends, by release or loss. */
  onStoppedLeading?: () => void;
  clock?: Clock;
  logger?: Logger;
  metrics?: RuntimeMetrics;
}

export class LeadershipLost extends Error {
  constructor(identity: string) {
    super(`leader election lost by ${identity}`);
    this.name = 'LeadershipLost';
  }
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's: writes carry the resourceVersion so
 * two candidates cannot both win; a lease counts as held while its record keeps changing, judged by the
 * local clock (no trust in other machines' clocks); the leader renews every retry period and steps down
 * when it could not renew within the renew deadline; on a clean stop it releases the lease so a
 * successor takes over at once instead of waiting for expiry.
 */
export class LeaderElector {
  readonly identity: string;
  readonly #api: ResourceClient<Lease>;
  readonly #opts: LeaderElectionOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #leaseMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryMs: number;
  /** The last lease record seen and when (local clock) it was first seen. */
  #observed: { record: string; at: number; spec: LeaseSpec } | undefined;
  #leading = false;

  constructor(client: KubeClient, opts: LeaderElectionOptions) {
    this.identity = opts.identity ?? `${hostname()}_${crypto.randomUUID()}`;
    this.#api = client.resource<Lease>(leases);
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#leaseMs = opts.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.#retryMs = opts.retryPeriodMs ?? 2_000;
    if (this.#renewDeadlineMs >= this.#leaseMs)
      throw new Error('renew deadline must be shorter than the lease');
    this.#log = (opts.logger ?? new Logger()).child({
      lease: `${opts.namespace}/${opts.name}`,
      identity: this.identity,
    });
    opts.metrics?.leader(opts.name, false);
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /**
   * Campaigns until leading, leads until `signal` aborts or renewal fails, then steps down. Resolves after
   * a requested stop (having released the lease); rejects with LeadershipLost if renewal failed.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.#acquire(signal))) return;
    const leadership = new AbortController();
    this.#setLeading(true);
    try {
      this.#opts.onStartedLeading?.(leadership.signal);
      await this.#renew(signal);
    } finally {
      leadership.abort();
      this.#setLeading(false);
      this.#opts.onStoppedLeading?.();
    }
    if (!signal.aborted) throw new LeadershipLost(this.identity);
    // Only after stepping down: a successor may lead the moment the lease is free.
    await this.#release();
  }

  async #acquire(signal: AbortSignal): Promise<boolean> {
    this.#log.info('waiting to acquire lease');
    while (!signal.aborted) {
      if (await this.#tryAcquireOrRenew(signal, this.#renewDeadlineMs / 2)) return true;
      try {
        await sleep(this.#clock, this.#untilRetry(), signal);
      } catch {
        return false;
      }
    }
    return false;
  }

  /** A retry period, or less when the observed lease expires sooner: a successor takes over promptly. */
  #untilRetry(): number {
    const observed = this.#observed;
    if (!observed?.spec.holderIdentity) return this.#retryMs;
    const expires = observed.at + this.#leaseMs - this.#clock.now();
    return Math.max(1, Math.min(this.#retryMs, expires + 1));
  }

  /** Renews every retry period; returns when stopped or when the renew deadline passed without success. */
  async #renew(signal: AbortSignal): Promise<void> {
    let renewed = this.#clock.now();
    while (!signal.aborted) {
      try {
        await sleep(this.#clock, this.#retryMs, signal);
      } catch {
        return;
      }
      // A request must not outlive the renew deadline, or a hung connection would keep us leading.
      const left = renewed + this.#renewDeadlineMs - this.#clock.now();
      if (await this.#tryAcquireOrRenew(signal, Math.max(1, left))) renewed = this.#clock.now();
      else if (this.#clock.now() - renewed >= this.#renewDeadlineMs) {
        this.#log.error('could not renew lease within the renew deadline; stepping down');
        return;
      }
    }
  }

  async #tryAcquireOrRenew(signal: AbortSignal, timeoutMs: number): Promise<boolean> {
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(Math.ceil(timeoutMs))]);
    try {
      const lease = await this.#read(timeout);
      if (!lease) return await this.#create(timeout);
      const spec = lease.spec ?? {};
      this.#observe(spec);
      if (spec.holderIdentity && spec.holderIdentity !== this.identity && !this.#expired()) return false;
      await this.#api.replace({ ...lease, spec: this.#record(spec) }, { signal: timeout });
      return true;
    } catch (err) {
      if (!isConflict(err) && !signal.aborted) this.#log.warn('lease update failed', { err });
      return false;
    }
  }

  async #read(signal: AbortSignal): Promise<Lease | undefined> {
    try {
      return await this.#api.get(this.#opts.namespace, this.#opts.name, signal);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async #create(signal: AbortSignal): Promise<boolean> {
    await this.#api.create(
      { metadata: { name: this.#opts.name, namespace: this.#opts.namespace }, spec: this.#record({}) },
      signal,
    );
    return true;
  }

  /** Our record: acquire time and transitions carry over when we already hold the lease. */
  #record(previous: LeaseSpec): LeaseSpec {
    const now = microTime(new Date(this.#clock.now()));
    const ours = previous.holderIdentity === this.identity;
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.#leaseMs / 1000),
      acquireTime: ours && previous.acquireTime ? previous.acquireTime : now,
      renewTime: now,
      // As client-go: a new lease starts at 0; every change of holder, a released lease included, counts.
      leaseTransitions: ours ? (previous.leaseTransitions ?? 0) : (previous.leaseTransitions ?? -1) + 1,
    };
  }

  #observe(spec: LeaseSpec): void {
    const record = JSON.stringify(spec);
    if (this.#observed?.record !== record) this.#observed = { record, at: this.#clock.now(), spec };
  }

  #expired(): boolean {
    return !this.#observed || this.#observed.at + this.#leaseMs <= this.#clock.now();
  }

  /** Hands the lease back so a successor need not wait for it to expire. */
  async #release(): Promise<void> {
    try {
      const lease = await this.#read(AbortSignal.timeout(Math.ceil(this.#renewDeadlineMs / 2)));
      if (lease?.spec?.holderIdentity !== this.identity) return;
      const now = microTime(new Date(this.#clock.now()));
      await this.#api.replace({
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: '',
          leaseDurationSeconds: 1,
          acquireTime: now,
          renewTime: now,
        },
      });
      this.#log.info('released lease');
    } catch (err) {
      this.#log.warn('could not release lease; it expires on its own', { err });
    }
  }

  #setLeading(leading: boolean): void {
    this.#leading = leading;
    this.#opts.metrics?.leader(this.#opts.name, leading);
    this.#log.info(leading ? 'started leading' : 'stopped leading');
  }
}
