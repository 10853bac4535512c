import type { RoastEvent } from '@roast-operator/roast';
import { describe, expect, it } from 'vitest';
import { deviationPatch, liveRoastOf } from './deviation.ts';

const event = (kind: RoastEvent['kind'], sinceChargeS: number | null): RoastEvent => ({
  kind,
  t: 1000 + (sinceChargeS ?? 0),
  sinceChargeS,
  bt: 150,
  source: 'inferred',
  detectedAt: 1000,
});
const metrics = (totalS: number | null, finalBt: number | null) => ({ totalS, finalBt });

describe('liveRoastOf', () => {
  it.each([
    ['before charge', { events: {}, metrics: metrics(null, 180), btRor: [] }, undefined],
    ['without a bean reading', { events: {}, metrics: metrics(12, null), btRor: [] }, undefined],
    [
      'while drying: time, temperature and the latest rate of rise',
      {
        events: { charge: event('charge', 0), turningPoint: event('turningPoint', 85) },
        metrics: metrics(240, 150.2),
        btRor: [
          { t: 1230, ror: 14 },
          { t: 1240, ror: 12.5 },
        ],
      },
      { secondsSinceCharge: 240, beanCelsius: 150.2, rateOfRiseCelsiusPerMinute: 12.5, turningPoint: 85 },
    ],
    [
      'after drop, with first crack',
      {
        events: { firstCrack: event('firstCrack', 480), drop: event('drop', 600) },
        metrics: metrics(600, 209),
        btRor: [],
      },
      { secondsSinceCharge: 600, beanCelsius: 209, firstCrack: 480, drop: 600 },
    ],
  ])('%s', (_, analysis, expected) => {
    expect(liveRoastOf(analysis)).toEqual(expected);
  });
});

describe('deviationPatch', () => {
  const deviation = (profile: string) => ({ profile, secondsSinceCharge: 60, beanCelsius: 120 });
  it.each([
    ['writes what was computed', deviation('b'), deviation('a'), { deviation: deviation('b') }],
    ['removes one written before, when none is computed now', undefined, deviation('a'), { deviation: null }],
    ['leaves alone a status that never had one', undefined, undefined, {}],
  ])('%s', (_, computed, written, expected) => {
    expect(deviationPatch(computed, written)).toEqual(expected);
  });
});
