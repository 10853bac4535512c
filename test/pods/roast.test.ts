// The product as a platform team runs it: `helm install` of the chart with the built images on a real node —
// the operator's Deployment leading through its Lease and labelling its pod for the gateway Service, the edge
// DaemonSet's pod (a simulated R1, demo mode) reaching the gateway by the Service's DNS name over TLS with its
// projected token and finding its Roaster by node and serial — and a roast through those pods: proposals, an
// approval by patch, dispatch, telemetry, a Completed RoastSession. Then the disruptions: the operator pod
// deleted mid-roast, the edge pod deleted while heating (its preStop hook makes the roaster safe), the Roaster
// unbound; and `helm uninstall` leaving nothing of the release behind. Figures are printed as JSON lines and
// recorded in docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import {
  apiVersion,
  type Command,
  CommandProposal,
  Roaster,
  RoastSession,
  roasterNames,
  roasterNamespaceLabel,
  roastSessionNames,
} from '@roast-operator/api';
import { eventually, testCluster, testNode, usePodNamespace } from '@roast-operator/control-plane';
import { KubeClient, type KubeObject } from '@roast-operator/kube';
import { commandProposals, roasters, roastSessions } from '@roast-operator/operator';
import {
  approvalPatch,
  bindClusterRole,
  chart,
  installChart,
  proposalObject,
} from '@roast-operator/test-env';
import { createCertificateAuthority } from '@roast-operator/test-env/pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productImages, productVersion } from '../../tools/images/src/images.ts';
import { installCrds } from '../support/gateway.ts';

const cluster = testCluster();
const node = testNode();
const namespace = usePodNamespace('pods');
const core = () => cluster.kubeConfig().makeApiClient(CoreV1Api);
const release = 'roast-operator';
const roasterName = 'sim-r1';
const serial = 4711;
/** The simulated roast runs this much faster; liveness (link loss, leases) keeps real time. */
const timeScale = 20;
/** Host directories of this run's hostPath volumes, removed at the end. */
const hostDir = () => `/var/lib/roast-pods-test/${namespace()}`;

let admin: KubeClient;
let alice: KubeClient;
let bob: KubeClient;

const figure = (name: string, ms: number, extra: object = {}) =>
  process.stdout.write(`${JSON.stringify({ figure: name, ms, ...extra })}\n`);

const [imageRepo, imageTag] = [(image: string) => image.split(':')[0]!, productVersion];

async function install(): Promise<void> {
  const ca = await createCertificateAuthority('roast-pods-gateway-ca');
  const cert = await ca.issue({
    commonName: 'roast-operator gateway',
    dnsNames: [`roast-operator.${namespace()}.svc`, `roast-operator.${namespace()}.svc.cluster.local`],
    usage: 'server',
  });
  await core().createNamespacedSecret({
    namespace: namespace(),
    body: {
      metadata: { name: 'gateway-tls' },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': cert.certPem, 'tls.key': cert.keyPem },
    },
  });
  await installChart(cluster, {
    release,
    namespace: namespace(),
    set: {
      'operator.image.repository': imageRepo(productImages.operator),
      'operator.image.tag': imageTag,
      'operator.image.pullPolicy': 'Never',
      'operator.gateway.enabled': true,
      'operator.gateway.tls.secretName': 'gateway-tls',
      'operator.gateway.store.type': 'hostPath',
      'operator.gateway.store.hostPath': `${hostDir()}/operator`,
      'edge.enabled': true,
      'edge.image.repository': imageRepo(productImages['edge-node']),
      'edge.image.tag': imageTag,
      'edge.image.pullPolicy': 'Never',
      'edge.storePath': `${hostDir()}/edge`,
      'edge.simulate.enabled': true,
      'edge.simulate.serial': String(serial),
      'edge.simulate.timeScale': String(timeScale),
    },
    setJson: { 'edge.gatewayCA.pem': ca.certPem },
  });
}

async function pods(selector: string): Promise<V1Pod[]> {
  return (await core().listNamespacedPod({ namespace: namespace(), labelSelector: selector })).items;
}

const isReady = (p: V1Pod) =>
  !p.metadata?.deletionTimestamp &&
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

async function readyPod(selector: string, other?: string): Promise<V1Pod> {
  let ready: V1Pod | undefined;
  await eventually(async () => {
    ready = (await pods(selector)).find((p) => isReady(p) && p.metadata?.name !== other);
    expect(ready, `a Ready pod for ${selector}`).toBeDefined();
  }, 120_000);
  return ready!;
}

async function roaster(): Promise<Roaster> {
  return Roaster.parse(await admin.resource(roasters).get(namespace(), roasterName));
}

const connected = (r: Roaster) => r.status?.conditions?.find((c) => c.type === 'Connected');

/** Until the Roaster is Connected through a stream opened after `since` (ms), with a reading. */
async function connectedSince(since: number, timeoutMs = 120_000): Promise<Roaster> {
  let current: Roaster | undefined;
  await eventually(async () => {
    current = await roaster();
    const c = connected(current);
    expect(c?.status, c?.message).toBe('True');
    // The phase comes with the first reading after the stream opens: until then the governor sees none.
    expect(current.status?.phase).not.toBe('Disconnected');
    expect(Date.parse(c!.lastTransitionTime)).toBeGreaterThanOrEqual(Math.floor(since / 1000) * 1000);
  }, timeoutMs);
  return current!;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  let value: T | undefined;
  await eventually(async () => {
    value = await probe();
    expect(value, what).toBeDefined();
  }, timeoutMs);
  return value!;
}

/** alice proposes; at L2 the governor asks a person, and bob approves by patch; resolves with the outcome. */
async function command(name: string, cmd: Command, session?: string): Promise<CommandProposal> {
  await alice.resource(commandProposals).create(proposalObjectIn(name, cmd, session));
  const governed = await until(`${name} governed`, 60_000, async () => {
    const p = CommandProposal.parse(await admin.resource(commandProposals).get(namespace(), name));
    return p.status?.governor ? p : undefined;
  });
  if (governed.status?.governor?.decision === 'RequireApproval') {
    await bob
      .resource(commandProposals)
      .patch(namespace(), name, approvalPatch('bob', 'Approved', 'right for this batch'), { type: 'merge' });
  }
  return until(`${name} ended`, 120_000, async () => {
    const p = CommandProposal.parse(await admin.resource(commandProposals).get(namespace(), name));
    const phase = p.status?.phase ?? '';
    return ['Succeeded', 'Failed', 'Blocked', 'Rejected', 'Expired', 'Aborted'].includes(phase)
      ? p
      : undefined;
  });
}

/** A command that must succeed; the governor's and the result's words say why when it did not. */
async function succeeded(name: string, cmd: Command, session?: string): Promise<void> {
  const p = await command(name, cmd, session);
  const { governor, result } = p.status ?? {};
  expect(p.status?.phase, `${name}: ${JSON.stringify({ governor, result })}`).toBe('Succeeded');
}

function proposalObjectIn(name: string, cmd: Command, session: string | undefined): KubeObject {
  const extra = session === undefined ? {} : { sessionRef: { name: session } };
  const object = proposalObject('alice', name, roasterName, cmd, extra);
  return { ...object, metadata: { ...object.metadata, namespace: namespace() } } as KubeObject;
}

async function phase(want: string, timeoutMs: number): Promise<void> {
  await until(`the roaster ${want}`, timeoutMs, async () =>
    (await roaster()).status?.phase === want ? true : undefined,
  );
}

beforeAll(async () => {
  admin = new KubeClient(cluster.kubeConfig(), { fieldManager: 'roast-test' });
  alice = new KubeClient(cluster.kubeConfig('alice'), { fieldManager: 'kubectl' });
  bob = new KubeClient(cluster.kubeConfig('bob'), { fieldManager: 'kubectl' });
  // The administrator's part: the node carries a simulated roaster, whose Roasters live in this namespace.
  await cluster.kubectl([
    'label',
    'node',
    node.nodeName,
    '--overwrite',
    'roasting.simcorp.io/roaster-model=Simulated',
    `${roasterNamespaceLabel}=${namespace()}`,
  ]);
}, 60_000);

afterAll(async () => {
  await cluster.helm(['uninstall', release, '--wait', '--timeout=90s'], {
    namespace: namespace(),
    check: false,
  });
  await cluster.kubectl(
    ['label', 'node', node.nodeName, 'roasting.simcorp.io/roaster-model-', `${roasterNamespaceLabel}-`],
    { check: false },
  );
  await Promise.all([admin?.close(), alice?.close(), bob?.close()]);
  await rm(hostDir(), { recursive: true, force: true });
}, 120_000);

describe('the chart on a real node', () => {
  let installStarted = 0;
  let operatorPod: V1Pod;

  it('installs: the operator pod Ready through its probes, leading, labelled for the gateway Service', async () => {
    for (const [role, verbs] of [
      ['roast-proposer', 'alice'],
      ['roast-approver', 'bob'],
    ] as const) {
      await bindClusterRole(admin, namespace(), `${verbs}-${role}`, role, { kind: 'User', name: verbs });
    }
    // Git's Roaster, before the edge says hello (a refused edge backs off for up to 30 s): the chart's CRDs
    // first, as Helm would install them.
    await installCrds(cluster);
    await admin.resource(roasters).create({
      apiVersion,
      kind: roasterNames.kind,
      metadata: { name: roasterName, namespace: namespace() },
      spec: {
        model: 'Simulated',
        binding: { nodeName: node.nodeName, serial: String(serial) },
        // Assisted: every human proposal waits for another person's approval.
        autonomy: { level: 'L2' },
        approvalPolicy: { selfApprovalAllowed: false },
      },
    } as KubeObject);
    installStarted = Date.now();
    await install();
    operatorPod = await readyPod('app.kubernetes.io/component=operator');
    figure('helm install → operator Ready', Date.now() - installStarted);
    await eventually(async () => {
      const [leader] = await pods('roasting.simcorp.io/link-gateway=leader');
      expect(leader?.metadata?.name).toBe(operatorPod.metadata?.name);
      const endpoints = await cluster.kubectl(
        [
          'get',
          'endpointslices',
          '-l',
          'kubernetes.io/service-name=roast-operator',
          '-o',
          'jsonpath={..addresses}',
        ],
        { namespace: namespace() },
      );
      expect(endpoints.stdout).toContain(operatorPod.status!.podIP!);
    }, 60_000);
  }, 240_000);

  it('connects the edge pod over TLS with its projected token, to the Roaster bound to its node and serial', async () => {
    const edge = await readyPod('app.kubernetes.io/component=edge');
    expect(edge.spec?.containers[0]?.env?.find((e) => e.name === 'EDGE_GATEWAY')?.value).toBe(
      `roast-operator.${namespace()}.svc:7443`,
    );
    const r = await connectedSince(installStarted);
    expect(r.status?.device).toMatchObject({
      serial: String(serial),
      node: node.nodeName,
      pod: edge.metadata?.name,
    });
    figure('helm install → first roast ready', Date.now() - installStarted);
  }, 180_000);

  it('roasts through the pods, and the operator pod deleted mid-roast hands over to its replacement', async () => {
    await alice.resource(roastSessions).create({
      apiVersion,
      kind: roastSessionNames.kind,
      metadata: { name: 'guji-1', namespace: namespace() },
      spec: {
        roasterRef: { name: roasterName },
        profile: { coffee: 'Ethiopia Guji, washed', batchGrams: 400 },
      },
    } as KubeObject);
    await succeeded('preheat', { type: 'Preheat', fromState: 'Off' }, 'guji-1');
    await phase('ReadyToCharge', 180_000);
    await succeeded('charge', { type: 'Charge', fromState: 'ReadyToCharge' }, 'guji-1');
    await phase('Roasting', 60_000);

    const killed = Date.now();
    await core().deleteNamespacedPod({ namespace: namespace(), name: operatorPod.metadata!.name! });
    const successor = await readyPod('app.kubernetes.io/component=operator', operatorPod.metadata!.name);
    await eventually(async () => {
      const [leader] = await pods('roasting.simcorp.io/link-gateway=leader');
      expect(leader?.metadata?.name).toBe(successor.metadata?.name);
    }, 120_000);
    await connectedSince(killed);
    figure('operator pod kill → edge reconnected', Date.now() - killed);

    await succeeded('heater-5', { type: 'SetHeater', target: 5 }, 'guji-1');
    // Six roast minutes, then the drop.
    await new Promise((resolve) => setTimeout(resolve, (360 / timeScale) * 1000));
    await succeeded('drop', { type: 'Drop', fromState: 'Roasting' }, 'guji-1');
    await phase('Cooling', 60_000);
    await new Promise((resolve) => setTimeout(resolve, (180 / timeScale) * 1000));
    await succeeded('cool', { type: 'Cool', fromState: 'Cooling' }, 'guji-1');
    const session = await until('the session to complete', 180_000, async () => {
      const s = RoastSession.parse(await admin.resource(roastSessions).get(namespace(), 'guji-1'));
      return s.status?.phase === 'Completed' ? s : undefined;
    });
    expect(session.status?.events?.charge).toBeDefined();
    expect(session.status?.events?.drop).toBeDefined();

    // Nothing was actuated twice: every command was dispatched once and answered once, across the handover.
    const list = await admin.resource(commandProposals).list({ namespace: namespace() });
    for (const p of list.items.map((i) => CommandProposal.parse(i))) {
      expect(p.status?.phase, p.metadata.name).toBe('Succeeded');
      expect(p.status?.result?.message ?? '', p.metadata.name).not.toMatch(/already done/i);
    }
  }, 600_000);

  it('makes the roaster safe through the preStop hook when the edge pod is deleted mid-roast', async () => {
    // After cooling the roaster runs its fan in Shutdown for two roast minutes, then is Off.
    await phase('Off', 60_000);
    await succeeded('preheat-2', { type: 'Preheat', fromState: 'Off' });
    await phase('ReadyToCharge', 180_000);
    await succeeded('charge-2', { type: 'Charge', fromState: 'ReadyToCharge' });
    await phase('Roasting', 60_000);
    await succeeded('heater-7', { type: 'SetHeater', target: 7 });
    const edge = await readyPod('app.kubernetes.io/component=edge');
    const logs = followLogs(edge.metadata!.name!);
    const deleted = Date.now();
    await core().deleteNamespacedPod({ namespace: namespace(), name: edge.metadata!.name! });
    const latched = await until('the edge to latch its preStop', 60_000, async () =>
      logs.lines.find((l) => l.includes('pre-stop')),
    );
    const stopping = await until('the edge to stop', 60_000, async () =>
      logs.lines.find((l) => l.includes('"msg":"stopping"')),
    );
    figure('edge pod delete → heater 0 (preStop)', Date.parse(JSON.parse(stopping).time) - deleted);
    logs.stop();
    // The hook took the roaster to heater 0 before the signal: by the signal nothing was heating any more.
    expect(JSON.parse(stopping), `${latched}\n${stopping}`).toMatchObject({ safe: true });
    // The hook's latch went to the gateway before the stream closed, and the replacement reports it again
    // from the store on the node.
    const replacement = await readyPod('app.kubernetes.io/component=edge', edge.metadata?.name);
    const r = await connectedSince(deleted);
    expect(r.status?.device?.pod).toBe(replacement.metadata?.name);
    expect(r.status?.edgeLatches?.map((l) => l.cause)).toContain('preStop');
  }, 300_000);

  it('refuses the edge with the reason on the Roaster once it is unbound from the node', async () => {
    await admin
      .resource(roasters)
      .patch(namespace(), roasterName, { spec: { binding: { serial: '999' } } }, { type: 'merge' });
    // The replacement's stream is re-reviewed and reconnects; a new hello finds no Roaster for its device.
    const edge = await readyPod('app.kubernetes.io/component=edge');
    await core().deleteNamespacedPod({ namespace: namespace(), name: edge.metadata!.name! });
    await eventually(async () => {
      const events = await cluster.kubectl(
        ['get', 'events.events.k8s.io', '--field-selector', 'reason=NoRoaster', '-o', 'jsonpath={..note}'],
        { namespace: 'default' },
      );
      expect(events.stdout).toContain(`is bound to node ${node.nodeName} device ${serial}`);
    }, 120_000);
  }, 180_000);

  it('uninstalls leaving no pod, Service, policy or binding of the release', async () => {
    await cluster.helm(['uninstall', release, '--wait', '--timeout=90s'], { namespace: namespace() });
    await eventually(async () => {
      expect(await pods('app.kubernetes.io/instance=roast-operator')).toEqual([]);
      const left = await cluster.kubectl([
        'get',
        'services,daemonsets,deployments,configmaps,validatingadmissionpolicies,validatingadmissionpolicybindings,clusterroles,clusterrolebindings',
        '-A',
        '-l',
        `app.kubernetes.io/instance=${release}`,
        '-o',
        'name',
      ]);
      expect(left.stdout.trim()).toBe('');
    }, 90_000);
    // The CRDs stay, as Helm leaves them.
    const crds = await cluster.kubectl(['get', 'crd', '-o', 'name']);
    expect(crds.stdout).toContain('roasters.roasting.simcorp.io');
  }, 150_000);
});

describe('upgrading from the previous chart version', () => {
  const previous = join(import.meta.dirname, '../chart/testing/roast-operator-0.1.0.tgz');

  it('upgrades a release of 0.1.0 to this chart and rolls it back', async () => {
    const at = { namespace: namespace() };
    // The CRDs are this version's already (Helm never changes installed CRDs).
    await cluster.helm(['install', release, previous, '--skip-crds', '--set=operator.enabled=false'], at);
    await cluster.helm(['upgrade', release, chart, '--set=operator.enabled=false'], at);
    const upgraded = await cluster.helm(['list', '-o', 'json'], at);
    expect(JSON.parse(upgraded.stdout)).toMatchObject([{ chart: 'roast-operator-0.2.0', revision: '2' }]);
    await cluster.helm(['rollback', release, '1', '--wait', '--timeout=60s'], at);
    const rolledBack = await cluster.helm(['list', '-o', 'json'], at);
    expect(JSON.parse(rolledBack.stdout)).toMatchObject([
      { chart: 'roast-operator-0.1.0', revision: '3', status: 'deployed' },
    ]);
    await cluster.helm(['uninstall', release, '--wait', '--timeout=60s'], at);
  }, 120_000);
});

/** `kubectl logs -f` of a pod, kept as lines until stopped. */
function followLogs(pod: string): { lines: string[]; stop: () => void } {
  const lines: string[] = [];
  const child = spawn(cluster.info.binaries.kubectl, ['logs', '-f', pod, '-n', namespace()], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath() },
  });
  let rest = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = rest + chunk.toString();
    const parts = text.split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
  });
  return { lines, stop: () => child.kill() };
}
