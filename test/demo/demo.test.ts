// `npm start` as a user runs it: the whole demo in its own process group (as a terminal starts it), with a
// temporary directory of its own (TMPDIR), so whatever it leaves behind — a process whose command line names
// that directory, a process still in the group, a file — is found. The demo starts its own control plane;
// the run's shared one is not used. The `--exit` run is a newcomer's first one: `npm ci` in a fresh clone,
// from a shell on the machine's own Node, then the demo (the control plane's binaries are cached by then).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
/** Temporary directories of the test: the demos' TMPDIRs and fresh clones. */
const scratch: string[] = [];

interface DemoPlace {
  /** Where `npm start` runs. */
  readonly cwd: string;
  /** Its TMPDIR, empty. */
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
}

async function scratchDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

function startDemo(args: readonly string[], place: DemoPlace): Demo {
  let output = '';
  const child = spawn('npm', ['start', '--', ...args], {
    cwd: place.cwd,
    env: { ...place.env, TMPDIR: place.dir },
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
  const demo = { child, dir: place.dir, output: () => output, exited };
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

/** A fresh clone as a newcomer has it: the files Git tracks (and new ones not yet added), no node_modules. */
async function freshClone(): Promise<string> {
  const clone = await scratchDir('roast-clone-test-');
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    maxBuffer: 16 << 20,
  });
  for (const file of new Set(stdout.split('\0').filter(Boolean))) {
    await mkdir(dirname(join(clone, file)), { recursive: true });
    await cp(join(root, file), join(clone, file), { verbatimSymlinks: true }).catch(
      (err: { code?: string }) => {
        // Deleted in the working tree, not yet in Git: a clone of the change would not have it.
        if (err.code !== 'ENOENT') throw err;
      },
    );
  }
  return clone;
}

/**
 * A shell's environment on this machine: no variables of the npm script running this test, and no
 * node_modules/.bin on PATH — so npm runs on the machine's own Node, as it does for a newcomer.
 */
function shellEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(npm_|vitest|node_env$|node$|init_cwd$)/i.test(name)),
  );
  env.PATH = (process.env.PATH ?? '')
    .split(':')
    .filter((entry) => !entry.includes('node_modules'))
    .join(':');
  return env;
}

afterEach(async () => {
  for (const demo of started.splice(0)) {
    // A failed test must not leave a demo running for the next one.
    if (demo.child.exitCode === null && demo.child.signalCode === null)
      process.kill(-demo.child.pid!, 'SIGKILL');
    await demo.exited;
  }
  for (const dir of scratch.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('after npm ci in a fresh clone, roasts one batch through the API, prints the summary, and with --exit leaves nothing behind', async () => {
    const place = { cwd: await freshClone(), dir: await scratchDir('roast-demo-test-'), env: shellEnv() };
    const install = await run('npm', ['ci'], { cwd: place.cwd, env: place.env, maxBuffer: 16 << 20 });
    const installed = `${install.stdout}${install.stderr}`;
    // A quiet, honest install: no engine warnings about the machine's Node, which only runs npm; once,
    // which Node runs the scripts.
    expect(installed).not.toMatch(/EBADENGINE|npm warn/);
    expect(
      installed.match(
        /^Node v24\.\d+\.\d+, pinned by the `node` dev dependency, runs every npm script here/gm,
      ),
      installed,
    ).toHaveLength(1);

    const demo = startDemo(['--exit'], place);
    const { code } = await demo.exited;
    const out = demo.output();
    expect(code, out).toBe(0);
    // The binaries come from the cache (or, when given, from ROAST_CONTROL_PLANE_BIN): no build.
    if (!process.env.ROAST_CONTROL_PLANE_BIN)
      expect(out).toMatch(/^control-plane: cache hit: etcd v3\.6\.\d+, kube-apiserver/m);

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
    // Nothing points at the cluster or the files that --exit removes; how to run again and keep them.
    expect(summary).not.toContain(demo.dir);
    expect(summary).not.toMatch(/KUBECONFIG|kubectl get|product\.log/);
    expect(summary).toContain('  npm start -- --stay    # when stdin is not a terminal (a pipe, CI)');
    expect(summary).toMatch(/Stopping \(--exit\)…\nStopped; nothing is left running\.\n$/);

    await expectNothingLeft(demo);
  }, 600_000);

  it('stops everything when Ctrl-C comes in the middle of the roast', async () => {
    const demo = startDemo([], { cwd: root, dir: await scratchDir('roast-demo-test-'), env: process.env });
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
