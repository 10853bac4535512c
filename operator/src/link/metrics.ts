// The link gateway's Prometheus metrics, on the manager's registry so /metrics serves them with the rest.
import { Counter, exponentialBuckets, Gauge, Histogram, type Registry } from 'prom-client';

export type ResultOutcome = 'Succeeded' | 'Failed' | 'Unknown';

export class LinkMetrics {
  readonly pointsIngested: Counter;
  /** Batches the edge reports it dropped while the link was down (the rise of its counter). */
  readonly batchesDropped: Counter;
  /** The samples those batches held: telemetry lost for good (the rise of the edge's points counter). */
  readonly pointsDropped: Counter;
  readonly duplicateBatches: Counter;
  readonly ackLatency: Histogram;
  readonly streams: Gauge;
  readonly streamsRefused: Counter<'code' | 'reason'>;
  readonly dispatchLatency: Histogram;
  readonly results: Counter<'outcome'>;
  readonly resultsRefused: Counter;
  readonly edgeLatches: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.pointsIngested = new Counter({
      name: 'roast_link_points_ingested_total',
      help: 'Telemetry samples committed to the store.',
      registers,
    });
    this.batchesDropped = new Counter({
      name: 'roast_link_batches_dropped_total',
      help: 'Telemetry batches edge agents dropped from a full buffer while their link was down.',
      registers,
    });
    this.pointsDropped = new Counter({
      name: 'roast_link_points_dropped_total',
      help: 'Telemetry samples lost with the batches edge agents dropped from a full buffer.',
      registers,
    });
    this.duplicateBatches = new Counter({
      name: 'roast_link_duplicate_batches_total',
      help: 'Telemetry batches received again after they were stored (acknowledged again, stored once).',
      registers,
    });
    this.ackLatency = new Histogram({
      name: 'roast_link_ack_latency_seconds',
      help: 'From receiving a telemetry batch to acknowledging it after commit.',
      buckets: exponentialBuckets(0.0005, 2, 14),
      registers,
    });
    this.streams = new Gauge({ name: 'roast_link_streams', help: 'Open edge agent streams.', registers });
    this.streamsRefused = new Counter({
      name: 'roast_link_streams_refused_total',
      help: 'Streams refused, by gRPC status code and reason.',
      labelNames: ['code', 'reason'],
      registers,
    });
    this.dispatchLatency = new Histogram({
      name: 'roast_link_dispatch_latency_seconds',
      help: 'From a dispatch call to the command being written to the edge stream.',
      buckets: exponentialBuckets(0.0001, 2, 14),
      registers,
    });
    this.results = new Counter({
      name: 'roast_link_results_total',
      help: 'Command results written to proposals, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.resultsRefused = new Counter({
      name: 'roast_link_results_refused_total',
      help: 'Results an edge reported for a command that was not dispatched to its stream, refused.',
      registers,
    });
    this.edgeLatches = new Gauge({
      name: 'roast_link_edge_latches',
      help: 'Interlock latches edge agents report holding.',
      registers,
    });
  }
}
