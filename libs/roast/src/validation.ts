import { fileURLToPath } from 'node:url';
import { median } from './curve.ts';
import type { Recording, RecordingMark } from './recordings.ts';
import type { AnalysisSettingsOverrides } from './settings.ts';
import type { RoastEvent, RoastEvents, RoastMark } from './types.ts';

/**
 * How an analysis is judged against real recordings: where they are, the tolerances, when a file's mark
 * can be asserted at all, and what goes in besides the curve. The recordings test and the edge's replay
 * report both judge by these rules, so their figures mean the same thing.
 */

/** The recordings folder: `ROAST_LOGS_DIR`, or shared/data/roast-logs beside the repository. */
export function recordingsDir(): string {
  return (
    process.env.ROAST_LOGS_DIR ??
    fileURLToPath(new URL('../../../../shared/data/roast-logs/', import.meta.url))
  );
}

// Tolerances against the files' own marks, fixed before tuning.
export const CHARGE_TOLERANCE_S = 5;
export const DROP_TOLERANCE_S = 5;
export const TURNING_POINT_TOLERANCE_S = 10;
export const TURNING_POINT_TOLERANCE_C = 3;

// When an assertion applies, decided from the curve around the file's own mark. A curve shows an event
// when BT falls at least SHOWN_FALL_C below its value at the mark within the given seconds after it.
const SHOWN_FALL_C = 5;
const CHARGE_FALL_WITHIN_S = 60;
const DIP_WITHIN_S = 180;
const DROP_FALL_WITHIN_S = 30;
// Artisan accepts a turning point only strictly inside this range (°C); a dip whose bottom lies outside
// has no turning point under the rules the analyzer follows.
const TP_VALID_C = { min: 50, max: 150 };

// Files whose person-pressed mark disagrees with its own curve by more than the tolerance. Each stays
// asserted: the test fails if the analyzer comes to agree with the mark, so the list cannot go stale.
export const MARK_DISAGREEMENTS: Readonly<
  Record<string, { readonly kind: 'drop'; readonly reason: string }>
> = {
  'scottjames__coffee-roasting__roast_25-08-17_1612': {
    kind: 'drop',
    reason: 'BT peaked 10 s before DROP and had fallen 7 °C by the press',
  },
  'scottjames__coffee-roasting__roast_25-08-30_1650': {
    kind: 'drop',
    reason: 'BT kept rising at the roast rate for 8 s after DROP, then fell',
  },
  'scottjames__coffee-roasting__roast_25-08-30_1714': {
    kind: 'drop',
    reason: 'BT kept rising at the roast rate for 8 s after DROP, then fell',
  },
  'scottjames__coffee-roasting__roast_26-06-28_R64_Kenya_Nyer': {
    kind: 'drop',
    reason: 'BT still read its DROP value 4.5 s after DROP, past a dropout, and fell only after that',
  },
};

/** The events asserted against a tolerance; dry end and first crack are only reported. */
export type AssertedKind = 'charge' | 'turningPoint' | 'drop';

export interface Check {
  /** Whether the assertion applies; otherwise why not. */
  readonly applies: true | string;
  /** Detected minus marked seconds (and °C for the turning point); undefined when nothing was detected. */
  readonly errorS: number | undefined;
  readonly errorC?: number | undefined;
}

function readingsAfter(recording: Recording, mark: RecordingMark, withinS: number): number[] {
  return recording.samples
    .filter((s) => s.t > mark.t && s.t <= mark.t + withinS && Number.isFinite(s.bt))
    .map((s) => s.bt);
}

/** How far BT falls below the marked value within `withinS` seconds after the mark, °C. */
function fallAfter(recording: Recording, mark: RecordingMark, withinS: number): number {
  return mark.bt - Math.min(mark.bt, ...readingsAfter(recording, mark, withinS));
}

export function showsChargeBreak(r: Recording, charge: RecordingMark): true | string {
  return fallAfter(r, charge, CHARGE_FALL_WITHIN_S) >= SHOWN_FALL_C
    ? true
    : `no charge break: BT does not fall ${SHOWN_FALL_C} °C within ${CHARGE_FALL_WITHIN_S} s after CHARGE`;
}

export function showsDip(r: Recording, charge: RecordingMark): true | string {
  if (fallAfter(r, charge, DIP_WITHIN_S) < SHOWN_FALL_C) return `no dip after CHARGE`;
  const bottom = Math.min(...readingsAfter(r, charge, DIP_WITHIN_S));
  return bottom > TP_VALID_C.min && bottom < TP_VALID_C.max
    ? true
    : `dip bottom ${bottom.toFixed(1)} °C outside Artisan's TP range`;
}

export function showsDrop(r: Recording, drop: RecordingMark): true | string {
  return fallAfter(r, drop, DROP_FALL_WITHIN_S) >= SHOWN_FALL_C
    ? true
    : `no fall after DROP: the recording does not show the beans leaving`;
}

// Dry-end and first-crack temperatures depend on the probe, so each file is analyzed with the median
// marked temperature of the other files from the same roaster (leave-one-out: never its own mark).
function probeThreshold(
  r: Recording,
  kind: 'dryEnd' | 'firstCrack',
  recordings: readonly Recording[],
): number | undefined {
  const others = recordings.filter((o) => o.source.repo === r.source.repo && o.name !== r.name);
  const temperatures = others.flatMap((o) => (o.marks[kind] ? [o.marks[kind].bt] : []));
  return temperatures.length > 0 ? median(temperatures) : undefined;
}

/** The dry-end and first-crack temperatures for `r`, learnt from the other recordings of its roaster. */
export function probeSettings(r: Recording, recordings: readonly Recording[]): AnalysisSettingsOverrides {
  const dryEndBt = probeThreshold(r, 'dryEnd', recordings);
  const firstCrackBt = probeThreshold(r, 'firstCrack', recordings);
  return { ...(dryEndBt && { dryEndBt }), ...(firstCrackBt && { firstCrackBt }) };
}

/**
 * Whether a person's CHARGE must stand in for the curve: where it shows no charge break (beans loaded
 * cold), so the events that follow charge can still be analyzed. Everywhere else only the curve goes in.
 */
export function needsChargeMark(r: Recording): boolean {
  const charge = r.marks.charge;
  return charge !== null && showsChargeBreak(r, charge) !== true;
}

/** What the analysis of `r` gets besides its samples: the CHARGE stand-in and the learnt thresholds. */
export function analysisInput(r: Recording, recordings: readonly Recording[]) {
  const charge = r.marks.charge;
  const marks: RoastMark[] = charge && needsChargeMark(r) ? [{ kind: 'charge', t: charge.t }] : [];
  return { unit: 'C' as const, marks, weights: r.weights, settings: probeSettings(r, recordings) };
}

export function eventError(event: RoastEvent | undefined, mark: RecordingMark | null): number | undefined {
  return event && mark ? event.t - mark.t : undefined;
}

const CRITERIA: Readonly<
  Record<
    AssertedKind,
    {
      readonly criterion: (r: Recording, mark: RecordingMark) => true | string;
      readonly from: (r: Recording) => RecordingMark | null;
    }
  >
> = {
  charge: { criterion: showsChargeBreak, from: (r) => r.marks.charge },
  turningPoint: { criterion: showsDip, from: (r) => r.marks.charge },
  drop: { criterion: showsDrop, from: (r) => r.marks.drop },
};

/** A detected event against the file's mark, and whether the curve lets the tolerance apply. */
export function check(events: RoastEvents, r: Recording, kind: AssertedKind): Check {
  const mark = r.marks[kind];
  const from = CRITERIA[kind].from(r);
  const event = events[kind];
  if (mark === null || from === null) return { applies: `no ${kind} mark`, errorS: undefined };
  return {
    applies: CRITERIA[kind].criterion(r, from),
    errorS: eventError(event, mark),
    errorC: event?.bt != null ? event.bt - mark.bt : undefined,
  };
}

export interface ErrorSpread {
  /** Errors found, of `of` expected. */
  readonly n: number;
  readonly of: number;
  readonly medianAbs: number | undefined;
  readonly worstAbs: number | undefined;
  /** The bias. */
  readonly medianSigned: number | undefined;
}

/** Count, median and worst of absolute errors, and the median signed error; undefined counts as not found. */
export function errorSpread(values: readonly (number | undefined)[]): ErrorSpread {
  const found = values.filter((v): v is number => v !== undefined);
  const abs = found.map(Math.abs);
  const empty = found.length === 0;
  return {
    n: found.length,
    of: values.length,
    medianAbs: empty ? undefined : median(abs),
    worstAbs: empty ? undefined : Math.max(...abs),
    medianSigned: empty ? undefined : median(found),
  };
}
