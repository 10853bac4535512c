import { readRecordings } from '@roast-operator/roast/recordings';
import {
  CHARGE_TOLERANCE_S,
  check,
  DROP_TOLERANCE_S,
  MARK_DISAGREEMENTS,
  recordingsDir,
  TURNING_POINT_TOLERANCE_C,
  TURNING_POINT_TOLERANCE_S,
} from '@roast-operator/roast/validation';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareReplay, type EventSummary, type RecordingComparison, summarize } from './evaluate.ts';

// Every shared recording replayed through the codec, the driver and the roast analysis, at the speed the
// report runs by default: the events inferred from the temperature the driver read must meet the roast
// analysis's own tolerances, on the files and with the exclusions its validation uses.

const { recordings } = readRecordings(recordingsDir());
const results: RecordingComparison[] = [];
let summary: Record<string, EventSummary> = {};
let elapsedMs = 0;

beforeAll(async () => {
  const started = performance.now();
  for (const r of recordings) results.push(await compareReplay(r, recordings));
  elapsedMs = performance.now() - started;
  summary = Object.fromEntries(summarize(results).map((s) => [s.kind, s]));
}, 60_000);

describe('replaying the shared recordings', () => {
  it('replays every recording without a failed transfer, the whole folder in under a minute', () => {
    expect(results.length).toBe(recordings.length);
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      expect(r.transferFailures, r.name).toBe(0);
      // 10 Hz from the first sample to the last.
      const recording = recordings.find((x) => x.name === r.name)!;
      const seconds = recording.samples.at(-1)!.t - recording.samples[0]!.t;
      expect(r.readings, r.name).toBeGreaterThanOrEqual(Math.floor(seconds * 10));
    }
    expect(elapsedMs).toBeLessThan(60_000);
  });

  it.each([
    ['charge', CHARGE_TOLERANCE_S],
    ['drop', DROP_TOLERANCE_S],
    ['turningPoint', TURNING_POINT_TOLERANCE_S],
  ])('%s: every counted recording found within ±%d s', (kind, toleranceS) => {
    const s = summary[kind]!;
    expect(s.counted).toBeGreaterThan(0);
    expect(s.misses).toBe(0);
    expect(s.seconds.worstAbs).toBeLessThanOrEqual(toleranceS);
  });

  it('turning point: every counted recording within ±3 °C', () => {
    expect(summary.turningPoint?.celsius.worstAbs).toBeLessThanOrEqual(TURNING_POINT_TOLERANCE_C);
  });

  // What is left out for coming from a derived channel must be what the validation cannot assert anyway:
  // otherwise the derived state code would be hiding a file the curve should have been judged on.
  it.each(['charge', 'turningPoint', 'drop'] as const)(
    '%s: counted exactly where the validation asserts',
    (kind) => {
      for (const r of results) {
        const recording = recordings.find((x) => x.name === r.name)!;
        const row = r.events.find((e) => e.kind === kind)!;
        const asserted =
          check({}, recording, kind).applies === true && MARK_DISAGREEMENTS[r.name]?.kind !== kind;
        expect(row.counted === true, `${r.name}: ${row.counted}`).toBe(asserted);
        if (row.counted === true) expect(row.detected?.derived, r.name).toBe(false);
      }
    },
  );

  it('still disagrees where the person’s mark disagrees with the curve', () => {
    for (const [name, { kind }] of Object.entries(MARK_DISAGREEMENTS)) {
      const row = results.find((r) => r.name === name)?.events.find((e) => e.kind === kind);
      expect(Math.abs(row?.errorS ?? 0), name).toBeGreaterThan(DROP_TOLERANCE_S);
    }
  });

  it('shows the derived charge where it stands in for the curve, and counts none of it', () => {
    const derived = results.flatMap((r) => r.events.filter((e) => e.detected?.derived));
    expect(derived.length).toBeGreaterThan(0);
    expect(derived.every((e) => e.kind === 'charge' && e.counted !== true)).toBe(true);
  });
});
