import type { ChannelCredentials } from '@grpc/grpc-js';
import type { BackoffPolicy, Clock } from '@roast-operator/clock';
import type { Logger } from '@roast-operator/log';
import type { Registry } from 'prom-client';
import type { EdgeLink } from '../edge-link.ts';
import type { RoasterRef } from './convert.ts';
import type { LinkState } from './metrics.ts';

// How a LinkClient is set up, and what it reports.

export type LinkTuning = {
  /** A batch closes at this many samples… */
  readonly batchSamples: number;
  /** …or this long after its first sample. */
  readonly batchMs: number;
  /** Unacknowledged batches kept; beyond it the oldest is dropped and counted. */
  readonly bufferBatches: number;
  readonly backoff: BackoffPolicy;
  /** The heartbeat interval until a welcome names one. */
  readonly heartbeatMs: number;
  /** Intervals without a word from the gateway before the stream counts as lost. */
  readonly missedHeartbeats: number;
  /** How long a new stream may wait for its welcome. */
  readonly welcomeTimeoutMs: number;
  /** How long a level target or a press may take once started. */
  readonly commandReachMs: number;
  /** How long `stop()` lets the stream close cleanly, so the last results and latches get out. */
  readonly closeGraceMs: number;
};

export const defaultLinkTuning: LinkTuning = {
  batchSamples: 10,
  batchMs: 1000,
  // An hour of a 10 Hz roaster in 1 s batches: a few megabytes.
  bufferBatches: 3600,
  backoff: { initialMs: 500, maxMs: 30_000, jitter: 0.5 },
  heartbeatMs: 5000,
  missedHeartbeats: 3,
  welcomeTimeoutMs: 10_000,
  commandReachMs: 30_000,
  closeGraceMs: 1000,
};

export type LinkOptions = {
  readonly agent: EdgeLink;
  /** host:port of the gateway. */
  readonly gateway: string;
  /** TLS pinned to the gateway's CA, or plaintext for a demo only. */
  readonly credentials: ChannelCredentials;
  /** A bearer token (the projected service-account token), read again for every stream. */
  readonly token?: () => string | Promise<string>;
  /** The Roaster to speak for; without one the gateway gives the one bound to this node and device. */
  readonly roaster?: RoasterRef | undefined;
  /** For a simulated roaster its seed, for a replay the recording; empty for hardware. */
  readonly sourceDetail?: string;
  readonly log: Logger;
  /** Where the metrics register (the agent's /metrics); a registry of its own by default. */
  readonly registry?: Registry;
  /** The link's timers (batching, heartbeats, backoff); the agent keeps its own clock. */
  readonly clock?: Clock;
  readonly tuning?: Partial<LinkTuning>;
};

export type LinkStatus = {
  readonly state: LinkState;
  readonly bufferedBatches: number;
  readonly lastSeq: number;
  readonly committedSeq: number;
  readonly droppedBatches: number;
  /** The samples of the dropped batches: what the record lost. */
  readonly droppedPoints: number;
};
