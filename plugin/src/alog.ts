// A session as an Artisan profile (.alog): a Python dict literal, which Artisan reads back with
// ast.literal_eval. The fields are those Artisan's profile loader reads for the curve, the events and the
// roast properties:
//   mode                 'C' (the temperatures' unit)
//   timex                sample times in seconds since the recording started (not since CHARGE)
//   temp1, temp2         ET and BT per sample; -1 where there is no reading
//   timeindex            sample indexes of [CHARGE, DRY END, FC START, FC END, SC START, SC END, DROP, COOL];
//                        CHARGE -1 and the others 0 when unset
//   specialevents, specialeventstype, specialeventsvalue, specialeventsStrings, etypes
//                        control changes: sample index, event type (0 fan, 1 drum, 3 heater in etypes'
//                        order), value in Artisan's internal encoding, label
//   title, beans, weight [in, out, unit], roastertype, roastisodate, roasttime, roastepoch, roastUUID,
//   samplinginterval, computed (CHARGE_BT, DRY_time, FCs_time, DROP_time, DROP_BT, totaltime)
// Pure: the read API's answer and the RoastSession in, the file's text out.
import type { RoastSession } from '@roast-operator/api';
import type { CurvePoint, SessionTelemetry } from '@roast-operator/telemetry-client';

export type Python =
  | string
  | number
  | boolean
  | null
  | readonly Python[]
  | { readonly [key: string]: Python };

/** A Python literal: what `repr` writes and `ast.literal_eval` reads. */
export function pythonLiteral(value: Python): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '-1';
  if (typeof value === 'string') return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(', ')}]`;
  const entries = Object.entries(value as Record<string, Python>);
  return `{${entries.map(([k, v]) => `${pythonString(k)}: ${pythonLiteral(v)}`).join(', ')}}`;
}

function pythonString(text: string): string {
  const escaped = [...text]
    .map((c) => {
      if (c === '\\') return '\\\\';
      if (c === "'") return "\\'";
      if (c === '\n') return '\\n';
      if (c === '\r') return '\\r';
      if (c === '\t') return '\\t';
      const code = c.codePointAt(0)!;
      if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
      return c;
    })
    .join('');
  return `'${escaped}'`;
}

/** Artisan's event types in `etypes` order, and which of the roaster's controls each one records. */
const etypes = ['Fan', 'Drum', '--', 'Heater', '--'];
const controls = [
  { key: 'fan', type: 0 },
  { key: 'drum', type: 1 },
  { key: 'heater', type: 3 },
] as const;

/** Artisan keeps event values as external / 10 + 1 (0 stays 0): a level of 7 is 1.7. */
const internalValue = (level: number) => (level === 0 ? 0 : level / 10 + 1);

/** The index of the first sample at or after `time`, or `unset` when there is no such event or sample. */
function indexAt(points: readonly CurvePoint[], time: string | undefined, unset: number): number {
  if (time === undefined) return unset;
  const ms = Date.parse(time);
  const i = points.findIndex((p) => Date.parse(p.time) >= ms);
  return i < 0 ? unset : i;
}

function controlEvents(points: readonly CurvePoint[]) {
  const events = {
    specialevents: [] as number[],
    type: [] as number[],
    value: [] as number[],
    label: [] as string[],
  };
  points.forEach((p, i) => {
    for (const { key, type } of controls) {
      if (i > 0 && points[i - 1]![key] === p[key]) continue;
      events.specialevents.push(i);
      events.type.push(type);
      events.value.push(internalValue(p[key]));
      events.label.push(`${etypes[type]} ${p[key]}`);
    }
  });
  return events;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The .alog text for a session and its telemetry. */
export function toAlog(telemetry: SessionTelemetry, session: RoastSession): string {
  const points = telemetry.points;
  const startMs = points[0]
    ? Date.parse(points[0].time)
    : Date.parse(telemetry.origin?.time ?? '1970-01-01T00:00:00Z');
  const timex = points.map((p) => round((Date.parse(p.time) - startMs) / 1000, 3));
  const e = telemetry.events ?? {};
  const timeindex = [
    indexAt(points, e.charge?.time, -1),
    indexAt(points, e.dryEnd?.time, 0),
    indexAt(points, e.firstCrack?.time, 0),
    0,
    0,
    0,
    indexAt(points, e.drop?.time, 0),
    0,
  ];
  const events = controlEvents(points);
  const start = new Date(startMs);
  const profile = session.spec.profile;
  const metrics = session.status?.metrics;
  const intervals = timex.slice(1).map((t, i) => t - timex[i]!);
  const computed: Record<string, number> = {
    ...(e.charge?.beanTemperatureCelsius !== undefined && { CHARGE_BT: e.charge.beanTemperatureCelsius }),
    ...(e.dryEnd && { DRY_time: e.dryEnd.secondsSinceCharge }),
    ...(e.firstCrack && { FCs_time: e.firstCrack.secondsSinceCharge }),
    ...(e.firstCrack?.beanTemperatureCelsius !== undefined && {
      FCs_BT: e.firstCrack.beanTemperatureCelsius,
    }),
    ...(e.drop && { DROP_time: e.drop.secondsSinceCharge }),
    ...(e.drop?.beanTemperatureCelsius !== undefined && { DROP_BT: e.drop.beanTemperatureCelsius }),
    ...(metrics?.totalSeconds !== undefined && { totaltime: metrics.totalSeconds }),
  };
  return `${pythonLiteral({
    mode: 'C',
    title: profile?.coffee ?? telemetry.session.name,
    beans: profile?.coffee ?? '',
    weight: [profile?.batchGrams ?? 0, session.spec.weightOutGrams ?? 0, 'g'],
    roastertype: `Roaster ${telemetry.session.roaster}`,
    roastisodate: start.toISOString().slice(0, 10),
    roasttime: start.toISOString().slice(11, 19),
    roastepoch: Math.floor(startMs / 1000),
    roastUUID: telemetry.session.uid.replaceAll('-', ''),
    samplinginterval:
      intervals.length > 0 ? round(intervals.reduce((a, b) => a + b, 0) / intervals.length, 3) : 0,
    timex,
    temp1: points.map((p) => p.exhaustTemperatureCelsius ?? -1),
    temp2: points.map((p) => p.beanTemperatureCelsius ?? -1),
    timeindex,
    etypes,
    specialevents: events.specialevents,
    specialeventstype: events.type,
    specialeventsvalue: events.value,
    specialeventsStrings: events.label,
    computed,
  })}\n`;
}
