// A recorded roast (an Artisan recording, or a session's telemetry) as the spec of a RoastProfile: its curve
// from charge to drop, its events as targets with default tolerances, its control changes as the recipe.
// What the kind would refuse is left out and said in one sentence each. Pure.
import {
  maxCurvePoints,
  maxProfileSeconds,
  maxRecipeSteps,
  modelFacts,
  type Recipe,
  type ReferenceCurve,
  RoastProfileSpec,
  type TargetEvents,
  targetOrder,
} from '@roast-operator/api';

export type TargetKind = (typeof targetOrder)[number];

/** One sample, on the roast's time axis (seconds since charge), °C. */
export interface RecordedPoint {
  readonly seconds: number;
  /** NaN where the probe gave no reading. */
  readonly beanCelsius: number;
  readonly environmentCelsius?: number;
  readonly ibtsCelsius?: number;
  readonly rateOfRiseCelsiusPerMinute?: number;
}

/** A control change, seconds since charge; a level absent is unchanged. */
export interface RecordedControl {
  readonly seconds: number;
  readonly heater?: number;
  readonly fan?: number;
  readonly drum?: number;
}

export interface RecordedRoast {
  /** Samples; those before charge or after drop are not the profile's. */
  readonly points: readonly RecordedPoint[];
  /** The roast's events found or marked, seconds since charge. */
  readonly events: {
    readonly [K in TargetKind]?: { readonly seconds: number; readonly beanCelsius?: number };
  };
  readonly controls?: readonly RecordedControl[];
  readonly coffee?: string;
  readonly batchGrams?: number;
  readonly description?: string;
  readonly derivedFrom?: RoastProfileSpec['derivedFrom'];
}

export interface MadeProfile {
  readonly spec: RoastProfileSpec;
  /** What was left out or changed, one sentence each. */
  readonly notes: string[];
}

/**
 * The tolerances a profile made from a roast starts with: what a roaster would call "on time" for each
 * event (a person edits them in Git). Temperature tolerances tighten as the roast goes on.
 */
export const defaultTolerances: { readonly [K in TargetKind]: { seconds: number; celsius: number } } = {
  turningPoint: { seconds: 15, celsius: 5 },
  dryEnd: { seconds: 30, celsius: 5 },
  firstCrack: { seconds: 30, celsius: 3 },
  drop: { seconds: 15, celsius: 2 },
};

const thousandth = (x: number) => Math.round(x * 1000) / 1000;
/** The temperatures the kind takes (a probe's glitch beyond them is no reading). */
const plausible = (v: number | undefined): v is number => v !== undefined && v >= -50 && v <= 500;
const optionalColumns = ['environmentCelsius', 'ibtsCelsius', 'rateOfRiseCelsiusPerMinute'] as const;
const columnNames: Record<(typeof optionalColumns)[number], string> = {
  environmentCelsius: 'environment temperature (ET)',
  ibtsCelsius: 'IBTS temperature',
  rateOfRiseCelsiusPerMinute: 'rate of rise',
};

/** Points from charge to drop, one per time, with a bean reading: the curve's rows. */
function curveRows(r: RecordedRoast, notes: string[]): RecordedPoint[] {
  const end = Math.min(r.events.drop?.seconds ?? Number.POSITIVE_INFINITY, maxProfileSeconds);
  const inRoast = [...r.points]
    .sort((a, b) => a.seconds - b.seconds)
    .filter((p) => p.seconds >= 0 && p.seconds <= end);
  const read = inRoast.filter((p) => plausible(p.beanCelsius));
  if (read.length < inRoast.length)
    notes.push(
      `${inRoast.length - read.length} samples without a bean temperature (or with one beyond -50 to 500 °C) are left out of the curve; it runs straight across them.`,
    );
  const rows = read.filter((p, i) => i === 0 || thousandth(p.seconds) > thousandth(read[i - 1]!.seconds));
  if ((r.events.drop?.seconds ?? 0) > maxProfileSeconds)
    notes.push(`The curve stops at ${maxProfileSeconds} s, the longest roast a profile describes.`);
  if (rows.length <= maxCurvePoints) return rows;
  notes.push(
    `The curve is thinned from ${rows.length} to ${maxCurvePoints} points, evenly, first and last kept.`,
  );
  return Array.from(
    { length: maxCurvePoints },
    (_, i) => rows[Math.round((i * (rows.length - 1)) / (maxCurvePoints - 1))]!,
  );
}

function curveOf(rows: readonly RecordedPoint[], notes: string[]): ReferenceCurve {
  const curve: ReferenceCurve = {
    seconds: rows.map((p) => thousandth(p.seconds)),
    beanCelsius: rows.map((p) => thousandth(p.beanCelsius)),
  };
  for (const column of optionalColumns) {
    const values = rows.map((p) => p[column]);
    const read = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
    const usable = column === 'rateOfRiseCelsiusPerMinute' ? read : read.filter(plausible);
    if (usable.length === rows.length) curve[column] = usable.map(thousandth);
    else if (read.length > 0)
      notes.push(
        `The ${columnNames[column]} is left out: ${rows.length - usable.length} of the curve's ${rows.length} points have no reading (or one beyond -50 to 500 °C).`,
      );
  }
  return curve;
}

function targetsOf(r: RecordedRoast, notes: string[]): TargetEvents | undefined {
  const targets: TargetEvents = {};
  let last = Number.NEGATIVE_INFINITY;
  for (const kind of targetOrder) {
    const event = r.events[kind];
    if (event === undefined) continue;
    if (!(event.seconds > last) || event.seconds > maxProfileSeconds) {
      notes.push(`The ${kind} at ${event.seconds} s is out of roast order, so it is not a target.`);
      continue;
    }
    last = event.seconds;
    const tolerance = defaultTolerances[kind];
    const bean = event.beanCelsius;
    targets[kind] = {
      seconds: thousandth(event.seconds),
      toleranceSeconds: tolerance.seconds,
      ...(bean !== undefined &&
        Number.isFinite(bean) && {
          beanCelsius: Math.round(bean * 10) / 10,
          toleranceCelsius: tolerance.celsius,
        }),
    };
  }
  return Object.keys(targets).length > 0 ? targets : undefined;
}

const levels = ['heater', 'fan', 'drum'] as const;
const r1Ranges = modelFacts.AillioBulletR1.ranges;

function recipeOf(r: RecordedRoast, end: number, notes: string[]): Recipe | undefined {
  const steps = new Map<number, Record<string, number>>();
  let refused = 0;
  // Changes before charge set the levels the roast starts with: they count at 0 s, the latest last.
  const inOrder = [...(r.controls ?? [])].sort((a, b) => a.seconds - b.seconds);
  for (const c of inOrder) {
    if (c.seconds > end) continue;
    for (const level of levels) {
      const v = c[level];
      if (v === undefined) continue;
      const { min, max } = r1Ranges[level];
      if (!Number.isInteger(v) || v < min || v > max) {
        refused++;
        continue;
      }
      const at = Math.max(0, thousandth(c.seconds));
      steps.set(at, { ...steps.get(at), [level]: v });
    }
  }
  if (refused > 0)
    notes.push(
      `${refused} control changes are not levels a Bullet R1 takes (heater 0-9, fan 1-12, drum 1-9), so the recipe leaves them out.`,
    );
  const byTime = [...steps.entries()]
    .sort(([a], [b]) => a - b)
    .map(([seconds, set]) => ({ seconds, ...set }));
  if (byTime.length > maxRecipeSteps)
    notes.push(`The recipe keeps the first ${maxRecipeSteps} of ${byTime.length} control changes.`);
  return byTime.length > 0 ? { byTime: byTime.slice(0, maxRecipeSteps) } : undefined;
}

/** The profile a roast makes. Throws with the reason a person can act on when it has too little curve. */
export function profileFromRoast(r: RecordedRoast): MadeProfile {
  const notes: string[] = [];
  const rows = curveRows(r, notes);
  if (rows.length < 2)
    throw new Error(
      `it has ${rows.length} bean temperature ${rows.length === 1 ? 'reading' : 'readings'} between charge and drop; a profile's curve needs at least 2`,
    );
  const targets = targetsOf(r, notes);
  const recipe = recipeOf(r, rows.at(-1)!.seconds, notes);
  const candidate = {
    ...(r.description !== undefined && { description: r.description }),
    ...(r.coffee !== undefined && { coffee: r.coffee }),
    ...(r.batchGrams !== undefined && { batchGrams: r.batchGrams }),
    curve: curveOf(rows, notes),
    ...(targets && { targets }),
    ...(recipe && { recipe }),
    ...(r.derivedFrom && { derivedFrom: r.derivedFrom }),
  };
  // Figures of the batch the kind refuses (a batch of 2 kg) are left out rather than refusing the profile.
  for (const key of ['batchGrams', 'coffee', 'description'] as const) {
    const field = RoastProfileSpec.shape[key];
    if (candidate[key] !== undefined && !field.safeParse(candidate[key]).success) {
      notes.push(`${key} ${candidate[key]} is outside what a RoastProfile accepts, so it is left out.`);
      delete candidate[key];
    }
  }
  return { spec: RoastProfileSpec.parse(candidate), notes };
}
