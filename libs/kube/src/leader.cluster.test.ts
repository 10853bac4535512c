import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { eventually, testCluster, useTestNamespace } from '@roast-operator/control-plane';
import { afterAll, describe, expect, it } from 'vitest';
import { KubeClient } from './client.ts';
import { leases } from './kinds.ts';

// Managers run as separate processes so that SIGKILL and SIGTERM are real.
const fixture = join(import.meta.dirname, '../testing/manager-process.ts');
const namespace = useTestNamespace('kube-leader');
const leaseName = 'roast-operator-leader';
const leaseDurationMs = 15_000;
const retryPeriodMs = 2_000;
const children: ChildProcessByStdio<null, Readable, Readable>[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

interface LogLine {
  msg: string;
  time: string;
  process: string;
  port?: number;
}

function startManager(identity: string) {
  const child = spawn(
    process.execPath,
    [fixture, testCluster().kubeconfigPath(), namespace(), leaseName, identity],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  const lines: LogLine[] = [];
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      lines.push(JSON.parse(buffer.slice(0, nl)) as LogLine);
      buffer = buffer.slice(nl + 1);
    }
  });
  child.stderr.on('data', (d) => process.stderr.write(`[${identity}] ${d}`));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const logged = (msg: string) => lines.find((l) => l.msg === msg);
  const at = (msg: string) => Date.parse(logged(msg)!.time);
  return { identity, child, lines, exited, logged, at };
}

type Manager = ReturnType<typeof startManager>;

async function holder(): Promise<string | undefined> {
  const client = new KubeClient(testCluster().kubeConfig(), { fieldManager: 'leader-test' });
  try {
    return (await client.resource(leases).get(namespace(), leaseName)).spec?.holderIdentity;
  } finally {
    await client.close();
  }
}

async function leaderStatus(m: Manager): Promise<number> {
  const port = m.logged('serving probes and metrics')!.port;
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`leader_election_master_status{name="${leaseName}"}`));
  return Number(line?.split(' ')[1]);
}

describe('leader election across processes', () => {
  let a: Manager;
  let b: Manager;
  let leader: Manager;
  let follower: Manager;

  it('elects exactly one leader', async () => {
    a = startManager('manager-a');
    b = startManager('manager-b');
    await eventually(() => expect([a, b].filter((m) => m.logged('started leading'))).toHaveLength(1), 20_000);
    [leader, follower] = a.logged('started leading') ? [a, b] : [b, a];
    await eventually(() => expect(follower.logged('waiting to acquire lease')).toBeDefined());
    // Through a few renewals, nothing changes hands.
    await new Promise((resolve) => setTimeout(resolve, 3 * retryPeriodMs));
    expect(follower.logged('started leading')).toBeUndefined();
    // Controllers are leader-only: the follower keeps its caches warm but reconciles nothing.
    expect(leader.logged('starting workers')).toBeDefined();
    expect(follower.logged('starting workers')).toBeUndefined();
    expect(follower.logged('cache synced')).toBeDefined();
    expect(await holder()).toBe(leader.identity);
    expect(await leaderStatus(leader)).toBe(1);
    expect(await leaderStatus(follower)).toBe(0);
  });

  it('after SIGKILL of the leader, the other takes over once the lease expires, within lease duration + retry period', async () => {
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await eventually(
      () => expect(follower.logged('started leading')).toBeDefined(),
      leaseDurationMs + 2 * retryPeriodMs,
    );
    const tookMs = follower.at('started leading') - killedAt;
    // It waited for the expiry (the dead leader renewed at most one retry period before the kill) …
    expect(tookMs).toBeGreaterThanOrEqual(leaseDurationMs - retryPeriodMs);
    // … and not longer than the protocol allows, give or take the API requests of the takeover itself.
    expect(tookMs).toBeLessThanOrEqual(leaseDurationMs + retryPeriodMs + 1000);
    expect(await holder()).toBe(follower.identity);
    await eventually(() => expect(follower.logged('starting workers')).toBeDefined());
    leader = follower;
  });

  it('SIGTERM releases the lease at once, so a successor takes over without waiting for expiry', async () => {
    const successor = startManager('manager-c');
    await eventually(() => expect(successor.logged('waiting to acquire lease')).toBeDefined());
    const termAt = Date.now();
    leader.child.kill('SIGTERM');
    expect(await leader.exited).toBe(0);
    expect(leader.logged('released lease')).toBeDefined();
    await eventually(() => expect(successor.logged('started leading')).toBeDefined());
    // No overlap: the successor leads only after the old leader stopped.
    expect(successor.at('started leading')).toBeGreaterThanOrEqual(leader.at('stopped leading'));
    expect(successor.at('started leading') - termAt).toBeLessThanOrEqual(retryPeriodMs + 1000);
    expect(await holder()).toBe(successor.identity);
  });
});
