// What a request to the telemetry read API asks for: which session (the path), which points (since, step or
// maxPoints), in which format (format=, else Accept), and whether to follow the session live. Pure, so every
// rule is tested with a table.
import { apiPrefix } from '@roast-operator/telemetry-client';
import { parseDuration, UsageError } from '../flags.ts';
import { Failure } from './refusals.ts';

/** Points in one response at most: a longer selection is answered in pages (`more`, then `since`). */
export const maxPointsPerResponse = 5000;
/** The coarsest `step`: a bucket longer than a roast's phases would show nothing. */
export const maxStepMs = 3_600_000;

export type Format = 'json' | 'csv';

export const contentTypes: Readonly<Record<Format, string>> = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
};

export interface SessionRef {
  namespace: string;
  name: string;
}

export interface ReadQuery {
  /** Only points with a time after this (ms since the epoch, on the edge's sample clock). */
  sinceMs?: number;
  /** One point per step, buckets aligned to the curve's origin (t = 0). */
  stepMs?: number;
  /** At most this many points, in equal buckets from the first point selected. */
  maxPoints?: number;
  format: Format;
  /** Stream every point as it is stored, in JSON lines, until the session ends. */
  follow: boolean;
}

// A namespace is a DNS label; a RoastSession's name a DNS subdomain.
const label = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?';
const subdomain = '[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?';
const sessionPath = new RegExp(`^${apiPrefix}/namespaces/(${label})/roastsessions/(${subdomain})/?$`);

/** The session a path names, or undefined when the path is not one this API serves. */
export function parsePath(pathname: string): SessionRef | undefined {
  const match = sessionPath.exec(pathname);
  return match ? { namespace: match[1]!, name: match[2]! } : undefined;
}

const known = new Set(['since', 'step', 'maxPoints', 'format', 'follow']);
// RFC 3339 with a zone; fractional seconds to any precision (the sample clock has milliseconds).
const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The query, or a `Failure`: 400 for a bad parameter, 406 when the client accepts neither format. */
export function parseQuery(params: URLSearchParams, accept: string | undefined): ReadQuery {
  for (const key of new Set(params.keys())) {
    if (!known.has(key))
      throw new Failure(400, `unknown query parameter ${key}: use since, step, maxPoints, format or follow`);
    if (params.getAll(key).length > 1) throw new Failure(400, `query parameter ${key} is given twice`);
  }
  const since = params.get('since');
  const step = params.get('step');
  const maxPoints = params.get('maxPoints');
  if (step !== null && maxPoints !== null)
    throw new Failure(400, 'give step or maxPoints, not both: each sets how the curve is thinned');
  const follow = parseFollow(params.get('follow'));
  if (follow && (step !== null || maxPoints !== null))
    throw new Failure(400, 'follow=true streams every point: leave out step and maxPoints');
  if (follow && params.get('format') === 'csv')
    throw new Failure(400, 'follow=true streams JSON lines (application/x-ndjson): leave out format=csv');
  return {
    ...(since !== null && { sinceMs: parseSince(since) }),
    ...(step !== null && { stepMs: parseStep(step) }),
    ...(maxPoints !== null && { maxPoints: parseMaxPoints(maxPoints) }),
    // A follow answers in JSON lines whatever Accept prefers.
    format: follow ? 'json' : chooseFormat(params.get('format'), accept),
    follow,
  };
}

function parseFollow(text: string | null): boolean {
  if (text === null || text === 'false') return false;
  if (text === 'true') return true;
  throw new Failure(400, `follow=${text} is not true or false`);
}

function parseSince(text: string): number {
  const ms = rfc3339.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms))
    throw new Failure(400, `since=${text} is not an RFC 3339 time such as 2026-11-24T09:30:00.250Z`);
  return ms;
}

/** A duration (`500ms`, `5s`, `1m`) or a number of seconds (`5`, `0.5`), as Prometheus takes a step. */
function parseStep(text: string): number {
  let ms: number;
  try {
    ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : parseDuration(text);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    ms = Number.NaN;
  }
  if (!Number.isFinite(ms) || ms < 1 || ms > maxStepMs || !Number.isInteger(ms))
    throw new Failure(
      400,
      `step=${text} is not a duration from 1ms to 1h in whole milliseconds, such as 5s or 500ms`,
    );
  return ms;
}

function parseMaxPoints(text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= maxPointsPerResponse))
    throw new Failure(400, `maxPoints=${text} is not a whole number from 1 to ${maxPointsPerResponse}`);
  return n;
}

function chooseFormat(format: string | null, accept: string | undefined): Format {
  if (format !== null) {
    if (format === 'json' || format === 'csv') return format;
    throw new Failure(400, `format=${format} is not json or csv`);
  }
  const chosen = negotiate(accept);
  if (chosen === undefined)
    throw new Failure(
      406,
      `no acceptable format in Accept: ${accept}; this API serves application/json and text/csv`,
    );
  return chosen;
}

/**
 * The format the Accept header prefers (RFC 9110: the most specific matching range gives a type its
 * weight; JSON wins a tie), or undefined when it accepts neither. No header means JSON.
 */
export function negotiate(accept: string | undefined): Format | undefined {
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = accept.split(',').map((part) => {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    return { range, weight: Number.isFinite(weight) ? weight : 0 };
  });
  const weightOf = (type: string): number => {
    const [major] = type.split('/');
    const exact = ranges.find((r) => r.range === type);
    const group = ranges.find((r) => r.range === `${major}/*`);
    const any = ranges.find((r) => r.range === '*/*');
    return (exact ?? group ?? any)?.weight ?? 0;
  };
  const json = weightOf('application/json');
  const csv = weightOf('text/csv');
  if (json <= 0 && csv <= 0) return undefined;
  return csv > json ? 'csv' : 'json';
}
