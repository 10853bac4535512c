import { Roaster, RoastProfileSpec } from '@roast-operator/api';
import type { CurvePoint } from '@roast-operator/telemetry-client';
import { describe, expect, it } from 'vitest';
import { defaultBatchGrams, limitsOf, liveRoastOf, profileOf } from './inputs.ts';

describe('profileOf', () => {
  it('maps a RoastProfile spec onto the advisor’s Profile field for field', () => {
    const spec = RoastProfileSpec.parse({
      batchGrams: 350,
      curve: {
        seconds: [0, 60, 420],
        beanCelsius: [200, 97, 186],
        environmentCelsius: [230, 200, 220],
        rateOfRiseCelsiusPerMinute: [0, 0, 9],
      },
      targets: {
        turningPoint: { seconds: 60, toleranceSeconds: 10, beanCelsius: 97, toleranceCelsius: 3 },
        firstCrack: { seconds: 420, toleranceSeconds: 30 },
      },
      recipe: {
        byTime: [{ seconds: 0, heater: 7, fan: 2 }],
        byBeanTemperature: [{ beanCelsius: 150, heater: 5 }],
      },
    });
    expect(profileOf(spec, 250)).toEqual({
      reference: [
        { t: 0, bt: 200, et: 230, ror: 0 },
        { t: 60, bt: 97, et: 200, ror: 0 },
        { t: 420, bt: 186, et: 220, ror: 9 },
      ],
      targets: {
        turningPoint: { t: 60, toleranceS: 10, bt: 97, toleranceC: 3 },
        firstCrack: { t: 420, toleranceS: 30 },
      },
      batchGrams: 350,
      preheatC: 250,
      recipe: [
        { atS: 0, heater: 7, fan: 2 },
        { atBtC: 150, heater: 5 },
      ],
    });
  });

  it('takes the usual batch when the profile names none, and has no recipe without steps', () => {
    const profile = profileOf(
      RoastProfileSpec.parse({ curve: { seconds: [0, 1], beanCelsius: [200, 190] } }),
    );
    expect(profile.batchGrams).toBe(defaultBatchGrams);
    expect(profile.recipe).toBeUndefined();
    expect(profile.targets).toEqual({});
  });
});

describe('limitsOf', () => {
  const roaster = (limits?: object) =>
    Roaster.parse({
      apiVersion: 'roasting.simcorp.io/v1alpha1',
      kind: 'Roaster',
      metadata: { name: 'sim-1', namespace: 'roastery' },
      spec: { model: 'Simulated', binding: { nodeName: 'n' }, ...(limits && { limits }) },
    });
  it('is the model’s range without limits, and no interval', () => {
    expect(limitsOf(roaster())).toEqual({
      heater: { min: 0, max: 9 },
      fan: { min: 1, max: 12 },
      drum: { min: 1, max: 9 },
      minIntervalS: 0,
    });
  });
  it('narrows to the Roaster’s limits and takes its minimum interval', () => {
    expect(limitsOf(roaster({ heater: { min: 2, max: 7 }, minSecondsBetweenCommands: 20 }))).toMatchObject({
      heater: { min: 2, max: 7 },
      fan: { min: 1, max: 12 },
      minIntervalS: 20,
    });
  });
});

describe('liveRoastOf', () => {
  const point = (t: number, bt: number | undefined, heater = 7, fan = 2): CurvePoint => ({
    t,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + t * 1000).toISOString(),
    ...(bt !== undefined && { beanTemperatureCelsius: bt }),
    exhaustTemperatureCelsius: 200,
    heater,
    fan,
    drum: 5,
    stateCode: 3,
  });
  it('keeps readings from charge on, drops dropouts, and records each level change', () => {
    const live = liveRoastOf({
      points: [point(-2, 240), point(0, 200), point(1, -1), point(2, 150, 7, 3), point(3, 140, 7, 3)],
      events: {
        turningPoint: {
          time: '2026-01-01T00:01:00Z',
          secondsSinceCharge: 60,
          beanTemperatureCelsius: 97,
          source: 'Inferred',
        },
      },
      dropped: false,
      lastRecommendationAt: 1,
    });
    expect(live.now).toBe(3);
    expect(live.bt).toEqual([
      { t: 0, value: 200 },
      { t: 2, value: 150 },
      { t: 3, value: 140 },
    ]);
    expect(live.levels).toEqual([
      { at: 0, controls: { heater: 7, fan: 2, drum: 5 } },
      { at: 2, controls: { heater: 7, fan: 3, drum: 5 } },
    ]);
    expect(live.events).toEqual({ turningPoint: { t: 60, bt: 97 } });
    expect(live.lastRecommendationAt).toBe(1);
  });
  it('says when the roast dropped', () => {
    expect(liveRoastOf({ points: [], events: undefined, dropped: true }).events).toEqual({ dropped: true });
  });
});
