// `npm start` as a user runs it: the whole demo in its own process group (as a terminal starts it), with a
// temporary directory of its own (TMPDIR), so whatever it leaves behind — a process whose command line names
// that directory, a process still in the group, a file — is found. The demo starts its own control plane;
// the run's shared one is not used.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '@roast-operator/control-plane';
import { afterEach, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const run = promisify(execFile);

interface Demo {
  readonly child: ChildProcess;
  readonly dir: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Demo[] = [];

async function startDemo(args: readonly string[]): Promise<Demo> {
  const dir = await mkdtemp(join(tmpdir(), 'roast-demo-test-'));
  let output = '';
  const child = spawn('npm', ['start', '--', ...args], {
    cwd: root,
    env: { ...process.env, TMPDIR: dir },
    // Its own process group, as a shell gives a foreground job: Ctrl-C goes to the whole group.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      output += chunk;
    });
  }
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const demo = { child, dir, output: () => output, exited };
  started.push(demo);
  return demo;
}

/** Processes whose command line names `dir`, and processes left in the demo's process group. */
async function leftovers(demo: Demo): Promise<string[]> {
  const pgrep = async (args: string[]) =>
    run('pgrep', ['-a', ...args]).then(
      ({ stdout }) => stdout.trim().split('\n').filter(Boolean),
      // pgrep exits 1 when nothing matches.
      (err: { code?: number }) => {
        if (err.code === 1) return [];
        throw err;
      },
    );
  return [...(await pgrep(['-f', demo.dir])), ...(await pgrep(['-g', String(demo.child.pid)]))];
}

async function expectNothingLeft(demo: Demo): Promise<void> {
  expect(await leftovers(demo)).toEqual([]);
  // npm keeps Node's compile cache in TMPDIR; it is npm's, not the demo's.
  expect((await readdir(demo.dir)).filter((f) => f !== 'node-compile-cache')).toEqual([]);
}

afterEach(async () => {
  for (const demo of started.splice(0)) {
    // A failed test must not leave a demo running for the next one.
    if (demo.child.exitCode === null && demo.child.signalCode === null)
      process.kill(-demo.child.pid!, 'SIGKILL');
    await demo.exited;
    await rm(demo.dir, { recursive: true, force: true });
  }
});

describe('npm start', () => {
  it('roasts one batch through the API, prints the summary, and with --exit leaves nothing behind', async () => {
    const demo = await startDemo(['--exit']);
    const { code } = await demo.exited;
    const out = demo.output();
    expect(code, out).toBe(0);

    // Who did what, as it happened.
    expect(out).toMatch(
      /alice proposes Preheat[\s\S]*?governor: RequireApproval at L3 \(prs\.neverAutomatic\); bob approves/,
    );
    expect(out).toMatch(
      /advisor proposes heater 5[\s\S]*?governor: RequireApproval at L3 \(level\.L3\.agentNeedsApproval\)/,
    );
    expect(out).toMatch(/alice hears first crack: marks it on guji-1/);
    for (const step of ['preheat', 'charge', 'advisor-heater-5', 'drop', 'cool']) {
      expect(out).toMatch(new RegExp(`  ${step} Succeeded in \\d+ ms`));
    }
    expect(out).toMatch(/\d\d:\d\d {2}\d\d:\d\d {2}Roasting · BT \d+\.\d °C · RoR -?\d+\.\d °C\/min/);

    // The summary: the session's events with their times and temperatures, DTR, commands, points.
    const summary = out.slice(out.lastIndexOf('\nRoastSession guji-1:') + 1);
    expect(summary).toMatch(/^RoastSession guji-1: Completed/);
    for (const event of ['Charge', 'Turning point', 'Dry end', 'First crack', 'Drop']) {
      expect(summary).toMatch(
        new RegExp(`  ${event} +\\d\\d:\\d\\d  \\d+\\.\\d °C +(StateCode|Inferred|Mark)`),
      );
    }
    expect(summary).toMatch(/ {2}First crack .* Mark/);
    expect(summary).toMatch(/ {2}DTR +\d+\.\d %/);
    expect(summary).toMatch(/ {2}Commands +7 proposed, 7 succeeded, 0 failed/);
    expect(summary).toMatch(/ {2}Points stored +\d+/);
    expect(summary).toMatch(/export KUBECONFIG=\S+\/admin\.kubeconfig/);
    expect(summary).toContain('kubectl get roasting -n roastery');
    expect(out).toContain('Stopped; nothing is left running.');

    await expectNothingLeft(demo);
  }, 300_000);

  it('stops everything when Ctrl-C comes in the middle of the roast', async () => {
    const demo = await startDemo([]);
    await eventually(() => expect(demo.output()).toMatch(/Roasting · BT/), 240_000);
    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground job.
    process.kill(-demo.child.pid!, 'SIGINT');
    const { code, signal } = await demo.exited;
    const out = demo.output();
    expect(out).toContain('Ctrl-C: stopping');
    expect(out).toContain('Stopped; nothing is left running.');
    expect(out).not.toContain('The demo failed');
    // npm reports the interrupted script as a non-zero exit, or dies of the same signal.
    expect(code === 0 && signal === null, out).toBe(false);

    await expectNothingLeft(demo);
  }, 300_000);
});
