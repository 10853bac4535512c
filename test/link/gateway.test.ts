// The gateway in-process against the shared API server, spoken to by a grpc-js client as a wrong, broken
// or honest edge would: how streams are refused (with which gRPC status), acknowledged telemetry stored
// once across reconnects, one device per roaster, garbage and silence ending a stream, dropped telemetry
// counted once, the Roaster's status as the link reports it (the edge's latches included), and commands
// written with a relative deadline.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, type ServiceError, status } from '@grpc/grpc-js';
import { apiVersion, fieldManagers, group, type Roaster, roasterNames, version } from '@roast-operator/api';
import { eventually, testCluster, useTestNamespace } from '@roast-operator/control-plane';
import { stopLatchId } from '@roast-operator/governor';
import { KubeClient, type KubeObject } from '@roast-operator/kube';
import { Logger } from '@roast-operator/log';
import { NotSent } from '@roast-operator/operator';
import {
  type ConnectRequest,
  type ConnectResponse,
  type Hello,
  LinkServiceClient,
  Outcome,
  type Sample,
} from '@roast-operator/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkGateway } from '../../operator/src/link/gateway.ts';
import { commandProposals } from '../../operator/src/objects.ts';
import { GatewayUnderTest, installCrds } from '../support/gateway.ts';

const cluster = testCluster();
const namespace = useTestNamespace('link-gateway');
const roasterApi = { group, version, plural: roasterNames.plural, kind: roasterNames.kind, namespaced: true };

let dir: string;
let served: GatewayUnderTest;
let gateway: LinkGateway;
let client: LinkServiceClient;
let admin: KubeClient;
const roasters: Record<string, Roaster> = {};
/** What the gateway logged, one JSON line each. */
const logged: string[] = [];

beforeAll(async () => {
  await installCrds(cluster);
  admin = new KubeClient(cluster.kubeConfig(), { fieldManager: 'roast-test' });
  for (const name of ['r1', 'r2']) {
    roasters[name] = (await admin.resource(roasterApi).create({
      apiVersion,
      kind: roasterNames.kind,
      metadata: { name, namespace: namespace() },
      spec: { model: 'Simulated', binding: { nodeName: 'node-a' } },
    } as KubeObject)) as unknown as Roaster;
  }
  dir = await mkdtemp(join(tmpdir(), 'roast-link-gateway-'));
  served = await new GatewayUnderTest(cluster, {
    dir,
    logger: new Logger({ fields: { component: 'link-gateway-test' }, sink: (_, line) => logged.push(line) }),
    insecureDemo: true,
    watchNamespace: namespace(),
    heartbeatIntervalMs: 200,
    silenceMs: 3000,
  }).start();
  gateway = served.gateway;
  client = new LinkServiceClient(`127.0.0.1:${served.port}`, credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await served?.stop();
  await admin?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function hello(name: string, overrides: Partial<Hello> = {}, serial = 'SIM-1'): ConnectRequest {
  const r = roasters[name]!;
  return {
    body: {
      $case: 'hello',
      value: {
        roaster: { namespace: namespace(), name, uid: r.metadata.uid! },
        device: {
          vendorId: 0,
          productId: 0,
          serial,
          firmware: '281',
          model: 'Simulated',
          sourceDetail: 'seed 1',
        },
        bootEpoch: 'boot-1',
        agentVersion: 'test',
        nodeName: 'node-a',
        podName: `edge-${serial}`,
        latches: [],
        ...overrides,
      },
    },
  };
}

const sample = (timeMs: number, extra: Partial<Sample> = {}): Sample => ({
  timeMs,
  beanTemp: 180,
  heater: 6,
  fan: 4,
  drum: 7,
  stateCode: 6,
  ...extra,
});

/** A telemetry batch; `dropped` is the edge's counters of dropped batches and their samples. */
const batch = (seq: number, samples: Sample[], bootEpoch = 'boot-1', dropped = [0, 0]): ConnectRequest => ({
  body: {
    $case: 'telemetry',
    value: { bootEpoch, seq, samples, droppedBatchesTotal: dropped[0]!, droppedPointsTotal: dropped[1]! },
  },
});

/** One edge stream: what it received, and how it ended. */
function open(first: ConnectRequest) {
  const call = client.connect();
  const received: ConnectResponse[] = [];
  call.on('data', (m: ConnectResponse) => received.push(m));
  const ended = new Promise<ServiceError | undefined>((resolve) => {
    call.on('error', (err: ServiceError) => resolve(err));
    call.on('end', () => resolve(undefined));
  });
  call.write(first);
  const next = async (kind: NonNullable<ConnectResponse['body']>['$case'], after = 0) => {
    let found: ConnectResponse | undefined;
    await eventually(() => {
      found = received.slice(after).find((m) => m.body?.$case === kind);
      expect(found, `a ${kind}`).toBeDefined();
    }, 10_000);
    return found!.body!.value;
  };
  return { call, received, ended, next };
}

async function roaster(name: string, check: (r: Roaster) => void): Promise<void> {
  await eventually(
    async () => check((await admin.resource(roasterApi).get(namespace(), name)) as unknown as Roaster),
    10_000,
  );
}

const connectedReason = (r: Roaster) => r.status?.conditions?.find((c) => c.type === 'Connected');

describe('the gateway refuses', () => {
  it.each([
    ['a first message that is not a hello', () => batch(1, [sample(1)]), status.INVALID_ARGUMENT],
    [
      'a hello naming no Roaster that exists',
      () => hello('r1', { roaster: { namespace: namespace(), name: 'nope', uid: 'x' } }),
      status.NOT_FOUND,
    ],
    [
      'a hello with another UID',
      () => hello('r1', { roaster: { namespace: namespace(), name: 'r1', uid: 'other' } }),
      status.FAILED_PRECONDITION,
    ],
    [
      'a hello from another node than the binding',
      () => hello('r1', { nodeName: 'node-b' }),
      status.PERMISSION_DENIED,
    ],
    [
      'a hello with an overlong field',
      () => hello('r1', { bootEpoch: 'x'.repeat(65) }),
      status.INVALID_ARGUMENT,
    ],
  ])('%s', async (_, message, code) => {
    const stream = open(message());
    const err = await stream.ended;
    expect(err?.code).toBe(code);
    expect(err?.details).not.toBe('');
  });
});

describe('an edge stream', () => {
  it('is welcomed, its telemetry acknowledged after commit and stored once across a reconnect', async () => {
    const first = open(hello('r1'));
    expect(await first.next('welcome')).toMatchObject({ committedSeq: 0, heartbeatIntervalMs: 200 });
    first.call.write(batch(1, [sample(1000), sample(1100)]));
    first.call.write(batch(2, [sample(1200)]));
    await eventually(() => expect(first.received.filter((m) => m.body?.$case === 'ack')).toHaveLength(2));
    expect(first.received.filter((m) => m.body?.$case === 'ack').map((m) => m.body!.value)).toEqual([
      { bootEpoch: 'boot-1', committedSeq: 1 },
      { bootEpoch: 'boot-1', committedSeq: 2 },
    ]);
    await roaster('r1', (r) => {
      expect(connectedReason(r)?.status).toBe('True');
      expect(r.status).toMatchObject({
        phase: 'Roasting',
        levels: { heater: 6, fan: 4, drum: 7 },
        device: { node: 'node-a', pod: 'edge-SIM-1', serial: 'SIM-1' },
      });
    });
    first.call.end();
    await first.ended;

    // The same device again: told what is stored, and a resend of it is acknowledged, not stored again.
    const again = open(hello('r1'));
    expect(await again.next('welcome')).toMatchObject({ committedSeq: 2 });
    again.call.write(batch(2, [sample(1200)]));
    expect(await again.next('ack')).toEqual({ bootEpoch: 'boot-1', committedSeq: 2 });
    again.call.end();
    await again.ended;
    await roaster('r1', (r) =>
      expect(connectedReason(r)).toMatchObject({ status: 'False', reason: 'StreamEnded' }),
    );
  });

  it('belongs to one device: another is refused, the same one replaces its stale stream', async () => {
    const first = open(hello('r2'));
    await first.next('welcome');
    const other = open(hello('r2', {}, 'SIM-2'));
    expect((await other.ended)?.code).toBe(status.ALREADY_EXISTS);
    const same = open(hello('r2'));
    await same.next('welcome');
    expect((await first.ended)?.code).toBe(status.ABORTED);
    await roaster('r2', (r) => expect(connectedReason(r)?.status).toBe('True'));
    same.call.end();
    await same.ended;
  });

  it.each([
    ['a reading that is not a number', () => batch(1, [sample(1000, { beanTemp: Number.NaN })])],
    ['a level past a byte', () => batch(1, [sample(1000, { fan: 4096 })])],
    ['a batch of another boot', () => batch(1, [sample(1000)], 'boot-2')],
    ['a second hello', () => hello('r1')],
  ])('ends with INVALID_ARGUMENT on %s', async (_, garbage) => {
    const stream = open(hello('r1'));
    await stream.next('welcome');
    stream.call.write(garbage());
    expect((await stream.ended)?.code).toBe(status.INVALID_ARGUMENT);
    await roaster('r1', (r) =>
      expect(connectedReason(r)).toMatchObject({ status: 'False', reason: 'InvalidMessage' }),
    );
  });

  it('ends when it falls silent, and the roaster shows Disconnected', async () => {
    const stream = open(hello('r1'));
    await stream.next('welcome');
    expect((await stream.ended)?.code).toBe(status.DEADLINE_EXCEEDED);
    await roaster('r1', (r) => {
      expect(connectedReason(r)).toMatchObject({ status: 'False', reason: 'Silent' });
      expect(r.status?.phase).toBe('Disconnected');
    });
  });
});

describe('telemetry an edge dropped', () => {
  const dropMetrics = () =>
    Promise.all(
      ['roast_link_batches_dropped_total', 'roast_link_points_dropped_total'].map(
        async (name) => (await served.manager.metrics.registry.getSingleMetric(name)!.get()).values[0]!.value,
      ),
    );

  /** Sends batches on a new stream of r1 and waits for their acks. */
  async function send(bootEpoch: string, batches: [seq: number, dropped: number[]][]): Promise<void> {
    const edge = open(hello('r1', { bootEpoch }));
    await edge.next('welcome');
    for (const [seq, dropped] of batches)
      edge.call.write(batch(seq, [sample(seq * 1000)], bootEpoch, dropped));
    await eventually(() =>
      expect(edge.received.filter((m) => m.body?.$case === 'ack')).toHaveLength(batches.length),
    );
    edge.call.end();
    await edge.ended;
  }

  it('is counted in batches and in samples once per boot, however often the edge reconnects', async () => {
    const [batches, points] = await dropMetrics();
    await send('boot-drops', [
      [1, [0, 0]],
      [2, [2, 13]],
      [3, [3, 20]],
    ]);
    expect(await dropMetrics()).toEqual([batches! + 3, points! + 20]);
    // The same boot again repeats its totals on every batch: nothing new was lost.
    await send('boot-drops', [[4, [3, 20]]]);
    expect(await dropMetrics()).toEqual([batches! + 3, points! + 20]);
    // A new boot counts from 0.
    await send('boot-drops-2', [[1, [1, 4]]]);
    expect(await dropMetrics()).toEqual([batches! + 4, points! + 24]);
  });
});

describe("the edge's latches", () => {
  it('show on the Roaster as the edge reports them, in hello and later', async () => {
    const sinceMs = Date.parse('2026-11-24T05:00:00.250Z');
    const overTemperature = {
      id: 'latch-7',
      cause: 'overTemperature',
      message: 'BT 262 °C above the roasting ceiling 250 °C',
      sinceMs,
      conditionActive: true,
    };
    const stream = open(hello('r1', { latches: [overTemperature] }));
    await stream.next('welcome');
    await roaster('r1', (r) => {
      expect(r.status?.edgeLatches).toEqual([
        {
          id: 'latch-7',
          cause: 'overTemperature',
          message: 'BT 262 °C above the roasting ceiling 250 °C',
          since: '2026-11-24T05:00:00Z',
          conditionActive: true,
        },
      ]);
      expect(r.status?.conditions?.find((c) => c.type === 'InterlocksClear')?.status).toBe('False');
    });
    // The condition went away: still latched until a reset, and the status says the condition is gone.
    const report = (latches: (typeof overTemperature)[]) =>
      stream.call.write({ body: { $case: 'latch', value: { latches } } });
    report([{ ...overTemperature, conditionActive: false }]);
    await roaster('r1', (r) => {
      expect(r.status?.edgeLatches).toMatchObject([{ id: 'latch-7', conditionActive: false }]);
      expect(r.status?.conditions?.find((c) => c.type === 'InterlocksClear')?.status).toBe('True');
    });
    // The link owns the field, as it owns the rest of what it reports.
    const { managedFields } = (await admin.resource(roasterApi).get(namespace(), 'r1')).metadata as {
      managedFields: { manager: string; subresource?: string; fieldsV1?: object }[];
    };
    const owner = managedFields.find((m) => m.subresource === 'status' && m.manager === fieldManagers.link);
    expect(JSON.stringify(owner?.fieldsV1)).toContain('f:edgeLatches');
    report([]);
    await roaster('r1', (r) => expect(r.status?.edgeLatches).toEqual([]));
    stream.call.end();
    await stream.ended;
  });
});

describe('dispatch', () => {
  const ref = () => ({ namespace: namespace(), name: 'r1', uid: roasters.r1!.metadata.uid! });
  const request = (
    uid: string,
    command: { type: 'SetHeater'; target: number } | { type: 'EmergencyStop' },
  ) => ({
    roaster: ref(),
    proposal: { namespace: namespace(), name: `p-${uid}` },
    proposalUid: uid,
    command,
    deadline: new Date(Date.now() + 30_000),
  });

  it('is NotSent without a stream', async () => {
    expect(gateway.isConnected(ref())).toBe(false);
    await expect(
      gateway.dispatch(request('u-0', { type: 'SetHeater', target: 5 }), AbortSignal.timeout(5000)),
    ).rejects.toBeInstanceOf(NotSent);
  });

  it('writes absolute commands carrying the proposal UID and a relative deadline', async () => {
    const stream = open(hello('r1'));
    await stream.next('welcome');
    expect(gateway.isConnected(ref())).toBe(true);
    const signal = AbortSignal.timeout(5000);
    const receipt = await gateway.dispatch(request('u-1', { type: 'SetHeater', target: 5 }), signal);
    expect(receipt).toMatchObject({ node: 'node-a', pod: 'edge-SIM-1', sentAt: expect.any(Date) });
    await gateway.dispatch(request('u-stop', { type: 'EmergencyStop' }), signal);
    const commands = () =>
      stream.received.filter((m) => m.body?.$case === 'command').map((m) => m.body!.value);
    await eventually(() => expect(commands()).toHaveLength(2));
    const [heater, stop] = commands() as { deadlineMs: number }[];
    expect(heater).toMatchObject({ proposalUid: 'u-1', type: 'SetHeater', target: 5 });
    expect(heater!.deadlineMs).toBeGreaterThan(25_000);
    expect(heater!.deadlineMs).toBeLessThanOrEqual(30_000);
    // Under the operator's latch id for it: one ResetLatch clears both sides.
    expect(stop).toMatchObject({
      proposalUid: 'u-stop',
      type: 'EmergencyStop',
      latchId: stopLatchId('u-stop'),
    });
    expect((stop as { target?: number }).target).toBeUndefined();
    stream.call.end();
    await stream.ended;
  });
});

const acks = (received: ConnectResponse[]) => received.filter((m) => m.body?.$case === 'ack');
const logLines = (msg: string) => logged.map((l) => JSON.parse(l)).filter((l) => l.msg === msg);

describe('a feed listener', () => {
  it('that throws on commit neither fails the commit nor disturbs the stream or other listeners', async () => {
    const told: number[] = [];
    const quiet = { connected() {}, disconnected() {} };
    const offBroken = gateway.subscribe({
      ...quiet,
      samples() {
        throw new Error('a listener that breaks');
      },
    });
    const offOther = gateway.subscribe({ ...quiet, samples: (_, s) => told.push(...s.map((x) => x.timeMs)) });
    const r2 = { namespace: namespace(), name: 'r2', uid: roasters.r2!.metadata.uid! };
    const stream = open(hello('r2', { bootEpoch: 'boot-listener' }, 'SIM-L'));
    try {
      await stream.next('welcome');
      stream.call.write(batch(1, [sample(5000), sample(5100)], 'boot-listener'));
      // The batch is acknowledged (it was stored), the stream stays up, the other listener heard of it.
      expect(await stream.next('ack')).toEqual({ bootEpoch: 'boot-listener', committedSeq: 1 });
      expect(told).toEqual([5000, 5100]);
      stream.call.write(batch(2, [sample(5200)], 'boot-listener'));
      await eventually(() => expect(acks(stream.received)).toHaveLength(2));
      expect(gateway.isConnected(r2)).toBe(true);
      const failures = logLines(
        'a telemetry listener failed; the data stays stored and the others were told',
      );
      // Once per failure, with the stack.
      expect(failures).toHaveLength(2);
      expect(JSON.stringify(failures[0])).toContain('a listener that breaks');
      expect(JSON.stringify(failures[0])).toMatch(/at .*gateway\.test\.ts/);
      expect(logLines('storing telemetry failed; ending the stream so the edge resends')).toEqual([]);
    } finally {
      offBroken();
      offOther();
      stream.call.end();
      await stream.ended;
    }
  });
});

describe('a result', () => {
  it("is taken only from the stream of the roaster its command went to: another roaster's edge is refused", async () => {
    const proposals = admin.resource(commandProposals);
    const proposal = await proposals.create({
      metadata: { name: 'targeted', namespace: namespace() },
      spec: {
        roasterRef: { name: 'r2' },
        command: { type: 'SetHeater', target: 5 },
        proposedBy: 'alice',
        rationale: 'a command for r2 only',
        ttlSeconds: 60,
      },
    } as KubeObject);
    const uid = proposal.metadata.uid!;
    const r2 = open(hello('r2', { bootEpoch: 'boot-results' }, 'SIM-R'));
    const r1 = open(hello('r1', { bootEpoch: 'boot-forger' }, 'SIM-F'));
    try {
      await r2.next('welcome');
      await r1.next('welcome');
      await gateway.dispatch(
        {
          roaster: { namespace: namespace(), name: 'r2', uid: roasters.r2!.metadata.uid! },
          proposal: { namespace: namespace(), name: 'targeted' },
          proposalUid: uid,
          command: { type: 'SetHeater', target: 5 },
          deadline: new Date(Date.now() + 30_000),
        },
        AbortSignal.timeout(5000),
      );
      await r2.next('command');
      // r1's admitted edge reports on r2's command: refused, counted, logged; nothing is written.
      const forged = {
        proposalUid: uid,
        outcome: Outcome.OUTCOME_SUCCEEDED,
        message: 'forged',
        latencyMs: 1,
        alreadyDone: false,
      };
      r1.call.write({ body: { $case: 'result', value: forged } });
      await eventually(() =>
        expect(logLines('result refused: the command was not dispatched to this stream')).toHaveLength(1),
      );
      const metrics = await served.manager.metrics.registry.getSingleMetricAsString(
        'roast_link_results_refused_total',
      );
      expect(metrics).toContain('roast_link_results_refused_total 1');
      expect((await proposals.get(namespace(), 'targeted')).status?.result).toBeUndefined();
      // r2's own edge reports: its result is the one kept.
      const real = {
        proposalUid: uid,
        outcome: Outcome.OUTCOME_SUCCEEDED,
        message: 'heater at 5',
        latencyMs: 40,
        alreadyDone: false,
      };
      r2.call.write({ body: { $case: 'result', value: real } });
      await eventually(async () =>
        expect((await proposals.get(namespace(), 'targeted')).status?.result).toMatchObject({
          outcome: 'Succeeded',
          message: 'heater at 5',
        }),
      );
      expect(
        gateway.isConnected({ namespace: namespace(), name: 'r1', uid: roasters.r1!.metadata.uid! }),
      ).toBe(true);
    } finally {
      for (const s of [r1, r2]) {
        s.call.end();
        await s.ended;
      }
    }
  });
});
