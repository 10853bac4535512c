// The advisor end to end on a real API server: the operator (gateway and telemetry read API) and a simulated
// Bullet R1's edge agent at ten times real time, and the advisor process (advisor/src/main.ts) as the
// roastery's `advisor` service account, bound to the chart's leader-election role. A session follows a
// profile recorded from a hotter roast, so the roast runs behind it from the start. The advisor proposes with
// its rationale and evidence; bob approves and the heater reaches the roaster; bob rejects the next one and
// the advisor keeps quiet for its back-off; alice's emergency stop aborts the roast and it stops proposing.
// With --llm, a local Messages API server phrases the first rationale, fails the second, and the budget
// stops the third call.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CommandProposal,
  CommandProposal as CommandProposalSchema,
  type Roaster,
} from '@roast-operator/api';
import { eventually, freePort } from '@roast-operator/control-plane';
import { approvalPatch, bindClusterRole, NodeProcess } from '@roast-operator/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessagesServer } from '../../libs/phrasing/testing/messages-server.ts';
import { edgeProcess, gatewayArgs, operatorMain } from '../support/link.ts';
import { namespace, Roastery, userName } from '../support/roastery.ts';

const advisorMain = join(import.meta.dirname, '../../advisor/src/main.ts');
const evidenceKey = 'advisor.roasting.simcorp.io/evidence';
const backoffMs = 8000;

let roastery: Roastery;
let dir: string;
let edge: NodeProcess;
let advisor: NodeProcess;
let roaster: Roaster;
let metricsUrl: string;
let model: MessagesServer;
const modelText = 'The beans run well behind the profile: raise the heater to 6.';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roast-advisor-'));
  const gatewayPort = await freePort();
  roastery = await Roastery.start({
    name: 'advisor',
    script: operatorMain,
    operatorArgs: [
      '--canary-period=30s',
      ...gatewayArgs(gatewayPort, dir),
      '--api-port=0',
      '--api-host=127.0.0.1',
    ],
  });
  const serving = await roastery.operator.logged(
    (l) => l.msg === 'telemetry read API serving plaintext (--insecure-demo)',
    60_000,
  );
  // Git pins the drum, so the advisor steers with the heater and the fan.
  roaster = await roastery.roaster('sim-1', {
    model: 'Simulated',
    autonomy: { level: 'L3' },
    limits: { drum: { min: 1, max: 1 } },
  });
  edge = edgeProcess({
    device: ['--simulate', '--seed=11', '--time-scale=10', '--sim-start=charge'],
    gatewayPort,
    roaster,
    store: join(dir, 'edge'),
    port: await freePort(),
    pod: 'roast-edge-sim-1',
  });
  // A profile from a hotter roast: through the turn at 110 °C, first crack at 6:00.
  await roastery.api('profile').create({
    apiVersion: 'roasting.simcorp.io/v1alpha1',
    kind: 'RoastProfile',
    metadata: { name: 'hot-guji', namespace },
    spec: {
      batchGrams: 400,
      curve: { seconds: [0, 60, 240, 360, 480], beanCelsius: [200, 110, 165, 196, 212] },
      targets: {
        firstCrack: { seconds: 360, toleranceSeconds: 20, beanCelsius: 196 },
        drop: { seconds: 480, toleranceSeconds: 20, beanCelsius: 212 },
      },
    },
  } as never);
  await roastery.api('session', 'alice').create({
    apiVersion: 'roasting.simcorp.io/v1alpha1',
    kind: 'RoastSession',
    metadata: { name: 'guji', namespace },
    spec: { roasterRef: { name: 'sim-1' }, profile: { batchGrams: 400 }, profileRef: { name: 'hot-guji' } },
  } as never);
  // The advisor as the roastery's service account: the chart's role lets it lead through a Lease there.
  await bindClusterRole(
    roastery.client(),
    namespace,
    'advisor-leader-election',
    'roast-advisor-leader-election',
    {
      kind: 'ServiceAccount',
      namespace,
      name: 'advisor',
    },
  );
  const kubeconfig = join(dir, 'advisor.kubeconfig');
  await writeFile(kubeconfig, roastery.client('advisor').kubeConfig.exportConfig());
  // The language model, played by a local Messages API server: it phrases the first rationale, fails the
  // second with a 500, and the third finds the roast's budget of two calls spent.
  model = await MessagesServer.start();
  model.script({ kind: 'answer', text: modelText }, { kind: 'status', status: 500 });
  const keyFile = join(dir, 'llm-key');
  await writeFile(keyFile, 'test-key\n');
  advisor = new NodeProcess(
    advisorMain,
    [
      `--kubeconfig=${kubeconfig}`,
      `--watch-namespace=${namespace}`,
      `--read-api=http://127.0.0.1:${serving.port}`,
      `--leader-election-namespace=${namespace}`,
      '--probe-address=127.0.0.1:0',
      `--backoff=${backoffMs}ms`,
      '--evaluate-every=500ms',
      '--proposal-ttl=120s',
      '--llm',
      `--llm-key-file=${keyFile}`,
      `--llm-base-url=${model.baseURL}`,
      '--llm-budget=2',
      '--llm-timeout=5s',
    ],
    { POD_NAME: 'roast-advisor-0', LOG_LEVEL: 'debug' },
  );
  const probes = await advisor.logged((l) => l.msg === 'serving probes and metrics', 60_000);
  metricsUrl = `http://127.0.0.1:${probes.port}/metrics`;
  await advisor.logged((l) => l.msg === 'advising', 60_000);
}, 180_000);

afterAll(async () => {
  await advisor?.stop();
  await edge?.stop();
  await roastery?.stop();
  await model?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The advisor's proposals, oldest first. */
async function advisorProposals(): Promise<CommandProposal[]> {
  const list = await roastery.api('proposal').list({ namespace });
  return list.items
    .map((p) => CommandProposalSchema.parse(p))
    .filter((p) => p.spec.proposedBy === userName('advisor'))
    .sort(
      (a, b) =>
        Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? ''),
    );
}

/** Waits for the advisor's next proposal after the `seen` it had made, and for it to await approval. */
async function nextProposal(seen: number, timeoutMs = 30_000): Promise<CommandProposal> {
  let next: CommandProposal | undefined;
  await eventually(async () => {
    const all = await advisorProposals();
    expect(all.length).toBeGreaterThan(seen);
    next = all[seen];
  }, timeoutMs);
  return roastery.phase(next!.metadata.name!, 'AwaitingApproval');
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('the advisor on a live roast', () => {
  it('proposes with evidence, backs off after a rejection and stops proposing at an emergency stop', async () => {
    const started = Date.now();
    await eventually(async () => {
      const r = await roastery.get('roaster', 'sim-1');
      expect(r.status?.phase).toBe('ReadyToCharge');
      expect(r.status?.activeSession?.name).toBe('guji');
    }, 60_000);
    // alice starts gently: the roast will run behind the hotter profile.
    await roastery.propose('alice', 'heater-4', 'sim-1', { type: 'SetHeater', target: 4 });
    await roastery.phase('heater-4', 'Succeeded');
    await roastery.propose(
      'alice',
      'charge',
      'sim-1',
      { type: 'Charge', fromState: 'ReadyToCharge' },
      {
        sessionRef: { name: 'guji' },
      },
    );
    await roastery.phase('charge', 'AwaitingApproval');
    await roastery.decide('bob', 'charge');
    await roastery.phase('charge', 'Succeeded');

    // The first proposal: behind the profile, more heat; the rationale reads observation → prediction →
    // suggestion, the evidence rides along as JSON. One open proposal at a time.
    const first = await nextProposal(0);
    expect(first.spec).toMatchObject({
      roasterRef: { name: 'sim-1' },
      sessionRef: { name: 'guji' },
      command: { type: 'SetHeater' },
      proposedBy: userName('advisor'),
    });
    expect(first.spec.command.target).toBeGreaterThan(4);
    // The model phrased it; the template's observation → prediction → suggestion stands beside it.
    expect(first.spec.rationale).toMatch(/below the profile.*→.*→ heater 4→\d/);
    expect(first.spec.rationale?.startsWith(`${modelText} — evidence: BT `)).toBe(true);
    expect(model.received[0]?.body.messages?.[0]?.content).toContain('heater');
    const evidence = JSON.parse(first.metadata.annotations?.[evidenceKey] ?? '{}');
    expect(evidence.observed.btOffsetC).toBeLessThan(0);
    expect(evidence.predictions[0].change).toBe('as set');
    expect(first.status?.governor).toMatchObject({ decision: 'RequireApproval' });
    process.stderr.write(
      `advisor: first proposal ${Date.now() - started} ms after the start: ${first.spec.rationale}\n`,
    );
    await new Promise((r) => setTimeout(r, 2000));
    expect(await advisorProposals()).toHaveLength(1);

    // bob approves; the heater reaches the simulated roaster.
    await roastery.decide('bob', first.metadata.name!);
    await roastery.phase(first.metadata.name!, 'Succeeded');
    await eventually(async () => {
      expect((await roastery.get('roaster', 'sim-1')).status?.levels?.heater).toBe(first.spec.command.target);
    });

    // The next proposal; bob rejects it with a reason, which the advisor logs, and it keeps quiet.
    const second = await nextProposal(1);
    const reason = 'hold on, the beans are still wet';
    await roastery
      .api('proposal', 'bob')
      .patch(namespace, second.metadata.name!, approvalPatch('bob', 'Rejected', reason), { type: 'merge' });
    await roastery.phase(second.metadata.name!, 'Rejected');
    const backingOff = await advisor.logged((l) => l.msg === 'a person rejected a proposal; backing off');
    // The back-off starts when the advisor sees the rejection (its log line's time, in milliseconds).
    const rejectedAt = Date.parse(String(backingOff.time));
    expect(backingOff).toMatchObject({ proposal: second.metadata.name, reason, by: 'bob' });
    expect(await metric('roast_advisor_rejections_total', 'reason="given"')).toBe(1);
    const third = await nextProposal(2, backoffMs + 20_000);
    const quietMs = Date.parse(third.metadata.creationTimestamp!) - rejectedAt;
    process.stderr.write(`advisor: quiet for ${quietMs} ms after the rejection (back-off ${backoffMs} ms)\n`);
    // Creation times are truncated to whole seconds.
    expect(quietMs).toBeGreaterThan(backoffMs - 1000);
    expect(await metric('roast_advisor_held_total', 'hold="backingOff"')).toBeGreaterThan(0);

    // alice stops the roaster: the open proposal is aborted, and so is the roast (the operator ends a
    // session an emergency stop latched before the drop). Nothing more is proposed, before or after the
    // latch is reset: there is no roast left to advise.
    await roastery.propose('alice', 'stop', 'sim-1', { type: 'EmergencyStop' });
    const latched = await roastery.condition('sim-1', 'EmergencyStopLatched', 'True');
    await roastery.phase(third.metadata.name!, 'Aborted');
    await advisor.logged((l) => l.msg === 'the roast ended; no longer following it' && l.phase === 'Aborted');
    await roastery.propose('alice', 'reset', 'sim-1', {
      type: 'ResetLatch',
      latchId: latched.status!.latch!.id,
    });
    const reset = await roastery.phase('reset', ['AwaitingApproval', 'Succeeded']);
    if (reset.status?.phase === 'AwaitingApproval') await roastery.decide('bob', 'reset');
    await roastery.condition('sim-1', 'EmergencyStopLatched', 'False');
    await new Promise((r) => setTimeout(r, 3000));
    expect(await advisorProposals()).toHaveLength(3);
    expect(await metric('roast_advisor_proposals_ended_total', 'outcome="Succeeded"')).toBe(1);
    expect(await metric('roast_advisor_proposals_ended_total', 'outcome="Rejected"')).toBe(1);
    expect(await metric('roast_advisor_proposals_ended_total', 'outcome="Aborted"')).toBe(1);
    expect(
      await metric('roast_advisor_proposals_total', 'control="heater",reason="slowDevelopment"'),
    ).toBeGreaterThan(0);
    // One rationale by the model, one after its 500, one after the budget was spent (no request made).
    expect(await metric('roast_advisor_rationales_total', 'by="model"')).toBe(1);
    expect(await metric('roast_advisor_rationales_total', 'by="error"')).toBe(1);
    expect(await metric('roast_advisor_rationales_total', 'by="budget"')).toBe(1);
    expect(model.received).toHaveLength(2);
    process.stderr.write(`advisor: the whole roast took ${Date.now() - started} ms\n`);
  }, 150_000);
});
