import { Counter, collectDefaultMetrics, exponentialBuckets, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueObserver } from './workqueue.ts';

export type ReconcileResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after';

/** What a controller reports about its reconciles. */
export interface ControllerObserver {
  reconciled(result: ReconcileResultLabel, seconds: number): void;
  failed(terminal: boolean): void;
  activeWorkers(delta: number): void;
}

// controller-runtime's reconcile_time_seconds buckets (pkg/internal/controller/metrics).
const reconcileBuckets = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25,
  1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
// client-go's workqueue buckets: ExponentialBuckets(10e-9, 10, 12).
const queueBuckets = exponentialBuckets(10e-9, 10, 12);

type InFlight = () => { unfinishedSeconds: number; longestSeconds: number };

/**
 * The runtime's Prometheus metrics under controller-runtime's names and labels, so its dashboards and
 * alerts apply unchanged. Each manager owns a registry (several can share a process in tests).
 */
export class RuntimeMetrics {
  readonly registry: Registry;
  readonly #queues = new Map<string, InFlight>();
  readonly #reconcileTotal: Counter<'controller' | 'result'>;
  readonly #reconcileErrors: Counter<'controller'>;
  readonly #terminalErrors: Counter<'controller'>;
  readonly #reconcileTime: Histogram<'controller'>;
  readonly #maxConcurrent: Gauge<'controller'>;
  readonly #activeWorkers: Gauge<'controller'>;
  readonly #depth: Gauge<'name' | 'controller' | 'priority'>;
  readonly #adds: Counter<'name' | 'controller'>;
  readonly #queueDuration: Histogram<'name' | 'controller'>;
  readonly #workDuration: Histogram<'name' | 'controller'>;
  readonly #retries: Counter<'name' | 'controller'>;
  readonly #leader: Gauge<'name'>;
  readonly #malformed: Counter<'resource'>;

  constructor(opts: { registry?: Registry; processMetrics?: boolean } = {}) {
    this.registry = opts.registry ?? new Registry();
    const registers = [this.registry];
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const controller = ['controller'] as const;
    const queue = ['name', 'controller'] as const;
    this.#reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.#reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: controller,
      registers,
    });
    this.#terminalErrors = new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller',
      labelNames: controller,
      registers,
    });
    this.#reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: controller,
      buckets: reconcileBuckets,
      registers,
    });
    this.#maxConcurrent = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: controller,
      registers,
    });
    this.#activeWorkers = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: controller,
      registers,
    });
    this.#depth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue by workqueue and priority',
      labelNames: ['name', 'controller', 'priority'],
      registers,
    });
    this.#adds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: queue,
      registers,
    });
    this.#queueDuration = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: queue,
      buckets: queueBuckets,
      registers,
    });
    this.#workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames: queue,
      buckets: queueBuckets,
      registers,
    });
    this.#retries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: queue,
      registers,
    });
    const queues = this.#queues;
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration.",
      labelNames: queue,
      registers,
      collect() {
        for (const [name, inFlight] of queues)
          this.set({ name, controller: name }, inFlight().unfinishedSeconds);
      },
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: queue,
      registers,
      collect() {
        for (const [name, inFlight] of queues)
          this.set({ name, controller: name }, inFlight().longestSeconds);
      },
    });
    this.#leader = new Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.',
      labelNames: ['name'],
      registers,
    });
    this.#malformed = new Counter({
      name: 'kube_cache_malformed_objects_total',
      help: 'Object versions read from the API server that did not fit their kind and were left out',
      labelNames: ['resource'],
      registers,
    });
  }

  /** Counts one object version that did not fit its kind's schema. */
  malformed(resource: string): void {
    this.#malformed.inc({ resource });
  }

  /** Observer for the controller `name`; the series exist (at zero) from the start. */
  controller(name: string, maxConcurrent: number): ControllerObserver {
    const labels = { controller: name };
    this.#maxConcurrent.set(labels, maxConcurrent);
    this.#activeWorkers.set(labels, 0);
    this.#reconcileErrors.inc(labels, 0);
    this.#terminalErrors.inc(labels, 0);
    for (const result of ['success', 'error', 'requeue', 'requeue_after'] as const) {
      this.#reconcileTotal.inc({ ...labels, result }, 0);
    }
    return {
      reconciled: (result, seconds) => {
        this.#reconcileTotal.inc({ ...labels, result });
        this.#reconcileTime.observe(labels, seconds);
      },
      failed: (terminal) => {
        this.#reconcileErrors.inc(labels);
        if (terminal) this.#terminalErrors.inc(labels);
      },
      activeWorkers: (delta) => this.#activeWorkers.inc(labels, delta),
    };
  }

  /** Observer for the work queue of controller `name` (controller-runtime labels name = controller). */
  queue(name: string, inFlight: InFlight): QueueObserver {
    const labels = { name, controller: name };
    this.#queues.set(name, inFlight);
    this.#depth.set({ ...labels, priority: '' }, 0);
    this.#adds.inc(labels, 0);
    this.#retries.inc(labels, 0);
    return {
      added: () => this.#adds.inc(labels),
      depth: (n) => this.#depth.set({ ...labels, priority: '' }, n),
      queued: (s) => this.#queueDuration.observe(labels, s),
      worked: (s) => this.#workDuration.observe(labels, s),
      retried: () => this.#retries.inc(labels),
    };
  }

  /** Sets leader_election_master_status for the lease `name`. */
  leader(name: string, leading: boolean): void {
    this.#leader.set({ name }, leading ? 1 : 0);
  }
}
