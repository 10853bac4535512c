import { type CurvePoint, crossingTime, slope, window } from './curve.ts';
import type { BreakSettings } from './settings.ts';

/**
 * Looks for a break ending at time `at` (a point of the curve): over the last `postWindowS` the curve
 * falls at least `minFallPerMin`, and at least `minSlopeChangePerMin` more steeply than over the
 * `preWindowS` before. Artisan's BTbreak compares per-sample differences, so its thresholds change with
 * the sampling rate; slopes in °C/min over windows in seconds do not. Returns the break itself, not the
 * moment the windows confirmed it: the knee (the point of the whole window farthest above its chord) is
 * the last reading on the earlier trend, and the break lies between it and the next reading (see
 * `breakAfter`).
 */
export function findBreak(
  curve: readonly CurvePoint[],
  at: number,
  settings: BreakSettings,
): CurvePoint | undefined {
  const fallStart = at - settings.postWindowS;
  const trendStart = fallStart - settings.preWindowS;
  const fall = window(curve, fallStart, at);
  const trend = window(curve, trendStart, fallStart);
  if (fall.length < 3 || trend.length < 2) return undefined;
  const fallRate = (slope(fall) ?? 0) * 60;
  const bend = (slope(trend) ?? 0) * 60 - fallRate;
  if (fallRate > -settings.minFallPerMin || bend < settings.minSlopeChangePerMin) return undefined;
  const points = window(curve, trendStart, at);
  const knee = highestAboveChord(points);
  if (knee.value < settings.minBt) return undefined;
  // Where the break lies between two readings is told by the readings of the fall: wait for three.
  return points.length - points.indexOf(knee) > fallReadings ? breakAfter(points, knee) : undefined;
}

const fallReadings = 3;

/**
 * A sampled curve shows a break only at its next reading: the knee is the last reading on the trend, and
 * the curve turned somewhere before the first reading of the fall. A probe follows the beans as a
 * first-order lag, so the departure below the trend line (fitted up to the knee) grows as
 * D·(1 − e^(−(t − break)/τ)); the first three readings of the fall give D and τ, and with them how long
 * before the first one the departure began. A fall that does not slow down is followed back along the line
 * through its first two readings instead. The break never lies before the knee nor after the first reading
 * of the fall. (Taking the knee alone reports every break up to one sample interval early; taking the first
 * fallen reading, up to one late.)
 */
function breakAfter(points: readonly CurvePoint[], knee: CurvePoint): CurvePoint {
  const k = points.indexOf(knee);
  const fall = points.slice(k + 1, k + 1 + fallReadings);
  const trendSlope = slope(points.slice(0, k + 1));
  if (trendSlope === undefined) return knee;
  const trendAt = (t: number) => knee.value + trendSlope * (t - knee.t);
  const [d1, d2, d3] = fall.map((p) => trendAt(p.t) - p.value) as [number, number, number];
  const first = fall[0] as CurvePoint;
  const h = (fall[1] as CurvePoint).t - first.t;
  if (!(d2 > d1 && d1 > 0)) return knee;
  const ratio = (d3 - d2) / (d2 - d1);
  const back =
    ratio > 0 && ratio < 1
      ? lagBack(d1, (d2 - d1) / (1 - ratio), -h / Math.log(ratio))
      : (d1 * h) / (d2 - d1);
  const t = Math.min(first.t, Math.max(knee.t, first.t - back));
  return { t, value: trendAt(t) };
}

/** Seconds a first-order departure with rate-to-come `pending` and time constant `tau` has run to reach `d`. */
function lagBack(d: number, pending: number, tau: number): number {
  // d = D·(1 − e^(−s/τ)) and pending = D·e^(−s/τ), so e^(−s/τ) = pending / (d + pending).
  return -tau * Math.log(pending / (d + pending));
}

function highestAboveChord(points: readonly CurvePoint[]): CurvePoint {
  const first = points[0] as CurvePoint;
  const last = points[points.length - 1] as CurvePoint;
  const chordSlope = (last.value - first.value) / (last.t - first.t);
  let best = first;
  let bestHeight = 0;
  for (const p of points) {
    const height = p.value - (first.value + chordSlope * (p.t - first.t));
    if (height > bestHeight) {
      best = p;
      bestHeight = height;
    }
  }
  return best;
}

/** The lowest point seen so far, the latest of equal minima (Artisan's `findTPint`). */
export class MinimumTracker {
  #lowest: CurvePoint | undefined;

  get lowest(): CurvePoint | undefined {
    return this.#lowest;
  }

  /** Idempotent: seeing the same point twice changes nothing. */
  see(point: CurvePoint): void {
    if (this.#lowest === undefined || point.value <= this.#lowest.value) this.#lowest = point;
  }
}

/**
 * Tracks the latest upward crossing of a temperature: the last point below it and the first point at or
 * above it after that one. Falling back below the temperature starts over, so noise while the beans
 * cool after charge cannot leave a stale crossing behind.
 */
export class CrossingTracker {
  readonly #threshold: number;
  #below: CurvePoint | undefined;
  #above: CurvePoint | undefined;

  constructor(threshold: number) {
    this.#threshold = threshold;
  }

  /** Idempotent: seeing the same point twice changes nothing. */
  see(point: CurvePoint): void {
    if (point.value < this.#threshold) {
      this.#below = point;
      this.#above = undefined;
    } else if (this.#below !== undefined && this.#above === undefined) {
      this.#above = point;
    }
  }

  /** Time of the upward crossing, if the curve has crossed. */
  get crossedAt(): number | undefined {
    if (this.#below === undefined || this.#above === undefined) return undefined;
    return crossingTime(this.#below, this.#above, this.#threshold);
  }
}
