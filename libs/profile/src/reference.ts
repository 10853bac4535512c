// A profile's reference curve read at any time: the straight line between its points, as the RoastProfile
// kind defines it. Pure.
import type { ReferenceCurve } from '@roast-operator/api';

/** Seconds of curve a rate of rise is read over when the profile carries no rate-of-rise column. */
export const rateOfRiseSpanSeconds = 30;

/** The index of the last time not after `t` (binary search); -1 before the first. */
function segmentOf(times: readonly number[], t: number): number {
  let lo = -1;
  let hi = times.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** A column's value at `t`, on the straight line between its points; undefined outside the curve. */
export function valueAt(times: readonly number[], column: readonly number[], t: number): number | undefined {
  const i = segmentOf(times, t);
  if (i < 0 || i >= times.length) return undefined;
  const t0 = times[i]!;
  const v0 = column[i]!;
  if (t0 === t || i === times.length - 1) return t0 === t ? v0 : undefined;
  const t1 = times[i + 1]!;
  const v1 = column[i + 1]!;
  return v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
}

/** The reference bean temperature at `t` seconds since charge, °C; undefined outside the curve. */
export const beanAt = (curve: ReferenceCurve, t: number) => valueAt(curve.seconds, curve.beanCelsius, t);

/**
 * The reference rate of rise at `t`, °C/min: the profile's own column when it has one, else the slope of
 * the bean curve over the `rateOfRiseSpanSeconds` ending at `t` (as a smoothed live rate looks back).
 */
export function rateOfRiseAt(curve: ReferenceCurve, t: number): number | undefined {
  if (curve.rateOfRiseCelsiusPerMinute) return valueAt(curve.seconds, curve.rateOfRiseCelsiusPerMinute, t);
  const from = Math.max(curve.seconds[0]!, t - rateOfRiseSpanSeconds);
  const now = beanAt(curve, t);
  const before = beanAt(curve, from);
  if (now === undefined || before === undefined || t <= from) return undefined;
  return ((now - before) / (t - from)) * 60;
}

/** Where the reference bean temperature is lowest (its turning point), as an index. */
function lowestIndex(curve: ReferenceCurve): number {
  let low = 0;
  curve.beanCelsius.forEach((v, i) => {
    if (v < curve.beanCelsius[low]!) low = i;
  });
  return low;
}

/**
 * When the reference first reaches `celsius` after its turning point, in seconds since charge: the time
 * the roast "should" have had this bean temperature. Undefined below the turning point's temperature or
 * above the curve's highest later value.
 */
export function timeReaching(curve: ReferenceCurve, celsius: number): number | undefined {
  const { seconds, beanCelsius } = curve;
  for (let i = lowestIndex(curve); i < seconds.length - 1; i++) {
    const v0 = beanCelsius[i]!;
    const v1 = beanCelsius[i + 1]!;
    if (v0 === celsius) return seconds[i];
    if (v0 < celsius && celsius <= v1)
      return seconds[i]! + ((seconds[i + 1]! - seconds[i]!) * (celsius - v0)) / (v1 - v0);
  }
  return beanCelsius.at(-1) === celsius ? seconds.at(-1) : undefined;
}

/** The last time of the curve: the drop it was made to end at. */
export const curveEnd = (curve: ReferenceCurve): number => curve.seconds.at(-1)!;
