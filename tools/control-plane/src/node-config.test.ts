import { describe, expect, it } from 'vitest';
import {
  cniConfig,
  containerdConfig,
  corefile,
  kubeletConfig,
  kubeProxyConfig,
  nodeNetwork,
  nodePaths,
} from './node-config.ts';

// The settings that make a node run on this kind of machine (cgroup v1, no CAP_SYS_RESOURCE) and keep its
// pods on the machine: each one is a failure met without it.
const paths = nodePaths('/tmp/roast-node');

describe('node configuration', () => {
  it('lets the kubelet run on cgroup v1 with the cgroupfs driver, resolving through cluster DNS only', () => {
    const config = kubeletConfig(paths, { caFile: 'ca.crt', servingCert: 'k.crt', servingKey: 'k.key' });
    expect(config).toMatchObject({
      failCgroupV1: false,
      cgroupDriver: 'cgroupfs',
      resolvConf: '',
      clusterDNS: [nodeNetwork.hostAddress],
      containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true } },
      authorization: { mode: 'Webhook' },
    });
  });

  it('keeps containerd from lowering OOM scores and its state under the node directory', () => {
    const toml = containerdConfig(paths, {
      shim: '/bin/shim',
      runc: '/usr/sbin/runc',
      cniBinDir: '/usr/lib/cni',
    });
    expect(toml).toContain('restrict_oom_score_adj = true');
    expect(toml).toContain('netns_mounts_under_state_dir = true');
    expect(toml).toContain('SystemdCgroup = false');
    expect(toml).toContain(`Root = "${paths.runcRoot}"`);
    expect(toml).toContain('sandbox = "localhost/roast-operator/pause:1"');
    for (const line of toml.split('\n').filter((l) => /^\s*(root|state|address|conf_dir|Root) = "/.test(l))) {
      expect(line).toContain(paths.dir);
    }
  });

  it('puts pods on the node bridge without masquerading', () => {
    const [bridge] = (cniConfig(paths) as { plugins: Record<string, unknown>[] }).plugins;
    expect(bridge).toMatchObject({
      type: 'bridge',
      bridge: nodeNetwork.bridge,
      ipMasq: false,
      isGateway: true,
    });
  });

  it('binds kube-proxy and CoreDNS to the node, and CoreDNS forwards nothing', () => {
    expect(kubeProxyConfig('k', { healthz: 1, metrics: 2 })).toMatchObject({
      mode: 'iptables',
      clusterCIDR: nodeNetwork.podSubnet,
      conntrack: { maxPerCore: 0 },
      iptables: { localhostNodePorts: false },
      healthzBindAddress: '127.0.0.1:1',
    });
    const dns = corefile('/k/admin.kubeconfig', 8181);
    expect(dns).toContain(`bind ${nodeNetwork.hostAddress}`);
    expect(dns).not.toMatch(/forward|^\.:53/m);
  });
});
