import type { ReferencePoint } from './types.ts';

// Reading the profile's reference curve and the live curve: values between points, rates of rise.

export type Point = { readonly t: number; readonly value: number };

/** Linear interpolation; beyond the last point the curve goes on at its last rate of rise. */
export function referenceAt(reference: readonly ReferencePoint[], t: number): number {
  const first = reference[0];
  if (first === undefined) throw new RangeError('the profile has no reference curve');
  if (t <= first.t) return first.bt;
  for (let i = 1; i < reference.length; i++) {
    const a = reference[i - 1]!;
    const b = reference[i]!;
    if (t <= b.t) return a.bt + ((b.bt - a.bt) * (t - a.t)) / (b.t - a.t);
  }
  const last = reference.at(-1)!;
  return last.bt + ((referenceRorAt(reference, last.t) ?? 0) * (t - last.t)) / 60;
}

/** The profile's RoR at t, °C/min: its own where given, else over the 30 s before t. */
export function referenceRorAt(reference: readonly ReferencePoint[], t: number): number {
  const given = reference.filter((p) => p.ror !== undefined);
  if (given.length === reference.length && given.length > 0) {
    const nearest = given.reduce((best, p) => (Math.abs(p.t - t) < Math.abs(best.t - t) ? p : best));
    return nearest.ror!;
  }
  const last = reference.at(-1);
  const end = last === undefined ? t : Math.min(t, last.t);
  return (60 * (referenceAt(reference, end) - referenceAt(reference, end - rorSpanS))) / rorSpanS;
}

export const rorSpanS = 30;

/** Least-squares rate of rise over the last `rorSpanS` of readings, °C/min; undefined with fewer than 3. */
export function rorOf(readings: readonly Point[], at: number): number | undefined {
  const span = readings.filter((r) => r.t > at - rorSpanS && r.t <= at);
  if (span.length < 3) return undefined;
  const meanT = span.reduce((s, r) => s + r.t, 0) / span.length;
  const meanV = span.reduce((s, r) => s + r.value, 0) / span.length;
  let stt = 0;
  let stv = 0;
  for (const r of span) {
    stt += (r.t - meanT) ** 2;
    stv += (r.t - meanT) * (r.value - meanV);
  }
  return stt > 0 ? (60 * stv) / stt : undefined;
}

/** The latest reading at or before t, averaged over the last 5 s so one noisy reading does not decide. */
export function latest(readings: readonly Point[], at: number): number | undefined {
  const recent = readings.filter((r) => r.t > at - 5 && r.t <= at);
  return recent.length === 0 ? undefined : recent.reduce((s, r) => s + r.value, 0) / recent.length;
}

/** First time a predicted curve (values every `stepS` from `from`) reaches `value`, interpolated. */
export function crossing(
  values: readonly number[],
  from: number,
  stepS: number,
  value: number,
): number | undefined {
  for (let i = 1; i < values.length; i++) {
    const a = values[i - 1]!;
    const b = values[i]!;
    if (a < value && b >= value) return from + stepS * (i - 1 + (value - a) / (b - a));
  }
  return values[0] !== undefined && values[0] >= value ? from : undefined;
}
