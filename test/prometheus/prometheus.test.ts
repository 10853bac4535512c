// The metrics, rules and dashboards proven on a real Prometheus (built from its Go module): the operator
// (main.ts, with its gateway) and a simulated edge agent run as separate processes on a private control
// plane with the chart installed, the edge reaching the gateway through a TCP proxy the test can cut.
// Prometheus scrapes both every second, as the chart's PodMonitors label them, and evaluates the shipped
// rules every second (their `for:` shortened to seconds, nothing else changed). One roast goes through
// people's and the advisor's proposals — approved, rejected, left to expire — loses its link while roasting,
// is dropped and completes, and is then stopped and latched. The alerts those situations must raise are
// seen firing through /api/v1/alerts; at the end every recording rule and every dashboard panel's query is
// asked of /api/v1/query and must return data.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiVersion, type Command, type Roaster, RoastSession, roastSessionNames } from '@roast-operator/api';
import { eventually, freePort } from '@roast-operator/control-plane';
import type { KubeObject } from '@roast-operator/kube';
import { markPatch, type NodeProcess } from '@roast-operator/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../../libs/kube/testing/tcp-proxy.ts';
import { roastingPhases } from '../../operator/src/metrics/labels.ts';
import { dashboards } from '../../tools/dashboards/src/index.ts';
import { asSent, panelQueries } from '../../tools/dashboards/testing/queries.ts';
import { readRules } from '../../tools/prometheus/rules.ts';
import { PrometheusServer } from '../../tools/prometheus/testing/server.ts';
import { edgeProcess, gatewayArgs, edgeNode as node, operatorMain } from '../support/link.ts';
import { namespace, operatorPod, Roastery, releaseNamespace } from '../support/roastery.ts';

const roasterName = 'sim-1';
const edgePod = 'roast-edge-sim-1';
const sessionName = 'batch-1';
/** The profile implies first crack at 600 × (1 − 0.2) = 480 s. */
const profile = { totalSeconds: 600, developmentRatioPercent: 20, batchGrams: 400 };
/** Where the simulated R1 cracks (roast-physics: the Bullet R1 IBTS median). */
const firstCrackC = 186;

let roastery: Roastery;
let dir: string;
let proxy: TcpProxy;
let edge: NodeProcess;
let roaster: Roaster;
let prometheus: PrometheusServer;
/** The telemetry read API's port. */
let apiPort: number;
/** Alerts seen firing, by name, with their labels. */
const fired = new Map<string, Record<string, string>[]>();

/** The shipped rules with every `for:` cut to two evaluations, so a situation raises its alert in seconds. */
function quickRules() {
  const rules = readRules();
  for (const group of rules.groups)
    for (const rule of group.rules) if ('alert' in rule && rule.for !== undefined) rule.for = '2s';
  return rules;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roast-prometheus-'));
  const gatewayPort = await freePort();
  apiPort = await freePort();
  roastery = await Roastery.start({
    name: 'prometheus',
    script: operatorMain,
    operatorArgs: [
      '--canary-period=30s',
      ...gatewayArgs(gatewayPort, dir),
      `--api-port=${apiPort}`,
      '--api-host=127.0.0.1',
    ],
  });
  const probes = await roastery.operator.logged((l) => l.msg === 'serving probes and metrics');
  roaster = await roastery.roaster(roasterName, { model: 'Simulated', autonomy: { level: 'L3' } });
  proxy = await TcpProxy.start(`http://127.0.0.1:${gatewayPort}`);
  const edgePort = await freePort();
  edge = edgeProcess({
    // Preheated and ready for beans, its physics 10 times faster; a buffer of two batches, so a lost link
    // drops telemetry within seconds.
    device: ['--simulate', '--sim-start=charge', '--time-scale=10', '--telemetry-buffer=2'],
    gatewayPort: proxy.port,
    roaster,
    store: join(dir, 'edge'),
    port: edgePort,
    pod: edgePod,
  });
  prometheus = await PrometheusServer.start(dir, quickRules(), [
    {
      job: 'roast-operator',
      port: probes.port as number,
      labels: { namespace: releaseNamespace, pod: operatorPod },
    },
    { job: 'roast-edge', port: edgePort, labels: { namespace: releaseNamespace, pod: edgePod, node } },
  ]);
}, 300_000);

afterAll(async () => {
  await prometheus?.stop();
  await edge?.stop();
  await proxy?.close();
  await roastery?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Waits until `alert` fires with `labels` among its own; remembers it. */
async function firing(alert: string, labels: Record<string, string>, timeoutMs = 60_000): Promise<void> {
  await eventually(async () => {
    const alerts = await prometheus.alerts();
    for (const a of alerts.filter((a) => a.state === 'firing'))
      fired.set(a.labels.alertname!, [...(fired.get(a.labels.alertname!) ?? []), a.labels]);
    const match = alerts.find(
      (a) =>
        a.labels.alertname === alert &&
        a.state === 'firing' &&
        Object.entries(labels).every(([k, v]) => a.labels[k] === v),
    );
    expect(match, `${alert} firing with ${JSON.stringify(labels)}`).toBeDefined();
    expect(match!.annotations.summary).toBeTruthy();
    expect(match!.annotations.description).toBeTruthy();
  }, timeoutMs);
}

const ofRoaster = { roaster_namespace: namespace, roaster: roasterName };

async function roasterWhere(check: (r: Roaster) => boolean, what: string, timeoutMs = 60_000) {
  await eventually(async () => {
    expect(check(await roastery.get('roaster', roasterName)), what).toBe(true);
  }, timeoutMs);
}

const connected = (r: Roaster) =>
  r.status?.conditions?.find((c) => c.type === 'Connected')?.status === 'True';

async function session(): Promise<RoastSession> {
  return RoastSession.parse(await roastery.api('session').get(namespace, sessionName));
}

async function sessionWhere(check: (s: RoastSession) => boolean, what: string, timeoutMs = 60_000) {
  await eventually(async () => {
    expect(check(await session()), what).toBe(true);
  }, timeoutMs);
}

/** alice's command, and bob's approval when the governor asks for one (at L3, for the PRS presses). */
async function commanded(name: string, command: Command): Promise<void> {
  await roastery.propose('alice', name, roasterName, command);
  const governed = await roastery.phase(name, ['AwaitingApproval', 'Dispatched', 'Succeeded']);
  if (governed.status?.phase === 'AwaitingApproval') await roastery.decide('bob', name);
  await roastery.phase(name, 'Succeeded');
}

describe('Roast Operator on a real Prometheus', () => {
  it('scrapes the operator and the edge agent', async () => {
    await eventually(async () => {
      const targets = await prometheus.targets();
      expect(targets.map((t) => [t.labels.job, t.health, t.lastError])).toEqual(
        expect.arrayContaining([
          ['roast-operator', 'up', ''],
          ['roast-edge', 'up', ''],
        ]),
      );
    }, 30_000);
    await roasterWhere(connected, 'the roaster connects');
  });

  it('charges the roaster through a person’s proposals, direct and approved', {
    timeout: 120_000,
  }, async () => {
    await roastery.api('session', 'alice').create({
      apiVersion,
      kind: roastSessionNames.kind,
      metadata: { name: sessionName, namespace },
      spec: { roasterRef: { name: roasterName }, profile },
    } as KubeObject);
    await roasterWhere((r) => r.status?.phase === 'ReadyToCharge', 'ready to charge');
    await commanded('heater-7', { type: 'SetHeater', target: 7 });
    await commanded('charge', { type: 'Charge', fromState: 'ReadyToCharge' });
    await sessionWhere((s) => roastingPhases.has(s.status?.phase ?? 'Pending'), 'beans in the drum');
  });

  it('serves the read API: a request without a token, and the advisor’s with one', async () => {
    const url = `http://127.0.0.1:${apiPort}/apis/roasting.simcorp.io/v1alpha1/namespaces/${namespace}/roastsessions/${sessionName}`;
    expect((await fetch(url)).status).toBe(401);
    const token = roastery.client('advisor').kubeConfig.getCurrentUser()?.token;
    const answered = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    // Whatever the advisor may read, the API answers after reviewing its token.
    expect(answered.status).toBeLessThan(500);
  });

  it('raises the alerts of a roaster that loses its link while roasting, and telemetry lost', {
    timeout: 120_000,
  }, async () => {
    proxy.hold();
    proxy.dropAll();
    try {
      await firing('RoastRoasterDisconnectedWhileRoasting', ofRoaster);
      await firing('RoastRoasterDisconnected', { node, pod: edgePod });
      await firing('RoastTelemetryDropped', { node, pod: edgePod });
    } finally {
      proxy.release();
    }
    await roasterWhere(connected, 'the roaster reconnects');
  });

  it('counts the advisor’s proposals: approved, rejected, expired undecided', {
    timeout: 120_000,
  }, async () => {
    await roastery.propose('advisor', 'advisor-heater-5', roasterName, { type: 'SetHeater', target: 5 });
    await roastery.phase('advisor-heater-5', 'AwaitingApproval');
    await roastery.decide('bob', 'advisor-heater-5');
    await roastery.phase('advisor-heater-5', 'Succeeded');
    await roastery.propose('advisor', 'advisor-fan-6', roasterName, { type: 'SetFan', target: 6 });
    await roastery.phase('advisor-fan-6', 'AwaitingApproval');
    await roastery.decide('bob', 'advisor-fan-6', 'Rejected');
    await roastery.phase('advisor-fan-6', 'Rejected');
    // Nobody answers this one within its 5 s.
    await roastery.propose(
      'advisor',
      'advisor-heater-4',
      roasterName,
      { type: 'SetHeater', target: 4 },
      { ttlSeconds: 5 },
    );
    await roastery.phase('advisor-heater-4', 'Expired');
    await firing('RoastApprovalsExpired', { origin: 'agent', namespace: releaseNamespace });
  });

  it('records the figures of the completed roast', { timeout: 300_000 }, async () => {
    // alice marks first crack when she hears it, unless the operator found it in the curve first.
    await eventually(async () => {
      const found = (await session()).status?.events?.firstCrack !== undefined;
      const bean = (await roastery.get('roaster', roasterName)).status?.lastTelemetry?.beanTemperatureCelsius;
      expect(found || (bean ?? 0) >= firstCrackC, 'first crack').toBe(true);
    }, 180_000);
    const planned = await session();
    if (planned.status?.events?.firstCrack === undefined)
      await roastery
        .api('session', 'alice')
        .patch(
          namespace,
          sessionName,
          markPatch('alice', 'firstCrack', planned.spec.marks?.length ?? 0, 'rolling first crack'),
          { type: 'json' },
        );
    await sessionWhere(
      (s) => (s.status?.metrics?.developmentRatioPercent ?? 0) >= 15,
      'a development ratio of 15 %',
      120_000,
    );
    await commanded('drop', { type: 'Drop', fromState: 'Roasting' });
    await roasterWhere((r) => r.status?.phase === 'Cooling', 'cooling');
    await commanded('cool', { type: 'Cool', fromState: 'Cooling' });
    await sessionWhere((s) => s.status?.phase === 'Completed', 'the session completes', 120_000);
    await eventually(async () => {
      const [roasts] = await prometheus.query('sum(roast_session_roast_seconds_count)');
      expect(roasts?.value[1]).toBe('1');
    }, 30_000);
  });

  it('raises the latch and interlock alerts of an emergency stop, naming the roaster', {
    timeout: 120_000,
  }, async () => {
    await roastery.propose('alice', 'stop', roasterName, { type: 'EmergencyStop' });
    await roastery.phase('stop', 'Succeeded');
    await firing('RoastRoasterLatched', { ...ofRoaster, cause: 'EmergencyStopProposal' });
    await firing('RoastEdgeInterlock', { ...ofRoaster, interlock: 'emergencyStop' });
    await firing('RoastLatchHeld', { node, pod: edgePod });
  });

  it('has data for every recording rule and every dashboard panel query', async () => {
    const rules = readRules().groups.flatMap((group) => group.rules);
    const recorded = [...new Set(rules.flatMap((rule) => ('record' in rule ? [rule.record] : [])))];
    const queries = [
      ...recorded.map((record) => ({ where: `rule ${record}`, expr: record })),
      ...panelQueries(dashboards().values()).map(({ where, expr }) => ({
        where,
        expr: asSent(expr, { rateInterval: '1m', node, roaster: roasterName }),
      })),
    ];
    // Panels that show nothing in a healthy run, and why.
    const legitimatelyEmpty: Record<string, string> = {
      'roast-governance / Edges refused by the gateway': 'the gateway refuses no edge agent here',
    };
    const empty: string[] = [];
    for (const { where, expr } of queries)
      if ((await prometheus.query(expr)).length === 0 && !(where in legitimatelyEmpty))
        empty.push(`${where}: ${expr}`);
    expect(empty).toEqual([]);
  });

  it('saw every alert the scenario raises fire; the others are quiet for a stated reason', async () => {
    const quiet: Record<string, string> = {
      RoastOperatorDown: 'the operator is up',
      RoastOperatorNoLeader: 'the operator leads',
      RoastEdgeDown: 'the edge agent is up',
      RoastEdgeRefusedCommands: 'the edge refused no command',
      RoastEdgeStreamsRefused: 'the gateway refused no stream',
      RoastCommandsFailing: 'the commands succeeded',
      RoastReconcileErrors: 'the controllers rarely fail',
      RoastReconcileStuck: 'no reconcile runs for minutes',
      RoastCircuitBreakerOpen: 'no command failed',
      RoastAdmissionGuardFailing: 'the chart’s admission policies are in place',
    };
    const alerts = readRules()
      .groups.flatMap((group) => group.rules)
      .flatMap((rule) => ('alert' in rule ? [rule.alert] : []));
    expect(alerts.filter((a) => !fired.has(a) && !(a in quiet))).toEqual([]);
    // The quiet ones' expressions run on the real series.
    for (const rule of readRules().groups.flatMap((group) => group.rules))
      if ('alert' in rule && rule.alert in quiet) await prometheus.query(rule.expr);
  });
});
