import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import {
  type CertificateAuthority,
  type CertifiedKey,
  createCertificateAuthority,
  generateKeyPair,
  type LeafRequest,
} from '@roast-operator/test-env/pki';
import { type Binaries, resolveBinaries } from './binaries.ts';
import { nodeNetwork } from './node-config.ts';
import { ServerProcess } from './process.ts';

/** The users every local control plane has: client certificates issued by its own test CA. */
export const testUsers = {
  admin: { groups: ['system:masters'] },
  alice: { groups: ['roasters'] },
  bob: { groups: ['roasters'] },
} as const;
export type TestUser = keyof typeof testUsers;

export interface ControlPlaneOptions {
  /** Names the temporary directory, to tell control planes apart in logs. */
  name?: string;
  /** kube-apiserver's etcd compaction interval; short values let tests force 410 Gone quickly. */
  etcdCompactionInterval?: string;
  /** Keep the directory (logs, certificates, etcd data) after stop, for debugging. */
  keepDir?: boolean;
  /**
   * Serve a real node: the API server on the node bridge's address (which must exist), node authorization,
   * the ServiceAccount admission plugin, Service ClusterIPs, and every controller a node's pods need.
   */
  node?: boolean;
}

/** What a test process needs to use a running control plane; plain data, so it crosses processes. */
export interface ControlPlaneInfo {
  server: string;
  version: string;
  dir: string;
  /** Kubeconfig file per test user. */
  kubeconfigs: Record<TestUser, string>;
  binaries: Binaries;
}

interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiServer: number;
}

/**
 * A real etcd, kube-apiserver and kube-controller-manager (garbage collector, namespace and a few other
 * controllers that need no pods) on loopback — controller-runtime's envtest approach. No scheduler or kubelet: pods never run.
 */
export class ControlPlane implements AsyncDisposable {
  readonly info: ControlPlaneInfo;
  readonly #ports: Ports;
  readonly #options: ControlPlaneOptions;
  readonly #ca: CertificateAuthority;
  #etcd: ServerProcess | undefined;
  #apiServer: ServerProcess | undefined;
  #controllerManager: ServerProcess | undefined;

  private constructor(
    info: ControlPlaneInfo,
    ports: Ports,
    options: ControlPlaneOptions,
    ca: CertificateAuthority,
  ) {
    this.info = info;
    this.#ports = ports;
    this.#options = options;
    this.#ca = ca;
  }

  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const binaries = await resolveBinaries();
    const dir = await mkdtemp(join(tmpdir(), `roast-cp-${options.name ?? 'run'}-`));
    const ports = { etcdClient: await freePort(), etcdPeer: await freePort(), apiServer: await freePort() };
    const server = options.node
      ? `https://${nodeNetwork.hostAddress}:${nodeNetwork.apiServerPort}`
      : `https://127.0.0.1:${ports.apiServer}`;
    const { kubeconfigs, ca } = await writePki(dir, server, options.node ?? false);
    const info: ControlPlaneInfo = { server, version: '', dir, kubeconfigs, binaries };
    const plane = new ControlPlane(info, ports, options, ca);
    try {
      await plane.#startEtcd();
      await plane.#startApiServer();
      await plane.#startControllerManager();
      info.version = await plane.#serverVersion();
    } catch (error) {
      await plane.stop();
      throw error;
    }
    return plane;
  }

  get server(): string {
    return this.info.server;
  }

  get version(): string {
    return this.info.version;
  }

  kubeconfigPath(user: TestUser = 'admin'): string {
    return this.info.kubeconfigs[user];
  }

  kubeConfig(user: TestUser = 'admin'): KubeConfig {
    return loadKubeConfig(this.kubeconfigPath(user));
  }

  /** A certificate from the control plane's CA (a node's components authenticate with these). */
  issueCertificate(request: LeafRequest): Promise<CertifiedKey> {
    return this.#ca.issue(request);
  }

  /** Writes a kubeconfig for a client-certificate user of this control plane and returns its path. */
  async writeKubeconfig(name: string, commonName: string, organizations: string[] = []): Promise<string> {
    const cert = await this.#ca.issue({ commonName, organizations, usage: 'client' });
    const path = join(this.info.dir, `${name}.kubeconfig`);
    await writeFile(path, kubeconfigYaml(this.server, this.#ca.certPem, commonName, cert), { mode: 0o600 });
    return path;
  }

  /** Stops kube-apiserver and starts it again on the same port and etcd: clients see a dropped server. */
  async restartApiServer(): Promise<void> {
    await this.#apiServer?.stop();
    await this.#startApiServer();
  }

  /** Compacts etcd at its current revision, so watches from older resourceVersions get 410 Gone. */
  async compactEtcd(): Promise<number> {
    const etcd = `http://127.0.0.1:${this.#ports.etcdClient}/v3/kv`;
    const range = (await postJson(`${etcd}/range`, { key: Buffer.from('/').toString('base64') })) as {
      header: { revision: string };
    };
    const revision = Number(range.header.revision);
    await postJson(`${etcd}/compaction`, { revision: String(revision), physical: true });
    return revision;
  }

  async stop(): Promise<void> {
    // Reverse start order: the controller manager and apiserver first, so they do not log etcd errors.
    for (const server of [this.#controllerManager, this.#apiServer, this.#etcd]) await server?.stop();
    if (!this.#options.keepDir) await rm(this.info.dir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  async #startEtcd(): Promise<void> {
    const { etcdClient, etcdPeer } = this.#ports;
    const client = `http://127.0.0.1:${etcdClient}`;
    const peer = `http://127.0.0.1:${etcdPeer}`;
    this.#etcd = new ServerProcess(
      'etcd',
      this.info.binaries.etcd,
      [
        `--data-dir=${join(this.info.dir, 'etcd')}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=default=${peer}`,
        // Test data is disposable: skipping fsync makes etcd fast on a small, busy machine.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      join(this.info.dir, 'etcd.log'),
    );
    await waitFor(this.#etcd, async () => {
      const health = (await getJson(`${client}/health`)) as { health?: string };
      return health.health === 'true';
    });
  }

  async #startApiServer(): Promise<void> {
    const pki = join(this.info.dir, 'pki');
    const bindAddress = this.#options.node ? nodeNetwork.hostAddress : '127.0.0.1';
    const args = [
      `--etcd-servers=http://127.0.0.1:${this.#ports.etcdClient}`,
      `--cert-dir=${pki}`,
      `--tls-cert-file=${join(pki, 'apiserver.crt')}`,
      `--tls-private-key-file=${join(pki, 'apiserver.key')}`,
      `--client-ca-file=${join(pki, 'ca.crt')}`,
      `--bind-address=${bindAddress}`,
      `--advertise-address=${bindAddress}`,
      `--secure-port=${new URL(this.server).port}`,
      '--allow-privileged=true',
      ...(this.#options.node ? nodeApiServerArgs(pki) : loopbackApiServerArgs),
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(pki, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
      '--profiling=false',
    ];
    if (this.#options.etcdCompactionInterval) {
      args.push(`--etcd-compaction-interval=${this.#options.etcdCompactionInterval}`);
    }
    this.#apiServer = new ServerProcess(
      'kube-apiserver',
      this.info.binaries.kubeApiServer,
      args,
      join(this.info.dir, 'kube-apiserver.log'),
    );
    const admin = await this.#adminCredentials();
    await waitFor(
      this.#apiServer,
      async () => (await httpsGet(`${this.server}/readyz`, admin)).status === 200,
    );
  }

  async #startControllerManager(): Promise<void> {
    const pki = join(this.info.dir, 'pki');
    this.#controllerManager = new ServerProcess(
      'kube-controller-manager',
      this.info.binaries.kubeControllerManager,
      [
        `--kubeconfig=${join(this.info.dir, 'kube-controller-manager.kubeconfig')}`,
        ...(this.#options.node ? nodeControllerManagerArgs(pki) : loopbackControllerManagerArgs),
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        `--secure-port=${await freePort()}`,
      ],
      join(this.info.dir, 'kube-controller-manager.log'),
    );
    // It serves nothing we need to poll; give it a moment to fail fast on bad flags.
    await sleep(300);
    if (!this.#controllerManager.running) throw await startFailure(this.#controllerManager);
  }

  async #adminCredentials(): Promise<TlsCredentials> {
    const pki = join(this.info.dir, 'pki');
    const [ca, cert, key] = await Promise.all(
      ['ca.crt', 'admin.crt', 'admin.key'].map((file) => readFile(join(pki, file), 'utf8')),
    );
    return { ca: ca!, cert: cert!, key: key! };
  }

  async #serverVersion(): Promise<string> {
    const response = await httpsGet(`${this.server}/version`, await this.#adminCredentials());
    return (JSON.parse(response.body) as { gitVersion: string }).gitVersion;
  }
}

/** Loads a kubeconfig file into a client-node KubeConfig. */
export function loadKubeConfig(path: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(path);
  return config;
}

// As envtest: no pods run, so the ServiceAccount admission plugin has nothing to do; the Service range is a
// setting the apiserver requires, no service traffic exists.
const loopbackApiServerArgs = [
  '--service-cluster-ip-range=10.0.0.0/24',
  '--authorization-mode=RBAC',
  '--disable-admission-plugins=ServiceAccount',
];

function nodeApiServerArgs(pki: string): string[] {
  return [
    `--service-cluster-ip-range=${nodeNetwork.serviceRange}`,
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    `--kubelet-client-certificate=${join(pki, 'apiserver-kubelet-client.crt')}`,
    `--kubelet-client-key=${join(pki, 'apiserver-kubelet-client.key')}`,
    `--kubelet-certificate-authority=${join(pki, 'ca.crt')}`,
    '--kubelet-preferred-address-types=InternalIP',
  ];
}

// Owner-reference cascades, namespace deletion, aggregated ClusterRoles (view/edit/admin) and admission-policy
// type checking: what an operator relies on; nothing here needs pods.
const loopbackControllerManagerArgs = [
  '--controllers=garbage-collector-controller,namespace-controller,clusterrole-aggregation-controller,validatingadmissionpolicy-status-controller',
];

// Every default controller, each acting with its own service account's RBAC (as kubeadm sets it up), the CA
// published to every namespace, and service-account tokens for pods.
function nodeControllerManagerArgs(pki: string): string[] {
  return [
    '--controllers=*',
    '--use-service-account-credentials=true',
    `--root-ca-file=${join(pki, 'ca.crt')}`,
    `--service-account-private-key-file=${join(pki, 'sa.key')}`,
    `--cluster-signing-cert-file=${join(pki, 'ca.crt')}`,
    `--cluster-signing-key-file=${join(pki, 'ca.key')}`,
    '--node-monitor-period=2s',
  ];
}

/** Writes the CA, serving certificate, service-account keys, and one kubeconfig per user. */
async function writePki(
  dir: string,
  server: string,
  node: boolean,
): Promise<{ kubeconfigs: Record<TestUser, string>; ca: CertificateAuthority }> {
  const pki = join(dir, 'pki');
  await mkdir(pki, { recursive: true });
  const ca = await createCertificateAuthority('roast-operator-test-ca');
  const serving = await ca.issue({
    commonName: 'kube-apiserver',
    dnsNames: [
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
    ],
    ipAddresses: node
      ? ['127.0.0.1', nodeNetwork.hostAddress, nodeNetwork.kubernetesServiceAddress]
      : ['127.0.0.1'],
    usage: 'server',
  });
  if (node) {
    // The API server's identity towards the kubelet (logs, exec, port-forward), and the CA key the
    // controller manager signs node certificates with.
    const kubeletClient = await ca.issue({
      commonName: 'kube-apiserver-kubelet-client',
      organizations: ['system:masters'],
      usage: 'client',
    });
    await Promise.all([
      writeFile(join(pki, 'apiserver-kubelet-client.crt'), kubeletClient.certPem),
      writeFile(join(pki, 'apiserver-kubelet-client.key'), kubeletClient.keyPem, { mode: 0o600 }),
      writeFile(join(pki, 'ca.key'), ca.keyPem, { mode: 0o600 }),
    ]);
  }
  const serviceAccountKeys = await generateKeyPair();
  await Promise.all([
    writeFile(join(pki, 'ca.crt'), ca.certPem),
    writeFile(join(pki, 'apiserver.crt'), serving.certPem),
    writeFile(join(pki, 'apiserver.key'), serving.keyPem, { mode: 0o600 }),
    writeFile(join(pki, 'sa.key'), serviceAccountKeys.privateKeyPem, { mode: 0o600 }),
    writeFile(join(pki, 'sa.pub'), serviceAccountKeys.publicKeyPem),
  ]);
  const kubeconfigs = {} as Record<TestUser, string>;
  for (const [user, { groups }] of Object.entries(testUsers) as [TestUser, { groups: readonly string[] }][]) {
    const cert = await ca.issue({ commonName: user, organizations: [...groups], usage: 'client' });
    if (user === 'admin') {
      await writeFile(join(pki, 'admin.crt'), cert.certPem);
      await writeFile(join(pki, 'admin.key'), cert.keyPem, { mode: 0o600 });
    }
    kubeconfigs[user] = join(dir, `${user}.kubeconfig`);
    await writeFile(kubeconfigs[user], kubeconfigYaml(server, ca.certPem, user, cert), { mode: 0o600 });
  }
  // The controller manager acts cluster-wide (garbage collection deletes anything), like a superuser.
  const controllerManager = await ca.issue({
    commonName: 'system:kube-controller-manager',
    organizations: ['system:masters'],
    usage: 'client',
  });
  await writeFile(
    join(dir, 'kube-controller-manager.kubeconfig'),
    kubeconfigYaml(server, ca.certPem, 'system:kube-controller-manager', controllerManager),
    { mode: 0o600 },
  );
  return { kubeconfigs, ca };
}

function kubeconfigYaml(server: string, caPem: string, user: string, cert: CertifiedKey): string {
  const b64 = (pem: string) => Buffer.from(pem).toString('base64');
  // JSON is valid YAML, and every kubeconfig reader accepts it.
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'roast-local', cluster: { server, 'certificate-authority-data': b64(caPem) } }],
      users: [
        {
          name: user,
          user: { 'client-certificate-data': b64(cert.certPem), 'client-key-data': b64(cert.keyPem) },
        },
      ],
      contexts: [{ name: `${user}@roast-local`, context: { cluster: 'roast-local', user } }],
      'current-context': `${user}@roast-local`,
    },
    null,
    2,
  );
}

interface TlsCredentials {
  ca: string;
  cert: string;
  key: string;
}

function httpsGet(url: string, tls: TlsCredentials): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...tls, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return response.json();
}

async function postJson(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Polls until ready; a server that exits or does not get ready in time fails with its log's tail. */
export async function waitFor(
  server: ServerProcess,
  ready: () => Promise<boolean>,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!server.running) throw await startFailure(server);
    if (await ready().catch(() => false)) return;
    await sleep(100);
  }
  await server.stop();
  throw await startFailure(server, `not ready after ${timeoutMs / 1000} s`);
}

async function startFailure(server: ServerProcess, why = 'exited during start'): Promise<Error> {
  const log = await readFile(server.logFile, 'utf8').catch(() => '');
  const tail = log.split('\n').slice(-30).join('\n');
  return new Error(`${server.name} ${why} (log ${server.logFile}):\n${tail}`);
}

/** A free loopback port: bind port 0, read what the kernel chose, release it. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
