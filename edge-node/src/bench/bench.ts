import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { VirtualClock } from '@roast-operator/clock';
import { realismFigures as figures, medianSchedule } from '@roast-operator/thermal';
import { SimRoaster } from '../sim/roaster.ts';
import { roastThrough, settled, simulatedEdge } from '../testing/simulated-edge.ts';

// `npm run bench:edge [-- --json] [-- --seconds N]`. Two things:
// - the agent's footprint in real time: the CLI (`edge-node --simulate --sim-start charge`) in its own
//   process, polling the simulated R1 at 10 Hz with the roaster preheated and holding temperature; RSS,
//   private (anonymous) memory and CPU read from /proc. Measured twice: run from the .ts sources as in
//   development, and from the same sources with the types stripped ahead of time, as an image can ship
//   them — Node's own TypeScript stripper costs about 24 MB when it runs in the process;
// - the simulator's speed on the virtual clock: a whole roast through the edge, and the physics alone.
// A script that prints figures, not a timed test.

const { values } = parseArgs({
  options: { json: { type: 'boolean', default: false }, seconds: { type: 'string', default: '25' } },
});
const seconds = Number(values.seconds);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const targets = { rssMb: 80, cpuPercent: 3 };

type Footprint = {
  readonly seconds: number;
  readonly pollHz: number;
  readonly rssMbMax: number;
  readonly rssMbMean: number;
  /** Private memory: RSS less the pages of the node binary and libraries it maps. */
  readonly anonMbMax: number;
  readonly cpuPercentOfOneCore: number;
};

/** The Node options the chart's DaemonSet runs the agent with, so the figures are the pod's. */
function podNodeOptions(): string {
  const template = readFileSync(join(repo, 'charts/roast-operator/templates/edge-daemonset.yaml'), 'utf8');
  const options = /name: NODE_OPTIONS\s+value: (.+)/.exec(template)?.[1];
  if (options === undefined) throw new Error('the edge DaemonSet template sets no NODE_OPTIONS');
  return options.trim();
}

async function footprint(entry: string): Promise<Footprint> {
  const store = mkdtempSync(join(tmpdir(), 'edge-bench-store-'));
  const port = await freePort();
  const args = [entry, '--simulate', '--sim-start', 'charge', '--store', store, '--port', String(port)];
  // Outside a pod, so a lost device is retried rather than ending the process.
  const { KUBERNETES_SERVICE_HOST: _, ...env } = process.env;
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...env, LOG_LEVEL: 'error', NODE_OPTIONS: podNodeOptions() },
  });
  try {
    const ready = async () =>
      (await fetch(`http://127.0.0.1:${port}/readyz`)).json() as Promise<{ readings: number }>;
    await retry(ready, 15_000);
    await sleep(3000);
    const pid = child.pid!;
    const start = { readings: (await ready()).readings, cpu: cpuTicks(pid), at: performance.now() };
    const rss: number[] = [];
    const anon: number[] = [];
    for (let second = 1; second <= seconds; second++) {
      await sleep(start.at + second * 1000 - performance.now());
      const status = memory(pid);
      rss.push(status.rssMb);
      anon.push(status.anonMb);
    }
    const elapsedMs = performance.now() - start.at;
    const cpuMs = ((cpuTicks(pid) - start.cpu) * 1000) / clockTicksPerSecond();
    const readings = (await ready()).readings - start.readings;
    return {
      seconds: round(elapsedMs / 1000, 1),
      pollHz: round((readings * 1000) / elapsedMs, 2),
      rssMbMax: round(Math.max(...rss), 1),
      rssMbMean: round(rss.reduce((a, b) => a + b, 0) / rss.length, 1),
      anonMbMax: round(Math.max(...anon), 1),
      cpuPercentOfOneCore: round((cpuMs / elapsedMs) * 100, 2),
    };
  } finally {
    await stop(child);
    rmSync(store, { recursive: true, force: true });
  }
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

/** The workspace libs a package depends on, directly or through other libs. */
function workspaceLibs(packageJson: string, found = new Set<string>()): Set<string> {
  const deps = Object.keys((readJson(packageJson).dependencies as Record<string, string>) ?? {});
  for (const dep of deps) {
    const lib = dep.startsWith('@roast-operator/') ? dep.slice('@roast-operator/'.length) : undefined;
    if (lib === undefined || found.has(lib)) continue;
    found.add(lib);
    workspaceLibs(join(repo, 'libs', lib, 'package.json'), found);
  }
  return found;
}

/**
 * The agent's sources and the libs it imports, with types stripped by Node's own stripper into a temporary
 * tree laid out like the repository; returns the entry point.
 */
function strippedTree(): { entry: string; dispose(): void } {
  const root = mkdtempSync(join(tmpdir(), 'edge-bench-js-'));
  const strip = (from: string, to: string) => {
    for (const file of readdirSync(from, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || file.includes('.test')) continue;
      const source = stripTypeScriptTypes(readFileSync(join(from, file), 'utf8'));
      const target = join(to, file.replace(/\.ts$/, '.js'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, source.replace(/(['"])(\.\.?\/[^'"]+)\.ts\1/g, '$1$2.js$1'));
    }
  };
  strip(join(repo, 'edge-node', 'src'), join(root, 'edge-node', 'src'));
  cpSync(join(repo, 'edge-node', 'package.json'), join(root, 'edge-node', 'package.json'));
  const modules = join(root, 'node_modules');
  for (const lib of workspaceLibs(join(repo, 'edge-node', 'package.json'))) {
    const dir = join(modules, '@roast-operator', lib);
    strip(join(repo, 'libs', lib, 'src'), join(dir, 'src'));
    const { exports } = readJson(join(repo, 'libs', lib, 'package.json'));
    const js = Object.fromEntries(
      Object.entries(exports as Record<string, string>).map(([k, v]) => [k, v.replace(/\.ts$/, '.js')]),
    );
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', exports: js }));
  }
  // Third-party packages are plain JavaScript already: the repository's own, linked.
  for (const entry of readdirSync(join(repo, 'node_modules'))) {
    if (entry !== '@roast-operator' && !entry.startsWith('.'))
      symlinkSync(join(repo, 'node_modules', entry), join(modules, entry));
  }
  return {
    entry: join(root, 'edge-node', 'src', 'main.js'),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

type Virtual = {
  readonly simulatedSeconds: number;
  readonly wallSeconds: number;
  readonly timesRealTime: number;
  readonly readingsPerWallSecond: number;
  readonly fcSeconds: number | undefined;
  readonly physicsTicksPerSecond: number;
};

/** A whole roast (preheat from cold, hold, 10 min of roasting) through the edge on virtual time. */
async function virtual(): Promise<Virtual> {
  const started = performance.now();
  const edge = await simulatedEdge({ device: { roaster: { seed: 1 } } });
  const from = edge.clock.now();
  const log = await roastThrough(edge, { schedule: medianSchedule, seconds: 600 });
  await settled(edge.clock, edge.agent.stop(), 10_000);
  const wallSeconds = (performance.now() - started) / 1000;
  const simulatedSeconds = (edge.clock.now() - from) / 1000;
  return {
    simulatedSeconds: Math.round(simulatedSeconds),
    wallSeconds: round(wallSeconds, 2),
    timesRealTime: Math.round(simulatedSeconds / wallSeconds),
    readingsPerWallSecond: Math.round(edge.readings.length / wallSeconds),
    fcSeconds: figures(log.ibts).fcSeconds,
    physicsTicksPerSecond: await physicsSpeed(),
  };
}

/** The simulated roaster alone: one hour of roasting physics in 100 ms ticks. */
async function physicsSpeed(): Promise<number> {
  const clock = new VirtualClock();
  const roaster = new SimRoaster(clock, { start: 'roasting', levels: { heater: 7, fan: 2, drum: 9 } });
  const hourMs = 3600_000;
  await clock.advance(hourMs);
  const started = performance.now();
  // The roaster catches up with its clock when asked for a block.
  roaster.status1();
  return Math.round(hourMs / 100 / ((performance.now() - started) / 1000));
}

function memory(pid: number): { rssMb: number; anonMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(status.match(new RegExp(`${key}:\\s+(\\d+)`))?.[1]);
  return { rssMb: kb('VmRSS') / 1024, anonMb: kb('RssAnon') / 1024 };
}

/** User plus system time of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function clockTicksPerSecond(): number {
  return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function retry<T>(attempt: () => Promise<T>, withinMs: number): Promise<T> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Real time with a timer that keeps the script alive (the system clock's timers do not). */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

const stripped = strippedTree();
const result = {
  agent: {
    fromTypeScript: await footprint(join(repo, 'edge-node', 'src', 'main.ts')),
    stripped: await footprint(stripped.entry).finally(stripped.dispose),
  },
  virtual: await virtual(),
  targets,
};

function table(): string {
  const { fromTypeScript: ts, stripped: js } = result.agent;
  const v = result.virtual;
  const rows: string[][] = [
    ['agent, real time, preheated R1', 'from .ts', 'types stripped', 'target'],
    ['  measured for', `${ts.seconds} s`, `${js.seconds} s`, ''],
    ['  poll rate', `${ts.pollHz} Hz`, `${js.pollHz} Hz`, '≈ 10 Hz'],
    [
      '  RSS max / mean',
      `${ts.rssMbMax} / ${ts.rssMbMean} MB`,
      `${js.rssMbMax} / ${js.rssMbMean} MB`,
      `≤ ${targets.rssMb} MB`,
    ],
    ['  private memory max', `${ts.anonMbMax} MB`, `${js.anonMbMax} MB`, ''],
    [
      '  CPU, one core',
      `${ts.cpuPercentOfOneCore} %`,
      `${js.cpuPercentOfOneCore} %`,
      `≤ ${targets.cpuPercent} %`,
    ],
    ['edge on the virtual clock', '', '', ''],
    ['  whole roast', `${v.simulatedSeconds} s simulated in ${v.wallSeconds} s`, '', ''],
    ['  speed', `${v.timesRealTime}× real time`, `${v.readingsPerWallSecond} readings/s`, ''],
    ['  first crack', `${v.fcSeconds ?? '—'} s after charge`, '', '420 ± 45 s'],
    ['  physics alone', `${v.physicsTicksPerSecond} ticks/s`, '(100 ms each)', ''],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${table()}\n`);
