// The link gateway's benchmark: the gateway in-process on a private control plane, edge agents played by
// grpc-js clients on loopback. Prints figures (JSON with --json) and exits non-zero below a floor.
// - ingest: many streams sending 10-sample batches with a window of unacknowledged batches each; points
//   committed per second and ack latency;
// - dispatch → first command byte at the edge, p50/p99;
// - EmergencyStop behind a backlog: the edge stops reading while commands pile up, then a stop is sent;
//   the time to its first byte once the edge reads again, and how many queued commands arrived before it
//   (the gateway puts the stop ahead of what it still holds; what grpc-js already buffered goes first).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { apiVersion, group, roasterNames, version } from '@roast-operator/api';
import { startControlPlane } from '@roast-operator/control-plane';
import { KubeClient, type KubeObject } from '@roast-operator/kube';
import { Logger } from '@roast-operator/log';
import { type ConnectRequest, type ConnectResponse, LinkServiceClient } from '@roast-operator/proto';
import type { LinkGateway } from '../../controllers/src/link/gateway.ts';
import { GatewayUnderTest, installCrds } from '../support/gateway.ts';

const json = process.argv.includes('--json');
const streams = 50;
const batchesPerStream = 400;
const window = 8;
const dispatches = 300;
const backlog = 2000;
const floors = { pointsPerSecond: 20_000, dispatchP99Ms: 50, stopFirstByteMs: 250 };

// Warnings and errors only (to stderr), so stdout carries just the figures.
const log = new Logger({ level: 'warn', fields: { component: 'bench-link' } });
const namespace = 'bench';
const roasterApi = { group, version, plural: roasterNames.plural, kind: roasterNames.kind, namespaced: true };

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
const round = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  const plane = await startControlPlane({ name: 'bench-link' });
  const dir = await mkdtemp(join(tmpdir(), 'roast-bench-link-'));
  const admin = new KubeClient(plane.kubeConfig(), { fieldManager: 'roast-bench' });
  try {
    await installCrds(plane);
    await plane.kubectl(['create', 'namespace', namespace]);
    const uids: string[] = [];
    for (let i = 0; i < streams; i++) {
      const created = await admin.resource(roasterApi).create({
        apiVersion,
        kind: roasterNames.kind,
        metadata: { name: `r${i}`, namespace },
        spec: { model: 'Simulated', binding: { nodeName: 'node-a' } },
      } as KubeObject);
      uids.push(created.metadata.uid!);
    }
    const served = await new GatewayUnderTest(plane, {
      dir,
      logger: log,
      insecureDemo: true,
      watchNamespace: namespace,
      heartbeatIntervalMs: 60_000,
      silenceMs: 600_000,
    }).start();
    const { gateway } = served;
    const client = new LinkServiceClient(`127.0.0.1:${gateway.port}`, credentials.createInsecure());
    const edges = await Promise.all(uids.map((uid, i) => connect(client, i, uid)));

    const ingest = await measureIngest(edges);
    const dispatch = await measureDispatch(gateway, edges[0]!, uids[0]!);
    const stop = await measureStop(gateway, edges[1]!, uids[1]!);
    const figures = { streams, ...ingest, ...dispatch, ...stop, floors };
    if (json) process.stdout.write(`${JSON.stringify(figures)}\n`);
    else print(figures);
    for (const e of edges) e.call.end();
    client.close();
    await served.stop();
    const below =
      ingest.pointsPerSecond < floors.pointsPerSecond ||
      dispatch.dispatchP99Ms > floors.dispatchP99Ms ||
      stop.stopFirstByteMs > floors.stopFirstByteMs;
    process.exitCode = below ? 1 : 0;
  } finally {
    await admin.close();
    await plane.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

interface Edge {
  call: ReturnType<LinkServiceClient['connect']>;
  index: number;
  /** Called for every message the edge receives. */
  onMessage: (m: ConnectResponse) => void;
}

async function connect(client: LinkServiceClient, i: number, uid: string): Promise<Edge> {
  const call = client.connect();
  const welcomed = Promise.withResolvers<void>();
  const edge: Edge = { call, index: i, onMessage: () => undefined };
  call.on('data', (m: ConnectResponse) => {
    if (m.body?.$case === 'welcome') welcomed.resolve();
    edge.onMessage(m);
  });
  call.on('error', (err) => welcomed.reject(err));
  const hello: ConnectRequest = {
    body: {
      $case: 'hello',
      value: {
        roaster: { namespace, name: `r${i}`, uid },
        device: {
          vendorId: 0,
          productId: 0,
          serial: `SIM-${i}`,
          firmware: '281',
          model: 'Simulated',
          sourceDetail: '',
        },
        bootEpoch: `boot-${i}`,
        agentVersion: 'bench',
        nodeName: 'node-a',
        podName: `edge-${i}`,
        latches: [],
      },
    },
  };
  call.write(hello);
  await welcomed.promise;
  return edge;
}

function batch(edge: Edge, seq: number): ConnectRequest {
  const t0 = 1_800_000_000_000 + seq * 1000;
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
      value: { bootEpoch: `boot-${edge.index}`, seq, samples, droppedBatchesTotal: 0 },
    },
  };
}

/** Each edge keeps `window` batches unacknowledged, as the edge's buffer does. */
async function measureIngest(edges: Edge[]) {
  const ackLatencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    edges.map(
      (edge) =>
        new Promise<void>((resolve) => {
          const sentAt = new Map<number, number>();
          let next = 1;
          const send = () => {
            while (next <= batchesPerStream && sentAt.size < window) {
              sentAt.set(next, performance.now());
              edge.call.write(batch(edge, next++));
            }
          };
          edge.onMessage = (m) => {
            if (m.body?.$case !== 'ack') return;
            const seq = m.body.value.committedSeq;
            ackLatencies.push(performance.now() - (sentAt.get(seq) ?? performance.now()));
            sentAt.delete(seq);
            if (seq === batchesPerStream) resolve();
            else send();
          };
          send();
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  ackLatencies.sort((a, b) => a - b);
  return {
    pointsPerSecond: Math.round((edges.length * batchesPerStream * 10) / seconds),
    ackP50Ms: round(quantile(ackLatencies, 0.5)),
    ackP99Ms: round(quantile(ackLatencies, 0.99)),
  };
}

const request = (
  uid: string,
  name: string,
  proposalUid: string,
  command: { type: 'SetHeater'; target: number } | { type: 'EmergencyStop' },
) => ({
  roaster: { namespace, name, uid },
  proposal: { namespace, name: proposalUid },
  proposalUid,
  command,
  deadline: new Date(Date.now() + 60_000),
});

async function measureDispatch(gateway: LinkGateway, edge: Edge, uid: string) {
  const latencies: number[] = [];
  for (let i = 0; i < dispatches; i++) {
    const arrived = Promise.withResolvers<void>();
    edge.onMessage = (m) => {
      if (m.body?.$case === 'command') arrived.resolve();
    };
    const started = performance.now();
    await gateway.dispatch(
      request(uid, 'r0', `d-${i}`, { type: 'SetHeater', target: 5 }),
      AbortSignal.timeout(5000),
    );
    await arrived.promise;
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  return { dispatchP50Ms: round(quantile(latencies, 0.5)), dispatchP99Ms: round(quantile(latencies, 0.99)) };
}

/** The edge stops reading, commands pile up behind the transport's back-pressure, then a stop is sent. */
async function measureStop(gateway: LinkGateway, edge: Edge, uid: string) {
  const order: string[] = [];
  const stopArrived = Promise.withResolvers<number>();
  edge.onMessage = (m) => {
    if (m.body?.$case !== 'command') return;
    order.push(m.body.value.proposalUid);
    if (m.body.value.type === 'EmergencyStop') stopArrived.resolve(performance.now());
  };
  edge.call.pause();
  const signal = AbortSignal.timeout(60_000);
  const queued = Array.from({ length: backlog }, (_, i) =>
    gateway
      .dispatch(request(uid, 'r1', `q-${i}`, { type: 'SetHeater', target: 1 + (i % 9) }), signal)
      .catch(() => undefined),
  );
  await new Promise((r) => setTimeout(r, 200));
  const started = performance.now();
  const stop = gateway.dispatch(request(uid, 'r1', 'stop', { type: 'EmergencyStop' }), signal);
  edge.call.resume();
  const arrivedAt = await stopArrived.promise;
  await Promise.all([stop, ...queued]);
  return { stopFirstByteMs: round(arrivedAt - started), stopQueuedAhead: order.indexOf('stop') };
}

function print(figures: Record<string, unknown>): void {
  const lines = Object.entries(figures)
    .filter(([k]) => k !== 'floors')
    .map(([k, v]) => `  ${k.padEnd(18)} ${v}`);
  process.stdout.write(`link gateway benchmark (floors: ${JSON.stringify(floors)})\n${lines.join('\n')}\n`);
}

await main();
