import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingsDir } from '@roast-operator/roast/validation';
import { afterEach, describe, expect, it } from 'vitest';

// The two command lines a replay has, as processes: the agent playing a recording, and the report.

const edgeMain = join(import.meta.dirname, '..', 'main.ts');
const report = join(import.meta.dirname, 'report.ts');
const recording = join(recordingsDir(), 'scottjames__coffee-roasting__roast_25-10-11_1319.json');
const children: ChildProcess[] = [];
const stores: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const store of stores.splice(0)) rmSync(store, { recursive: true, force: true });
});

type Run = { readonly child: ChildProcess; stdout: string; stderr: string; readonly exited: Promise<number> };

function start(script: string, args: readonly string[]): Run {
  // Outside a container, whatever runs the tests.
  const { KUBERNETES_SERVICE_HOST: _, ...env } = process.env;
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const run: Run = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code ?? -1))),
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    run.stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    run.stderr += chunk.toString();
  });
  return run;
}

function agent(args: readonly string[]): Run {
  const store = mkdtempSync(join(tmpdir(), 'edge-store-'));
  stores.push(store);
  return start(edgeMain, ['--store', store, '--port', '0', ...args]);
}

async function until<T>(value: () => Promise<T | undefined>, what: string, limitMs = 10_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const found = await value();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('edge-node --replay', () => {
  it('drives the recording as model Replay through the agent', async () => {
    const run = agent(['--replay', recording, '--speed', '10']);
    const port = await until(async () => {
      const line = run.stdout.split('\n').find((l) => l.includes('"http listening"'));
      return line && (JSON.parse(line) as { port: number }).port;
    }, 'the agent listening');
    const hello = await until(async () => {
      const body = (await (await fetch(`http://127.0.0.1:${port}/hello`)).json()) as {
        model: string;
        device?: { kind: string; usbSerial: string };
      };
      return body.device && body;
    }, 'a connected device');
    expect(hello).toMatchObject({
      model: 'Replay',
      device: { kind: 'replay', usbSerial: 'REPLAY:scottjames__coffee-roasting__roast_25-10-11_1319' },
    });
  });

  it.each([
    [['--allow-real-usb'], /^--replay goes with neither --simulate nor --allow-real-usb/],
    [['--device', 'usb'], /^--replay plays a recording: no --device usb/],
    [['--model', 'AillioBulletR1V2'], /^--replay is model Replay, not AillioBulletR1V2/],
    [['--speed', '0'], /^--speed must be above 0/],
  ])('refuses %o with a replay', async (extra, message) => {
    const run = agent(['--replay', recording, ...extra]);
    expect(await run.exited).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('refuses --speed without a replay', async () => {
    const run = agent(['--simulate', '--speed', '2']);
    expect(await run.exited).toBe(2);
    expect(run.stderr).toMatch(/^--speed is for --replay/);
  });
});

describe('replay:report', () => {
  it('prints one JSON object for a recording: its events against the marks and the summary', async () => {
    const run = start(report, ['--json', recording]);
    expect(await run.exited).toBe(0);
    const out = JSON.parse(run.stdout) as {
      seconds: number;
      recordings: { name: string; events: { kind: string; counted: true | string; errorS: number }[] }[];
      summary: { kind: string; counted: number }[];
    };
    expect(out.recordings.map((r) => r.name)).toEqual(['scottjames__coffee-roasting__roast_25-10-11_1319']);
    const charge = out.recordings[0]?.events.find((e) => e.kind === 'charge');
    expect(charge?.counted).toBe(true);
    expect(Math.abs(charge?.errorS ?? Number.NaN)).toBeLessThanOrEqual(5);
    expect(out.summary.map((s) => s.kind)).toEqual([
      'charge',
      'turningPoint',
      'dryEnd',
      'firstCrack',
      'drop',
    ]);
    expect(out.seconds).toBeGreaterThan(0);
  });

  it('completes a folder with a turning point without a sample index and a broken file, and reports both', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'recordings-'));
    stores.push(folder);
    const doc = JSON.parse(readFileSync(recording, 'utf8')) as { events: { tp: { idx: number | null } } };
    doc.events.tp.idx = null;
    writeFileSync(join(folder, 'tp-without-index.json'), JSON.stringify(doc));
    writeFileSync(join(folder, 'broken.json'), '{"mode": "C"');
    const run = start(report, ['--json', '--speed', '20', folder]);
    expect(await run.exited).toBe(0);
    const out = JSON.parse(run.stdout) as {
      recordings: { name: string; loadNotes: string[] }[];
      unusable: { name: string; reason: string }[];
    };
    expect(out.recordings.map((r) => [r.name, r.loadNotes])).toEqual([
      ['tp-without-index', [expect.stringMatching(/^events\.tp\.idx is null: placed by its time/)]],
    ]);
    expect(out.unusable).toEqual([{ name: 'broken', reason: expect.stringMatching(/JSON/) }]);
    const table = start(report, ['--speed', '20', folder]);
    expect(await table.exited).toBe(0);
    expect(table.stdout).toMatch(/^not replayed \(1\):\n {2}broken: /m);
    expect(table.stdout).toMatch(/^ {2}loaded with: events\.tp\.idx is null/m);
  });

  it('prints tables with the time it took, and refuses a path that is not there', async () => {
    const table = start(report, [recording]);
    expect(await table.exited).toBe(0);
    expect(table.stdout).toMatch(/^summary/m);
    expect(table.stdout).toMatch(/^1 recording replayed in \d+\.\d s$/m);
    const missing = start(report, [join(recordingsDir(), 'nothing-here.json')]);
    expect(await missing.exited).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT|no recording/);
  });
});
