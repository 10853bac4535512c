/** One cleaned reading of one channel: time in seconds, value in °C. */
export interface CurvePoint {
  readonly t: number;
  readonly value: number;
}

/** Points of a time-ordered curve with `from <= t <= to`. */
export function window(
  points: readonly CurvePoint[],
  from: number,
  to = Number.POSITIVE_INFINITY,
): CurvePoint[] {
  const end = firstAfter(points, to);
  // Windows are short: walk back from their end.
  let start = end;
  while (start > 0 && (points[start - 1] as CurvePoint).t >= from) start--;
  return points.slice(start, end);
}

/** Index of the first point later than t (binary search), or the length when there is none. */
function firstAfter(points: readonly CurvePoint[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((points[mid] as CurvePoint).t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Least-squares slope in units per second; undefined for fewer than two distinct times. */
export function slope(points: readonly CurvePoint[]): number | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  // Centre on the mean time so long clocks (epoch seconds) lose no precision.
  let meanT = 0;
  let meanV = 0;
  for (const p of points) {
    meanT += p.t / n;
    meanV += p.value / n;
  }
  let stt = 0;
  let stv = 0;
  for (const p of points) {
    stt += (p.t - meanT) ** 2;
    stv += (p.t - meanT) * (p.value - meanV);
  }
  return stt > 0 ? stv / stt : undefined;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Linear interpolation of a time-ordered curve at `t`, held flat beyond its ends; undefined when empty. */
export function valueAt(points: readonly CurvePoint[], t: number): number | undefined {
  const after = firstAfter(points, t);
  const a = points[after - 1];
  const b = points[after];
  if (a === undefined || b === undefined) return (a ?? b)?.value;
  return interpolate(a, b, t);
}

function interpolate(a: CurvePoint, b: CurvePoint, t: number): number {
  return b.t === a.t ? b.value : a.value + ((b.value - a.value) * (t - a.t)) / (b.t - a.t);
}

/** Time at which the segment a→b reaches `value` (a and b on either side of it). */
export function crossingTime(a: CurvePoint, b: CurvePoint, value: number): number {
  return b.value === a.value ? b.t : a.t + ((value - a.value) * (b.t - a.t)) / (b.value - a.value);
}

// Beyond this gap a neighbour says nothing about a reading: after a long dropout a reading stands alone.
const MAX_NEIGHBOUR_GAP_S = 10;

export interface DespikeSettings {
  /** Half width, in seconds, of the neighbourhood a reading is compared with. */
  halfWindowS: number;
  /** A reading farther than this from its neighbourhood's median is a spike, °C. */
  thresholdC: number;
}

/**
 * Removes sensor spikes (a Hampel filter): a reading farther than `thresholdC` from the median of its
 * neighbourhood (the readings within ±halfWindowS, always with the nearest reading on each side; at
 * least three) is replaced by that median. A median keeps monotone stretches (a charge fall, a steady
 * rise) exactly and exposes excursions shorter than the half window; readings within the threshold pass
 * unchanged, so minima and crossings stay those of the real readings. A reading is released once a later
 * one beyond its half window has arrived: the output lags by max(halfWindowS, one sample).
 */
export class Despiker {
  readonly #halfWindowS: number;
  readonly #thresholdC: number;
  // Readings still needed as neighbours, then those waiting to be released (from index #next on).
  #buffer: CurvePoint[] = [];
  #next = 0;

  constructor({ halfWindowS, thresholdC }: DespikeSettings) {
    this.#halfWindowS = halfWindowS;
    this.#thresholdC = thresholdC;
  }

  /** Adds a valid reading (time-ordered) and returns the readings released by it, cleaned. */
  push(point: CurvePoint): CurvePoint[] {
    this.#buffer.push(point);
    const released: CurvePoint[] = [];
    for (let p = this.#buffer[this.#next]; p !== undefined && point.t > p.t + this.#halfWindowS; ) {
      released.push(this.#release());
      p = this.#buffer[this.#next];
    }
    return released;
  }

  /** Releases every waiting reading with the neighbours it has (end of stream). */
  flush(): CurvePoint[] {
    const released: CurvePoint[] = [];
    while (this.#next < this.#buffer.length) released.push(this.#release());
    return released;
  }

  #release(): CurvePoint {
    const i = this.#next;
    const centre = this.#buffer[i] as CurvePoint;
    const values: number[] = [];
    this.#buffer.forEach((p, j) => {
      const near = Math.abs(p.t - centre.t) <= this.#halfWindowS;
      const neighbour = Math.abs(j - i) === 1 && Math.abs(p.t - centre.t) <= MAX_NEIGHBOUR_GAP_S;
      if (near || neighbour) values.push(p.value);
    });
    this.#next++;
    // Keep the released reading's window for the next one; drop what no later reading can need.
    const oldestNeeded = (this.#buffer[this.#next] ?? centre).t - this.#halfWindowS;
    let drop = 0;
    while (drop < this.#next - 1 && (this.#buffer[drop] as CurvePoint).t < oldestNeeded) drop++;
    this.#buffer.splice(0, drop);
    this.#next -= drop;
    // Two readings cannot tell a spike from a step: a reading at the end of the stream or beside a long
    // dropout stands as it is.
    if (values.length < 3) return centre;
    const typical = median(values);
    return Math.abs(centre.value - typical) > this.#thresholdC ? { t: centre.t, value: typical } : centre;
  }
}
