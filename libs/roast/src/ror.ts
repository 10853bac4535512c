import { type CurvePoint, slope, window } from './curve.ts';

/** Rate of rise at time t, in °C per minute. */
export interface RorPoint {
  readonly t: number;
  readonly ror: number;
}

export interface RorSettings {
  /**
   * Seconds of curve the rate is fitted over (Artisan's `deltaBTspan`, default 20 s). Longer spans are
   * smoother and lag more (about half the span).
   */
  spanS: number;
  /** Seconds of rates averaged, newest weighing most (Artisan's RoR `decay_average`); 0 = none. */
  smoothingS: number;
}

export const DEFAULT_ROR_SETTINGS: RorSettings = { spanS: 20, smoothingS: 6 };

/**
 * Streaming rate of rise over a cleaned curve, Artisan-like but defined in seconds rather than in
 * samples, so a 10 Hz and a 1 Hz curve give the same figures:
 * - the rate is the least-squares slope over the last `spanS` seconds (Artisan's polyfit option), which
 *   needs no temperature pre-smoothing and simply ignores missing readings;
 * - the rates of the last `smoothingS` seconds are then averaged with weights growing linearly with time:
 *   at an even sampling interval dt and smoothingS = n·dt these are Artisan's decay weights 1, 2, …, n.
 * No rate is given until the window holds three readings spread over at least half the span, e.g. just
 * after the start or a long dropout.
 */
export class RorCalculator {
  readonly #settings: RorSettings;
  #points: CurvePoint[] = [];
  #rates: RorPoint[] = [];

  constructor(settings: RorSettings) {
    this.#settings = settings;
  }

  /** Adds the next cleaned reading; returns the smoothed rate at its time, when there is one. */
  push(point: CurvePoint): RorPoint | undefined {
    const { spanS, smoothingS } = this.#settings;
    this.#points.push(point);
    this.#points = window(this.#points, point.t - spanS);
    const first = this.#points[0] as CurvePoint;
    const perSecond = slope(this.#points);
    if (this.#points.length < 3 || point.t - first.t < spanS / 2 || perSecond === undefined) return undefined;
    const rate = { t: point.t, ror: perSecond * 60 };
    if (smoothingS <= 0) return rate;
    this.#rates.push(rate);
    this.#rates = this.#rates.filter((r) => r.t > point.t - smoothingS);
    return { t: point.t, ror: weightedMean(this.#rates, point.t - smoothingS) };
  }
}

// Weights grow linearly from the start of the smoothing window, so the newest rate weighs most.
function weightedMean(rates: readonly RorPoint[], windowStart: number): number {
  let sum = 0;
  let weights = 0;
  for (const r of rates) {
    const w = r.t - windowStart;
    sum += w * r.ror;
    weights += w;
  }
  return sum / weights;
}
