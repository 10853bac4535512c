import { RoastSession } from '@roast-operator/api';
import { SessionTelemetry } from '@roast-operator/telemetry-client';
import { describe, expect, it } from 'vitest';
import { pythonLiteral, toAlog } from './alog.ts';
import { readAlog } from './testing/artisan.ts';

const base = Date.parse('2026-12-07T10:00:00Z');
const at = (s: number) => new Date(base + s * 1000).toISOString();

// 2 Hz: preheated roaster at 0 s, charge at 10 s, dry end at 100 s, first crack at 400 s, drop at 500 s.
const points = Array.from({ length: 1001 }, (_, i) => {
  const s = i / 2;
  return {
    t: s - 10,
    time: at(s),
    ...(i % 50 !== 7 && { beanTemperatureCelsius: 100 + s / 5 }),
    exhaustTemperatureCelsius: 180 + s / 10,
    heater: s < 300 ? 7 : 5,
    fan: s < 450 ? 3 : 6,
    drum: 6,
    stateCode: s < 10 ? 4 : 6,
  };
});

const event = (s: number, bt: number) => ({
  time: at(s),
  secondsSinceCharge: s - 10,
  beanTemperatureCelsius: bt,
  source: 'StateCode',
});

const telemetry = SessionTelemetry.parse({
  apiVersion: 'telemetry.roasting.simcorp.io/v1alpha1',
  kind: 'RoastSessionTelemetry',
  session: {
    namespace: 'roastery',
    name: 'guji-1',
    uid: '0b6d5f1e-1111-2222-3333-444455556666',
    roaster: 'bullet-1',
    phase: 'Completed',
  },
  events: {
    charge: event(10, 102),
    dryEnd: event(100, 120),
    firstCrack: event(400, 180),
    drop: event(500, 200),
  },
  origin: { time: at(10), from: 'charge' },
  more: false,
  points,
});

const session = RoastSession.parse({
  apiVersion: 'roasting.simcorp.io/v1alpha1',
  kind: 'RoastSession',
  metadata: { name: 'guji-1', namespace: 'roastery' },
  spec: {
    roasterRef: { name: 'bullet-1' },
    profile: { coffee: "Ethiopia Guji 'Hambela'\nlot 7", batchGrams: 400 },
    weightOutGrams: 340,
  },
  status: { metrics: { totalSeconds: 490 } },
});

describe('pythonLiteral', () => {
  it.each([
    [null, 'None'],
    [true, 'True'],
    [1.5, '1.5'],
    [Number.NaN, '-1'],
    ["it's \\ a\nline\u0001", "'it\\'s \\\\ a\\nline\\x01'"],
    [[1, 'a'], "[1, 'a']"],
    [{ a: [] }, "{'a': []}"],
  ] as const)('writes %j as %s', (value, literal) => expect(pythonLiteral(value)).toBe(literal));
});

describe('toAlog', () => {
  it("reads back with ast.literal_eval as Artisan's loader needs it: curve, events and roast properties", async () => {
    const profile = await readAlog(toAlog(telemetry, session));
    expect(profile.mode).toBe('C');
    expect(profile.timex).toHaveLength(points.length);
    expect(profile.timex.slice(0, 3)).toEqual([0, 0.5, 1]);
    expect(profile.temp2[1]).toBeCloseTo(100.1);
    expect(profile.temp2[7]).toBe(-1);
    expect(profile.temp1[0]).toBe(180);
    // CHARGE, DRY END, FC START, FC END, SC START, SC END, DROP, COOL as sample indexes.
    expect(profile.timeindex).toEqual([20, 200, 800, 0, 0, 0, 1000, 0]);
    expect(profile.title).toBe("Ethiopia Guji 'Hambela'\nlot 7");
    expect(profile.weight).toEqual([400, 340, 'g']);
    expect(profile.roastisodate).toBe('2026-12-07');
    expect(profile.roasttime).toBe('10:00:00');
    expect(profile.roastUUID).toBe('0b6d5f1e111122223333444455556666');
    expect(profile.computed).toEqual({
      CHARGE_BT: 102,
      DRY_time: 90,
      FCs_time: 390,
      FCs_BT: 180,
      DROP_time: 490,
      DROP_BT: 200,
      totaltime: 490,
    });
    // The first sample records every control; then each change: heater 7→5 at 300 s, fan 3→6 at 450 s.
    expect(profile.specialevents).toEqual([0, 0, 0, 600, 900]);
    expect(profile.specialeventsStrings).toEqual(['Fan 3', 'Drum 6', 'Heater 7', 'Heater 5', 'Fan 6']);
    expect(profile.specialeventstype).toEqual([0, 1, 3, 3, 0]);
    expect(profile.specialeventsvalue).toEqual([1.3, 1.6, 1.7, 1.5, 1.6]);
    expect(profile.etypes[profile.specialeventstype[2]!]).toBe('Heater');
  });

  it('marks CHARGE unset (-1) and the other events 0 when the session recorded none', async () => {
    const bare = SessionTelemetry.parse({ ...telemetry, events: {}, points: points.slice(0, 10) });
    const profile = await readAlog(toAlog(bare, session));
    expect(profile.timeindex).toEqual([-1, 0, 0, 0, 0, 0, 0, 0]);
    expect(profile.timex).toHaveLength(10);
  });

  it.each([
    ['a timeindex past the curve', { timeindex: [0, 0, 99, 0, 0, 0, 0, 0] }, 'timeindex outside the curve'],
    ['series of different lengths', { temp1: [180] }, 'curve lengths differ'],
    ['fewer than four event names', { etypes: ['Fan'] }, 'etypes needs 4 names'],
    ['a weight without its unit', { weight: [350, 300] }, 'weight'],
    ['an event label missing', { specialeventsStrings: [] }, 'specialeventsStrings length'],
  ])('the read-back refuses what Artisan’s loader would trip on: %s', async (_, change, message) => {
    const bare = SessionTelemetry.parse({ ...telemetry, events: {}, points: points.slice(0, 10) });
    const good = await readAlog(toAlog(bare, session));
    await expect(readAlog(pythonLiteral({ ...good, ...change }))).rejects.toThrow(message);
  });
});
