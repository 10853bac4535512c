import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchPlan, RoastSession } from '@roast-operator/api';
import { recordingsDir } from '@roast-operator/roast/validation';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Python, pythonLiteral } from './alog.ts';
import { profileFromArtisan, profileFromSession } from './profile.ts';
import { parsePythonLiteral } from './python-literal.ts';

// The shared recordings are Artisan .alog files converted to JSON (bt and et for temp2 and temp1); each is
// written back as the .alog text Artisan saved, then imported from that text.
const Recording = z.object({
  mode: z.enum(['C', 'F']),
  title: z.string().optional(),
  beans: z.string().optional(),
  weight: z.tuple([z.number(), z.number(), z.string()]),
  timex: z.array(z.number()),
  bt: z.array(z.number()),
  et: z.array(z.number()),
  timeindex: z.array(z.int()),
});
const dir = recordingsDir();
const recordings = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ name: f, ...Recording.parse(JSON.parse(readFileSync(join(dir, f), 'utf8'))) }));

const alogOf = (r: z.infer<typeof Recording>) =>
  pythonLiteral({
    mode: r.mode,
    title: r.title ?? '',
    beans: r.beans ?? '',
    weight: r.weight,
    timex: r.timex,
    temp1: r.et,
    temp2: r.bt,
    timeindex: r.timeindex,
  });

describe('profileFromArtisan', () => {
  it('finds the shared recordings', () => {
    expect(recordings.length).toBeGreaterThanOrEqual(70);
  });

  it.each(recordings)('imports $name as a BatchPlan', (r) => {
    const { profile, notes } = profileFromArtisan(parsePythonLiteral(alogOf(r)));
    expect(BatchPlan.parse(profile)).toEqual(profile);
    const [charge = -1, , fc = 0, , , , drop = 0] = r.timeindex;
    const total = r.timex[drop]! - r.timex[charge]!;
    const bt = r.mode === 'F' ? ((r.bt[drop]! - 32) * 5) / 9 : r.bt[drop]!;
    const expected: Record<string, number | undefined> = {
      totalSeconds: Math.round(total),
      developmentRatioPercent:
        fc > 0 ? Math.round(((r.timex[drop]! - r.timex[fc]!) / total) * 1000) / 10 : undefined,
      dropTemperatureCelsius: Math.round(bt * 10) / 10,
      batchGrams: r.weight[0] > 0 ? r.weight[0] * (r.weight[2].toLowerCase() === 'kg' ? 1000 : 1) : undefined,
    };
    // Each figure is taken over, or left out with a sentence when the API would refuse it (a DTR over 40 %).
    for (const [key, value] of Object.entries(expected)) {
      if (value === undefined) continue;
      const left = notes.find((n) => n.startsWith(`${key} `));
      if (left) expect(left).toBe(`${key} ${value} is outside what a BatchPlan accepts, so it is left out.`);
      else expect(profile[key as keyof typeof profile]).toBe(value);
    }
    expect(notes.length).toBeLessThanOrEqual(1);
  });

  it.each<{ what: string; alog: Python; profile: object; notes: string[] }>([
    {
      what: 'converts °F, kilograms and takes the first line of the beans',
      alog: {
        mode: 'F',
        beans: '\n Kenya AB \nlot 4',
        weight: [0.25, 0.21, 'kg'],
        timex: [0, 60, 300, 420],
        temp2: [400, 200, 380, 410],
        timeindex: [1, 0, 2, 0, 0, 0, 3, 0],
      },
      profile: {
        coffee: 'Kenya AB',
        batchGrams: 250,
        totalSeconds: 360,
        developmentRatioPercent: 33.3,
        dropTemperatureCelsius: 210,
      },
      notes: [],
    },
    {
      what: 'leaves out what the API would refuse, and says so',
      alog: { timex: [0, 10, 100], temp2: [20, 100, 300], timeindex: [0, 0, 0, 0, 0, 0, 2, 0] },
      profile: {},
      notes: [
        'totalSeconds 100 is outside what a BatchPlan accepts, so it is left out.',
        'dropTemperatureCelsius 300 is outside what a BatchPlan accepts, so it is left out.',
      ],
    },
    {
      what: 'says there is no timing without CHARGE and DROP',
      alog: { title: 'Guji', timex: [0, 1], temp2: [20, 30], timeindex: [-1, 0, 0, 0, 0, 0, 0, 0] },
      profile: { coffee: 'Guji' },
      notes: [
        'The profile has no CHARGE and DROP marks, so there is no total time, drop temperature or development ratio.',
      ],
    },
  ])('$what', ({ alog, profile, notes }) => {
    expect(profileFromArtisan(parsePythonLiteral(pythonLiteral(alog)))).toEqual({ profile, notes });
  });

  it('refuses a file that is not an Artisan profile with a curve', () => {
    expect(() => profileFromArtisan({ title: 'x' })).toThrow(
      /^it is not an Artisan profile with a curve: timex/,
    );
  });
});

describe('profileFromSession', () => {
  const session = (status: object, profile: object = { coffee: 'Guji', batchGrams: 400 }) =>
    RoastSession.parse({
      apiVersion: 'roasting.simcorp.io/v1alpha1',
      kind: 'RoastSession',
      metadata: { name: 'guji-1' },
      spec: { roasterRef: { name: 'bullet-1' }, profile },
      status,
    });

  it.each([
    {
      what: 'takes the coffee, the batch and what the roast reached',
      status: {
        phase: 'Completed',
        metrics: { totalSeconds: 612.4, developmentRatioPercent: 21.26, finalBeanTemperatureCelsius: 211.04 },
      },
      profile: {
        coffee: 'Guji',
        batchGrams: 400,
        totalSeconds: 612,
        developmentRatioPercent: 21.3,
        dropTemperatureCelsius: 211,
      },
      notes: [],
    },
    {
      what: 'falls back on the drop event for the drop temperature',
      status: {
        phase: 'Completed',
        metrics: { totalSeconds: 600 },
        events: {
          drop: {
            time: '2026-12-07T10:10:00Z',
            secondsSinceCharge: 600,
            beanTemperatureCelsius: 208.46,
            source: 'StateCode',
          },
        },
      },
      profile: { coffee: 'Guji', batchGrams: 400, totalSeconds: 600, dropTemperatureCelsius: 208.5 },
      notes: [],
    },
    {
      what: 'says a roast still running gives partial figures, and leaves out what the API refuses',
      status: { phase: 'Development', metrics: { totalSeconds: 150, developmentRatioPercent: 4 } },
      profile: { coffee: 'Guji', batchGrams: 400 },
      notes: [
        'RoastSession guji-1 is Development, not Completed: its figures may be partial.',
        'totalSeconds 150 is outside what a BatchPlan accepts, so it is left out.',
        'developmentRatioPercent 4 is outside what a BatchPlan accepts, so it is left out.',
      ],
    },
  ])('$what', ({ status, profile, notes }) => {
    expect(profileFromSession(session(status))).toEqual({ profile, notes });
  });
});
