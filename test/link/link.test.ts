// The link end to end: the operator (main.ts with its gateway) and a simulated edge agent as separate
// processes on a private control plane with the chart installed. The roaster shows Connected with live
// levels; an approved proposal reaches the roaster and shows in its telemetry; the operator is killed
// mid-roast and restarted, and nothing is stored twice or actuated twice.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, Roaster } from '@roast-operator/api';
import { eventually } from '@roast-operator/control-plane';
import { KubeClient, type KubeObject } from '@roast-operator/kube';
import { SqliteTelemetryStore } from '@roast-operator/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceAccountKubeconfig } from '../support/chart.ts';
import { NodeProcess } from '../support/node-process.ts';
import { namespace, operatorPod, Roastery, releaseNamespace } from '../support/roastery.ts';

const root = join(import.meta.dirname, '../..');
const operatorMain = join(root, 'controllers/src/main.ts');
const edgeMain = join(root, 'edge-node/src/main.ts');
const node = 'roast-node-1';
const edgePod = 'roast-edge-sim-1';

let roastery: Roastery;
let dir: string;
let gatewayPort: number;
let edge: NodeProcess;
let roaster: Roaster;
const pods = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };
/** The operator started after the first one was killed. */
let successor: NodeProcess | undefined;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const linkArgs = () => [
  `--gateway-port=${gatewayPort}`,
  '--gateway-host=127.0.0.1',
  '--insecure-demo',
  `--store-path=${join(dir, 'telemetry.db')}`,
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roast-link-'));
  gatewayPort = await freePort();
  roastery = await Roastery.start({
    name: 'link',
    script: operatorMain,
    operatorArgs: ['--canary-period=30s', ...linkArgs()],
  });
  roaster = await roastery.roaster('sim-1', { model: 'Simulated', autonomy: { level: 'L3' } });
  edge = new NodeProcess(
    edgeMain,
    [
      '--simulate',
      `--gateway=127.0.0.1:${gatewayPort}`,
      '--insecure-demo',
      `--roaster=${namespace}/sim-1`,
      `--roaster-uid=${roaster.metadata.uid}`,
      `--store=${join(dir, 'edge')}`,
      `--port=${await freePort()}`,
      // Preheated and ready for beans, in real time: the edge's rise-rate alarm reads the simulated roast as
      // a real one, so a faster clock would trip it.
      '--sim-start=charge',
    ],
    { NODE_NAME: node, POD_NAME: edgePod },
  );
});

afterAll(async () => {
  await edge?.stop();
  await successor?.stop();
  await roastery?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const connected = (r: Roaster) =>
  r.status?.conditions?.find((c) => c.type === 'Connected')?.status === 'True';

async function roasterWhere(check: (r: Roaster) => void, timeoutMs = 30_000): Promise<Roaster> {
  let last: Roaster | undefined;
  await eventually(async () => {
    last = await roastery.get('roaster', 'sim-1');
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

const finishedRuns = (uid: string | undefined) =>
  edge.matching((l) => l.msg === 'command finished' && l.uid === uid).length;

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
    const sent = await roastery.phase('fan-9', 'Dispatched');
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
      { POD_NAMESPACE: releaseNamespace, POD_NAME: operatorPod },
    );
    const reconnected = await successor.logged((l) => l.msg === 'edge agent connected', 60_000);
    const reconnectMs = Date.parse(String(reconnected.time)) - startedAt;
    process.stderr.write(
      `link: operator restart → edge reconnected ${reconnectMs} ms after start, ${Date.parse(String(reconnected.time)) - killedAt} ms after the kill (lease takeover included)\n`,
    );

    // Ends Succeeded (its result written, or asked for) or Failed/Unknown — never sent again.
    const ended = await eventually(async () => {
      const p = await roastery.get('proposal', 'fan-9');
      expect(['Succeeded', 'Failed']).toContain(p.status?.phase);
    }, 60_000).then(() => roastery.get('proposal', 'fan-9'));
    // Failed: the edge's own first result (a command in progress is aborted when the link drops), or
    // Unknown when the edge never received it.
    if (ended.status?.phase === 'Failed')
      expect(['Failed', 'Unknown']).toContain(ended.status.result?.outcome);
    process.stderr.write(
      `link: the proposal in flight at the kill ended ${ended.status?.phase}: ${ended.status?.result?.message}\n`,
    );
    expect(finishedRuns(sent.metadata.uid)).toBeLessThanOrEqual(1);
    await roasterWhere((r) => expect(connected(r)).toBe(true));
    const pod = await admin.resource(pods).get(releaseNamespace, operatorPod);
    expect(pod.metadata.labels?.['roasting.simcorp.io/link-gateway']).toBe('leader');
    await admin.close();

    // A later command goes through the successor as any other.
    await approved('fan-5', { type: 'SetFan', target: 5 }, 'advisor');
    const uids = new Set(edge.matching((l) => l.msg === 'command finished').map((l) => l.uid));
    for (const uid of uids) expect(finishedRuns(uid as string)).toBe(1);

    // The store holds each point once: stop both sides, then read the file.
    await edge.stop();
    await successor.stop();
    const store = new SqliteTelemetryStore(join(dir, 'telemetry.db'));
    try {
      const points = await store.points(roaster.metadata.uid!, 0, Number.MAX_SAFE_INTEGER);
      const times = points.map((p) => p.timeMs);
      expect(points.length).toBeGreaterThan(0);
      expect(new Set(times).size).toBe(times.length);
    } finally {
      await store.close();
    }
  }, 120_000);
});
