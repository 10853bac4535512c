import { type CurvePoint, crossingTime, slope, window } from './curve.ts';
import type { BreakSettings } from './settings.ts';

/**
 * Looks for a break ending at time `at` (a point of the curve): over the last `postWindowS` the curve
 * falls at least `minFallPerMin`, and at least `minSlopeChangePerMin` more steeply than over the
 * `preWindowS` before. Artisan's BTbreak compares per-sample differences, so its thresholds change with
 * the sampling rate; slopes in °C/min over windows in seconds do not. Returns the knee: the point of the
 * whole window farthest above its chord, where the trend bent into the fall (a break confirmed at `at`
 * happened at the knee, some seconds earlier).
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
  const knee = highestAboveChord(window(curve, trendStart, at));
  return knee.value >= settings.minBt ? knee : undefined;
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
