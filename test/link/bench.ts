// The link's benchmark, in one run with its floors and targets:
// - the gateway alone, in-process on a private control plane, edge agents played by grpc-js clients on
//   loopback: ingest (many streams sending 10-sample batches with a window of unacknowledged batches each;
//   points committed per second and ack latency), dispatch() → first command byte at the edge, and an
//   EmergencyStop behind a backlog (the edge stops reading while commands pile up, then a stop is sent: the
//   time to its first byte once the edge reads again, and how many queued commands arrived before it — the
//   gateway puts the stop ahead of what it still holds; what grpc-js already buffered goes first);
// - through the whole operator (main.ts as its own process, with the chart's RBAC and admission policies):
//   a person's approval patch sent → the command's first byte at a played edge, next to its floor (a bare
//   patch sent → its event on a client-node watch); an EmergencyStop proposal's create sent → its first
//   byte at the edge; and, with the real edge stack in-process (agent, R1 driver, simulated R1), → the
//   first heater-down byte written to the device and → the device reporting heater 0. Every clock starts
//   just before its request is sent, so each figure includes the request's own round trip (reported too);
// - the floor under all of it: a ping over a grpc-js bidi stream on loopback.
// Prints a table (one JSON object with --json, figures only on stdout) and exits non-zero below a floor or
// target.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import { Watch } from '@kubernetes/client-node';
import { apiVersion, commandProposalNames, group, roasterNames, version } from '@roast-operator/api';
import { systemClock } from '@roast-operator/clock';
import { startControlPlane } from '@roast-operator/control-plane';
import { startEdge } from '@roast-operator/edge-node';
import { KubeClient, type KubeObject } from '@roast-operator/kube';
import { Logger } from '@roast-operator/log';
import {
  type ConnectRequest,
  type ConnectResponse,
  LinkServiceClient,
  LinkServiceService,
} from '@roast-operator/proto';
import type { LinkGateway } from '../../operator/src/link/gateway.ts';
import { GatewayUnderTest, installCrds } from '../support/gateway.ts';
import { edgeNode, gatewayArgs, operatorMain } from '../support/link.ts';
import {
  Arrivals,
  batch,
  connect,
  type Edge,
  percentiles,
  playedEdge,
  quantile,
  round,
} from '../support/played-edge.ts';
import { Roastery, namespace as roasteryNamespace } from '../support/roastery.ts';

const json = process.argv.includes('--json');
const streams = 50;
const batchesPerStream = 400;
const window = 8;
const dispatches = 300;
const backlog = 2000;
const floors = { pointsPerSecond: 20_000, dispatchP99Ms: 50, stopFirstByteMs: 250 };
const approvals = 60;
const watchSamples = 100;
const stops = 50;
const heaterStops = 25;
const pingWarmup = 100;
const pings = 2000;
const targets = { approvalFirstByteP99Ms: 100, stopCreatedFirstByteP99Ms: 100, stopHeaterZeroP99Ms: 1500 };

// Warnings and errors only (to stderr), so stdout carries just the figures.
const log = new Logger({ level: 'warn', fields: { component: 'bench-link' } });
const namespace = 'bench';
const roasterApi = { group, version, plural: roasterNames.plural, kind: roasterNames.kind, namespaced: true };

async function main(): Promise<void> {
  const gateway = await gatewayFigures();
  const operator = await operatorFigures();
  const grpc = await grpcRoundTrip();
  const figures = { ...gateway, ...operator, ...grpc, floors, targets };
  if (json) process.stdout.write(`${JSON.stringify(figures)}\n`);
  else print(figures);
  const below =
    gateway.pointsPerSecond < floors.pointsPerSecond ||
    gateway.dispatchP99Ms > floors.dispatchP99Ms ||
    gateway.stopFirstByteMs > floors.stopFirstByteMs ||
    operator.approvalFirstByteP99Ms > targets.approvalFirstByteP99Ms ||
    operator.stopCreatedFirstByteP99Ms > targets.stopCreatedFirstByteP99Ms ||
    operator.stopHeaterZeroP99Ms > targets.stopHeaterZeroP99Ms;
  process.exitCode = below ? 1 : 0;
}

/** The gateway alone, in-process on a private control plane with the CRDs. */
async function gatewayFigures() {
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
    const edges = await Promise.all(
      uids.map((uid, i) =>
        connect(client, { roaster: { namespace, name: `r${i}`, uid }, node: 'node-a', serial: `SIM-${i}` }),
      ),
    );

    const ingest = await measureIngest(edges);
    const dispatch = await measureDispatch(gateway, edges[0]!, uids[0]!);
    const stop = await measureStop(gateway, edges[1]!, uids[1]!);
    for (const e of edges) e.call.end();
    client.close();
    await served.stop();
    return { streams, ...ingest, ...dispatch, ...stop };
  } finally {
    await admin.close();
    await plane.stop();
    await rm(dir, { recursive: true, force: true });
  }
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

/**
 * The whole operator: main.ts as its own process on a private control plane with the chart (RBAC, admission
 * policies, the guard canary live), its gateway on a free loopback port. People and the agent act through
 * the API as `kubectl` would.
 */
async function operatorFigures() {
  const dir = await mkdtemp(join(tmpdir(), 'roast-bench-operator-'));
  const roastery = await Roastery.start({
    name: 'bench-link-operator',
    script: operatorMain,
    // Port 0: the gateway picks a free one and logs it.
    operatorArgs: gatewayArgs(0, dir),
  });
  try {
    const serving = await roastery.operator.logged((l) => l.msg.startsWith('link gateway serving'));
    const address = `127.0.0.1:${serving.port}`;
    const client = new LinkServiceClient(address, credentials.createInsecure());
    try {
      const played = await playedEdge(roastery, client, 'bench-a');
      const approval = await approvalsToFirstByte(roastery, played.arrivals);
      const watchFloor = await patchToWatchEvent(roastery);
      const stopFirstByte = await stopsToFirstByte(roastery, played.arrivals);
      played.close();
      const heater = await stopsToHeaterZero(roastery, address, dir);
      return {
        approvals,
        ...percentiles('approvalFirstByte', approval.total),
        ...percentiles('approvalOperatorSent', approval.untilSent),
        ...percentiles('approvalPatchRoundTrip', approval.request),
        ...percentiles('patchWatchEvent', watchFloor.event),
        ...percentiles('patchRoundTrip', watchFloor.roundTrip),
        stops,
        ...percentiles('stopCreatedFirstByte', stopFirstByte.total),
        ...percentiles('stopCreatedOperatorSent', stopFirstByte.untilSent),
        ...percentiles('stopCreateRoundTrip', stopFirstByte.request),
        heaterStops,
        ...percentiles('stopDeviceFirstByte', heater.deviceFirstByte),
        ...percentiles('stopHeaterZero', heater.zero),
      };
    } finally {
      client.close();
    }
  } finally {
    await roastery.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A command's latency from its request being sent, and where it went. */
interface Legs {
  total: number[];
  /** To the operator's "command sent" log line (millisecond timestamps on the same clock). */
  untilSent: number[];
  /** The request's own round trip: what a clock started at its response would leave out. */
  request: number[];
}

async function sentAfter(roastery: Roastery, proposal: string, since: number): Promise<number> {
  const sent = await roastery.operator.logged((l) => l.msg === 'command sent' && l.proposal === proposal);
  return Date.parse(String(sent.time)) - (performance.timeOrigin + since);
}

/** The agent proposes a level, bob approves it: from his patch being sent to the command at the edge. */
async function approvalsToFirstByte(roastery: Roastery, arrivals: Arrivals): Promise<Legs> {
  const legs: Legs = { total: [], untilSent: [], request: [] };
  for (let i = 0; i < approvals; i++) {
    const name = `fan-${i}`;
    const proposal = await roastery.propose('advisor', name, 'bench-a', {
      type: 'SetFan',
      target: 3 + (i % 8),
    });
    await roastery.phase(name, 'AwaitingApproval');
    const sent = performance.now();
    await roastery.decide('bob', name);
    legs.request.push(performance.now() - sent);
    legs.total.push((await arrivals.of(proposal.metadata.uid!)) - sent);
    legs.untilSent.push(await sentAfter(roastery, name, sent));
    await roastery.phase(name, 'Succeeded');
  }
  return legs;
}

/**
 * The floors under the approval: a bare patch of a CommandProposal from its request being sent to its event
 * on a client-node watch, and the patch's own round trip (what each of the operator's reads and writes costs).
 */
async function patchToWatchEvent(roastery: Roastery): Promise<{ event: number[]; roundTrip: number[] }> {
  const events = new Arrivals();
  const first = Promise.withResolvers<void>();
  const watching = await new Watch(roastery.plane.kubeConfig()).watch(
    `/apis/${group}/${version}/namespaces/${roasteryNamespace}/${commandProposalNames.plural}`,
    {},
    (_type: string, object: KubeObject) => {
      events.mark(object.metadata.resourceVersion!, performance.now());
      first.resolve();
    },
    () => undefined,
  );
  try {
    await first.promise;
    const proposals = roastery.api('proposal');
    const latencies = { event: [] as number[], roundTrip: [] as number[] };
    for (let i = 0; i < watchSamples; i++) {
      const sent = performance.now();
      const annotations = { 'bench.roasting.simcorp.io/ping': String(i) };
      const patch = { metadata: { annotations } };
      const patched = await proposals.patch(roasteryNamespace, 'fan-0', patch, { type: 'merge' });
      latencies.roundTrip.push(performance.now() - sent);
      latencies.event.push((await events.of(patched.metadata.resourceVersion!)) - sent);
    }
    return latencies;
  } finally {
    watching.abort();
  }
}

/**
 * The agent proposes an EmergencyStop (no approval): from the create being sent to the command at the edge,
 * which may arrive before the create's response does.
 */
async function stopsToFirstByte(roastery: Roastery, arrivals: Arrivals): Promise<Legs> {
  const legs: Legs = { total: [], untilSent: [], request: [] };
  for (let i = 0; i < stops; i++) {
    const name = `stop-${i}`;
    const sent = performance.now();
    const proposal = await roastery.propose('advisor', name, 'bench-a', { type: 'EmergencyStop' });
    legs.request.push(performance.now() - sent);
    legs.total.push((await arrivals.of(proposal.metadata.uid!)) - sent);
    legs.untilSent.push(await sentAfter(roastery, name, sent));
    await roastery.phase(name, 'Succeeded');
  }
  return legs;
}

/**
 * The real edge stack in this process — the agent, the R1 driver and a simulated R1, linked to the
 * operator's gateway — one fresh roaster per sample (a stop latches it): heated to 9 by a person's command,
 * then stopped by the agent; from the create being sent to the first heater-down step written to the
 * device, and to the first reading the device reports with the heater at 0 (readings come at 10 Hz). Both
 * may come before the create's response does.
 */
async function stopsToHeaterZero(roastery: Roastery, gateway: string, dir: string) {
  const deviceFirstByte: number[] = [];
  const zero: number[] = [];
  const edgeLog = new Logger({ level: 'error', fields: { component: 'bench-edge' } });
  for (let i = 0; i < heaterStops; i++) {
    const name = `sim-${i}`;
    const roaster = await roastery.roaster(name, { model: 'Simulated', autonomy: { level: 'L3' } });
    const edge = await startEdge({
      device: 'simulated',
      model: 'Simulated',
      storeDir: join(dir, name),
      safetyFile: undefined,
      port: undefined,
      link: {
        gateway,
        credentials: credentials.createInsecure(),
        roaster: { namespace: roasteryNamespace, name, uid: roaster.metadata.uid! },
      },
      simulator: { seed: i + 1, preheatC: 239, batchGrams: 400, start: 'charge', timeScale: 1 },
      nodeName: edgeNode,
      podName: `edge-${name}`,
      inContainer: false,
      log: edgeLog,
      exit: () => undefined,
    });
    try {
      await roastery.condition(name, 'Ready', 'True', undefined, 60_000);
      await roastery.propose('alice', `${name}-heat`, name, { type: 'SetHeater', target: 9 });
      await roastery.phase(`${name}-heat`, 'Succeeded', 60_000);
      const heaterZero = Promise.withResolvers<number>();
      const unsubscribe = edge.agent.onReading((r) => {
        if (r.heater === 0) heaterZero.resolve(systemClock.now());
      });
      const sent = systemClock.now();
      await roastery.propose('advisor', `${name}-stop`, name, { type: 'EmergencyStop' });
      const zeroAt = await Promise.race([
        heaterZero.promise,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`${name}: heater not 0`)), 30_000),
        ),
      ]);
      unsubscribe();
      const step = edge.simulated!.received.find(
        (c) => c.at >= sent && c.command.kind === 'heater' && c.command.step === -1,
      );
      if (step === undefined) throw new Error(`${name}: the heater reached 0 without a heater-down step`);
      deviceFirstByte.push(step.at - sent);
      zero.push(zeroAt - sent);
    } finally {
      await edge.shutdown();
    }
  }
  return { deviceFirstByte, zero };
}

/** The floor under every link figure: a ping over a grpc-js bidi stream on loopback, server in-process. */
async function grpcRoundTrip() {
  const server = new Server();
  server.addService(LinkServiceService, {
    connect: (call: ServerDuplexStream<ConnectRequest, ConnectResponse>) => {
      call.on('data', (m: ConnectRequest) => {
        if (m.body?.$case === 'heartbeat') call.write({ body: { $case: 'heartbeat', value: m.body.value } });
      });
      call.on('end', () => call.end());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  const client = new LinkServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  const call = client.connect();
  let pong = Promise.withResolvers<void>();
  call.on('data', () => pong.resolve());
  const latencies: number[] = [];
  for (let i = 0; i < pingWarmup + pings; i++) {
    pong = Promise.withResolvers<void>();
    const sent = performance.now();
    call.write({ body: { $case: 'heartbeat', value: { timeMs: i } } });
    await pong.promise;
    if (i >= pingWarmup) latencies.push(performance.now() - sent);
  }
  const ended = new Promise((resolve) => call.on('status', resolve));
  call.end();
  await ended;
  client.close();
  server.forceShutdown();
  return { pings, ...percentiles('grpcRoundTrip', latencies) };
}

const rows: [label: string, key: string, bound?: string][] = [
  ['gateway alone: ingest, points/s', 'pointsPerSecond', `floor ≥ ${floors.pointsPerSecond}`],
  ['  ack latency at saturation, p50 / p99', 'ack'],
  ['  dispatch() → first byte at the edge', 'dispatch', `floor p99 ≤ ${floors.dispatchP99Ms}`],
  ['  EmergencyStop behind 2000 → first byte', 'stopFirstByteMs', `floor ≤ ${floors.stopFirstByteMs}`],
  [
    'through the operator: approval sent → first byte',
    'approvalFirstByte',
    `target p99 ≤ ${targets.approvalFirstByteP99Ms}`,
  ],
  ['    of which until the operator logs "command sent"', 'approvalOperatorSent'],
  ["    the approval patch's own round trip", 'approvalPatchRoundTrip'],
  ['  floor: patch sent → client-node watch event', 'patchWatchEvent'],
  ['  floor: one patch, request → response', 'patchRoundTrip'],
  [
    '  EmergencyStop create sent → first byte at the edge',
    'stopCreatedFirstByte',
    `target p99 ≤ ${targets.stopCreatedFirstByteP99Ms}`,
  ],
  ['    of which until the operator logs "command sent"', 'stopCreatedOperatorSent'],
  ["    the create's own round trip", 'stopCreateRoundTrip'],
  ['  EmergencyStop sent → first heater-down byte at the device', 'stopDeviceFirstByte'],
  [
    '  EmergencyStop sent → device reports heater 0',
    'stopHeaterZero',
    `target p99 ≤ ${targets.stopHeaterZeroP99Ms}`,
  ],
  ['floor: gRPC round trip on loopback', 'grpcRoundTrip'],
];

function print(figures: Record<string, unknown>): void {
  const cell = (key: string) =>
    `${key}P50Ms` in figures
      ? `p50 ${figures[`${key}P50Ms`]} ms, p99 ${figures[`${key}P99Ms`]} ms`
      : `${figures[key]}${key.endsWith('Ms') ? ' ms' : ''}`;
  const lines = rows.map(
    ([label, key, bound]) => `  ${label.padEnd(64)} ${cell(key).padEnd(30)} ${bound ?? ''}`,
  );
  const samples = `${figures.streams} streams; ${figures.approvals} approvals, ${figures.stops} stops at a played edge, ${figures.heaterStops} at the real edge stack; ${figures.pings} pings`;
  process.stdout.write(`link benchmark (${samples})\n${lines.join('\n')}\n`);
}

await main();
