import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { ControlPlane, type ControlPlaneInfo, freePort, waitFor } from './control-plane.ts';
import { distributionTools, type NodeBinaries, resolveNodeBinaries } from './node-binaries.ts';
import {
  cniConfig,
  containerdConfig,
  corefile,
  kubeletConfig,
  kubeProxyConfig,
  type NodePaths,
  nodeControlPlaneName,
  nodeNetwork,
  nodePaths,
} from './node-config.ts';
import { startNodeGuard } from './node-guard.ts';
import { checkNodeHost, cleanUpNode, nodeLeftovers, setUpHostNetwork } from './node-host.ts';
import { ServerProcess } from './process.ts';

const execFileAsync = promisify(execFile);

/** What a test process needs to use a node cluster; plain data, so it crosses processes. */
export interface NodeClusterInfo {
  controlPlane: ControlPlaneInfo;
  nodeName: string;
  /** The address pods reach the host on: the API server, the kubelet and cluster DNS listen there. */
  hostAddress: string;
  paths: NodePaths;
  binaries: NodeBinaries;
}

export interface NodeClusterOptions {
  /** OCI archives to import into the node's containerd before the kubelet starts (product images). */
  images?: string[];
}

/** The node's one fixed directory: a later start (or the cleanup command) finds a crashed run's leftovers. */
export const defaultNodePaths = (): NodePaths => nodePaths(join(tmpdir(), 'roast-node'));

/**
 * A control plane with one real node: containerd 2.x with runc and the CNI bridge, the kubelet, kube-proxy
 * (iptables), kube-scheduler and CoreDNS for cluster DNS, all as host processes on a bridge of their own.
 * One per machine. `stop()` deletes the workloads (so preStop hooks and network teardown run), stops every
 * process and removes everything the node left on the host; a crashed run is cleaned up by the next start.
 */
export class NodeCluster implements AsyncDisposable {
  readonly info: NodeClusterInfo;
  readonly plane: ControlPlane;
  readonly #servers: ServerProcess[] = [];
  readonly #guard: { stop(): void };

  private constructor(info: NodeClusterInfo, plane: ControlPlane, guard: { stop(): void }) {
    this.info = info;
    this.plane = plane;
    this.#guard = guard;
  }

  static async start(options: NodeClusterOptions = {}): Promise<NodeCluster> {
    await checkNodeHost(distributionTools.cniBinDir);
    const binaries = await resolveNodeBinaries();
    const paths = defaultNodePaths();
    await cleanUpNode(paths);
    await mkdir(paths.dir, { recursive: true });
    const guard = await startNodeGuard(paths);
    let plane: ControlPlane | undefined;
    try {
      await setUpHostNetwork(paths);
      plane = await ControlPlane.start({ name: nodeControlPlaneName, node: true });
      const info: NodeClusterInfo = {
        controlPlane: plane.info,
        nodeName: nodeNetwork.nodeName,
        hostAddress: nodeNetwork.hostAddress,
        paths,
        binaries,
      };
      const cluster = new NodeCluster(info, plane, guard);
      try {
        await cluster.#startNode(options.images ?? []);
      } catch (error) {
        await cluster.stop();
        throw error;
      }
      return cluster;
    } catch (error) {
      await plane?.stop();
      await cleanUpNode(paths);
      guard.stop();
      throw error;
    }
  }

  get server(): string {
    return this.plane.server;
  }

  /** Imports OCI image archives into the node's containerd, where the kubelet finds them. */
  importImages(archives: string[]): Promise<void> {
    return importImages(this.info.binaries.ctr, this.info.paths, archives);
  }

  /** Imports OCI image archives into a node running now (started by another process). */
  static async importInto(paths: NodePaths, archives: string[]): Promise<void> {
    await importImages((await resolveNodeBinaries()).ctr, paths, archives);
  }

  /** Deletes the workloads, stops every node process and the control plane, and leaves nothing on the host. */
  async stop(): Promise<void> {
    await this.#deleteWorkloads().catch(() => {});
    for (const server of this.#servers.toReversed()) await server.stop();
    await this.plane.stop();
    await cleanUpNode(this.info.paths);
    this.#guard.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** What the node left on the host (processes, chains, bridge, mounts, cgroups, its directory). */
  leftovers(): Promise<string[]> {
    return nodeLeftovers(this.info.paths);
  }

  async #startNode(images: string[]): Promise<void> {
    const { paths, binaries } = this.info;
    const dir = paths.dir;
    const pki = join(this.plane.info.dir, 'pki');
    await Promise.all(
      [
        paths.containerdRoot,
        paths.containerdState,
        paths.cniConfigDir,
        paths.cniDataDir,
        paths.kubeletRoot,
      ].map((path) => mkdir(path, { recursive: true })),
    );
    await writeFile(
      join(dir, 'containerd.toml'),
      containerdConfig(paths, {
        shim: join(binaries.dir, 'containerd-shim-runc-v2'),
        runc: binaries.runc,
        cniBinDir: binaries.cniBinDir,
      }),
    );
    await writeFile(
      join(paths.cniConfigDir, '10-roast-pods.conflist'),
      JSON.stringify(cniConfig(paths), null, 2),
    );
    const containerd = this.#spawn('containerd', binaries.containerd, [
      '--config',
      join(dir, 'containerd.toml'),
    ]);
    await waitFor(containerd, async () => {
      await execFileAsync(binaries.ctr, ['--address', paths.containerdSocket, 'version']);
      return true;
    });
    await this.importImages([binaries.pauseArchive, ...images]);

    const { nodeName, hostAddress } = nodeNetwork;
    const kubeletServing = await this.plane.issueCertificate({
      commonName: nodeName,
      dnsNames: [nodeName],
      ipAddresses: [hostAddress],
      usage: 'server',
    });
    await writeFile(join(dir, 'kubelet.crt'), kubeletServing.certPem);
    await writeFile(join(dir, 'kubelet.key'), kubeletServing.keyPem, { mode: 0o600 });
    const kubeletConfigPath = join(dir, 'kubelet-config.json');
    await writeFile(
      kubeletConfigPath,
      JSON.stringify(
        kubeletConfig(paths, {
          caFile: join(pki, 'ca.crt'),
          servingCert: join(dir, 'kubelet.crt'),
          servingKey: join(dir, 'kubelet.key'),
        }),
      ),
    );
    const kubeProxyConfigPath = join(dir, 'kube-proxy-config.json');
    await writeFile(
      kubeProxyConfigPath,
      JSON.stringify(
        kubeProxyConfig(await this.plane.writeKubeconfig('kube-proxy', 'system:kube-proxy'), {
          healthz: await freePort(),
          metrics: await freePort(),
        }),
      ),
    );
    const dnsReadyPort = await freePort();
    await writeFile(join(dir, 'Corefile'), corefile(this.plane.info.kubeconfigs.admin, dnsReadyPort));

    this.#spawn('kube-scheduler', binaries.kubeScheduler, [
      `--kubeconfig=${await this.plane.writeKubeconfig('kube-scheduler', 'system:kube-scheduler')}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${await freePort()}`,
    ]);
    const kubelet = this.#spawn('kubelet', binaries.kubelet, [
      `--config=${kubeletConfigPath}`,
      `--kubeconfig=${await this.plane.writeKubeconfig('kubelet', `system:node:${nodeName}`, ['system:nodes'])}`,
      `--hostname-override=${nodeName}`,
      `--node-ip=${hostAddress}`,
      `--root-dir=${paths.kubeletRoot}`,
      `--cert-dir=${join(paths.kubeletRoot, 'pki')}`,
    ]);
    const proxy = this.#spawn('kube-proxy', binaries.kubeProxy, [`--config=${kubeProxyConfigPath}`]);
    const dns = this.#spawn('coredns', binaries.coredns, ['-conf', join(dir, 'Corefile')]);

    const api = this.plane.kubeConfig().makeApiClient(CoreV1Api);
    await waitFor(kubelet, async () => nodeSchedulable(await api.readNode({ name: nodeName })));
    await waitFor(dns, async () => (await fetch(`http://127.0.0.1:${dnsReadyPort}/ready`)).ok);
    await waitFor(proxy, async () => {
      const rules = (await execFileAsync('iptables', ['-t', 'nat', '-S', 'KUBE-SERVICES'])).stdout;
      return rules.includes('default/kubernetes:https');
    });
    await waitFor(kubelet, async () => {
      await api.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
      await api.readNamespacedConfigMap({ name: 'kube-root-ca.crt', namespace: 'default' });
      return true;
    });
  }

  #spawn(name: string, binary: string, args: string[]): ServerProcess {
    const server = new ServerProcess(name, binary, args, join(this.info.paths.dir, `${name}.log`));
    this.#servers.push(server);
    return server;
  }

  /**
   * Deletes every namespace the tests made and every pod, and waits for the pods to go: their preStop hooks
   * run and the CNI plugin releases their addresses while the kubelet and containerd are still up.
   */
  async #deleteWorkloads(): Promise<void> {
    const api = this.plane.kubeConfig().makeApiClient(CoreV1Api);
    const system = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);
    for (const namespace of (await api.listNamespace()).items) {
      const name = namespace.metadata!.name!;
      if (!system.has(name)) await api.deleteNamespace({ name }).catch(() => {});
    }
    for (const namespace of system) await api.deleteCollectionNamespacedPod({ namespace }).catch(() => {});
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const pods = await api.listPodForAllNamespaces();
      const sandboxes = await readdir(join(this.info.paths.runcRoot, 'k8s.io')).catch(() => []);
      if (pods.items.length === 0 && sandboxes.length === 0) return;
      await sleep(250);
    }
  }
}

async function importImages(ctr: string, paths: NodePaths, archives: string[]): Promise<void> {
  for (const archive of archives) {
    await execFileAsync(ctr, [
      '--address',
      paths.containerdSocket,
      '--namespace',
      'k8s.io',
      'images',
      'import',
      archive,
    ]).catch((error: Error & { stderr?: string }) => {
      throw new Error(`importing ${archive} into the node failed: ${error.stderr ?? error.message}`);
    });
  }
}

function nodeSchedulable(node: V1Node): boolean {
  const ready = node.status?.conditions?.find((condition) => condition.type === 'Ready');
  return (
    ready?.status === 'True' && !(node.spec?.taints ?? []).some((taint) => taint.effect === 'NoSchedule')
  );
}
