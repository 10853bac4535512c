import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, readlink, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type NodePaths, nodeControlPlanePrefix, nodeNetwork } from './node-config.ts';

/**
 * What a node changes on the host beyond its own processes — the bridge, two sysctls, iptables chains,
 * mounts, cgroups, network namespaces and containers whose shims leave the process tree — and the one
 * teardown that removes all of it. The teardown works from fixed names and the node's fixed directory, so
 * it also cleans up after a run that died without stopping (a SIGKILL, a crashed test runner).
 */

const execFileAsync = promisify(execFile);

/**
 * Directories the kubelet and containerd use whatever their configured roots: device-plugin sockets, pod
 * logs, shim sockets. A run that creates one removes it; one that was there before is left alone.
 */
const fixedHostDirs = ['/var/lib/kubelet', '/var/log/pods', '/var/log/containers', '/run/containerd'];

async function run(command: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(command, args, { maxBuffer: 64 << 20 });
  return stdout;
}

/** Runs a cleanup step that may find nothing to do (a chain or link that is already gone). */
async function attempt(command: string, args: string[]): Promise<void> {
  await run(command, args).catch(() => {});
}

// The kernel settings the node needs: forwarding between pods (and from a pod through a Service to another
// pod on the same bridge, which only works when bridged traffic passes iptables).
const sysctls = ['net/ipv4/ip_forward', 'net/bridge/bridge-nf-call-iptables'];

/** Checks the host can run a node, with what to install when it cannot. */
export async function checkNodeHost(cniBinDir: string): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error(
      'a real node needs root (the kubelet, containerd and iptables change the host): run it as root',
    );
  const missing: string[] = [];
  for (const tool of ['runc', 'iptables', 'ip6tables', 'conntrack', 'ip']) {
    if (!(await run('sh', ['-c', `command -v ${tool}`]).catch(() => ''))) missing.push(tool);
  }
  if (!(await exists(join(cniBinDir, 'bridge')))) missing.push(`CNI plugins in ${cniBinDir}`);
  if (missing.length > 0) {
    throw new Error(
      `the node needs ${missing.join(', ')}: apt-get install runc containernetworking-plugins iptables conntrack iproute2`,
    );
  }
}

/** The bridge with the host's address, forwarding on, and a FORWARD rule that keeps pod traffic on the bridge. */
export async function setUpHostNetwork(paths: NodePaths): Promise<void> {
  await mkdir(paths.dir, { recursive: true });
  const saved: Record<string, string> = {};
  for (const key of sysctls) saved[key] = (await readFile(`/proc/sys/${key}`, 'utf8')).trim();
  await writeFile(join(paths.dir, 'sysctl.json'), JSON.stringify(saved));
  const created: string[] = [];
  for (const dir of fixedHostDirs) if (!(await exists(dir))) created.push(dir);
  await writeFile(join(paths.dir, 'created-host-dirs.json'), JSON.stringify(created));
  const { bridge, hostAddress, podSubnet, egressChain } = nodeNetwork;
  await run('ip', ['link', 'add', bridge, 'type', 'bridge']);
  await run('ip', ['addr', 'add', `${hostAddress}/${podSubnet.split('/')[1]}`, 'dev', bridge]);
  await run('ip', ['link', 'set', bridge, 'up']);
  // Service addresses route to the bridge too: a ClusterIP kube-proxy has not programmed yet goes nowhere
  // instead of out of the machine's default route.
  await run('ip', ['route', 'add', nodeNetwork.serviceRange, 'dev', bridge]);
  for (const key of sysctls) await writeFile(`/proc/sys/${key}`, '1');
  // Pods may talk to each other and to the host's bridge address (API server, DNS); a packet from the pod
  // network that would leave through any other interface is dropped: nothing is sent off the machine. In the
  // mangle table, which runs before the filter table's FORWARD rules that kube-proxy puts first.
  const mangle = ['-t', 'mangle'];
  await run('iptables', [...mangle, '-N', egressChain]);
  await run('iptables', [...mangle, '-A', egressChain, '-s', podSubnet, '-o', bridge, '-j', 'RETURN']);
  await run('iptables', [...mangle, '-A', egressChain, '-s', podSubnet, '-j', 'DROP']);
  await run('iptables', [...mangle, '-I', 'FORWARD', '1', '-j', egressChain]);
}

/** Removes everything a node (running, stopped or crashed) left on the host. Safe to call when nothing is there. */
export async function cleanUpNode(paths: NodePaths): Promise<void> {
  await killNodeProcesses(paths);
  await deleteContainers(paths);
  await killNodeProcesses(paths);
  await deleteIptablesChains();
  await attempt('conntrack', ['-D', '-s', nodeNetwork.podSubnet]);
  await unmountUnder(paths.dir);
  await removeCgroups();
  await attempt('ip', ['link', 'del', nodeNetwork.bridge]);
  await restoreSysctls(paths);
  const created = await readFile(join(paths.dir, 'created-host-dirs.json'), 'utf8').catch(() => '[]');
  for (const dir of JSON.parse(created) as string[]) {
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
  }
  await rm(paths.dir, { recursive: true, force: true });
  for (const dir of await controlPlaneDirs(paths)) await rm(dir, { recursive: true, force: true });
}

/** The node's control-plane directories (certificates, etcd data, logs) in the same temporary directory. */
async function controlPlaneDirs(paths: NodePaths): Promise<string[]> {
  const parent = dirname(paths.dir);
  const entries = await readdir(parent).catch(() => [] as string[]);
  return entries
    .filter((entry) => entry.startsWith(nodeControlPlanePrefix))
    .map((entry) => join(parent, entry));
}

/** What a node left on the host; empty after a clean teardown. */
export async function nodeLeftovers(paths: NodePaths): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await nodeProcesses(paths)) found.push(`process ${pid}: ${await commandLine(pid)}`);
  for (const chain of await iptablesChains()) found.push(`iptables chain ${chain}`);
  if (await exists(`/sys/class/net/${nodeNetwork.bridge}`)) found.push(`bridge ${nodeNetwork.bridge}`);
  for (const mount of await mountsUnder(paths.dir)) found.push(`mount ${mount}`);
  for (const cgroup of await kubepodsCgroups()) found.push(`cgroup ${cgroup}`);
  for (const dir of [paths.dir, ...fixedHostDirs]) if (await exists(dir)) found.push(`directory ${dir}`);
  for (const dir of await controlPlaneDirs(paths)) found.push(`directory ${dir}`);
  return found;
}

/**
 * Processes of this node: any whose command line names the node's directory — containerd, the kubelet,
 * kube-proxy, CoreDNS, and containerd's shims, which detach from the process tree (their `-address` is the
 * node's socket) — and the containers' processes (running in the node's cgroups).
 */
async function nodeProcesses(paths: NodePaths): Promise<number[]> {
  const pids = new Set<number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    if ((await commandLine(entry)).includes(paths.dir)) pids.add(Number(entry));
  }
  for (const cgroup of await kubepodsCgroups()) {
    const procs = await readFile(join(cgroup, 'cgroup.procs'), 'utf8').catch(() => '');
    for (const pid of procs.split('\n').filter(Boolean)) pids.add(Number(pid));
  }
  return [...pids];
}

async function commandLine(pid: number | string): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ').trim();
}

async function killNodeProcesses(paths: NodePaths): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const pids = await nodeProcesses(paths);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Containers runc still knows in the node's runc root (one root per containerd namespace). */
async function deleteContainers(paths: NodePaths): Promise<void> {
  const roots = await readdir(paths.runcRoot).catch(() => [] as string[]);
  for (const namespace of roots) {
    const root = join(paths.runcRoot, namespace);
    const ids = (await run('runc', ['--root', root, 'list', '-q']).catch(() => ''))
      .split('\n')
      .filter(Boolean);
    for (const id of ids) {
      await attempt('runc', ['--root', root, 'kill', '--all', id, 'KILL']);
      await attempt('runc', ['--root', root, 'delete', '--force', id]);
    }
  }
}

const iptablesTables = ['filter', 'nat', 'mangle'];
const ownChain = (chain: string) => chain.startsWith('KUBE-') || chain === nodeNetwork.egressChain;

/** The kubelet's and kube-proxy's chains (KUBE-*) and the node's own, in iptables and ip6tables. */
async function iptablesChains(): Promise<string[]> {
  const chains: string[] = [];
  for (const command of ['iptables', 'ip6tables']) {
    for (const table of iptablesTables) {
      const rules = await run(command, ['-t', table, '-S']).catch(() => '');
      for (const line of rules.split('\n')) {
        const chain = /^-N (\S+)$/.exec(line)?.[1];
        if (chain && ownChain(chain)) chains.push(`${command} -t ${table} ${chain}`);
      }
    }
  }
  return chains;
}

async function deleteIptablesChains(): Promise<void> {
  for (const command of ['iptables', 'ip6tables']) {
    for (const table of iptablesTables) {
      const rules = (await run(command, ['-t', table, '-S']).catch(() => '')).split('\n');
      const chains = rules
        .map((line) => /^-N (\S+)$/.exec(line)?.[1])
        .filter((c) => c !== undefined && ownChain(c));
      // Jumps from the built-in chains first, then empty and delete the node's chains.
      for (const line of rules) {
        const rule = /^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) (.*-j (\S+).*)$/.exec(line);
        if (rule && ownChain(rule[3]!))
          await attempt('sh', ['-c', `${command} -t ${table} -D ${rule[1]} ${rule[2]}`]);
      }
      for (const chain of chains) await attempt(command, ['-t', table, '-F', chain!]);
      for (const chain of chains) await attempt(command, ['-t', table, '-X', chain!]);
    }
  }
}

async function mountsUnder(dir: string): Promise<string[]> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    // mountinfo escapes spaces and the like as octal.
    .map((point) =>
      point.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))),
    );
  return points.filter((point) => point === dir || point.startsWith(`${dir}/`));
}

async function unmountUnder(dir: string): Promise<void> {
  // Deepest first; lazily, so a mount still busy for a moment is detached anyway.
  const points = (await mountsUnder(dir)).sort((a, b) => b.length - a.length);
  for (const point of points) await attempt('umount', ['--lazy', point]);
}

/** The pods' cgroups: /kubepods in every cgroup v1 hierarchy (or the unified one). */
async function kubepodsCgroups(): Promise<string[]> {
  const found: string[] = [];
  const hierarchies = await readdir('/sys/fs/cgroup').catch(() => [] as string[]);
  for (const root of ['', ...hierarchies]) {
    const top = join('/sys/fs/cgroup', root, 'kubepods');
    if (!(await exists(top))) continue;
    // Follow symlinked hierarchies (cpu,cpuacct) once.
    if (root && (await readlink(join('/sys/fs/cgroup', root)).catch(() => ''))) continue;
    found.push(...(await cgroupTree(top)));
  }
  return found;
}

async function cgroupTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const children = entries.filter((entry) => entry.isDirectory()).map((entry) => join(dir, entry.name));
  const nested = await Promise.all(children.map(cgroupTree));
  return [dir, ...nested.flat()];
}

async function removeCgroups(): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const cgroups = (await kubepodsCgroups()).sort((a, b) => b.length - a.length);
    if (cgroups.length === 0) return;
    for (const cgroup of cgroups) await rmdir(cgroup).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function restoreSysctls(paths: NodePaths): Promise<void> {
  const saved = await readFile(join(paths.dir, 'sysctl.json'), 'utf8').catch(() => '');
  if (!saved) return;
  for (const [key, value] of Object.entries(JSON.parse(saved) as Record<string, string>)) {
    await writeFile(`/proc/sys/${key}`, value).catch(() => {});
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
