import { spawn } from 'node:child_process';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from './testing.ts';

// No control-plane process may outlive whoever started it: not on Ctrl-C, not on SIGKILL.
const cli = join(import.meta.dirname, 'cli.ts');

describe('control-plane lifecycle', () => {
  it('Ctrl-C stops every server and removes the directory', async () => {
    const { child, dir } = await startCli();
    const servers = await processesUsing(dir);
    expect(servers.map((p) => p.name).sort()).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager']);
    child.kill('SIGINT');
    expect(await exitCode(child)).toBe(0);
    expect(await alive(servers.map((p) => p.pid))).toEqual([]);
    expect(await stat(dir).catch(() => 'gone')).toBe('gone');
  });

  it('SIGKILL of the starting process takes every server with it', async () => {
    const { child, dir } = await startCli();
    const servers = await processesUsing(dir);
    expect(servers).toHaveLength(3);
    child.kill('SIGKILL');
    await exitCode(child);
    await eventually(async () => expect(await alive(servers.map((p) => p.pid))).toEqual([]));
    await rm(dir, { recursive: true, force: true });
  });
});

async function startCli() {
  const child = spawn(process.execPath, [cli], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const dir = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const match = /KUBECONFIG=(\S+)\/admin\.kubeconfig/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`cli exited ${code}: ${output}`)));
  });
  return { child, dir };
}

function exitCode(child: ReturnType<typeof spawn>): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Processes whose command line mentions the control plane's directory, from /proc. */
async function processesUsing(dir: string): Promise<{ pid: number; name: string }[]> {
  const found: { pid: number; name: string }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const argv = cmdline.split('\0');
    if (argv.some((arg) => arg.includes(dir)) && !argv[0]?.endsWith('setpriv')) {
      found.push({ pid: Number(entry), name: argv[0]!.split('/').at(-1)! });
    }
  }
  return found;
}

async function alive(pids: number[]): Promise<number[]> {
  const states = await Promise.all(
    pids.map(async (pid) => {
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      // A zombie has exited; it only waits for its parent to collect it.
      return status && !/^State:\s+Z/m.test(status) ? pid : undefined;
    }),
  );
  return states.filter((pid) => pid !== undefined);
}
