// A grpc-js client playing a roaster's edge agent against the link gateway, for the benchmarks and suites
// that time commands to the edge: its hello, telemetry batches, when each command arrived, and the
// percentiles the figures are reported in.
import type { Roaster } from '@roast-operator/api';
import {
  type ConnectRequest,
  type ConnectResponse,
  type LinkServiceClient,
  Outcome,
} from '@roast-operator/proto';
import { edgeNode } from './link.ts';
import { type Roastery, namespace as roasteryNamespace } from './roastery.ts';

export const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
export const round = (n: number) => Math.round(n * 100) / 100;

export interface Edge {
  call: ReturnType<LinkServiceClient['connect']>;
  bootEpoch: string;
  /** Called for every message the edge receives. */
  onMessage: (m: ConnectResponse) => void;
}

export interface EdgeIdentity {
  roaster: { namespace: string; name: string; uid: string };
  node: string;
  serial: string;
}

/** A grpc-js client playing an edge agent: hello, and resolved once welcomed. */
export async function connect(
  client: LinkServiceClient,
  { roaster, node, serial }: EdgeIdentity,
): Promise<Edge> {
  const call = client.connect();
  const welcomed = Promise.withResolvers<void>();
  const edge: Edge = { call, bootEpoch: `boot-${serial}`, onMessage: () => undefined };
  call.on('data', (m: ConnectResponse) => {
    if (m.body?.$case === 'welcome') welcomed.resolve();
    edge.onMessage(m);
  });
  call.on('error', (err) => welcomed.reject(err));
  const hello: ConnectRequest = {
    body: {
      $case: 'hello',
      value: {
        roaster,
        device: { vendorId: 0, productId: 0, serial, firmware: '281', model: 'Simulated', sourceDetail: '' },
        bootEpoch: edge.bootEpoch,
        agentVersion: 'bench',
        nodeName: node,
        podName: `edge-${serial}`,
        latches: [],
      },
    },
  };
  call.write(hello);
  await welcomed.promise;
  return edge;
}

export function batch(edge: Edge, seq: number, t0 = 1_800_000_000_000 + seq * 1000): ConnectRequest {
  const samples = Array.from({ length: 10 }, (_, k) => ({
    timeMs: t0 + k * 100,
    beanTemp: 150 + k,
    exhaustTemp: 120,
    heater: 6,
    fan: 4,
    drum: 7,
    stateCode: 6,
  }));
  return {
    body: {
      $case: 'telemetry',
      value: { bootEpoch: edge.bootEpoch, seq, samples, droppedBatchesTotal: 0, droppedPointsTotal: 0 },
    },
  };
}

/** When each command reached a played edge, by proposal UID, waited on from either side. */
export class Arrivals {
  readonly #at = new Map<string, PromiseWithResolvers<number>>();

  #entry(key: string): PromiseWithResolvers<number> {
    let entry = this.#at.get(key);
    if (entry === undefined) {
      entry = Promise.withResolvers<number>();
      this.#at.set(key, entry);
    }
    return entry;
  }

  mark(key: string, at: number): void {
    this.#entry(key).resolve(at);
  }

  /** When `key` arrived; rejects after `timeoutMs`. */
  of(key: string, timeoutMs = 30_000): Promise<number> {
    const timeout = AbortSignal.timeout(timeoutMs);
    return Promise.race([
      this.#entry(key).promise,
      new Promise<never>((_, reject) =>
        timeout.addEventListener('abort', () =>
          reject(new Error(`${key} did not arrive in ${timeoutMs} ms`)),
        ),
      ),
    ]);
  }
}

export function percentiles<N extends string>(name: N, samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    [`${name}P50Ms`]: round(quantile(sorted, 0.5)),
    [`${name}P99Ms`]: round(quantile(sorted, 0.99)),
  } as { [K in `${N}P50Ms` | `${N}P99Ms`]: number };
}

/**
 * A grpc-js client as the edge of a Roaster: it records when each command arrives and answers it
 * Succeeded at once, and sends a batch and a heartbeat every second so the roaster is live and Ready. The
 * roaster is created for it, unless `existing` names one.
 */
export async function playedEdge(
  roastery: Roastery,
  client: LinkServiceClient,
  name: string,
  existing?: Roaster,
) {
  const roaster =
    existing ?? (await roastery.roaster(name, { model: 'Simulated', autonomy: { level: 'L3' } }));
  const edge = await connect(client, {
    roaster: { namespace: roasteryNamespace, name, uid: roaster.metadata.uid! },
    node: edgeNode,
    serial: `SIM-${name}`,
  });
  const arrivals = new Arrivals();
  edge.onMessage = (m) => {
    if (m.body?.$case !== 'command') return;
    const { proposalUid } = m.body.value;
    arrivals.mark(proposalUid, performance.now());
    const result = { proposalUid, outcome: Outcome.OUTCOME_SUCCEEDED, message: 'bench', latencyMs: 1 };
    edge.call.write({ body: { $case: 'result', value: { ...result, alreadyDone: false } } });
  };
  let seq = 0;
  const beat = () => {
    edge.call.write(batch(edge, ++seq, Date.now()));
    edge.call.write({ body: { $case: 'heartbeat', value: { timeMs: Date.now() } } });
  };
  beat();
  const beating = setInterval(beat, 1000);
  await roastery.condition(name, 'Ready', 'True', undefined, 60_000);
  return {
    arrivals,
    close: () => {
      clearInterval(beating);
      edge.call.end();
    },
  };
}
