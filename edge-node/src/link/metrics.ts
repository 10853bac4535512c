import { Counter, Gauge, Registry } from 'prom-client';
import type { Outcome } from '../commands.ts';

// The link's Prometheus metrics. Depth and latches are read when scraped, so they are never stale.

export const linkStates = ['down', 'connecting', 'up'] as const;
export type LinkState = (typeof linkStates)[number];

export type MetricSources = {
  readonly bufferedBatches: () => number;
  readonly latches: () => number;
};

export class LinkMetrics {
  readonly registry: Registry;
  readonly batchesSent: Counter;
  readonly pointsSent: Counter;
  readonly batchesAcked: Counter;
  readonly batchesDropped: Counter;
  readonly pointsDropped: Counter;
  readonly connectAttempts: Counter;
  readonly reconnects: Counter;
  readonly #commandResults: Counter<'outcome'>;
  readonly #state: Gauge<'state'>;

  constructor(sources: MetricSources, registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.batchesSent = new Counter({
      name: 'roast_edge_link_batches_sent_total',
      help: 'Telemetry batches written to the gateway, resends included.',
      registers,
    });
    this.pointsSent = new Counter({
      name: 'roast_edge_link_points_sent_total',
      help: 'Telemetry samples written to the gateway, resends included.',
      registers,
    });
    this.batchesAcked = new Counter({
      name: 'roast_edge_link_batches_acked_total',
      help: 'Telemetry batches the gateway acknowledged (committed) and the edge released.',
      registers,
    });
    this.batchesDropped = new Counter({
      name: 'roast_edge_link_batches_dropped_total',
      help: 'Unacknowledged telemetry batches dropped, oldest first, because the buffer was full.',
      registers,
    });
    this.pointsDropped = new Counter({
      name: 'roast_edge_link_points_dropped_total',
      help: 'Telemetry samples lost with the batches dropped because the buffer was full.',
      registers,
    });
    new Gauge({
      name: 'roast_edge_link_buffer_batches',
      help: 'Telemetry batches waiting for an acknowledgement.',
      registers,
      collect() {
        this.set(sources.bufferedBatches());
      },
    });
    this.connectAttempts = new Counter({
      name: 'roast_edge_link_connect_attempts_total',
      help: 'Streams the edge opened to the gateway, welcomed or not.',
      registers,
    });
    this.reconnects = new Counter({
      name: 'roast_edge_link_reconnects_total',
      help: 'Welcomed streams after the first.',
      registers,
    });
    this.#state = new Gauge({
      name: 'roast_edge_link_state',
      help: 'The link state: 1 for the current one (down, connecting, up).',
      labelNames: ['state'],
      registers,
    });
    this.#commandResults = new Counter({
      name: 'roast_edge_command_results_total',
      help: 'First results of the commands the gateway sent, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    new Gauge({
      name: 'roast_edge_latches',
      help: 'Latches the edge holds.',
      registers,
      collect() {
        this.set(sources.latches());
      },
    });
    this.setState('down');
  }

  setState(state: LinkState): void {
    for (const s of linkStates) this.#state.set({ state: s }, s === state ? 1 : 0);
  }

  countResult(outcome: Outcome): void {
    this.#commandResults.inc({ outcome });
  }
}
