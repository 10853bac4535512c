import { RoastSession } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import { deviationLines } from './deviation.ts';

const session = (spec: Partial<RoastSession['spec']>, status?: RoastSession['status']): RoastSession =>
  RoastSession.parse({
    apiVersion: 'roasting.simcorp.io/v1alpha1',
    kind: 'RoastSession',
    metadata: { name: 'guji-1' },
    spec: { roasterRef: { name: 'bullet-1' }, ...spec },
    ...(status && { status }),
  });

describe('the roast against its profile, in words', () => {
  it.each([
    ['no profile', session({}), []],
    [
      'a profile the operator has not compared yet',
      session({ profileRef: { name: 'light' } }),
      [
        'profile light: no deviation yet (the operator writes it while the roast runs; a profile that does not exist gets none)',
      ],
    ],
    [
      'a roast running hot and behind, first crack projected late, drop not yet projected',
      session(
        { profileRef: { name: 'light' } },
        {
          deviation: {
            profile: 'light',
            secondsSinceCharge: 301,
            beanCelsius: 172.44,
            referenceBeanCelsius: 170,
            beanOffsetCelsius: 2.44,
            lagSeconds: 12.4,
            rateOfRiseCelsiusPerMinute: 9.06,
            referenceRateOfRiseCelsiusPerMinute: 10,
            firstCrack: {
              targetSeconds: 420,
              projectedSeconds: 432,
              offsetSeconds: 12,
              reached: false,
              onTarget: true,
            },
            drop: { targetSeconds: 540, reached: false },
          },
        },
      ),
      [
        'profile light at 5:01: BT 172.4 °C vs 170.0 °C (+2.4 °C), RoR 9.1 vs 10.0 °C/min, 12 s behind',
        'first crack projected 7:12 vs 7:00 (+12 s, on target); drop: target 9:00, not projected yet',
      ],
    ],
    [
      'a roast that reached both, early, past the reference curve',
      session(
        { profileRef: { name: 'light' } },
        {
          deviation: {
            profile: 'light',
            secondsSinceCharge: 600,
            beanCelsius: 221,
            lagSeconds: -20,
            firstCrack: {
              targetSeconds: 420,
              projectedSeconds: 400,
              offsetSeconds: -20,
              reached: true,
              onTarget: true,
            },
            drop: {
              targetSeconds: 540,
              projectedSeconds: 500,
              offsetSeconds: -40,
              reached: true,
              onTarget: false,
            },
          },
        },
      ),
      [
        'profile light at 10:00: BT 221.0 °C vs -, RoR - vs - °C/min, 20 s ahead',
        'first crack at 6:40 vs 7:00 (-20 s, on target); drop at 8:20 vs 9:00 (-40 s, OFF target)',
      ],
    ],
  ])('%s', (_, s, lines) => {
    expect(deviationLines(s)).toEqual(lines);
  });
});
