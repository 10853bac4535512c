// Link security against the real API server: the gateway serves TLS and admits a stream only with a
// pod-bound token of the edge service account, for its audience, from the node and device the Roaster is
// bound to; an edge that names no Roaster gets the one bound to its node and device in the namespace its
// Node's label names. Nodes and Pods are objects only (no kubelet): tokens come from TokenRequest bound to
// a Pod.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChannelCredentials, credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  apiVersion,
  group,
  type Roaster,
  roasterNames,
  roasterNamespaceLabel,
  version,
} from '@roast-operator/api';
import { eventually, freePort, testCluster, useTestNamespace } from '@roast-operator/control-plane';
import { events as eventsKind, KubeClient, type KubeObject } from '@roast-operator/kube';
import { createLogger } from '@roast-operator/log';
import { type ConnectRequest, type ConnectResponse, LinkServiceClient } from '@roast-operator/proto';
import { NodeProcess } from '@roast-operator/test-env';
import { type CertificateAuthority, createCertificateAuthority } from '@roast-operator/test-env/pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkGateway } from '../../operator/src/link/gateway.ts';
import { GatewayUnderTest, installCrds } from '../support/gateway.ts';

const cluster = testCluster();
const namespace = useTestNamespace('link-security');
const roasterApi = { group, version, plural: roasterNames.plural, kind: roasterNames.kind, namespaced: true };
const audience = 'roast-link-test';
const reviewPeriodMs = 2000;
const tlsRefreshMs = 300;

let dir: string;
let ca: CertificateAuthority;
let served: GatewayUnderTest;
let gateway: LinkGateway;
let admin: KubeClient;
let core: CoreV1Api;
const roasters: Record<string, Roaster> = {};
const pods: Record<string, { uid: string; node: string }> = {};
const clients: LinkServiceClient[] = [];
/** Node names are cluster-wide: each run gets its own. */
type NodeId = 'a' | 'b' | 'c' | 'd';
const node = (n: NodeId) => `${namespace()}-${n}`;
/** Node c's administrator names this suite's namespace for its roasters; node d names none. */
const nodeIds: readonly NodeId[] = ['a', 'b', 'c', 'd'];

beforeAll(async () => {
  await installCrds(cluster);
  admin = new KubeClient(cluster.kubeConfig(), { fieldManager: 'roast-test' });
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  for (const n of nodeIds) {
    const labels = n === 'c' ? { [roasterNamespaceLabel]: namespace() } : undefined;
    await core.createNode({ body: { metadata: { name: node(n), ...(labels && { labels }) } } });
  }
  for (const account of ['roast-edge', 'someone-else']) {
    await core.createNamespacedServiceAccount({
      namespace: namespace(),
      body: { metadata: { name: account } },
    });
  }
  await pod('edge-a', 'a');
  await pod('edge-b', 'b');
  await pod('other-a', 'a', 'someone-else');
  await roaster('r1', { nodeName: node('a'), serial: 'SN-1' });
  await roaster('elsewhere', { nodeName: node('b') });
  await roaster('r3', { nodeName: node('a') });

  dir = await mkdtemp(join(tmpdir(), 'roast-link-security-'));
  ca = await createCertificateAuthority('roast-link-test-ca');
  await serve(ca);
  served = new GatewayUnderTest(cluster, {
    dir,
    logger: createLogger({ component: 'link-security-test' }),
    insecureDemo: false,
    tls: { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), refreshMs: tlsRefreshMs },
    tokenReview: {
      audience,
      edgeServiceAccount: { namespace: namespace(), name: 'roast-edge' },
      reviewPeriodMs,
    },
    watchNamespace: namespace(),
    heartbeatIntervalMs: 500,
    silenceMs: 30_000,
  });
  await served.start();
  gateway = served.gateway;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await served?.stop();
  for (const n of nodeIds) await core?.deleteNode({ name: node(n) }).catch(() => undefined);
  await admin?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function pod(name: string, on: NodeId, serviceAccountName = 'roast-edge'): Promise<void> {
  const created = await core.createNamespacedPod({
    namespace: namespace(),
    body: {
      metadata: { name },
      spec: { nodeName: node(on), serviceAccountName, containers: [{ name: 'edge', image: 'edge-node' }] },
    },
  });
  pods[name] = { uid: created.metadata!.uid!, node: node(on) };
}

async function roaster(
  name: string,
  binding: { nodeName: string; serial?: string },
  model = binding.serial ? 'AillioBulletR1' : 'Simulated',
): Promise<void> {
  roasters[name] = (await admin.resource(roasterApi).create({
    apiVersion,
    kind: roasterNames.kind,
    metadata: { name, namespace: namespace() },
    spec: { model, binding },
  } as KubeObject)) as unknown as Roaster;
}

/** A token as the kubelet projects it: for the pod's service account, bound to the pod. */
async function token(podName: string, account = 'roast-edge', audiences = [audience]): Promise<string> {
  const request = await core.createNamespacedServiceAccountToken({
    namespace: namespace(),
    name: account,
    body: {
      spec: {
        audiences,
        expirationSeconds: 600,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: podName, uid: pods[podName]!.uid },
      },
    },
  });
  return request.status?.token ?? '';
}

/** Writes the gateway's serving certificate, issued by `authority`, where the gateway reads it. */
async function serve(authority: CertificateAuthority): Promise<void> {
  const cert = await authority.issue({
    commonName: 'link-gateway',
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
  });
  await writeFile(join(dir, 'tls.key'), cert.keyPem);
  await writeFile(join(dir, 'tls.crt'), cert.certPem);
}

const pinned = (authority: CertificateAuthority = ca) =>
  credentials.createSsl(Buffer.from(authority.certPem));

function hello(name: string, nodeName: string, serial = 'SN-1'): ConnectRequest {
  return {
    body: {
      $case: 'hello',
      value: {
        roaster: { namespace: namespace(), name, uid: roasters[name]!.metadata.uid! },
        device: {
          vendorId: 0,
          productId: 0,
          serial,
          firmware: '281',
          model: roasters[name]!.spec.model,
          sourceDetail: '',
        },
        bootEpoch: 'boot-1',
        agentVersion: 'test',
        nodeName,
        podName: 'edge',
        latches: [],
      },
    },
  };
}

/** One edge stream: whether it was welcomed, and how it ended. */
function open(first: ConnectRequest, bearer?: string, channel: ChannelCredentials = pinned()) {
  const client = new LinkServiceClient(`127.0.0.1:${gateway.port}`, channel);
  clients.push(client);
  const metadata = new Metadata();
  if (bearer !== undefined) metadata.set('authorization', `Bearer ${bearer}`);
  const call = client.connect(metadata);
  const received: ConnectResponse[] = [];
  call.on('data', (m: ConnectResponse) => received.push(m));
  const ended = new Promise<ServiceError | undefined>((resolve) => {
    call.on('error', (err: ServiceError) => resolve(err));
    call.on('end', () => resolve(undefined));
  });
  call.write(first);
  const welcomed = () =>
    eventually(() => expect(received.some((m) => m.body?.$case === 'welcome')).toBe(true), 10_000);
  return { call, ended, welcomed };
}

async function refusals(): Promise<string> {
  return (
    (await served.manager.metrics.registry.getSingleMetricAsString('roast_link_streams_refused_total')) ?? ''
  );
}

describe('an edge that names no Roaster', () => {
  beforeAll(async () => {
    await pod('edge-c', 'c');
    await pod('edge-d', 'd');
    await roaster('sim-1', { nodeName: node('c'), serial: '101' }, 'Simulated');
    await roaster('twin-a', { nodeName: node('c'), serial: '202' }, 'Simulated');
    await roaster('twin-b', { nodeName: node('c'), serial: '202' }, 'Simulated');
    await roaster('real-r1', { nodeName: node('c'), serial: '303' }, 'AillioBulletR1');
    await roaster('sim-4', { nodeName: node('c'), serial: '404' }, 'Simulated');
  });

  it('is welcomed as the one Roaster bound to its node and device in its Node’s namespace', async () => {
    const stream = open(anonymousHello(node('c'), '101'), await token('edge-c'));
    await stream.welcomed();
    const sim1 = roasters['sim-1']!.metadata;
    expect(gateway.isConnected({ namespace: namespace(), name: 'sim-1', uid: sim1.uid! })).toBe(true);
    stream.call.end();
    await stream.ended;
  });

  it('hears which Roaster it speaks for in the welcome', async () => {
    const client = new LinkServiceClient(`127.0.0.1:${gateway.port}`, pinned());
    clients.push(client);
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${await token('edge-c')}`);
    const call = client.connect(metadata);
    const welcome = new Promise<ConnectResponse>((resolve) => call.on('data', resolve));
    call.on('error', () => undefined);
    call.write(anonymousHello(node('c'), '101'));
    const first = await welcome;
    expect(first.body?.$case === 'welcome' && first.body.value.roaster).toEqual({
      namespace: namespace(),
      name: 'sim-1',
      uid: roasters['sim-1']!.metadata.uid,
    });
    call.end();
  });

  it('is refused on a node whose administrator named no namespace, told as an Event on the Node', async () => {
    const err = await open(anonymousHello(node('d'), '101'), await token('edge-d')).ended;
    expect(err?.code).toBe(status.FAILED_PRECONDITION);
    expect(err?.details).toContain(`has no label ${roasterNamespaceLabel}`);
    await eventually(async () =>
      expect(await warnings('default', node('d'), 'NoRoasterNamespace')).not.toEqual([]),
    );
  });

  it('is refused when no Roaster is bound to its device', async () => {
    const err = await open(anonymousHello(node('c'), '999'), await token('edge-c')).ended;
    expect(err?.code).toBe(status.NOT_FOUND);
    expect(err?.details).toContain(
      `no Roaster in namespace ${namespace()} is bound to node ${node('c')} device 999`,
    );
    expect(await refusals()).toMatch(/code="NOT_FOUND",reason="NoRoaster"} [1-9]/);
  });

  it.each([
    [
      'two Roasters bound to its device',
      '202',
      ['twin-a', 'twin-b'],
      'AmbiguousBinding',
      /twin-a, twin-b are all bound/,
    ],
    [
      'a Roaster of another model',
      '303',
      ['real-r1'],
      'WrongModel',
      /is a AillioBulletR1, the edge drives a Simulated/,
    ],
  ])('is refused for %s, told on the Roaster and as an Event', async (_, serial, told, reason, why) => {
    const err = await open(anonymousHello(node('c'), serial), await token('edge-c')).ended;
    expect(err?.code).toBe(status.FAILED_PRECONDITION);
    expect(err?.details).toMatch(why);
    for (const name of told) {
      await eventually(async () => {
        const connected = await connectedCondition(name);
        expect(connected).toMatchObject({ status: 'False', reason });
        expect(connected?.message).toMatch(why);
        expect(await warnings(namespace(), name, reason)).not.toEqual([]);
      });
    }
  });

  it('is refused for a hello its Roaster cannot take, and the Roaster says why rather than blame the device', async () => {
    const err = await open(anonymousHello(node('c'), '404', 33), await token('edge-c')).ended;
    expect(err?.code).toBe(status.INVALID_ARGUMENT);
    await eventually(async () => {
      const connected = await connectedCondition('sim-4');
      expect(connected).toMatchObject({ status: 'False', reason: 'HelloRefused' });
      expect(connected?.message).toContain('its hello: more than 32 latches');
    });
  });
});

describe('the TLS gateway', () => {
  let right: ReturnType<typeof open>;

  it('welcomes the edge of the bound node and device, with its pod-bound token', async () => {
    right = open(hello('r1', node('a')), await token('edge-a'));
    await right.welcomed();
  });

  it.each([
    ['no token', async () => open(hello('r1', node('a'))), status.UNAUTHENTICATED, 'NoToken'],
    [
      'a token that is no token',
      async () => open(hello('r1', node('a')), 'garbage'),
      status.UNAUTHENTICATED,
      'InvalidToken',
    ],
    [
      'a token for another audience',
      async () => open(hello('r1', node('a')), await token('edge-a', 'roast-edge', ['someone-else'])),
      status.UNAUTHENTICATED,
      'InvalidToken',
    ],
    [
      'a token of another service account',
      async () => open(hello('r1', node('a')), await token('other-a', 'someone-else')),
      status.PERMISSION_DENIED,
      'WrongServiceAccount',
    ],
    [
      'a token bound to a pod on another node',
      async () => open(hello('r1', node('a')), await token('edge-b')),
      status.PERMISSION_DENIED,
      'WrongNode',
    ],
    [
      'a device serial the binding does not name',
      async () => open(hello('r1', node('a'), 'SN-9'), await token('edge-a')),
      status.PERMISSION_DENIED,
      'WrongSerial',
    ],
    [
      'a hello naming a roaster bound to another node',
      async () => open(hello('elsewhere', node('a')), await token('edge-a')),
      status.PERMISSION_DENIED,
      'WrongNode',
    ],
  ])('refuses %s', async (_, connect, code, reason) => {
    const err = await (await connect()).ended;
    expect(err?.code).toBe(code);
    expect(err?.details).not.toBe('');
    expect(await refusals()).toMatch(new RegExp(`code="${status[code]}",reason="${reason}"} [1-9]`));
  });

  it.each([
    ['plaintext', () => credentials.createInsecure()],
    ['a client that pins another CA', async () => pinned(await createCertificateAuthority('another-ca'))],
  ])('is unreachable over %s', async (_, channel) => {
    const err = await open(hello('r1', node('a')), await token('edge-a'), await channel()).ended;
    expect(err?.code).toBe(status.UNAVAILABLE);
  });

  it('kept the right edge streaming through every refusal', async () => {
    expect(gateway.isConnected({ namespace: namespace(), name: 'r1', uid: roasters.r1!.metadata.uid! })).toBe(
      true,
    );
    right.call.end();
    expect(await right.ended).toBeUndefined();
  });

  it('admits the edge agent started with --gateway-ca and --token-file, finding its Roaster by node and serial', async () => {
    await roaster('sim-5', { nodeName: node('c'), serial: '505' }, 'Simulated');
    await writeFile(join(dir, 'ca.crt'), ca.certPem);
    await writeFile(join(dir, 'token'), await token('edge-c'));
    const edge = new NodeProcess(
      join(import.meta.dirname, '../../edge-node/src/main.ts'),
      [
        '--simulate',
        '--serial=505',
        `--gateway=127.0.0.1:${gateway.port}`,
        `--gateway-ca=${join(dir, 'ca.crt')}`,
        `--token-file=${join(dir, 'token')}`,
        `--store=${join(dir, 'edge')}`,
        `--port=${await freePort()}`,
      ],
      { NODE_NAME: node('c'), POD_NAME: 'edge-c' },
    );
    try {
      const sim5 = { namespace: namespace(), name: 'sim-5', uid: roasters['sim-5']!.metadata.uid! };
      await eventually(() => expect(gateway.isConnected(sim5)).toBe(true), 30_000);
    } finally {
      await edge.stop();
    }
  });

  it('ends the stream of a deleted pod at its next review, and refuses its token after', async () => {
    await pod('doomed', 'a');
    const bearer = await token('doomed');
    const stream = open(hello('r3', node('a')), bearer);
    await stream.welcomed();
    const deleted = Date.now();
    await core.deleteNamespacedPod({ namespace: namespace(), name: 'doomed', gracePeriodSeconds: 0 });
    expect((await stream.ended)?.code).toBe(status.UNAUTHENTICATED);
    // Bounded by the review period (a flag, at most 30 s in production) plus the up to 10 s the API server
    // caches a token's successful review: well within a minute.
    expect(Date.now() - deleted).toBeLessThan(reviewPeriodMs + 10_000 + 3000);
    expect((await open(hello('r3', node('a')), bearer).ended)?.code).toBe(status.UNAUTHENTICATED);
  });

  it('serves a renewed certificate without a restart, keeping open streams', async () => {
    const open1 = open(hello('r1', node('a')), await token('edge-a'));
    await open1.welcomed();
    const renewed = await createCertificateAuthority('renewed-ca');
    await serve(renewed);
    const bearer = await token('edge-a');
    // Until the gateway has re-read its files, a client pinning the new CA fails the handshake.
    let renewedStream: ReturnType<typeof open> | undefined;
    await eventually(async () => {
      renewedStream = open(hello('r3', node('a')), bearer, pinned(renewed));
      const outcome = await Promise.race([
        renewedStream.ended,
        renewedStream.welcomed().then(() => 'welcome'),
      ]);
      expect(outcome).toBe('welcome');
    }, 10_000);
    renewedStream!.call.end();
    await renewedStream!.ended;
    expect(gateway.isConnected({ namespace: namespace(), name: 'r1', uid: roasters.r1!.metadata.uid! })).toBe(
      true,
    );
    open1.call.end();
    await open1.ended;
  });
});

/** A hello as an edge agent without --roaster sends it: its node and device, no Roaster. */
function anonymousHello(nodeName: string, serial: string, latchCount = 0): ConnectRequest {
  const value = { ...hello('r1', nodeName, serial).body!.value } as Extract<
    ConnectRequest['body'],
    { $case: 'hello' }
  >['value'];
  const latches = Array.from({ length: latchCount }, (_, i) => ({
    id: `l-${i}`,
    cause: 'overTemperature',
    message: '',
    sinceMs: 1,
    conditionActive: false,
  }));
  return {
    body: {
      $case: 'hello',
      value: { ...value, roaster: undefined, device: { ...value.device!, model: 'Simulated' }, latches },
    },
  };
}

/** The Connected condition the gateway reported on a Roaster. */
async function connectedCondition(name: string) {
  const current = (await admin.resource(roasterApi).get(namespace(), name)) as unknown as Roaster;
  return current.status?.conditions?.find((c) => c.type === 'Connected');
}

/** Warning Events of `reason` about `regarding` (a Roaster here, or a Node in namespace default). */
async function warnings(eventNamespace: string, regarding: string, reason: string): Promise<string[]> {
  const page = await admin
    .resource(eventsKind)
    .list({ namespace: eventNamespace, fieldSelector: `regarding.name=${regarding}` });
  return page.items.filter((e) => e.reason === reason).map((e) => e.note ?? '');
}
