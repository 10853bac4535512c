import { join } from 'node:path';

/**
 * The node's fixed addresses. One node per machine: the kubelet and kube-proxy own host-wide iptables rules,
 * cgroups and this bridge. The bridge carries the pods and, on its gateway address, the API server, the
 * kubelet and cluster DNS (the kernel has no dummy interfaces). Nothing here routes off the machine.
 */
export const nodeNetwork = {
  nodeName: 'roast-node',
  bridge: 'roast0',
  /** Pod subnet on the bridge; its first address is the host's. */
  podSubnet: '10.88.0.0/24',
  hostAddress: '10.88.0.1',
  apiServerPort: 6443,
  serviceRange: '10.96.0.0/24',
  /** The `kubernetes` Service's ClusterIP: the first address of the range. */
  kubernetesServiceAddress: '10.96.0.1',
  clusterDomain: 'cluster.local',
  /** The iptables chain (mangle table, first in FORWARD) that keeps pod traffic on the bridge. */
  egressChain: 'ROAST-NODE-EGRESS',
} as const;

/** Where one run of the node keeps its state: a fixed place, so a later start can clean up a crashed run. */
export interface NodePaths {
  dir: string;
  containerdRoot: string;
  containerdState: string;
  containerdSocket: string;
  /** runc's state for the node's containers, so teardown finds them even with containerd gone. */
  runcRoot: string;
  cniConfigDir: string;
  cniDataDir: string;
  kubeletRoot: string;
}

export function nodePaths(dir: string): NodePaths {
  return {
    dir,
    containerdRoot: join(dir, 'containerd', 'root'),
    containerdState: join(dir, 'containerd', 'state'),
    containerdSocket: join(dir, 'containerd', 'containerd.sock'),
    runcRoot: join(dir, 'runc'),
    cniConfigDir: join(dir, 'cni', 'net.d'),
    cniDataDir: join(dir, 'cni', 'data'),
    kubeletRoot: join(dir, 'kubelet'),
  };
}

/** The node's control plane is named `node`: its directory is `roast-cp-node-*` beside the node's. */
export const nodeControlPlaneName = 'node';
export const nodeControlPlanePrefix = `roast-cp-${nodeControlPlaneName}-`;

export const pauseImage = 'localhost/roast-operator/pause:1';

/** containerd 2.x (config schema 3) as the kubelet's CRI runtime. */
export function containerdConfig(
  paths: NodePaths,
  tools: { shim: string; runc: string; cniBinDir: string },
): string {
  const str = (value: string) => JSON.stringify(value);
  return `version = 3
root = ${str(paths.containerdRoot)}
state = ${str(paths.containerdState)}
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.erofs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing", "io.containerd.nri.v1.nri"]

[grpc]
  address = ${str(paths.containerdSocket)}

[ttrpc]
  address = ${str(`${paths.containerdSocket}.ttrpc`)}

[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = ${str(pauseImage)}

[plugins.'io.containerd.cri.v1.runtime']
  # The VM withholds CAP_SYS_RESOURCE even from root: lowering a sandbox's OOM score fails runc create.
  restrict_oom_score_adj = true
  # Network namespaces under the node's own directory, so teardown finds every one of them.
  netns_mounts_under_state_dir = true
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = "runc"
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      runtime_path = ${str(tools.shim)}
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        BinaryName = ${str(tools.runc)}
        Root = ${str(paths.runcRoot)}
        SystemdCgroup = false
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = [${str(tools.cniBinDir)}]
    conf_dir = ${str(paths.cniConfigDir)}

[plugins.'io.containerd.grpc.v1.cri']
  stream_server_address = "127.0.0.1"
`;
}

/** The pod network: the bridge plugin on the node's bridge, no masquerade (pods never reach the outside). */
export function cniConfig(paths: NodePaths): object {
  return {
    cniVersion: '1.0.0',
    name: 'roast-pods',
    plugins: [
      {
        type: 'bridge',
        bridge: nodeNetwork.bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          dataDir: paths.cniDataDir,
          ranges: [[{ subnet: nodeNetwork.podSubnet, gateway: nodeNetwork.hostAddress }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
      { type: 'loopback' },
    ],
  };
}

export interface KubeletFiles {
  caFile: string;
  servingCert: string;
  servingKey: string;
}

export function kubeletConfig(paths: NodePaths, files: KubeletFiles): object {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // The machine's kernel mounts cgroup v1 and cannot switch; from 1.35 the kubelet refuses v1 unless told.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
    address: nodeNetwork.hostAddress,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: 0,
    tlsCertFile: files.servingCert,
    tlsPrivateKeyFile: files.servingKey,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: files.caFile },
    },
    authorization: { mode: 'Webhook' },
    clusterDomain: nodeNetwork.clusterDomain,
    clusterDNS: [nodeNetwork.hostAddress],
    // Pods resolve through cluster DNS only: the host's resolvers are the outside.
    resolvConf: '',
    failSwapOn: false,
    // A shared, busy development machine: do not evict or taint for a full disk or garbage-collect the
    // imported images (there is no registry to pull them again from).
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    maxPods: 30,
    // Probes and status settle quickly: tests wait on them.
    nodeStatusUpdateFrequency: '2s',
    syncFrequency: '10s',
  };
}

export function kubeProxyConfig(kubeconfig: string, ports: { healthz: number; metrics: number }): object {
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig },
    hostnameOverride: nodeNetwork.nodeName,
    bindAddress: nodeNetwork.hostAddress,
    clusterCIDR: nodeNetwork.podSubnet,
    healthzBindAddress: `127.0.0.1:${ports.healthz}`,
    metricsBindAddress: `127.0.0.1:${ports.metrics}`,
    nodePortAddresses: [`${nodeNetwork.hostAddress}/32`],
    // Leave the machine's conntrack table size alone.
    conntrack: { maxPerCore: 0 },
    iptables: { localhostNodePorts: false, syncPeriod: '5s', minSyncPeriod: '0s' },
  };
}

/** CoreDNS answers cluster.local (and reverse lookups) from the API server and nothing else. */
export function corefile(kubeconfig: string, readyPort: number): string {
  return `${nodeNetwork.clusterDomain}:53 in-addr.arpa:53 ip6.arpa:53 {
  bind ${nodeNetwork.hostAddress}
  ready 127.0.0.1:${readyPort}
  errors
  cache 5
  kubernetes ${nodeNetwork.clusterDomain} in-addr.arpa ip6.arpa {
    kubeconfig ${kubeconfig}
  }
}
`;
}
