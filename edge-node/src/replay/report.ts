#!/usr/bin/env node
import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '@roast-operator/clock';
import { type Recording, readRecordings, type UnusableRecording } from '@roast-operator/roast/recordings';
import { recordingsDir } from '@roast-operator/roast/validation';
import {
  compareReplay,
  type EventComparison,
  type EventSummary,
  type RecordingComparison,
  summarize,
} from './evaluate.ts';

// `npm run replay:report -- [--json] [--speed N] [PATH]`: replays recordings through the R1 codec, the
// driver and the roast analysis on virtual time, and prints the events found next to each file's marks
// with a summary per event. PATH is a recording or a folder of them (the shared recordings by default).

const usage = `usage: replay:report [--json] [--speed N] [PATH]

  PATH        a recording (.json) or a folder of them (default: ROAST_LOGS_DIR or shared/data/roast-logs)
  --json      one JSON object instead of tables
  --speed N   recorded seconds per virtual second (default 1: every sample polled at 10 Hz)
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'boolean', default: false },
    speed: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});

type Loaded = {
  /** The recordings to replay. */
  readonly selected: readonly Recording[];
  /** Those their thresholds are learnt from: the file's folder, or the folder. */
  readonly all: readonly Recording[];
  /** Selected files that could not be loaded. */
  readonly unusable: readonly UnusableRecording[];
};

function load(path: string): Loaded {
  if (statSync(path).isDirectory()) {
    const { recordings, unusable } = readRecordings(path);
    return { selected: recordings, all: recordings, unusable };
  }
  const { recordings, unusable } = readRecordings(dirname(path));
  const name = basename(path, '.json');
  const selected = recordings.filter((r) => r.name === name);
  return { selected, all: recordings, unusable: unusable.filter((u) => u.name === name) };
}

const labels: Readonly<Record<EventComparison['kind'], string>> = {
  charge: 'charge',
  turningPoint: 'turning point',
  dryEnd: 'dry end',
  firstCrack: 'first crack',
  drop: 'drop',
};

/** A value with its unit, or a dash for none. */
const fmt = (v: number | null | undefined, unit: string) => (v == null ? '—' : `${v.toFixed(1)} ${unit}`);

function eventLine(e: EventComparison): string {
  const d = e.detected;
  const found = d
    ? `${fmt(d.t, 's')} ${fmt(d.bt, '°C')} ${d.source}${d.derived ? ' (derived)' : ''}`
    : 'not found';
  const mark = e.mark ? `${fmt(e.mark.t, 's')} ${fmt(e.mark.bt, '°C')}` : 'no mark';
  const delta = e.errorS === undefined ? '—' : `${fmt(e.errorS, 's')} ${fmt(e.errorC, '°C')}`;
  const note = e.counted === true ? '' : `  not counted: ${e.counted}`;
  return `  ${labels[e.kind].padEnd(14)}${found.padEnd(36)}${mark.padEnd(20)}${delta.padEnd(18)}${note}`;
}

function recordingBlock(r: RecordingComparison): string[] {
  const origins = Object.entries(r.channels);
  const listed = (origin: string) =>
    origins
      .filter(([, c]) => c.origin === origin)
      .map(([name]) => name)
      .join(', ');
  return [
    `${r.name}  (${r.readings} readings; recorded: ${listed('recorded')}; derived: ${listed('derived')})`,
    `  ${'event'.padEnd(14)}${'detected'.padEnd(36)}${'mark'.padEnd(20)}${'detected − mark'.padEnd(18)}`,
    ...r.events.map(eventLine),
    ...r.loadNotes.map((note) => `  loaded with: ${note}`),
  ];
}

function unusableBlock(unusable: readonly UnusableRecording[]): string[] {
  if (unusable.length === 0) return [];
  return [`not replayed (${unusable.length}):`, ...unusable.map((u) => `  ${u.name}: ${u.reason}`), ''];
}

function summaryTable(summary: readonly EventSummary[]): string[] {
  const row = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(14) : c.padStart(13))).join('');
  return [
    'summary (seconds from CHARGE; errors = detected − mark over the counted recordings)',
    row([
      'event',
      'counted',
      'misses',
      'median |Δt|',
      'worst |Δt|',
      'median Δt',
      'median |ΔBT|',
      'worst |ΔBT|',
      'excluded',
    ]),
    ...summary.map((s) =>
      row([
        labels[s.kind],
        String(s.counted),
        String(s.misses),
        fmt(s.seconds.medianAbs, 's'),
        fmt(s.seconds.worstAbs, 's'),
        fmt(s.seconds.medianSigned, 's'),
        fmt(s.celsius.medianAbs, '°C'),
        fmt(s.celsius.worstAbs, '°C'),
        String(s.excluded),
      ]),
    ),
  ];
}

async function main(): Promise<void> {
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const speed = Number(values.speed);
  if (!(speed > 0)) throw new Error(`--speed needs a positive number, got ${values.speed}`);
  const path = positionals[0] ?? recordingsDir();
  const started = systemClock.now();
  const { selected, all, unusable: unloaded } = load(path);
  if (selected.length === 0 && unloaded.length === 0) throw new Error(`no recording at ${path}`);
  const results: RecordingComparison[] = [];
  const unusable = [...unloaded];
  for (const recording of selected) {
    // One recording that cannot be replayed is reported; the others still are.
    try {
      results.push(await compareReplay(recording, all, { speed }));
    } catch (error) {
      unusable.push({ name: recording.name, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  const summary = summarize(results);
  const seconds = (systemClock.now() - started) / 1000;
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ path, speed, seconds, recordings: results, unusable, summary })}\n`,
    );
    return;
  }
  const lines = [
    ...results.flatMap((r) => [...recordingBlock(r), '']),
    ...unusableBlock(unusable),
    ...summaryTable(summary),
    '',
    `${results.length} recording${results.length === 1 ? '' : 's'} replayed in ${seconds.toFixed(1)} s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  process.exit(1);
});
