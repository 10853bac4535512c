// A session's curve as the read API answers it: samples put on the session's time axis (seconds since
// charge), selected after `since`, thinned to a step, capped per response, and written as JSON points or
// CSV rows. Pure: the server only reads the store and the RoastSession and hands both here.
import type { Sample } from '@roast-operator/proto';
import type { CurvePoint } from '@roast-operator/telemetry-client';
import type { ReadQuery } from './query.ts';

/** Where t = 0 is: the session's charge event when recorded, else its first stored point. */
export interface Origin {
  ms: number;
  from: 'charge' | 'firstPoint';
}

export interface Selection {
  samples: Sample[];
  /** The bucket width used, when the curve was thinned. */
  stepMs?: number;
  /** More points follow the last one returned: ask again with since = its time. */
  more: boolean;
}

export function originOf(samples: readonly Sample[], chargeTime: string | undefined): Origin | undefined {
  const charge = chargeTime === undefined ? Number.NaN : Date.parse(chargeTime);
  if (!Number.isNaN(charge)) return { ms: charge, from: 'charge' };
  const first = samples[0];
  return first && { ms: first.timeMs, from: 'firstPoint' };
}

/**
 * The samples a query selects, from a session's samples in time order: after `since`, then thinned, then
 * the first `cap` of what is left. `step` buckets are aligned to the origin, so pages and polls of one
 * curve share one grid; `maxPoints` divides the span selected into at most that many equal buckets. Each
 * bucket is shown by its last sample, so the newest reading is always in the answer.
 */
export function selectPoints(
  samples: readonly Sample[],
  query: Pick<ReadQuery, 'sinceMs' | 'stepMs' | 'maxPoints'>,
  originMs: number,
  cap: number,
): Selection {
  const after = query.sinceMs;
  const selected = after === undefined ? samples : samples.filter((s) => s.timeMs > after);
  const first = selected[0];
  const last = selected.at(-1);
  let stepMs = query.stepMs;
  let alignMs = originMs;
  if (query.maxPoints !== undefined && first && last) {
    // The smallest whole-millisecond width that makes at most maxPoints buckets of [first, last].
    stepMs = Math.floor((last.timeMs - first.timeMs) / query.maxPoints) + 1;
    alignMs = first.timeMs;
  }
  const thinned = stepMs === undefined ? [...selected] : lastPerBucket(selected, stepMs, alignMs);
  return {
    samples: thinned.slice(0, cap),
    ...(stepMs !== undefined && { stepMs }),
    more: thinned.length > cap,
  };
}

function lastPerBucket(samples: readonly Sample[], stepMs: number, alignMs: number): Sample[] {
  const out: Sample[] = [];
  let bucket: number | undefined;
  for (const sample of samples) {
    const b = Math.floor((sample.timeMs - alignMs) / stepMs);
    if (b === bucket) out[out.length - 1] = sample;
    else out.push(sample);
    bucket = b;
  }
  return out;
}

export function toPoint(sample: Sample, originMs: number): CurvePoint {
  return {
    t: (sample.timeMs - originMs) / 1000,
    time: new Date(sample.timeMs).toISOString(),
    ...(sample.beanTemp !== undefined && { beanTemperatureCelsius: sample.beanTemp }),
    ...(sample.ibtsTemp !== undefined && { ibtsTemperatureCelsius: sample.ibtsTemp }),
    ...(sample.exhaustTemp !== undefined && { exhaustTemperatureCelsius: sample.exhaustTemp }),
    ...(sample.beanRor !== undefined && { beanRateOfRiseCelsiusPerMinute: sample.beanRor }),
    heater: sample.heater,
    fan: sample.fan,
    drum: sample.drum,
    stateCode: sample.stateCode,
  };
}

/** The CSV columns, in order: the JSON point's fields. */
export const csvColumns = [
  't',
  'time',
  'beanTemperatureCelsius',
  'ibtsTemperatureCelsius',
  'exhaustTemperatureCelsius',
  'beanRateOfRiseCelsiusPerMinute',
  'heater',
  'fan',
  'drum',
  'stateCode',
] as const satisfies readonly (keyof CurvePoint)[];

/** A header row and one row per point; an absent reading is an empty field. No field needs quoting. */
export function toCsv(points: readonly CurvePoint[]): string {
  const rows = points.map((p) => csvColumns.map((c) => (p[c] === undefined ? '' : String(p[c]))).join(','));
  return `${[csvColumns.join(','), ...rows].join('\n')}\n`;
}
