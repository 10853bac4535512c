import { type CurvePoint, valueAt } from './curve.ts';
import type { RorPoint } from './ror.ts';
import type { AnalysisSettings } from './settings.ts';
import type { BatchWeights, MaxRor, RoastEvents, RoastMetrics, RoastPhase } from './types.ts';

export function roastPhase(events: RoastEvents): RoastPhase {
  // A roaster's state can report a drop on a stream that began after charge.
  if (events.drop !== undefined) return 'dropped';
  if (events.charge === undefined) return 'beforeCharge';
  if (events.firstCrack !== undefined) return 'development';
  if (events.dryEnd !== undefined) return 'maillard';
  return 'drying';
}

export interface MetricsInput {
  readonly events: RoastEvents;
  readonly bt: readonly CurvePoint[];
  readonly btRor: readonly RorPoint[];
  /** Time of the latest sample. */
  readonly now: number;
  readonly weights: BatchWeights;
  readonly settings: Pick<AnalysisSettings, 'ror' | 'crash' | 'flick'>;
}

export function roastMetrics({ events, bt, btRor, now, weights, settings }: MetricsInput): RoastMetrics {
  const { charge, turningPoint, dryEnd, firstCrack, drop } = events;
  const phase = roastPhase(events);
  const end = drop?.t ?? now;
  const totalS = charge ? end - charge.t : null;
  const developmentS = phaseSeconds(firstCrack, drop, phase === 'development', now);
  return {
    totalS,
    dryingS: phaseSeconds(charge, dryEnd, phase === 'drying', now),
    maillardS: phaseSeconds(dryEnd, firstCrack, phase === 'maillard', now),
    developmentS,
    dtrPercent: developmentS !== null && totalS ? (100 * developmentS) / totalS : null,
    maxRor: charge
      ? highestRor(ratesBetween(btRor, rorFrom(charge.t, turningPoint?.t, settings), end), charge.t)
      : null,
    finalBt: valueAt(bt, end) ?? null,
    weightLossPercent: weightLossPercent(weights),
    ...(firstCrack
      ? firstCrackFlags(btRor, firstCrack.t, end, settings)
      : { rorCrash: null, rorFlick: null }),
  };
}

/**
 * Seconds from a phase's start to its end. A phase without an end counts up to `now` while it is the
 * current phase; once the roast has moved on, a missing boundary makes it unknown.
 */
function phaseSeconds(
  start: { t: number } | undefined,
  end: { t: number } | undefined,
  current: boolean,
  now: number,
): number | null {
  if (start === undefined) return null;
  if (end !== undefined) return end.t - start.t;
  return current ? now - start.t : null;
}

// Like Artisan's RoR curve, the highest rate counts from when the rate's span lies wholly after charge,
// and not before the turning point: before it the rate describes the probe cooling, not the beans.
function rorFrom(chargeT: number, turningPointT: number | undefined, { ror }: Pick<AnalysisSettings, 'ror'>) {
  return Math.max(chargeT + ror.spanS, turningPointT ?? Number.NEGATIVE_INFINITY);
}

function ratesBetween(rates: readonly RorPoint[], from: number, to: number): RorPoint[] {
  return rates.filter((r) => r.t >= from && r.t <= to);
}

function highestRor(rates: readonly RorPoint[], chargeT: number): MaxRor | null {
  let top: RorPoint | undefined;
  for (const r of rates) if (top === undefined || r.ror > top.ror) top = r;
  return top ? { t: top.t, sinceChargeS: top.t - chargeT, ror: top.ror } : null;
}

/**
 * Crash: within `crash.windowS` after first crack the rate of rise loses at least `crash.minDropFraction`
 * of its value at first crack. Flick: the latest rate (at drop, or now) is at least `flick.minRisePerMin`
 * above the lowest since first crack, i.e. the roast is re-accelerating into its end. Both null until a
 * rate at and after first crack exists.
 */
function firstCrackFlags(
  rates: readonly RorPoint[],
  firstCrackT: number,
  end: number,
  { crash, flick }: Pick<AnalysisSettings, 'crash' | 'flick'>,
): Pick<RoastMetrics, 'rorCrash' | 'rorFlick'> {
  const atFirstCrack = rates.findLast((r) => r.t <= firstCrackT)?.ror;
  const following = ratesBetween(rates, firstCrackT, end).filter((r) => r.t > firstCrackT);
  const latest = following.at(-1);
  if (atFirstCrack === undefined || latest === undefined) return { rorCrash: null, rorFlick: null };
  const lostEnough = (r: RorPoint) => atFirstCrack - r.ror >= crash.minDropFraction * Math.abs(atFirstCrack);
  const lowest = Math.min(...following.map((r) => r.ror));
  return {
    rorCrash: following.some((r) => r.t <= firstCrackT + crash.windowS && lostEnough(r)),
    rorFlick: latest.ror - lowest >= flick.minRisePerMin,
  };
}

function weightLossPercent({ greenG, roastedG }: BatchWeights): number | null {
  return greenG !== undefined && roastedG !== undefined && greenG > 0 && roastedG > 0
    ? (100 * (greenG - roastedG)) / greenG
    : null;
}
