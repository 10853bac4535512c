import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defaultNodePaths, eventually, nodeLeftovers } from '@roast-operator/control-plane';
import { describe, expect, it } from 'vitest';
import { baseImage } from '../../tools/images/src/images.ts';

// `npm run control-plane -- --node` with a pod running (so containerd's shims have left the process tree):
// SIGTERM (and Ctrl-C, the same handler) leaves nothing on the host; after a SIGKILL the node's guard removes
// everything; with the guard killed too, the shims, the pod, the iptables chains and the bridge remain and
// `--node-cleanup` removes them. Runs without a shared node.
const execFileAsync = promisify(execFile);
const cli = join(import.meta.dirname, '../../tools/control-plane/src/cli.ts');
const paths = defaultNodePaths();
const idle = 'process.on("SIGTERM", () => process.exit(0)); setInterval(() => {}, 1000);';

async function startWithPod(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, '--node'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const [kubeconfig, kubectl] = await new Promise<[string, string]>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const config = /KUBECONFIG=(\S+admin\.kubeconfig)/.exec(output)?.[1];
      const binary = /alias kubectl=(\S+)/.exec(output)?.[1];
      if (config && binary && output.includes('Ctrl-C stops everything')) resolve([config, binary]);
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`the node cli exited ${code}:\n${output}`)));
  });
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  await execFileAsync(
    kubectl,
    ['run', 'idle', `--image=${baseImage}`, '--image-pull-policy=Never', '--', 'node', '-e', idle],
    { env },
  );
  await execFileAsync(kubectl, ['wait', '--for=condition=Ready', 'pod/idle', '--timeout=60s'], { env });
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('a node started from the command line', () => {
  it('leaves nothing on the host after SIGTERM', async () => {
    const child = await startWithPod();
    const running = await nodeLeftovers(paths);
    expect(running.filter((line) => line.includes('containerd-shim-runc-v2'))).not.toEqual([]);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(await nodeLeftovers(paths)).toEqual([]);
  }, 180_000);

  it('is cleaned up by its guard when the starting process is killed outright', async () => {
    const child = await startWithPod();
    child.kill('SIGKILL');
    await exited(child);
    await eventually(async () => expect(await nodeLeftovers(paths)).toEqual([]), 60_000);
  }, 180_000);

  it('is cleaned up by --node-cleanup when the guard was killed too', async () => {
    const child = await startWithPod();
    const guard = await guardOf(child.pid!);
    process.kill(guard, 'SIGKILL');
    child.kill('SIGKILL');
    await exited(child);
    // The kernel took the node's own processes with the CLI; the detached shims and the host state remain.
    const left = await nodeLeftovers(paths);
    expect(left.some((line) => line.includes('containerd-shim-runc-v2'))).toBe(true);
    expect(left).toContain('iptables chain iptables -t mangle ROAST-NODE-EGRESS');
    expect(left).toContain('bridge roast0');
    const cleanup = await execFileAsync(process.execPath, [cli, '--node-cleanup']);
    expect(cleanup.stdout).toBe('node: nothing left on the host\n');
    expect(await nodeLeftovers(paths)).toEqual([]);
  }, 180_000);
});

/** The PID of the guard a node's starting process left behind. */
async function guardOf(owner: number): Promise<number> {
  for (const entry of await readdir('/proc')) {
    const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (cmdline.includes('--node-guard') && cmdline.includes(String(owner))) return Number(entry);
  }
  throw new Error(`no guard for ${owner}`);
}
