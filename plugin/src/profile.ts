// RoastProfiles made from what was roasted: an Artisan recording (.alog) or a finished RoastSession with its
// telemetry, through libs/profile. The recording's curve from CHARGE to DROP, its marks as targets, its
// control events as the recipe; what the kind would refuse is left out and said. And the batch plan a
// RoastSession takes from a profile. Pure: the commands read and write.
import {
  apiVersion,
  BatchPlan,
  ObjectName,
  type RoastProfile,
  type RoastProfileSpec,
  type RoastSession,
  roastProfileNames,
} from '@roast-operator/api';
import type { MadeProfile, RecordedControl, RecordedRoast, TargetKind } from '@roast-operator/profile';
import { toCelsius } from '@roast-operator/roast';
import type { SessionTelemetry } from '@roast-operator/telemetry-client';
import { z } from 'zod';
import type { PythonValue } from './python-literal.ts';

const Alog = z.object({
  mode: z.enum(['C', 'F']).default('C'),
  title: z.string().optional(),
  beans: z.string().optional(),
  weight: z.tuple([z.number(), z.number(), z.string()]).optional(),
  timex: z.array(z.number()).min(1),
  temp1: z.array(z.number()).optional(),
  temp2: z.array(z.number()),
  timeindex: z.array(z.int()).min(7),
  // Artisan's computed turning point, seconds since CHARGE; people never mark it.
  computed: z.object({ TP_time: z.number().optional(), TP_BT: z.number().optional() }).optional(),
  specialevents: z.array(z.int()).optional(),
  specialeventstype: z.array(z.int()).optional(),
  specialeventsvalue: z.array(z.number()).optional(),
  etypes: z.array(z.string()).optional(),
});
type Alog = z.infer<typeof Alog>;

const gramsPer: Readonly<Record<string, number>> = { g: 1, kg: 1000, lb: 453.59237, oz: 28.349523125 };
/** Artisan's own event type names, when a file carries none. */
const defaultEtypes = ['Air', 'Drum', 'Damper', 'Burner', '--'];

const firstLine = (text: string | undefined) =>
  text
    ?.split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');

/** Which R1 control an Artisan event type records, by the name the setup gave it. */
function controlOf(name: string | undefined): keyof Omit<RecordedControl, 'seconds'> | undefined {
  if (name === undefined) return undefined;
  if (/fan|air/i.test(name)) return 'fan';
  if (/drum/i.test(name)) return 'drum';
  if (/heat|burner|power/i.test(name)) return 'heater';
  return undefined;
}

/** Artisan keeps event values as external / 10 + 1 (0 stays 0): 1.7 is a level of 7. */
const externalValue = (internal: number) =>
  internal === 0 ? 0 : Math.round((internal - 1) * 10 * 1000) / 1000;

function controlsOf(a: Alog, at: (index: number) => number): RecordedControl[] {
  const etypes = a.etypes ?? defaultEtypes;
  return (a.specialevents ?? []).flatMap((index, i) => {
    const control = controlOf(etypes[a.specialeventstype?.[i] ?? -1]);
    const value = a.specialeventsvalue?.[i];
    if (control === undefined || value === undefined || a.timex[index] === undefined) return [];
    return [{ seconds: at(index), [control]: externalValue(value) }];
  });
}

/** An Artisan recording as a recorded roast: times since CHARGE, °C, its marks and control events. */
export function roastOfArtisan(value: PythonValue, file: string): RecordedRoast {
  const parsed = Alog.safeParse(value);
  if (!parsed.success)
    throw new Error(
      `it is not an Artisan profile with a curve: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'the file'} ${i.message}`).join('; ')}`,
    );
  const a = parsed.data;
  const [charge = -1, dryEnd = 0, firstCrack = 0, , , , drop = 0] = a.timeindex;
  const origin = a.timex[Math.max(charge, 0)]!;
  const at = (index: number) => a.timex[index]! - origin;
  const celsius = (v: number | undefined) =>
    v === undefined || v === -1 ? Number.NaN : toCelsius(v, a.mode);
  const event = (index: number) =>
    index > 0 && a.timex[index] !== undefined
      ? { seconds: at(index), beanCelsius: celsius(a.temp2[index]) }
      : undefined;
  const tp = a.computed?.TP_time;
  const events: { [K in TargetKind]?: { seconds: number; beanCelsius?: number } } = {
    ...(tp !== undefined &&
      tp > 0 && { turningPoint: { seconds: tp, beanCelsius: celsius(a.computed?.TP_BT) } }),
    ...(event(dryEnd) && { dryEnd: event(dryEnd) }),
    ...(event(firstCrack) && { firstCrack: event(firstCrack) }),
    ...(event(drop) && { drop: event(drop) }),
  };
  const coffee = (firstLine(a.beans) ?? firstLine(a.title))?.slice(0, 256);
  const grams =
    a.weight && a.weight[0] > 0
      ? a.weight[0] * (gramsPer[a.weight[2].toLowerCase()] ?? Number.NaN)
      : undefined;
  return {
    points: a.timex.map((t, i) => ({
      seconds: t - origin,
      beanCelsius: celsius(a.temp2[i]),
      ...(a.temp1 && { environmentCelsius: celsius(a.temp1[i]) }),
    })),
    events,
    controls: controlsOf(a, at),
    ...(coffee && { coffee }),
    ...(grams !== undefined && Number.isFinite(grams) && { batchGrams: Math.round(grams * 10) / 10 }),
    derivedFrom: { recording: file.split('/').at(-1)!.slice(0, 1024) },
  };
}

/** A finished session and its telemetry (charge as origin) as a recorded roast. */
export function roastOfSession(session: RoastSession, telemetry: SessionTelemetry): RecordedRoast {
  const e = session.status?.events;
  const event = (kind: TargetKind) => {
    const found = e?.[kind];
    return (
      found && { seconds: found.secondsSinceCharge, beanCelsius: found.beanTemperatureCelsius ?? Number.NaN }
    );
  };
  const events = Object.fromEntries(
    (['turningPoint', 'dryEnd', 'firstCrack', 'drop'] as const).flatMap((k) => {
      const found = event(k);
      return found ? [[k, found]] : [];
    }),
  );
  const points = telemetry.points;
  return {
    points: points.map((p) => ({
      seconds: p.t,
      beanCelsius: p.beanTemperatureCelsius ?? Number.NaN,
      environmentCelsius: p.exhaustTemperatureCelsius ?? Number.NaN,
      ibtsCelsius: p.ibtsTemperatureCelsius ?? Number.NaN,
      rateOfRiseCelsiusPerMinute: p.beanRateOfRiseCelsiusPerMinute ?? Number.NaN,
    })),
    events,
    // A change of level where the one before differed: what the attendant or the advisor did.
    controls: points.flatMap((p, i) => {
      const before = points[i - 1];
      const changed = (['heater', 'fan', 'drum'] as const).filter(
        (k) => before === undefined || before[k] !== p[k],
      );
      return changed.length === 0
        ? []
        : [{ seconds: p.t, ...Object.fromEntries(changed.map((k) => [k, p[k]])) }];
    }),
    ...(session.spec.profile?.coffee && { coffee: session.spec.profile.coffee }),
    ...(session.spec.profile?.batchGrams && { batchGrams: session.spec.profile.batchGrams }),
    derivedFrom: { session: session.metadata.name ?? '' },
  };
}

/** A name for a profile made from a file or a session: lower case, letters, digits and dashes. */
export function profileName(from: string): string {
  const base = from
    .split('/')
    .at(-1)!
    .replace(/\.(alog|json)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return ObjectName.safeParse(base).success ? base : 'profile';
}

/** The RoastProfile object, ready for Git or to apply. */
export function profileObject(name: string, made: MadeProfile, namespace?: string): RoastProfile {
  return {
    apiVersion,
    kind: roastProfileNames.kind,
    metadata: { name, ...(namespace && { namespace }) },
    spec: made.spec,
  };
}

/**
 * The batch plan (`spec.profile` of a RoastSession) a profile gives: its coffee and batch, the drop target's
 * time and temperature, and the development ratio its first crack and drop targets make. A figure the plan
 * would refuse is left out and said.
 */
export function batchPlanOf(spec: RoastProfileSpec): { plan: BatchPlan; notes: string[] } {
  const { firstCrack, drop } = spec.targets ?? {};
  const total = drop?.seconds;
  const candidate: Record<string, number | string | undefined> = {
    coffee: spec.coffee,
    batchGrams: spec.batchGrams,
    totalSeconds: total === undefined ? undefined : Math.round(total),
    dropTemperatureCelsius: drop?.beanCelsius,
    developmentRatioPercent:
      firstCrack && total ? Math.round(((total - firstCrack.seconds) / total) * 1000) / 10 : undefined,
  };
  const shape = BatchPlan.shape;
  const plan: Record<string, number | string> = {};
  const notes: string[] = [];
  for (const [key, v] of Object.entries(candidate)) {
    if (v === undefined) continue;
    if (shape[key as keyof typeof shape].safeParse(v).success) plan[key] = v;
    else notes.push(`${key} ${v} is outside what a session's plan accepts, so it is left out.`);
  }
  return { plan: BatchPlan.parse(plan), notes };
}
