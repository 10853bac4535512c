import type { Server } from 'node:http';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import { systemClock } from '@roast-operator/clock';
import { createLogger, type Logger } from '@roast-operator/log';
import { KubeClient } from './client.ts';
import { Controller, type ControllerOptions, type Runnable } from './controller.ts';
import { EventRecorder } from './events.ts';
import { Informer, type InformerOptions } from './informer.ts';
import type { Kind, MalformedObject } from './kinds.ts';
import { type LeaderElectionOptions, LeaderElector } from './leader.ts';
import { RuntimeMetrics } from './metrics.ts';
import { type Check, startProbeServer } from './probes.ts';
import { apiVersionOf, type KubeObject } from './resource.ts';

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  /** Field manager of every write (server-side apply ownership). */
  fieldManager: string;
  logger?: Logger;
  metrics?: RuntimeMetrics;
  /** Where to serve /healthz, /readyz and /metrics; port 0 picks a free port. Omit to serve none. */
  probes?: { host?: string; port: number };
  /** Run leader-only runnables only while holding this lease. Omit to run them unconditionally. */
  leaderElection?: Omit<LeaderElectionOptions, 'clock' | 'logger' | 'metrics'>;
  /** How long shutdown waits for in-flight work before giving up on it (controller-runtime: 30 s). */
  gracefulShutdownMs?: number;
}

type ManagedControllerOptions<T extends KubeObject> = Omit<ControllerOptions<T>, 'logger' | 'metrics'>;

/**
 * controller-runtime's manager: owns the client, the shared informers, the controllers and other
 * runnables, leader election, the probe and metrics endpoint, and an orderly shutdown: stop taking
 * work, let in-flight reconciles finish within the grace period, then release the lease, stop the
 * informers and close connections.
 */
export class Manager {
  readonly client: KubeClient;
  readonly metrics: RuntimeMetrics;
  readonly log: Logger;
  readonly #opts: ManagerOptions;
  /** Informers by resource and selection, for sharing. */
  // biome-ignore lint/suspicious/noExplicitAny: one map holds the informers of every kind
  readonly #shared = new Map<string, Informer<any>>();
  /** Every informer to start, stop and check, shared or handed in with a controller. */
  // biome-ignore lint/suspicious/noExplicitAny: one set holds the informers of every kind
  readonly #informers = new Set<Informer<any>>();
  /** Object versions already reported as not fitting their kind, oldest first. */
  readonly #malformed = new Set<string>();
  #malformedEvents: EventRecorder | undefined;
  readonly #runnables: Runnable[] = [];
  readonly #recorders: EventRecorder[] = [];
  readonly #healthz = new Map<string, Check>([['ping', () => undefined]]);
  readonly #readyz = new Map<string, Check>();
  readonly #work = new AbortController();
  readonly #election = new AbortController();
  readonly #running: Promise<void>[] = [];
  readonly #elector: LeaderElector | undefined;
  #campaigning: Promise<void> | undefined;
  #failure: unknown;
  #server: Server | undefined;
  #port: number | undefined;
  #started = false;
  #stopping: Promise<void> | undefined;
  readonly #done = Promise.withResolvers<void>();

  constructor(opts: ManagerOptions) {
    this.#opts = opts;
    this.log = opts.logger ?? createLogger();
    this.metrics = opts.metrics ?? new RuntimeMetrics();
    this.client = new KubeClient(opts.kubeConfig, {
      fieldManager: opts.fieldManager,
      onMalformed: (err) => this.#reportMalformed(err),
    });
    this.#readyz.set('informers', () => this.#staleInformers());
    this.#readyz.set('shutdown', () => (this.#stopping ? 'shutting down' : undefined));
    if (opts.leaderElection) {
      this.#elector = new LeaderElector(this.client, {
        ...opts.leaderElection,
        logger: this.log,
        metrics: this.metrics,
        onStartedLeading: (signal) => {
          if (this.#work.signal.aborted) return; // won the lease while shutting down: it is released next
          this.#startAll((r) => r.needLeaderElection, signal);
          opts.leaderElection?.onStartedLeading?.(signal);
        },
      });
    }
  }

  /** The probe server's port once started. */
  get probePort(): number | undefined {
    return this.#port;
  }

  /** True while leading, or always without leader election. */
  get isLeader(): boolean {
    return this.#elector ? this.#elector.isLeader : this.#started;
  }

  /**
   * The shared informer for a resource and selection; the same arguments return the same informer.
   * Indexes asked for by later callers are added to it.
   */
  informer<T extends KubeObject>(resource: Kind<T>, opts: InformerOptions<T> = {}): Informer<T> {
    const id = JSON.stringify([
      resource.group,
      resource.version,
      resource.plural,
      opts.namespace,
      opts.labelSelector,
      opts.fieldSelector,
    ]);
    let informer: Informer<T> | undefined = this.#shared.get(id);
    if (!informer) {
      informer = new Informer<T>(this.client, resource, { logger: this.log, ...opts });
      this.#shared.set(id, informer);
      this.#informers.add(informer);
      if (this.#started) informer.start();
    } else {
      for (const [name, fn] of Object.entries(opts.indexes ?? {})) informer.store.addIndex(name, fn);
    }
    return informer;
  }

  controller<T extends KubeObject>(opts: ManagedControllerOptions<T>): Controller<T> {
    const controller = new Controller<T>({ ...opts, logger: this.log, metrics: this.metrics });
    this.add(controller);
    return controller;
  }

  add(runnable: Runnable): void {
    if (this.#started) throw new Error('add runnables before start');
    if (runnable instanceof Controller)
      for (const informer of runnable.informers) this.#informers.add(informer);
    this.#runnables.push(runnable);
  }

  /** An events.k8s.io recorder reporting as `controller` from this process. */
  recorder(controller: string): EventRecorder {
    const recorder = new EventRecorder(this.client, {
      controller,
      instance: `${controller}-${hostname()}`,
      logger: this.log,
    });
    this.#recorders.push(recorder);
    return recorder;
  }

  addHealthCheck(name: string, check: Check): void {
    this.#healthz.set(name, check);
  }

  addReadyCheck(name: string, check: Check): void {
    this.#readyz.set(name, check);
  }

  /**
   * Starts everything and resolves when the manager has stopped. Rejects if leadership was lost: like
   * controller-runtime, the process should then exit so a restart campaigns afresh.
   */
  async start(): Promise<void> {
    if (this.#started) throw new Error('manager already started');
    this.#started = true;
    if (this.#opts.probes) {
      const { server, port } = await startProbeServer({
        ...this.#opts.probes,
        healthz: this.#healthz,
        readyz: this.#readyz,
        registry: this.metrics.registry,
      });
      this.#server = server;
      this.#port = port;
      this.log.info('serving probes and metrics', { port });
    }
    for (const informer of this.#informers) informer.start();
    this.#startAll((r) => !r.needLeaderElection, this.#work.signal);
    if (this.#elector) this.#campaign(this.#elector);
    else this.#startAll((r) => r.needLeaderElection, this.#work.signal);
    return this.#done.promise;
  }

  /** Graceful shutdown; idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  /** SIGTERM or SIGINT stops gracefully; a second signal exits at once. */
  stopOnSignals(): this {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.#stopping) process.exit(1);
      this.log.info('signal received, shutting down', { signal });
      void this.stop();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    return this;
  }

  #campaign(elector: LeaderElector): void {
    this.#campaigning = elector.run(this.#election.signal).catch((err: unknown) => {
      this.log.error('leadership lost; shutting down', { err });
      this.#failure ??= err;
      void this.stop();
    });
  }

  #startAll(which: (r: Runnable) => boolean, signal: AbortSignal): void {
    const stop = AbortSignal.any([signal, this.#work.signal]);
    for (const runnable of this.#runnables.filter(which)) {
      this.log.info('starting runnable', { runnable: runnable.name });
      this.#running.push(
        runnable.start(stop).catch((err: unknown) => {
          this.log.error('runnable failed; shutting down', { err, runnable: runnable.name });
          this.#failure ??= err;
          void this.stop();
        }),
      );
    }
  }

  async #shutdown(): Promise<void> {
    const graceMs = this.#opts.gracefulShutdownMs ?? 30_000;
    this.log.info('stopping: draining in-flight work', { graceMs });
    this.#work.abort(new Error('manager stopping'));
    const drained = await Promise.race([
      Promise.all(this.#running).then(() => true),
      new Promise<false>((resolve) => systemClock.setTimer(() => resolve(false), graceMs)),
    ]);
    if (!drained) this.log.warn('grace period over with work still running; stopping anyway');
    // Only now may a successor lead: it must not overlap with our in-flight reconciles.
    this.#election.abort(new Error('manager stopping'));
    await this.#campaigning;
    await Promise.all(this.#recorders.map((r) => r.flush()));
    await Promise.all([...this.#informers].map((i) => i.stop()));
    await new Promise((resolve) => (this.#server ? this.#server.close(resolve) : resolve(undefined)));
    await this.client.close();
    this.log.info('stopped');
    if (this.#failure) this.#done.reject(this.#failure);
    else this.#done.resolve();
  }

  /** Once per object version: a warning, a count and a Warning Event on the object. */
  #reportMalformed(err: MalformedObject): void {
    const meta = err.object?.metadata;
    const id = `${err.resource.plural}/${meta?.namespace}/${meta?.name}@${meta?.resourceVersion}`;
    if (this.#malformed.has(id)) return;
    this.#malformed.add(id);
    // Bounded: the oldest reports are forgotten first.
    if (this.#malformed.size > 4096) this.#malformed.delete(this.#malformed.values().next().value ?? '');
    this.metrics.malformed(err.resource.plural);
    this.log.warn('object does not fit its schema; leaving it alone', { err, resource: err.resource.plural });
    if (err.object === undefined) return;
    this.#malformedEvents ??= this.recorder(this.#opts.fieldManager);
    const regarding = { ...err.object, apiVersion: apiVersionOf(err.resource), kind: err.resource.kind };
    this.#malformedEvents.event(regarding, {
      type: 'Warning',
      reason: 'DoesNotFitSchema',
      action: 'Read',
      note: `${err.message}. Left alone until a corrected version is written.`,
    });
  }

  #staleInformers(): string | undefined {
    const stale = [...this.#informers].filter((i) => !i.isFresh());
    if (stale.length === 0) return undefined;
    return stale
      .map((i) => `${i.resource.plural}: ${i.hasSynced() ? 'stale watch' : 'not synced'}`)
      .join(', ');
  }
}
