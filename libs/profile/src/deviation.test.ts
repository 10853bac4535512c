import type { RoastProfileSpec } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import { type LiveRoast, lagSeconds, profileDeviation } from './deviation.ts';

// Turning point 100 °C at 60 s, then 10 °C a minute: first crack at 196 °C (636 s), drop at 720 s.
const spec: RoastProfileSpec = {
  curve: { seconds: [0, 60, 120, 720], beanCelsius: [200, 100, 110, 210] },
  targets: {
    firstCrack: { seconds: 636, toleranceSeconds: 20, beanCelsius: 196, toleranceCelsius: 3 },
    drop: { seconds: 720, toleranceSeconds: 15 },
  },
};
const untargeted: RoastProfileSpec = { curve: spec.curve };
const at = (secondsSinceCharge: number, beanCelsius: number, more: Partial<LiveRoast> = {}): LiveRoast => ({
  secondsSinceCharge,
  beanCelsius,
  turningPoint: 60,
  ...more,
});

describe('lagSeconds', () => {
  it.each([
    ['on the reference', at(420, 160), 0],
    ['30 s behind: 155 °C at 420 s, which the reference had at 390 s', at(420, 155), 30],
    ['ahead: 170 °C at 420 s', at(420, 170), -60],
    [
      'before the live turning point, when a temperature names no time',
      at(30, 150, { turningPoint: undefined }),
      undefined,
    ],
    ['after drop', at(730, 211, { drop: 720 }), undefined],
    ['hotter than the reference ever gets', at(700, 215), undefined],
  ])('%s', (_, live, expected) => {
    expect(lagSeconds(spec, live)).toBe(expected);
  });
});

describe('profileDeviation', () => {
  it.each([
    {
      name: 'on the reference: every projection on target',
      spec,
      live: at(420, 160, { rateOfRiseCelsiusPerMinute: 10 }),
      expected: {
        profile: 'p',
        secondsSinceCharge: 420,
        beanCelsius: 160,
        referenceBeanCelsius: 160,
        beanOffsetCelsius: 0,
        lagSeconds: 0,
        rateOfRiseCelsiusPerMinute: 10,
        referenceRateOfRiseCelsiusPerMinute: 10,
        firstCrack: {
          targetSeconds: 636,
          projectedSeconds: 636,
          offsetSeconds: 0,
          reached: false,
          onTarget: true,
        },
        drop: { targetSeconds: 720, projectedSeconds: 720, offsetSeconds: 0, reached: false, onTarget: true },
      },
    },
    {
      name: '30 s behind and 5 °C cold: first crack and drop projected 30 s late, off target',
      spec,
      live: at(420, 155),
      expected: {
        profile: 'p',
        secondsSinceCharge: 420,
        beanCelsius: 155,
        referenceBeanCelsius: 160,
        beanOffsetCelsius: -5,
        lagSeconds: 30,
        referenceRateOfRiseCelsiusPerMinute: 10,
        firstCrack: {
          targetSeconds: 636,
          projectedSeconds: 666,
          offsetSeconds: 30,
          reached: false,
          onTarget: false,
        },
        drop: {
          targetSeconds: 720,
          projectedSeconds: 750,
          offsetSeconds: 30,
          reached: false,
          onTarget: false,
        },
      },
    },
    {
      name: 'first crack happened 10 s early: it is what it was, drop still projected',
      spec,
      live: at(640, 198, { firstCrack: 626 }),
      expected: {
        profile: 'p',
        secondsSinceCharge: 640,
        beanCelsius: 198,
        referenceBeanCelsius: 196.7,
        beanOffsetCelsius: 1.3,
        lagSeconds: -8,
        referenceRateOfRiseCelsiusPerMinute: 10,
        firstCrack: {
          targetSeconds: 636,
          projectedSeconds: 626,
          offsetSeconds: -10,
          reached: true,
          onTarget: true,
        },
        drop: {
          targetSeconds: 720,
          projectedSeconds: 712,
          offsetSeconds: -8,
          reached: false,
          onTarget: true,
        },
      },
    },
    {
      name: 'a projection is never before now: far ahead, drop projected now',
      spec,
      live: at(700, 210),
      expected: {
        profile: 'p',
        secondsSinceCharge: 700,
        beanCelsius: 210,
        referenceBeanCelsius: 206.7,
        beanOffsetCelsius: 3.3,
        lagSeconds: -20,
        referenceRateOfRiseCelsiusPerMinute: 10,
        firstCrack: {
          targetSeconds: 636,
          projectedSeconds: 700,
          offsetSeconds: 64,
          reached: false,
          onTarget: false,
        },
        drop: {
          targetSeconds: 720,
          projectedSeconds: 700,
          offsetSeconds: -20,
          reached: false,
          onTarget: false,
        },
      },
    },
    {
      name: 'dropped past the curve: no reference to compare, drop reached late',
      spec,
      live: at(740, 212, { firstCrack: 650, drop: 740 }),
      expected: {
        profile: 'p',
        secondsSinceCharge: 740,
        beanCelsius: 212,
        firstCrack: {
          targetSeconds: 636,
          projectedSeconds: 650,
          offsetSeconds: 14,
          reached: true,
          onTarget: true,
        },
        drop: {
          targetSeconds: 720,
          projectedSeconds: 740,
          offsetSeconds: 20,
          reached: true,
          onTarget: false,
        },
      },
    },
    {
      name: 'before the turning point: compared with the reference, nothing projected',
      spec,
      live: at(30, 140, { turningPoint: undefined, rateOfRiseCelsiusPerMinute: -120 }),
      expected: {
        profile: 'p',
        secondsSinceCharge: 30,
        beanCelsius: 140,
        referenceBeanCelsius: 150,
        beanOffsetCelsius: -10,
        rateOfRiseCelsiusPerMinute: -120,
        referenceRateOfRiseCelsiusPerMinute: -100,
        firstCrack: { targetSeconds: 636, reached: false },
        drop: { targetSeconds: 720, reached: false },
      },
    },
    {
      name: 'a profile without targets: drop is the end of its curve, without a tolerance',
      spec: untargeted,
      live: at(420, 155),
      expected: {
        profile: 'p',
        secondsSinceCharge: 420,
        beanCelsius: 155,
        referenceBeanCelsius: 160,
        beanOffsetCelsius: -5,
        lagSeconds: 30,
        referenceRateOfRiseCelsiusPerMinute: 10,
        drop: { targetSeconds: 720, projectedSeconds: 750, offsetSeconds: 30, reached: false },
      },
    },
  ])('$name', ({ spec: s, live, expected }) => {
    expect(profileDeviation('p', s, live)).toEqual(expected);
  });
});
