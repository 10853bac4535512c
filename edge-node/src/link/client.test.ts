import { credentials } from '@grpc/grpc-js';
import { Logger } from '@roast-operator/log';
import { type ConnectResponse, Outcome } from '@roast-operator/proto';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { TestGateway, type TestGatewayOptions } from '../testing/gateway.ts';
import { type SimulatedEdge, type SimulatedEdgeOptions, simulatedEdge } from '../testing/simulated-edge.ts';
import { LinkClient } from './client.ts';
import type { LinkOptions, LinkTuning } from './options.ts';

// The link client against a real grpc-js server on loopback that plays a minimal gateway, and a whole
// simulated edge on virtual time. The network runs in real time; the roaster, the agent and its watchdog
// run on the virtual clock, moved by each test. Real waits are polls with generous limits.

type Rig = {
  readonly edge: SimulatedEdge;
  readonly gateway: TestGateway;
  readonly link: LinkClient;
  readonly registry: Registry;
  /** Readings the agent published since the link subscribed: what the gateway must end up with. */
  readings(): number[];
};

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A roaster charged a moment ago (heater 2, fan 2, drum 9), working for a known session. */
const roasting: SimulatedEdgeOptions = {
  session: 'batch-1',
  device: { roaster: { start: 'roasting', levels: { heater: 2, fan: 2, drum: 9 } } },
};

async function rig(
  options: {
    gateway?: TestGatewayOptions;
    edge?: SimulatedEdgeOptions;
    tuning?: Partial<LinkTuning>;
    token?: LinkOptions['token'];
    gatewayDown?: boolean;
  } = {},
): Promise<Rig> {
  const gateway = await TestGateway.start(options.gateway);
  cleanups.push(() => gateway.stop());
  if (options.gatewayDown) await gateway.stop();
  const edge = await simulatedEdge(options.edge);
  cleanups.push(() => edge.stop());
  const registry = new Registry();
  const link = new LinkClient({
    agent: edge.agent,
    gateway: gateway.address,
    credentials: credentials.createInsecure(),
    token: options.token,
    roaster: { namespace: 'roastery', name: 'bullet-1', uid: 'roaster-uid-1' },
    sourceDetail: 'seed 1',
    log: new Logger({ level: 'error', sink: () => {} }),
    registry,
    tuning: {
      batchSamples: 5,
      batchMs: 50,
      backoff: { initialMs: 50, maxMs: 200, jitter: 0.5 },
      welcomeTimeoutMs: 500,
      closeGraceMs: 200,
      ...options.tuning,
    },
  });
  const from = edge.readings.length;
  link.start();
  cleanups.push(() => link.stop());
  return {
    edge,
    gateway,
    link,
    registry,
    readings: () => edge.readings.slice(from).map((r) => r.at),
  };
}

/** Polls until `done` holds, in real time; fails after `limitMs`. */
async function waitFor(done: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Moves the edge's virtual time in small steps, letting the network work in between, until `done`. */
async function pumpUntil(edge: SimulatedEdge, done: () => boolean, what: string, limitMs = 5000) {
  const deadline = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${limitMs} ms`);
    await edge.clock.advance(50);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const up = (r: Rig, streams = 1) =>
  waitFor(
    () => r.link.status().state === 'up' && r.gateway.streams.length >= streams,
    `stream ${streams} up`,
  );

/** Everything the agent read so far has been committed. */
const allCommitted = (r: Rig) =>
  waitFor(() => r.gateway.samples(r.edge.agent.bootEpoch).length === r.readings().length, 'all committed');

/** Everything the agent read has been committed, and acknowledged back. */
async function delivered(r: Rig): Promise<void> {
  const epoch = r.edge.agent.bootEpoch;
  await waitFor(
    () => r.gateway.samples(epoch).length === r.readings().length && r.link.status().bufferedBatches === 0,
    'every reading committed and acknowledged',
  );
  expect(r.gateway.samples(epoch)).toEqual(r.readings());
  expect(r.gateway.resentCommitted).toEqual([]);
  // Each stream carried consecutive seqs, in order.
  for (const { seqs } of r.gateway.streams) expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
}

const command = (value: Extract<ConnectResponse['body'], { $case: 'command' }>['value']) =>
  ({ $case: 'command', value }) as const;

const resultOf = (r: Rig, uid: string) => r.gateway.results.filter((x) => x.proposalUid === uid);

async function metric(registry: Registry, name: string): Promise<number> {
  const found = await registry.getSingleMetric(name)?.get();
  return found?.values.reduce((sum, v) => sum + v.value, 0) ?? Number.NaN;
}

describe('telemetry', () => {
  it('arrives in order with no gap across a dropped connection, resending what was not committed', async () => {
    const r = await rig({ gateway: { commitDelayMs: 300 } });
    await up(r);
    await r.edge.clock.advance(2000);
    await waitFor(() => r.gateway.received.length >= 3, 'batches received');
    const committedAtDrop = r.gateway.committed.get(r.edge.agent.bootEpoch)?.size ?? 0;
    r.gateway.drop();
    // The drop lost batches the gateway had received and not committed: only a resend brings them back.
    expect(committedAtDrop).toBeLessThan(r.gateway.received.length);
    await r.edge.clock.advance(2000);
    await up(r, 2);
    await r.edge.clock.advance(1000);
    await delivered(r);
    const [first, second] = r.gateway.streams;
    expect(second!.seqs[0]).toBeLessThanOrEqual(first!.seqs.at(-1)!);
  });

  it('arrives in order with no gap across a gateway restart', async () => {
    const r = await rig({ gateway: { commitDelayMs: 100 } });
    await up(r);
    await r.edge.clock.advance(1500);
    await waitFor(() => r.gateway.received.length >= 2, 'batches received');
    const restarting = r.gateway.restart(300);
    await r.edge.clock.advance(2000);
    await restarting;
    await up(r, 2);
    await r.edge.clock.advance(1000);
    await delivered(r);
    expect(await metric(r.registry, 'roast_edge_link_reconnects_total')).toBe(1);
  });

  it('keeps unacknowledged batches for a slow acker and sends each once', async () => {
    const r = await rig({ gateway: { commitDelayMs: 400 } });
    await up(r);
    let deepest = 0;
    for (let i = 0; i < 6; i++) {
      await r.edge.clock.advance(500);
      deepest = Math.max(deepest, r.link.status().bufferedBatches);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(deepest).toBeGreaterThan(3);
    await delivered(r);
    expect(r.gateway.streams).toHaveLength(1);
    expect(r.gateway.received).toHaveLength(r.link.status().lastSeq);
    expect(await metric(r.registry, 'roast_edge_link_batches_acked_total')).toBe(r.link.status().lastSeq);
  });

  it('drops the oldest batches when the buffer overflows, and reports them and their samples', async () => {
    const r = await rig({ gatewayDown: true, tuning: { bufferBatches: 5, batchSamples: 2 } });
    await r.edge.clock.advance(3000);
    await waitFor(
      () => r.link.status().droppedBatches > 0 && r.link.status().bufferedBatches === 5,
      'overflow',
    );
    await r.gateway.restart(0);
    await up(r);
    await waitFor(() => r.link.status().bufferedBatches === 0, 'the kept batches acknowledged');
    const { lastSeq, droppedBatches, droppedPoints } = r.link.status();
    expect(droppedBatches).toBe(lastSeq - 5);
    expect(r.gateway.received.map((b) => b.seq)).toEqual([0, 1, 2, 3, 4].map((i) => lastSeq - 4 + i));
    expect(
      r.gateway.received.every(
        (b) => b.droppedBatchesTotal === droppedBatches && b.droppedPointsTotal === droppedPoints,
      ),
    ).toBe(true);
    // The newest readings survived, the oldest were dropped: every reading before them is counted lost.
    const kept = r.gateway.samples(r.edge.agent.bootEpoch);
    expect(kept).toEqual(r.readings().slice(-kept.length));
    expect(droppedPoints).toBe(r.readings().length - kept.length);
    expect(await metric(r.registry, 'roast_edge_link_batches_dropped_total')).toBe(droppedBatches);
    expect(await metric(r.registry, 'roast_edge_link_points_dropped_total')).toBe(droppedPoints);
    await r.edge.clock.advance(1000);
    await waitFor(() => r.link.status().bufferedBatches === 0 && r.link.status().lastSeq > lastSeq, 'more');
    expect(r.link.status()).toMatchObject({ droppedBatches, droppedPoints });
  });

  it('never resends an acknowledged batch, even to a gateway that forgot it', async () => {
    const r = await rig({ gateway: { welcome: { committedSeq: 0 } } });
    await up(r);
    await r.edge.clock.advance(2000);
    await allCommitted(r);
    await waitFor(() => r.link.status().bufferedBatches === 0, 'acknowledged');
    const acked = r.link.status().lastSeq;
    r.gateway.drop();
    await up(r, 2);
    await r.edge.clock.advance(1000);
    await delivered(r);
    expect(r.gateway.streams[1]!.seqs[0]).toBe(acked + 1);
  });

  it('drops what the welcome says is committed when the acks were lost', async () => {
    const r = await rig({ gateway: { acks: false } });
    await up(r);
    await r.edge.clock.advance(2000);
    await allCommitted(r);
    const sent = r.link.status().lastSeq;
    expect(r.link.status().bufferedBatches).toBe(sent);
    r.gateway.drop();
    await up(r, 2);
    await waitFor(() => r.link.status().bufferedBatches === 0, 'released by the welcome');
    await r.edge.clock.advance(1000);
    await waitFor(() => r.gateway.streams[1]!.seqs.length > 0, 'new batches');
    expect(r.gateway.streams[1]!.seqs[0]).toBe(sent + 1);
    expect(r.gateway.resentCommitted).toEqual([]);
  });
});

describe('the stream', () => {
  it('says hello with the roaster, device and boot, and reads the token again for every stream', async () => {
    let reads = 0;
    const r = await rig({ token: () => `token-${++reads}` });
    await up(r);
    r.gateway.drop();
    await up(r, 2);
    expect(r.gateway.streams.map((s) => s.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
    const device = r.edge.agent.hello().device!;
    expect(r.gateway.streams[0]!.hello).toEqual({
      roaster: { namespace: 'roastery', name: 'bullet-1', uid: 'roaster-uid-1' },
      device: {
        vendorId: device.ids.vendorId,
        productId: device.ids.productId,
        serial: String(device.serial),
        firmware: String(device.firmware),
        model: 'Simulated',
        sourceDetail: 'seed 1',
      },
      bootEpoch: r.edge.agent.bootEpoch,
      agentVersion: 'test',
      nodeName: '',
      podName: '',
      latches: [],
    });
  });

  it('applies the welcome’s limits and operator latch, reports latches, and forwards a reset', async () => {
    const r = await rig({
      edge: roasting,
      gateway: {
        welcome: {
          limits: { heater: { min: 0, max: 5 }, maxBeanTemp: 230, maxExhaustTemp: 250 },
          operatorLatch: {
            id: 'op-9',
            cause: 'operator',
            message: 'stop',
            sinceMs: 1,
            conditionActive: false,
          },
        },
      },
    });
    await up(r);
    const { limits } = r.edge.agent.hello();
    expect(limits.levels.heater).toEqual({ min: 0, max: 5 });
    expect(limits.ceilingsC.roasting).toBe(230);
    expect(limits.exhaustCeilingC).toBe(250);
    await pumpUntil(r.edge, () => r.edge.device.roaster.levels.heater === 0, 'safe state');
    await waitFor(() => r.gateway.latchReports.length > 0, 'latch report');
    expect(r.gateway.latchReports.at(-1)!.latches).toEqual([
      expect.objectContaining({ id: 'op-9', cause: 'emergencyStop', conditionActive: false }),
    ]);
    r.gateway.send({ $case: 'limits', value: { fan: { min: 3, max: 10 } } });
    r.gateway.send({ $case: 'reset', value: { latchId: 'op-9', proposalUid: 'p-reset' } });
    await pumpUntil(r.edge, () => resultOf(r, 'p-reset').length === 1, 'reset result');
    expect(resultOf(r, 'p-reset')[0]).toMatchObject({
      outcome: Outcome.OUTCOME_SUCCEEDED,
      alreadyDone: false,
    });
    await waitFor(() => r.gateway.latchReports.at(-1)!.latches.length === 0, 'latch cleared');
    expect(r.edge.agent.hello().limits.levels.fan).toEqual({ min: 3, max: 10 });
  });

  it('calls linkDown when heartbeats stop: the agent holds, then goes safe after its timeout', async () => {
    const r = await rig({ edge: roasting, gateway: { heartbeatIntervalMs: 100 } });
    await up(r);
    r.gateway.send(command({ proposalUid: 'p-1', type: 'SetHeater', target: 6, deadlineMs: 10_000 }));
    await pumpUntil(r.edge, () => resultOf(r, 'p-1').length === 1, 'heater 6');
    expect(resultOf(r, 'p-1')[0]!.outcome).toBe(Outcome.OUTCOME_SUCCEEDED);
    const silentAt = Date.now();
    r.gateway.silent = true;
    await waitFor(() => r.link.status().state !== 'up', 'link down');
    // Three intervals of silence, not fewer.
    expect(Date.now() - silentAt).toBeGreaterThanOrEqual(250);
    const held = r.edge.device.roaster.levels;
    expect(held.heater).toBe(6);
    await r.edge.clock.advance(59_000);
    expect(r.edge.device.roaster.levels).toEqual(held);
    expect(r.edge.agent.latches()).toEqual([]);
    await r.edge.clock.advance(2000);
    expect(r.edge.agent.latches()).toEqual([expect.objectContaining({ cause: 'link-lost' })]);
    await r.edge.until(() => r.edge.device.roaster.levels.heater === 0, 10_000);
    // It kept trying: new streams, none welcomed.
    expect(r.gateway.streams.length).toBeGreaterThan(1);
  });
});

describe('commands', () => {
  it('runs a UID once across a reconnect and answers a result query with the first result', async () => {
    const r = await rig({ edge: roasting });
    await up(r);
    const setFan = command({ proposalUid: 'p-1', type: 'SetFan', target: 5, deadlineMs: 10_000 });
    r.gateway.send(setFan);
    await pumpUntil(r.edge, () => resultOf(r, 'p-1').length === 1, 'first result');
    const first = resultOf(r, 'p-1')[0]!;
    expect(first).toMatchObject({
      outcome: Outcome.OUTCOME_SUCCEEDED,
      message: 'fan at 5',
      alreadyDone: false,
    });
    const fanSteps = () => r.edge.device.received.filter((c) => c.command.kind === 'fan').length;
    const steps = fanSteps();
    r.gateway.drop();
    await up(r, 2);
    r.gateway.send(setFan);
    r.gateway.send({ $case: 'resultQuery', value: { proposalUid: 'p-1' } });
    r.gateway.send({ $case: 'resultQuery', value: { proposalUid: 'p-never' } });
    await pumpUntil(
      r.edge,
      () => resultOf(r, 'p-1').length === 2 && r.gateway.answers.length === 2,
      'answers',
    );
    expect(resultOf(r, 'p-1')[1]).toEqual({ ...first, alreadyDone: true });
    expect(r.gateway.answers).toEqual([
      { proposalUid: 'p-1', result: { ...first, alreadyDone: true } },
      { proposalUid: 'p-never', result: undefined },
    ]);
    await r.edge.clock.advance(2000);
    expect(fanSteps()).toBe(steps);
    expect(r.edge.events.filter((e) => e.type === 'result' && e.command.uid === 'p-1')).toHaveLength(1);
  });

  it('lets an EmergencyStop pre-empt the command in progress and everything queued', async () => {
    const r = await rig({ edge: roasting });
    await up(r);
    r.gateway.send(command({ proposalUid: 'p-1', type: 'SetHeater', target: 9, deadlineMs: 10_000 }));
    r.gateway.send(command({ proposalUid: 'p-2', type: 'SetFan', target: 6, deadlineMs: 10_000 }));
    r.gateway.send(command({ proposalUid: 'p-3', type: 'SetDrum', target: 5, deadlineMs: 10_000 }));
    r.gateway.send(command({ proposalUid: 'p-4', type: 'EmergencyStop', latchId: 'op-1', deadlineMs: 0 }));
    // Virtual time stands still: nothing queued can have run before the stop arrived.
    await waitFor(() => r.edge.agent.latches().length === 1, 'latched');
    await pumpUntil(r.edge, () => r.gateway.results.length === 4, 'four results');
    const outcome = (uid: string) => {
      const [result] = resultOf(r, uid);
      return [result?.outcome, result?.message];
    };
    expect(outcome('p-4')).toEqual([
      Outcome.OUTCOME_SUCCEEDED,
      expect.stringMatching(/^latched op-1: heater 0/),
    ]);
    expect(outcome('p-1')).toEqual([Outcome.OUTCOME_FAILED, 'aborted: pre-empted by the safe state']);
    expect(outcome('p-2')).toEqual([Outcome.OUTCOME_REFUSED, 'latched (op-1: emergency-stop)']);
    expect(outcome('p-3')).toEqual([Outcome.OUTCOME_REFUSED, 'latched (op-1: emergency-stop)']);
    const sent = r.edge.device.received.map((c) => c.command);
    expect(sent).not.toContainEqual({ kind: 'heater', step: 1 });
    expect(sent).not.toContainEqual({ kind: 'drum', level: 5 });
    expect(r.edge.device.roaster.levels.heater).toBe(0);
    expect(await metric(r.registry, 'roast_edge_latches')).toBe(1);
  });

  it('reports one stop latch after 34 stops in a row, in heartbeats and the next hello, and a reset of the newest clears it', async () => {
    const r = await rig({ edge: roasting });
    await up(r);
    for (let i = 1; i <= 34; i++) {
      r.gateway.send(
        command({ proposalUid: `p-${i}`, type: 'EmergencyStop', latchId: `op-${i}`, deadlineMs: 0 }),
      );
    }
    await pumpUntil(r.edge, () => r.gateway.results.length === 34, '34 stop results');
    const stopLatch = [expect.objectContaining({ id: 'op-34', cause: 'emergencyStop' })];
    await waitFor(
      () => r.gateway.latchReports.at(-1)?.latches[0]?.id === 'op-34',
      'the newest stop reported',
    );
    expect(r.gateway.latchReports.every((report) => report.latches.length === 1)).toBe(true);
    expect(r.gateway.latchReports.at(-1)!.latches).toEqual(stopLatch);
    r.gateway.drop();
    await up(r, 2);
    expect(r.gateway.streams.at(-1)!.hello.latches).toEqual(stopLatch);
    r.gateway.send({ $case: 'reset', value: { latchId: 'op-34', proposalUid: 'p-reset' } });
    await pumpUntil(r.edge, () => resultOf(r, 'p-reset').length === 1, 'reset result');
    expect(resultOf(r, 'p-reset')[0]).toMatchObject({ outcome: Outcome.OUTCOME_SUCCEEDED });
    await waitFor(() => r.gateway.latchReports.at(-1)!.latches.length === 0, 'latch cleared');
    expect(r.edge.agent.latches()).toEqual([]);
  });

  it('ends a level the roaster cannot reach within seconds, and the command behind it runs', async () => {
    const r = await rig();
    await up(r);
    const sentAt = r.edge.clock.now();
    r.gateway.send(command({ proposalUid: 'p-1', type: 'SetHeater', target: 5, deadlineMs: 10_000 }));
    r.gateway.send(command({ proposalUid: 'p-2', type: 'Preheat', fromState: 'Off', deadlineMs: 10_000 }));
    await pumpUntil(r.edge, () => r.gateway.results.length === 2, 'two results', 10_000);
    expect(resultOf(r, 'p-1')[0]).toMatchObject({
      outcome: Outcome.OUTCOME_FAILED,
      message: expect.stringMatching(
        /^heater did not move: 3 steps over \d\.\d s left it at 0, not 5, while the roaster is off$/,
      ),
    });
    expect(resultOf(r, 'p-2')[0]).toMatchObject({
      outcome: Outcome.OUTCOME_SUCCEEDED,
      message: 'off → preheating',
    });
    expect(r.edge.clock.now() - sentAt).toBeLessThan(10_000);
  });

  it('expires a command that cannot start in time and refuses one it cannot read', async () => {
    const r = await rig({ edge: roasting });
    await up(r);
    r.gateway.send(command({ proposalUid: 'p-1', type: 'SetHeater', target: 9, deadlineMs: 10_000 }));
    r.gateway.send(command({ proposalUid: 'p-2', type: 'SetFan', target: 5, deadlineMs: 500 }));
    r.gateway.send(command({ proposalUid: 'p-3', type: 'SetFan', deadlineMs: 10_000 }));
    r.gateway.send(command({ proposalUid: 'p-4', type: 'Drop', fromState: 'Cooling', deadlineMs: 10_000 }));
    await pumpUntil(r.edge, () => r.gateway.results.length === 4, 'four results');
    expect(resultOf(r, 'p-1')[0]).toMatchObject({ outcome: Outcome.OUTCOME_SUCCEEDED });
    expect(resultOf(r, 'p-2')[0]).toMatchObject({ outcome: Outcome.OUTCOME_EXPIRED });
    expect(resultOf(r, 'p-3')[0]).toMatchObject({
      outcome: Outcome.OUTCOME_REFUSED,
      message: 'SetFan needs a target',
    });
    expect(resultOf(r, 'p-4')[0]).toMatchObject({
      outcome: Outcome.OUTCOME_REFUSED,
      message: 'Drop is pressed from Roasting, not Cooling',
    });
    expect(r.edge.device.roaster.levels.fan).toBe(2);
    const byOutcome = await r.registry.getSingleMetric('roast_edge_command_results_total')!.get();
    expect(Object.fromEntries(byOutcome.values.map((v) => [v.labels.outcome, v.value]))).toEqual({
      succeeded: 1,
      expired: 1,
      refused: 2,
    });
  });
});
