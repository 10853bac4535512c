import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestGateway } from './testing/gateway.ts';

// The command line as a process: a simulated roaster streaming to a gateway on loopback.

const main = join(import.meta.dirname, 'main.ts');
const cleanups: (() => void | Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Agent = {
  readonly child: ChildProcess;
  /** Its JSON log lines on stdout. */
  readonly lines: Record<string, unknown>[];
  stderr: string;
  readonly exited: Promise<number>;
};

function agent(args: string[]): Agent {
  const store = mkdtempSync(join(tmpdir(), 'edge-store-'));
  cleanups.push(() => rmSync(store, { recursive: true, force: true }));
  // Outside a container, whatever runs the tests.
  const { KUBERNETES_SERVICE_HOST: _, ...env } = process.env;
  const child = spawn(process.execPath, [main, '--store', store, '--port', '0', ...args], {
    env: { ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => {
    child.kill('SIGKILL');
  });
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  const run: Agent = { child, lines: [], stderr: '', exited };
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) run.lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    run.stderr += chunk.toString();
  });
  return run;
}

async function waitFor(done: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Real processes: starting Node and loading the agent takes seconds on a busy machine.
describe('edge-node --gateway', { timeout: 60_000 }, () => {
  it('streams a simulated roaster to the gateway and serves the link metrics', async () => {
    const gateway = await TestGateway.start();
    cleanups.push(() => gateway.stop());
    const run = agent([
      '--simulate',
      '--gateway',
      gateway.address,
      '--insecure-demo',
      '--roaster',
      'roastery/bullet-1',
      '--roaster-uid',
      'uid-1',
    ]);
    await waitFor(() => gateway.received.length >= 2, 'telemetry at the gateway');
    const [stream] = gateway.streams;
    expect(stream?.hello).toMatchObject({
      roaster: { namespace: 'roastery', name: 'bullet-1', uid: 'uid-1' },
      device: { model: 'Simulated', sourceDetail: 'seed 1' },
    });
    expect(stream?.authorization).toBeUndefined();
    const listening = run.lines.find((l) => l.msg === 'http listening');
    const metrics = await (await fetch(`http://127.0.0.1:${listening?.port}/metrics`)).text();
    expect(metrics).toMatch(/^roast_edge_link_state\{state="up"\} 1$/m);
    expect(metrics).toMatch(/^roast_edge_link_batches_sent_total [1-9]/m);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('stamps a time-scaled simulator’s telemetry on its physics clock, and refuses a scale that is not positive', async () => {
    const gateway = await TestGateway.start();
    cleanups.push(() => gateway.stop());
    const run = agent([
      '--simulate',
      '--time-scale=20',
      '--sim-start=off',
      '--gateway',
      gateway.address,
      '--insecure-demo',
      '--roaster',
      'roastery/bullet-1',
      '--roaster-uid',
      'uid-1',
    ]);
    await waitFor(() => gateway.received.length >= 3, 'telemetry at the gateway');
    const times = gateway.received.flatMap((b) => b.samples.map((x) => x.timeMs));
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
    // Polled every 100 ms or more of real time: 2 s or more of the roaster's.
    const gaps = times
      .slice(1)
      .map((t, i) => t - times[i]!)
      .sort((x, y) => x - y);
    expect(gaps[Math.floor(gaps.length / 2)]).toBeGreaterThanOrEqual(1900);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const refused = agent(['--simulate', '--time-scale=0']);
    expect(await refused.exited).toBe(2);
    expect(refused.stderr).toMatch(/^--time-scale must be above 0, got 0/);
  });

  it('refuses a plaintext link unless it is an explicit demo', async () => {
    const run = agent(['--simulate', '--gateway', '127.0.0.1:1', '--roaster', 'a/b', '--roaster-uid', 'u']);
    expect(await run.exited).toBe(2);
    expect(run.stderr).toMatch(/^--gateway needs --insecure-demo/);
  });
});
