import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BatchWeights, RoastSample } from './types.ts';
import { deltaToCelsius, type TemperatureUnit, toCelsius } from './units.ts';

/**
 * Roast recordings: Artisan logs converted to JSON (format in the recordings folder's README). Loading
 * converts °F logs to °C and Artisan's −1 "no reading" to NaN, so everything past this edge is °C.
 */

/** A mark stored in a recording: time on the recording's clock (seconds since it started), BT in °C. */
export interface RecordingMark {
  readonly t: number;
  readonly bt: number;
}

export type RecordingMarkKind = 'charge' | 'turningPoint' | 'dryEnd' | 'firstCrack' | 'drop';

/**
 * A control change logged with the roast (Artisan's special events), on the recording's clock. Which
 * control a type stands for and the scale of its value are the roaster setup's: Artisan stores the
 * slider's value, whatever range the user gave the slider.
 */
export interface RecordingControl {
  readonly t: number;
  /** The event type, as the setup names it (Artisan's defaults: Air, Drum, Damper, Burner). */
  readonly type: string;
  /** The slider's value (the converted log's `value_pct`). */
  readonly value: number;
  readonly label: string;
}

export interface Recording {
  /** File name without `.json`. */
  readonly name: string;
  /** Unit the roast was logged in (the samples here are °C whatever it was). */
  readonly unit: TemperatureUnit;
  /** t in seconds since the recording started; bt and et in °C, NaN where there was no reading. */
  readonly samples: readonly RoastSample[];
  /** CHARGE, dry end, first crack and DROP as marked in the log; the turning point is Artisan's computed one. */
  readonly marks: { readonly [K in RecordingMarkKind]: RecordingMark | null };
  readonly weights: BatchWeights;
  /** The logger's own bean rate of rise per sample (extra channel `ROR`), °C/min; null where it had none. */
  readonly roasterRor: readonly (number | null)[] | null;
  /** Control changes in time order. */
  readonly controls: readonly RecordingControl[];
  readonly samplingIntervalS: number;
  /** Data-quality notes from the conversion. */
  readonly flags: readonly string[];
  /** What loading could not use or had to work around (a mark without a sample index, …). */
  readonly loadNotes: readonly string[];
  readonly source: { readonly repo: string; readonly path: string; readonly license: string };
}

const MARK_FIELDS: { readonly [K in RecordingMarkKind]: string } = {
  charge: 'charge',
  turningPoint: 'tp',
  dryEnd: 'dryEnd',
  firstCrack: 'fcStart',
  drop: 'drop',
};

// Artisan's weight units.
const GRAMS_PER: Readonly<Record<string, number>> = { g: 1, Kg: 1000, lb: 453.59237, oz: 28.349523125 };

// Artisan's "no reading".
const NO_READING = -1;

export function parseRecording(json: unknown, name: string): Recording {
  const doc = asObject(json, name);
  const at = (key: string) => `${name}: ${key}`;
  const mode = doc.mode;
  if (mode !== 'C' && mode !== 'F') throw new Error(`${at('mode')} must be 'C' or 'F', got ${String(mode)}`);
  const timex = asNumbers(doc.timex, at('timex'));
  const bt = asNumbers(doc.bt, at('bt'));
  const et = asNumbers(doc.et, at('et'));
  if (bt.length !== timex.length || et.length !== timex.length) {
    throw new Error(`${at('bt/et')} length differs from timex`);
  }
  const celsius = (v: number) => (v === NO_READING ? Number.NaN : toCelsius(v, mode));
  const events = asObject(doc.events, at('events'));
  const loadNotes: string[] = [];
  const markAt = (field: string, chargeT: number | undefined): RecordingMark | null => {
    if (events[field] === null || events[field] === undefined) return null;
    const e = asObject(events[field], at(`events.${field}`));
    const bt = toCelsius(asNumber(e.bt, at(`events.${field}.bt`)), mode);
    if (e.idx === null) {
      // Artisan can store a computed event (the turning point) by its time alone.
      const sinceCharge = e.t;
      if (typeof sinceCharge === 'number' && chargeT !== undefined) {
        loadNotes.push(`events.${field}.idx is null: placed by its time, ${sinceCharge} s after CHARGE`);
        return { t: chargeT + sinceCharge, bt };
      }
      loadNotes.push(`events.${field}.idx is null and it has no time after a CHARGE: not used`);
      return null;
    }
    const t = timex[asNumber(e.idx, at(`events.${field}.idx`))];
    if (t === undefined) throw new Error(`${at(`events.${field}.idx`)} is outside the samples`);
    return { t, bt };
  };
  const charge = markAt(MARK_FIELDS.charge, undefined);
  const mark = (field: string) => markAt(field, charge?.t);
  const extras = doc.extras === null ? {} : asObject(doc.extras, at('extras'));
  const source = asObject(doc.source, at('source'));
  return {
    name,
    unit: mode,
    samples: timex.map((t, i) => ({ t, bt: celsius(bt[i] as number), et: celsius(et[i] as number) })),
    marks: {
      charge,
      turningPoint: mark(MARK_FIELDS.turningPoint),
      dryEnd: mark(MARK_FIELDS.dryEnd),
      firstCrack: mark(MARK_FIELDS.firstCrack),
      drop: mark(MARK_FIELDS.drop),
    },
    weights: parseWeights(doc.weight, at('weight')),
    roasterRor:
      extras.ROR === undefined
        ? null
        : asNumbers(extras.ROR, at('extras.ROR')).map((v) =>
            v === NO_READING ? null : deltaToCelsius(v, mode),
          ),
    controls: parseControls(doc.specialevents, timex, at('specialevents')),
    samplingIntervalS: asNumber(
      asObject(doc.sampling_interval_s, at('sampling_interval_s')).median_measured,
      at('sampling_interval_s'),
    ),
    flags: Array.isArray(doc.flags) ? doc.flags.map(String) : [],
    loadNotes,
    source: {
      repo: String(source.repo),
      path: String(source.path),
      license: String(source.license),
    },
  };
}

function parseControls(value: unknown, timex: readonly number[], what: string): RecordingControl[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${what} must be an array`);
  const controls = value.map((v, i) => {
    const e = asObject(v, `${what}[${i}]`);
    const t = timex[asNumber(e.idx, `${what}[${i}].idx`)];
    if (t === undefined) throw new Error(`${what}[${i}].idx is outside the samples`);
    return {
      t,
      type: String(e.type),
      value: asNumber(e.value_pct, `${what}[${i}].value_pct`),
      label: String(e.label),
    };
  });
  // Logged in the order they were made; sorted, so a consumer can step through them with the samples.
  return controls.sort((a, b) => a.t - b.t);
}

// [green, roasted, unit]; Artisan stores 0 for a weight nobody entered.
function parseWeights(value: unknown, what: string): BatchWeights {
  if (!Array.isArray(value) || value.length !== 3) throw new Error(`${what} must be [in, out, unit]`);
  const grams = GRAMS_PER[String(value[2])];
  if (grams === undefined) throw new Error(`${what} has an unknown unit ${String(value[2])}`);
  const weight = (v: unknown) => {
    const n = asNumber(v, what);
    return n > 0 ? n * grams : undefined;
  };
  const greenG = weight(value[0]);
  const roastedG = weight(value[1]);
  return { ...(greenG && { greenG }), ...(roastedG && { roastedG }) };
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${what} must be an object`);
  }
  return value as Record<string, unknown>;
}

function asNumber(value: unknown, what: string): number {
  if (typeof value !== 'number') throw new Error(`${what} must be a number`);
  return value;
}

function asNumbers(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) throw new Error(`${what} must be an array`);
  return value.map((v, i) => asNumber(v, `${what}[${i}]`));
}

export function readRecording(file: string): Recording {
  return parseRecording(JSON.parse(readFileSync(file, 'utf8')), basename(file, '.json'));
}

/** A file of a folder that could not be loaded, and why. */
export interface UnusableRecording {
  readonly name: string;
  readonly reason: string;
}

export interface RecordingFolder {
  readonly recordings: readonly Recording[];
  readonly unusable: readonly UnusableRecording[];
}

/** Every `*.json` recording in a folder, by file name; a file that cannot be loaded is reported, not fatal. */
export function readRecordings(dir: string): RecordingFolder {
  const recordings: Recording[] = [];
  const unusable: UnusableRecording[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    try {
      recordings.push(readRecording(join(dir, file)));
    } catch (error) {
      unusable.push({
        name: basename(file, '.json'),
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return { recordings, unusable };
}
