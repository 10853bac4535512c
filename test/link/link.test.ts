// The link end to end: the operator (main.ts with its gateway) and a simulated edge agent as separate
// processes on a private control plane with the chart installed, the edge reaching the gateway through a
// TCP proxy that can cut the connection. The roaster shows Connected with live levels; an approved proposal
// reaches the roaster and shows in its telemetry; mid-roast the connection is cut and restored, the edge
// is killed and restarted on the same store, and the operator is killed and restarted — and every
// acknowledged point is stored once, nothing is actuated twice.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, CommandProposal, Roaster } from '@roast-operator/api';
import { eventually, freePort } from '@roast-operator/control-plane';
import { rules } from '@roast-operator/governor';
import { KubeClient, type KubeObject } from '@roast-operator/kube';
import { SqliteTelemetryStore } from '@roast-operator/store';
import { type LogLine, NodeProcess, serviceAccountKubeconfig } from '@roast-operator/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../../libs/kube/testing/tcp-proxy.ts';
import {
  edgeProcess,
  gatewayArgs,
  insecureDemoEnv,
  edgeNode as node,
  operatorMain,
} from '../support/link.ts';
import { namespace, operatorPod, Roastery, releaseNamespace } from '../support/roastery.ts';

const edgePod = 'roast-edge-sim-1';

let roastery: Roastery;
let dir: string;
let gatewayPort: number;
/** Between the edge and the gateway: the network the test cuts. */
let proxy: TcpProxy;
/** Every edge process started, in order; the last is the one running. */
const edges: NodeProcess[] = [];
let edge: NodeProcess;
/** The running edge's HTTP port (health, hello, metrics). */
let edgePort: number;
let roaster: Roaster;
const pods = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };
/** The operator started after the first one was killed. */
let successor: NodeProcess | undefined;
/** The edge of a second roaster, for the edge-interlock case. */
let sideEdge: NodeProcess | undefined;

const linkArgs = () => gatewayArgs(gatewayPort, dir);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roast-link-'));
  gatewayPort = await freePort();
  roastery = await Roastery.start({
    name: 'link',
    script: operatorMain,
    operatorArgs: ['--canary-period=30s', ...linkArgs()],
  });
  roaster = await roastery.roaster('sim-1', { model: 'Simulated', autonomy: { level: 'L3' } });
  proxy = await TcpProxy.start(`http://127.0.0.1:${gatewayPort}`);
  edge = await startEdge();
});

/** The simulated edge agent on its store directory: a restarted one finds the results its predecessor kept. */
async function startEdge(): Promise<NodeProcess> {
  edgePort = await freePort();
  const started = edgeProcess({
    // Preheated and ready for beans, in real time: the edge's rise-rate alarm reads the simulated roast as
    // a real one, so a faster clock would trip it.
    device: ['--simulate', '--sim-start=charge'],
    gatewayPort: proxy.port,
    roaster,
    store: join(dir, 'edge'),
    port: edgePort,
    pod: edgePod,
  });
  edges.push(started);
  return started;
}

afterAll(async () => {
  await Promise.all(edges.map((e) => e.stop()));
  await successor?.stop();
  await sideEdge?.stop();
  await proxy?.close();
  await roastery?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const connected = (r: Roaster) =>
  r.status?.conditions?.find((c) => c.type === 'Connected')?.status === 'True';

async function roasterWhere(
  check: (r: Roaster) => void,
  timeoutMs = 30_000,
  name = 'sim-1',
): Promise<Roaster> {
  let last: Roaster | undefined;
  await eventually(async () => {
    last = await roastery.get('roaster', name);
    check(last);
  }, timeoutMs);
  return last!;
}

/** Proposed (a level by the agent: a person's own level change needs no approval at L3), approved by bob. */
async function approved(name: string, command: Command, by: 'alice' | 'advisor' = 'alice') {
  await roastery.propose(by, name, 'sim-1', command);
  await roastery.phase(name, 'AwaitingApproval');
  await roastery.decide('bob', name);
  return roastery.phase(name, 'Succeeded');
}

/**
 * A proposal whose result may have been lost on the way ends Succeeded (its result written, or asked for)
 * or Failed — the edge's own first result (a command in progress is aborted when the link drops), or
 * Unknown when the edge never received it — and is never sent again.
 */
async function endedOnce(name: string, what: string): Promise<CommandProposal> {
  const ended = await eventually(async () => {
    const p = await roastery.get('proposal', name);
    expect(['Succeeded', 'Failed']).toContain(p.status?.phase);
  }, 60_000).then(() => roastery.get('proposal', name));
  if (ended.status?.phase === 'Failed') expect(['Failed', 'Unknown']).toContain(ended.status.result?.outcome);
  process.stderr.write(
    `link: the proposal in flight at ${what} ended ${ended.status?.phase}: ${ended.status?.result?.message}\n`,
  );
  expect(finishedRuns(ended.metadata.uid)).toBeLessThanOrEqual(1);
  return ended;
}

/** Runs of a command on the roaster, over every edge process (a restarted edge must not run it again). */
const finishedRuns = (uid: string | undefined) =>
  edges.flatMap((e) => e.matching((l) => l.msg === 'command finished' && l.uid === uid)).length;

const logTime = (line: LogLine) => Date.parse(String(line.time));
const waitingReason = (p: CommandProposal) =>
  p.status?.conditions?.find((c) => c.type === 'Reconciling')?.reason ?? 'for nothing said';
const roasterTable = async () => (await roastery.plane.kubectl(['get', 'roasters'], { namespace })).stdout;

/** What the edge-restart and cut tests leave for the store check at the end. */
const marks: { cutAt?: number; restoredAt?: number; killedAt?: number; restartedAt?: number } = {};
/** The first edge's boot, and how many of its batches it had seen acknowledged when it was killed. */
let killedBoot: { bootEpoch: string; acked: number } | undefined;

describe('the link', () => {
  it('shows the roaster Connected with its device and live levels', async () => {
    const live = await roasterWhere((r) => {
      expect(connected(r)).toBe(true);
      expect(r.status?.levels?.fan).toBeTypeOf('number');
      expect(r.status?.lastTelemetry?.time).toBeTypeOf('string');
    });
    expect(live.status).toMatchObject({ phase: 'ReadyToCharge', device: { node, pod: edgePod } });
    const table = (await roastery.plane.kubectl(['get', 'roasters'], { namespace })).stdout;
    expect(table).toMatch(/sim-1\s+.*ReadyToCharge/);
    await roastery.condition('sim-1', 'Ready', 'True');
  });

  it('carries an approved press and a level to the roaster, and records their results', async () => {
    const charge = await approved('charge', { type: 'Charge', fromState: 'ReadyToCharge' });
    expect(charge.status?.dispatch).toMatchObject({ node, pod: edgePod, time: expect.any(String) });
    expect(charge.status?.result).toMatchObject({ outcome: 'Succeeded', latencyMs: expect.any(Number) });
    await roasterWhere((r) => expect(r.status?.phase).toBe('Roasting'));

    const fan = await approved('fan-7', { type: 'SetFan', target: 7 }, 'advisor');
    expect(fan.status?.result?.outcome).toBe('Succeeded');
    await roasterWhere((r) => expect(r.status?.levels?.fan).toBe(7), 15_000);
    expect(finishedRuns(charge.metadata.uid)).toBe(1);
    expect(finishedRuns(fan.metadata.uid)).toBe(1);
  });

  it('rides out its connection cut and restored: the roaster shows Disconnected and back, nothing repeated', async () => {
    await roastery.propose('advisor', 'fan-8', 'sim-1', { type: 'SetFan', target: 8 });
    await roastery.phase('fan-8', 'AwaitingApproval');
    await roastery.decide('bob', 'fan-8');
    // Cut as soon as the command is sent: its result may be lost in the cut. New connections are taken
    // and held, as a partitioned network leaves a connect hanging.
    await roastery.phase('fan-8', ['Dispatched', 'Succeeded', 'Failed']);
    proxy.hold();
    proxy.dropAll();
    const cutAt = Date.now();
    marks.cutAt = cutAt;
    // Cut for a few seconds, and until a person sees it.
    await eventually(async () => expect(await roasterTable()).toMatch(/sim-1\s+Disconnected/), 30_000);
    const shownAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, cutAt + 4000 - Date.now())));
    marks.restoredAt = Date.now();
    proxy.release();

    const relinked = await edge.logged((l) => l.msg === 'link up' && logTime(l) > cutAt, 60_000);
    process.stderr.write(
      `link: connection cut for ${marks.restoredAt - cutAt} ms (kubectl showed Disconnected ${shownAt - cutAt} ms after the cut) → edge reconnected ${logTime(relinked) - marks.restoredAt} ms after the restore\n`,
    );
    await eventually(async () => expect(await roasterTable()).toMatch(/sim-1\s+Roasting/), 30_000);
    await roasterWhere((r) => expect(connected(r)).toBe(true));
    await endedOnce('fan-8', 'the cut');
    // The link takes commands again.
    await approved('fan-6', { type: 'SetFan', target: 6 }, 'advisor');
  });

  it('holds an approved command while the edge is cut off, and sends it once when the edge is back', async () => {
    await roastery.propose('advisor', 'fan-3', 'sim-1', { type: 'SetFan', target: 3 });
    await roastery.phase('fan-3', 'AwaitingApproval');
    proxy.hold();
    proxy.dropAll();
    // What the gateway wrote when the stream broke, not what a test wrote for it.
    await roasterWhere((r) => {
      expect(r.status?.phase).toBe('Disconnected');
      expect(connected(r)).toBe(false);
    });
    await roastery.decide('bob', 'fan-3');
    let waiting: CommandProposal | undefined;
    await eventually(async () => {
      waiting = await roastery.get('proposal', 'fan-3');
      expect(waiting.status?.phase).toBe('Approved');
      const reconciling = waiting.status?.conditions?.find((c) => c.type === 'Reconciling');
      expect(reconciling).toMatchObject({
        status: 'True',
        reason: expect.stringMatching(/^(Disconnected|LinkDown)$/),
      });
      expect(reconciling?.message).toMatch(/edge agent/);
    }, 30_000);
    expect(waiting!.status?.dispatch).toBeUndefined();
    expect(finishedRuns(waiting!.metadata.uid)).toBe(0);
    const restoredAt = Date.now();
    proxy.release();

    const sent = await roastery.phase('fan-3', 'Succeeded', 60_000);
    // Sent after the restore (the API keeps whole seconds), and run once.
    expect(Date.parse(sent.status!.dispatch!.time!)).toBeGreaterThanOrEqual(
      Math.floor(restoredAt / 1000) * 1000,
    );
    expect(sent.status?.result?.outcome).toBe('Succeeded');
    expect(finishedRuns(sent.metadata.uid)).toBe(1);
    process.stderr.write(
      `link: the approved command waited ${waitingReason(waiting!)} through the cut → Succeeded ${Date.parse(sent.status!.result!.time!) - restoredAt} ms after the restore\n`,
    );
    await roasterWhere((r) => expect(r.status?.levels?.fan).toBe(3), 15_000);
  });

  it('latches on an EmergencyStop, refuses a reset without the reset verb, and clears on an attendant’s reset', async () => {
    // A raised heater, so the stop's heater 0 is something the roaster reports changing.
    await roastery.propose('alice', 'heater-3', 'sim-1', { type: 'SetHeater', target: 3 });
    await roastery.phase('heater-3', 'Succeeded');
    await roasterWhere((r) => expect(r.status?.levels?.heater).toBe(3), 15_000);
    // A step waiting for a person when the stop lands.
    await roastery.propose('advisor', 'fan-2', 'sim-1', { type: 'SetFan', target: 2 });
    await roastery.phase('fan-2', 'AwaitingApproval');

    const stopAt = Date.now();
    const stop = await roastery.propose('advisor', 'stop', 'sim-1', { type: 'EmergencyStop' });
    await roasterWhere((r) => expect(r.status?.levels?.heater).toBe(0), 30_000);
    const heaterZeroMs = Date.now() - stopAt;
    const safe = await edge.logged((l) => l.msg === 'command finished' && l.uid === stop.metadata.uid);
    expect(safe.outcome).toBe('succeeded');
    const latched = await roastery.condition(
      'sim-1',
      'EmergencyStopLatched',
      'True',
      'EmergencyStopProposal',
    );
    const id = latched.status!.latch!.id;
    expect(id).toMatch(/^stop-/);
    expect((await roastery.phase('stop', 'Succeeded')).status?.result?.message).toContain(id);
    // The edge latched under the operator's id, so one reset clears both sides.
    await roasterWhere((r) =>
      expect(r.status?.edgeLatches).toEqual([expect.objectContaining({ id, cause: 'emergencyStop' })]),
    );
    await roastery.condition('sim-1', 'Ready', 'False', 'Latched');
    process.stderr.write(
      `link: EmergencyStop created → edge safe (a block with heater 0) ${logTime(safe) - stopAt} ms → heater 0 in the Roaster's levels ${heaterZeroMs} ms\n`,
    );

    // Nothing but a stop or a reset gets through the latch.
    expect((await roastery.phase('fan-2', 'Aborted')).status?.dispatch).toBeUndefined();
    await roastery.propose('alice', 'fan-1', 'sim-1', { type: 'SetFan', target: 1 });
    expect((await roastery.phase('fan-1', 'Blocked')).status?.governor?.rule).toBe(rules.latched);

    // Admission refuses a reset from someone without the verb: bob, once he may propose, and an agent.
    await roastery.grant('bob', 'roast-proposer');
    await eventually(() =>
      expect(
        roastery.propose('bob', 'reset-by-bob', 'sim-1', { type: 'ResetLatch', latchId: id }),
      ).rejects.toThrow(/bob may not reset on Roaster sim-1/),
    );
    await expect(
      roastery.propose('advisor', 'reset-by-agent', 'sim-1', { type: 'ResetLatch', latchId: id }),
    ).rejects.toThrow(/a ResetLatch is created by a person at the roaster/);

    const resetAt = Date.now();
    await roastery.propose('alice', 'reset', 'sim-1', { type: 'ResetLatch', latchId: id });
    const cleared = await roastery.condition('sim-1', 'EmergencyStopLatched', 'False', 'NotLatched');
    const clearedMs = Date.now() - resetAt;
    expect(cleared.status?.latch).toBeUndefined();
    const reset = await roastery.phase('reset', 'Succeeded');
    expect(reset.status?.governor).toMatchObject({ decision: 'Allow', rule: rules.resetAllowed });
    expect(reset.status?.result?.message).toContain(`latch ${id}`);
    await roasterWhere((r) => {
      expect(r.status?.edgeLatches ?? []).toEqual([]);
      expect(r.status?.conditions).toContainEqual(
        expect.objectContaining({ type: 'InterlocksClear', status: 'True' }),
      );
    });
    const edgeClearedMs = Date.now() - resetAt;
    expect(edges.flatMap((e) => e.matching((l) => l.msg === 'latch reset' && l.latchId === id))).toHaveLength(
      1,
    );
    process.stderr.write(
      `link: ResetLatch created → latch cleared on the Roaster ${clearedMs} ms → the edge's latch gone from status.edgeLatches ${edgeClearedMs} ms\n`,
    );

    // Commands go through again.
    await roastery.condition('sim-1', 'Ready', 'True');
    await approved('fan-4', { type: 'SetFan', target: 4 }, 'advisor');
    await roasterWhere((r) => expect(r.status?.levels?.fan).toBe(4), 15_000);
  });

  it('refuses a reset while the edge reports an interlock of its own, and takes it once the condition is gone', async () => {
    // A second roaster with its own edge, straight to the gateway: its interlock latch is the edge's own,
    // which no reset from the cluster clears (docs/operator.md), so it must not be sim-1's. Its preheating
    // ceiling of 60 °C trips over-temperature while the drum heats to a preheat of 140 °C (below where the
    // rise-rate alarm looks); in ReadyToCharge the default ceiling holds and the condition is gone. Forty
    // times real time, the safe state's full fan slowing the heat: a few seconds to trip, about 15 until gone.
    const sim2 = await roastery.roaster('sim-2', { model: 'Simulated', autonomy: { level: 'L3' } });
    const safety = join(dir, 'safety-sim-2.json');
    await writeFile(safety, JSON.stringify({ ceilingsC: { preheating: 60 } }));
    sideEdge = edgeProcess({
      device: [
        '--simulate',
        '--sim-start=off',
        '--preheat-c=140',
        '--time-scale=40',
        `--safety-config=${safety}`,
      ],
      gatewayPort,
      roaster: sim2,
      store: join(dir, 'edge-sim-2'),
      port: await freePort(),
      pod: 'roast-edge-sim-2',
    });
    // Streaming, and off: the governor reads the phase, which comes with the first readings.
    await roasterWhere(
      (r) => {
        expect(connected(r)).toBe(true);
        expect(r.status?.phase).toBe('Off');
      },
      30_000,
      'sim-2',
    );
    await roastery.condition('sim-2', 'InterlocksClear', 'True', 'Clear');

    await roastery.propose('alice', 'preheat-2', 'sim-2', { type: 'Preheat', fromState: 'Off' });
    await roastery.phase('preheat-2', 'AwaitingApproval');
    await roastery.decide('bob', 'preheat-2');
    await roastery.phase('preheat-2', 'Succeeded');
    const preheatedAt = Date.now();
    await roastery.propose('advisor', 'stop-2', 'sim-2', { type: 'EmergencyStop' });
    const id = (await roastery.condition('sim-2', 'EmergencyStopLatched', 'True')).status!.latch!.id;

    const tripped = await roastery.condition('sim-2', 'InterlocksClear', 'False', 'InterlockActive', 60_000);
    expect(tripped.status?.phase).toBe('Preheating');
    expect(tripped.status?.edgeLatches).toContainEqual(
      expect.objectContaining({ cause: 'overTemperature', conditionActive: true }),
    );
    await roastery.propose('alice', 'reset-2-early', 'sim-2', { type: 'ResetLatch', latchId: id });
    expect((await roastery.phase('reset-2-early', 'Blocked')).status?.governor?.rule).toBe(
      rules.resetInterlocksActive,
    );
    expect((await roastery.get('roaster', 'sim-2')).status?.latch?.id).toBe(id);

    const gone = await roastery.condition('sim-2', 'InterlocksClear', 'True', 'Clear', 90_000);
    const goneMs = Date.now() - preheatedAt;
    expect(gone.status?.edgeLatches).toContainEqual(
      expect.objectContaining({ cause: 'overTemperature', conditionActive: false }),
    );
    await roastery.propose('alice', 'reset-2', 'sim-2', { type: 'ResetLatch', latchId: id });
    const reset = await roastery.phase('reset-2', 'Succeeded');
    expect(reset.status?.governor?.rule).toBe(rules.resetAllowed);
    const cleared = await roastery.condition('sim-2', 'EmergencyStopLatched', 'False', 'NotLatched');
    expect(cleared.status?.latch).toBeUndefined();
    // The reset cleared the stop's latch on the edge too; the edge's own latch stays, its condition gone.
    await eventually(async () =>
      expect((await roastery.get('roaster', 'sim-2')).status?.edgeLatches).toEqual([
        expect.objectContaining({ cause: 'overTemperature', conditionActive: false }),
      ]),
    );
    process.stderr.write(
      `link: an edge interlock (over-temperature while preheating) held InterlocksClear False until ${goneMs} ms after the preheat; the reset refused meanwhile went through after\n`,
    );
    await sideEdge.stop();
  }, 150_000);

  it('takes back an edge killed and restarted on the same store: a new boot, nothing actuated twice', async () => {
    const started = await edge.logged((l) => l.msg === 'edge agent started');
    const metrics = await (await fetch(`http://127.0.0.1:${edgePort}/metrics`)).text();
    const acked = Number(/^roast_edge_link_batches_acked_total (\d+)/m.exec(metrics)?.[1]);
    expect(acked).toBeGreaterThan(0);
    killedBoot = { bootEpoch: String(started.bootEpoch), acked };
    await edge.kill();
    marks.killedAt = Date.now();
    await roasterWhere((r) => expect(connected(r)).toBe(false));

    marks.restartedAt = Date.now();
    edge = await startEdge();
    const relinked = await edge.logged((l) => l.msg === 'link up', 60_000);
    const reborn = await edge.logged((l) => l.msg === 'edge agent started');
    expect(reborn.bootEpoch).not.toBe(killedBoot.bootEpoch);
    process.stderr.write(
      `link: edge SIGKILLed and restarted → reconnected ${logTime(relinked) - marks.restartedAt} ms after the start\n`,
    );
    await roasterWhere((r) => expect(connected(r)).toBe(true));
    // A fresh simulated roaster, preheated and ready for beans again: charged, it roasts on. (Once in eleven
    // runs on a loaded machine the phase showed only after more than 30 s; the cause was not found.)
    await eventually(async () => expect(await roasterTable()).toMatch(/sim-1\s+ReadyToCharge/), 60_000);
    await approved('charge-again', { type: 'Charge', fromState: 'ReadyToCharge' });
    await roasterWhere((r) => expect(r.status?.phase).toBe('Roasting'));
    for (const uid of new Set(
      edges.flatMap((e) => e.matching((l) => l.msg === 'command finished')).map((l) => l.uid),
    ))
      expect(finishedRuns(uid as string)).toBe(1);
  });

  it('survives the operator being killed mid-roast: nothing stored twice, nothing actuated twice', async () => {
    // The successor labels its pod as the gateway's endpoint; the pod exists as it would in the cluster.
    const admin = new KubeClient(roastery.plane.kubeConfig(), { fieldManager: 'roast-test' });
    await admin.resource(pods).create({
      metadata: { name: operatorPod, namespace: releaseNamespace },
      spec: { containers: [{ name: 'operator', image: 'roast-operator:test' }] },
    } as KubeObject);
    await roastery.propose('advisor', 'fan-9', 'sim-1', { type: 'SetFan', target: 9 });
    await roastery.phase('fan-9', 'AwaitingApproval');
    await roastery.decide('bob', 'fan-9');
    // Killed as soon as the command is recorded: its result may be lost with the process.
    await roastery.phase('fan-9', 'Dispatched');
    const killedAt = Date.now();
    const started = await roastery.operator.logged((l) => l.msg === 'starting');
    process.kill(started.pid as number, 'SIGKILL');

    const kubeconfig = await serviceAccountKubeconfig(
      roastery.plane,
      { namespace: releaseNamespace, name: 'roast-operator' },
      dir,
    );
    const startedAt = Date.now();
    successor = new NodeProcess(
      operatorMain,
      [
        `--kubeconfig=${kubeconfig}`,
        `--watch-namespace=${namespace}`,
        '--probe-address=127.0.0.1:0',
        '--canary-period=30s',
        ...linkArgs(),
      ],
      { POD_NAMESPACE: releaseNamespace, POD_NAME: operatorPod, ...insecureDemoEnv },
    );
    const reconnected = await successor.logged((l) => l.msg === 'edge agent connected', 60_000);
    const reconnectMs = Date.parse(String(reconnected.time)) - startedAt;
    process.stderr.write(
      `link: operator restart → edge reconnected ${reconnectMs} ms after start, ${Date.parse(String(reconnected.time)) - killedAt} ms after the kill (lease takeover included)\n`,
    );

    await endedOnce('fan-9', 'the kill');
    await roasterWhere((r) => expect(connected(r)).toBe(true));
    const pod = await admin.resource(pods).get(releaseNamespace, operatorPod);
    expect(pod.metadata.labels?.['roasting.simcorp.io/link-gateway']).toBe('leader');
    await admin.close();

    // A later command goes through the successor as any other.
    await approved('fan-5', { type: 'SetFan', target: 5 }, 'advisor');
    const uids = new Set(
      edges.flatMap((e) => e.matching((l) => l.msg === 'command finished')).map((l) => l.uid),
    );
    for (const uid of uids) expect(finishedRuns(uid as string)).toBe(1);
  }, 120_000);

  it('stored every acknowledged point once, with no gap but what a killed edge never got acknowledged', async () => {
    // Stop both sides, then read the file.
    await edge.stop();
    await successor?.stop();
    const store = new SqliteTelemetryStore(join(dir, 'telemetry.db'));
    try {
      const uid = roaster.metadata.uid!;
      const points = await store.points(uid, 0, Number.MAX_SAFE_INTEGER);
      const times = points.map((p) => p.timeMs);
      expect(points.length).toBeGreaterThan(0);
      expect(new Set(times).size).toBe(times.length);
      // Every batch the killed edge saw acknowledged is stored.
      expect(await store.committedSeq(uid, killedBoot!.bootEpoch)).toBeGreaterThanOrEqual(killedBoot!.acked);
      // The edge reads the roaster at 10 Hz and resends what was not acknowledged: a lost batch (1 s) would
      // leave a gap — across the cut and the operator's restart there is none. What a boot never got
      // acknowledged dies with it: the killed edge's points end before the kill, its successor's begin
      // after the restart, and each boot's points run without a gap.
      const killed = times.filter((t) => t < marks.killedAt!);
      const reborn = times.filter((t) => t >= marks.restartedAt!);
      expect(killed.length + reborn.length).toBe(times.length);
      const gaps = (run: number[]) => run.slice(1).filter((t, i) => t - run[i]! > 1000);
      expect(gaps(killed)).toEqual([]);
      expect(gaps(reborn)).toEqual([]);
      expect(times.some((t) => t > marks.cutAt! && t < marks.restoredAt!)).toBe(true);
      process.stderr.write(
        `link: the killed edge lost its unacknowledged tail: ${marks.killedAt! - killed.at(-1)!} ms of readings before the kill\n`,
      );
    } finally {
      await store.close();
    }
  });
});
