import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RoastProfileSpec, RoastSession } from '@roast-operator/api';
import { beanAt, profileFromRoast } from '@roast-operator/profile';
import { fromCelsius } from '@roast-operator/roast';
import { recordingsDir } from '@roast-operator/roast/validation';
import type { SessionTelemetry } from '@roast-operator/telemetry-client';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Python, pythonLiteral } from './alog.ts';
import { batchPlanOf, profileName, roastOfArtisan, roastOfSession } from './profile.ts';
import { parsePythonLiteral } from './python-literal.ts';

// The shared recordings are Artisan .alog files converted to JSON (bt and et for temp2 and temp1, control
// events by type name); each is written back as the .alog text Artisan saved, then imported from that text.
const Recording = z.object({
  mode: z.enum(['C', 'F']),
  title: z.string().optional(),
  beans: z.string().optional(),
  weight: z.tuple([z.number(), z.number(), z.string()]),
  timex: z.array(z.number()),
  bt: z.array(z.number()),
  et: z.array(z.number()),
  timeindex: z.array(z.int()),
  computed: z.object({ TP_time: z.number().optional(), TP_BT: z.number().optional() }),
  specialevents: z.array(z.object({ idx: z.int(), type: z.string(), value_raw: z.number() })).nullable(),
});
type Recording = z.infer<typeof Recording>;
const dir = recordingsDir();
const recordings = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ name: f, ...Recording.parse(JSON.parse(readFileSync(join(dir, f), 'utf8'))) }));

const etypes = ['Air', 'Drum', 'Damper', 'Burner', '--'];
const alogOf = (r: Recording) =>
  pythonLiteral({
    mode: r.mode,
    title: r.title ?? '',
    beans: r.beans ?? '',
    weight: r.weight,
    timex: r.timex,
    temp1: r.et,
    temp2: r.bt,
    timeindex: r.timeindex,
    computed: { ...r.computed },
    etypes,
    specialevents: (r.specialevents ?? []).map((e) => e.idx),
    specialeventstype: (r.specialevents ?? []).map((e) => etypes.indexOf(e.type)),
    specialeventsvalue: (r.specialevents ?? []).map((e) => e.value_raw),
  });
const imported = (alog: Python | string, file = 'roast.alog') =>
  profileFromRoast(
    roastOfArtisan(parsePythonLiteral(typeof alog === 'string' ? alog : pythonLiteral(alog)), file),
  );

describe('a RoastProfile from each shared Artisan recording', () => {
  it('finds the shared recordings', () => {
    expect(recordings.length).toBeGreaterThanOrEqual(70);
  });

  // The recordings keep times to the millisecond and temperatures to two decimals of their unit: read at
  // each sample's time, the curve gives back every reading to half of that.
  it.each(recordings)('$name round-trips: .alog → RoastProfile → curve, within its resolution', (r) => {
    const { spec } = imported(alogOf(r), r.name);
    expect(RoastProfileSpec.parse(spec)).toEqual(spec);
    const [charge = -1, , , , , , drop = 0] = r.timeindex;
    const from = Math.max(charge, 0);
    const to = drop > 0 ? drop : r.timex.length - 1;
    let compared = 0;
    for (let i = from; i <= to; i++) {
      if (r.bt[i] === -1) continue;
      const bean = beanAt(spec.curve, Math.round((r.timex[i]! - r.timex[from]!) * 1000) / 1000);
      expect(bean, `${r.name} sample ${i}`).toBeDefined();
      expect(Math.abs(fromCelsius(bean!, r.mode) - r.bt[i]!), `${r.name} sample ${i}`).toBeLessThanOrEqual(
        0.005,
      );
      compared++;
    }
    expect(spec.curve.seconds).toHaveLength(compared);
    if (drop > 0) expect(spec.targets?.drop?.seconds).toBeCloseTo(r.timex[drop]! - r.timex[from]!, 3);
  });
});

describe('roastOfArtisan', () => {
  it('converts °F and kilograms, takes the first line of the beans, the marks and the control events', () => {
    const { spec, notes } = imported(
      {
        mode: 'F',
        beans: '\n Kenya AB \nlot 4',
        weight: [0.25, 0.21, 'kg'],
        timex: [0, 10, 70, 310, 430],
        temp1: [450, 440, 400, 420, 430],
        temp2: [400, 392, 200, 380, 410],
        timeindex: [1, 0, 3, 0, 0, 0, 4, 0],
        computed: { TP_time: 60, TP_BT: 200 },
        etypes: ['Fan', 'Drum', '--', 'Heater', '--'],
        specialevents: [1, 1, 3],
        specialeventstype: [0, 3, 3],
        specialeventsvalue: [1.3, 1.9, 1.6],
      },
      '/tmp/Kenya AB.alog',
    );
    expect(notes).toEqual([]);
    expect(spec).toEqual({
      coffee: 'Kenya AB',
      batchGrams: 250,
      curve: {
        seconds: [0, 60, 300, 420],
        beanCelsius: [200, 93.333, 193.333, 210],
        environmentCelsius: [226.667, 204.444, 215.556, 221.111],
      },
      targets: {
        turningPoint: { seconds: 60, toleranceSeconds: 15, beanCelsius: 93.3, toleranceCelsius: 5 },
        firstCrack: { seconds: 300, toleranceSeconds: 30, beanCelsius: 193.3, toleranceCelsius: 3 },
        drop: { seconds: 420, toleranceSeconds: 15, beanCelsius: 210, toleranceCelsius: 2 },
      },
      recipe: {
        byTime: [
          { seconds: 0, fan: 3, heater: 9 },
          { seconds: 300, heater: 6 },
        ],
      },
      derivedFrom: { recording: 'Kenya AB.alog' },
    });
  });

  it('refuses a file that is not an Artisan profile with a curve', () => {
    expect(() => roastOfArtisan({ title: 'x' }, 'x.alog')).toThrow(
      /^it is not an Artisan profile with a curve: timex/,
    );
  });
});

describe('roastOfSession', () => {
  const session = RoastSession.parse({
    apiVersion: 'roasting.simcorp.io/v1alpha1',
    kind: 'RoastSession',
    metadata: { name: 'guji-1' },
    spec: { roasterRef: { name: 'bullet-1' }, profile: { coffee: 'Guji', batchGrams: 400 } },
    status: {
      phase: 'Completed',
      events: {
        charge: {
          time: '2026-12-07T10:00:00Z',
          secondsSinceCharge: 0,
          beanTemperatureCelsius: 180,
          source: 'StateCode',
        },
        drop: {
          time: '2026-12-07T10:00:02Z',
          secondsSinceCharge: 2,
          beanTemperatureCelsius: 150,
          source: 'StateCode',
        },
      },
    },
  });
  const point = (t: number, bean: number, heater: number) => ({
    t,
    time: new Date(Date.parse('2026-12-07T10:00:00Z') + t * 1000).toISOString(),
    beanTemperatureCelsius: bean,
    exhaustTemperatureCelsius: 200,
    heater,
    fan: 3,
    drum: 6,
    stateCode: 6,
  });
  const telemetry: SessionTelemetry = {
    apiVersion: 'telemetry.roasting.simcorp.io/v1alpha1',
    kind: 'RoastSessionTelemetry',
    session: { namespace: 'roastery', name: 'guji-1', uid: 'u', roaster: 'bullet-1', phase: 'Completed' },
    events: {},
    origin: { time: '2026-12-07T10:00:00Z', from: 'charge' },
    more: false,
    points: [point(-1, 200, 9), point(0, 180, 9), point(1, 160, 7), point(2, 150, 7), point(3, 140, 0)],
  };

  it('takes the curve charge to drop, the levels at charge and their changes, the coffee and the batch', () => {
    const { spec, notes } = profileFromRoast(roastOfSession(session, telemetry));
    expect(notes).toEqual([]);
    expect(spec).toEqual({
      coffee: 'Guji',
      batchGrams: 400,
      curve: { seconds: [0, 1, 2], beanCelsius: [180, 160, 150], environmentCelsius: [200, 200, 200] },
      targets: { drop: { seconds: 2, toleranceSeconds: 15, beanCelsius: 150, toleranceCelsius: 2 } },
      recipe: {
        byTime: [
          { seconds: 0, heater: 9, fan: 3, drum: 6 },
          { seconds: 1, heater: 7 },
        ],
      },
      derivedFrom: { session: 'guji-1' },
    });
  });
});

describe('profileName', () => {
  it.each([
    ['/home/alice/roasts/21-02-09 Haiti Baptiste.alog', '21-02-09-haiti-baptiste'],
    ['guji-7', 'guji-7'],
    ['☕.alog', 'profile'],
  ])('%s → %s', (from, name) => {
    expect(profileName(from)).toBe(name);
  });
});

describe('batchPlanOf', () => {
  const curve = { seconds: [0, 600], beanCelsius: [200, 210] };
  it.each([
    [
      'the coffee, batch, drop time and temperature, and the ratio its targets make',
      {
        coffee: 'Guji',
        batchGrams: 350,
        curve,
        targets: {
          firstCrack: { seconds: 480, toleranceSeconds: 20 },
          drop: { seconds: 600, toleranceSeconds: 15, beanCelsius: 209 },
        },
      },
      {
        coffee: 'Guji',
        batchGrams: 350,
        totalSeconds: 600,
        dropTemperatureCelsius: 209,
        developmentRatioPercent: 20,
      },
      [],
    ],
    [
      'leaves out what a plan refuses, and says so',
      { curve, targets: { drop: { seconds: 120, toleranceSeconds: 15 } } },
      {},
      ["totalSeconds 120 is outside what a session's plan accepts, so it is left out."],
    ],
  ])('%s', (_, spec, plan, notes) => {
    expect(batchPlanOf(RoastProfileSpec.parse(spec))).toEqual({ plan, notes });
  });
});
