// An Artisan profile as the BatchPlan a RoastSession plans with: the coffee, the batch weight, the drop
// temperature, the total time and the development time ratio, all read from the profile's own marks
// (timeindex) and curve, in °C. A figure outside what the API accepts is left out and said why.

import type { RoastSession } from '@roast-operator/api';
import { BatchPlan } from '@roast-operator/api';
import { toCelsius } from '@roast-operator/roast';
import { z } from 'zod';
import type { PythonValue } from './python-literal.ts';

const Alog = z.object({
  mode: z.enum(['C', 'F']).default('C'),
  title: z.string().optional(),
  beans: z.string().optional(),
  weight: z.tuple([z.number(), z.number(), z.string()]).optional(),
  timex: z.array(z.number()).min(1),
  temp2: z.array(z.number()),
  timeindex: z.array(z.int()).min(7),
});

const gramsPer: Readonly<Record<string, number>> = { g: 1, kg: 1000, lb: 453.59237, oz: 28.349523125 };

export interface ImportedProfile {
  profile: BatchPlan;
  /** Figures left out, one sentence each. */
  notes: string[];
}

const firstLine = (text: string | undefined) =>
  text
    ?.split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');

export function profileFromArtisan(value: PythonValue): ImportedProfile {
  const parsed = Alog.safeParse(value);
  if (!parsed.success)
    throw new Error(
      `it is not an Artisan profile with a curve: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'the file'} ${i.message}`).join('; ')}`,
    );
  const a = parsed.data;
  const [charge = -1, , firstCrack = 0, , , , drop = 0] = a.timeindex;
  const time = (index: number) => a.timex[index];
  const notes: string[] = [];
  const candidate: Record<string, number | string | undefined> = {
    coffee: (firstLine(a.beans) ?? firstLine(a.title))?.slice(0, 256),
    batchGrams:
      a.weight && a.weight[0] > 0
        ? a.weight[0] * (gramsPer[a.weight[2].toLowerCase()] ?? Number.NaN)
        : undefined,
  };
  const chargeT = charge >= 0 ? time(charge) : undefined;
  const dropT = drop > 0 ? time(drop) : undefined;
  if (chargeT !== undefined && dropT !== undefined) {
    const total = dropT - chargeT;
    candidate.totalSeconds = Math.round(total);
    const fcT = firstCrack > 0 ? time(firstCrack) : undefined;
    if (fcT !== undefined)
      candidate.developmentRatioPercent = Math.round(((dropT - fcT) / total) * 1000) / 10;
    const bt = a.temp2[drop];
    if (bt !== undefined && bt > 0)
      candidate.dropTemperatureCelsius = Math.round(toCelsius(bt, a.mode) * 10) / 10;
  } else
    notes.push(
      'The profile has no CHARGE and DROP marks, so there is no total time, drop temperature or development ratio.',
    );
  return accepted(candidate, notes);
}

/** The figures the API accepts, as a BatchPlan; each one it would refuse is noted and left out. */
function accepted(candidate: Record<string, number | string | undefined>, notes: string[]): ImportedProfile {
  const shape = BatchPlan.shape;
  const profile: Record<string, number | string> = {};
  for (const [key, v] of Object.entries(candidate)) {
    if (v === undefined) continue;
    const field = shape[key as keyof typeof shape];
    if (field.safeParse(v).success) profile[key] = v;
    else notes.push(`${key} ${v} is outside what a BatchPlan accepts, so it is left out.`);
  }
  return { profile: BatchPlan.parse(profile), notes };
}

/**
 * How a finished roast went, as the plan for the next batch of it: its coffee and batch weight, and the
 * total time, development ratio and drop temperature it reached (the session's metrics).
 */
export function profileFromSession(session: RoastSession): ImportedProfile {
  const metrics = session.status?.metrics;
  const notes: string[] = [];
  if (session.status?.phase !== 'Completed')
    notes.push(
      `RoastSession ${session.metadata.name} is ${session.status?.phase ?? 'Pending'}, not Completed: its figures may be partial.`,
    );
  const round = (v: number | undefined, digits: number) =>
    v === undefined ? undefined : Math.round(v * 10 ** digits) / 10 ** digits;
  return accepted(
    {
      coffee: session.spec.profile?.coffee,
      batchGrams: session.spec.profile?.batchGrams,
      totalSeconds: round(metrics?.totalSeconds, 0),
      developmentRatioPercent: round(metrics?.developmentRatioPercent, 1),
      dropTemperatureCelsius: round(
        metrics?.finalBeanTemperatureCelsius ?? session.status?.events?.drop?.beanTemperatureCelsius,
        1,
      ),
    },
    notes,
  );
}
