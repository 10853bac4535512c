import { maxCurvePoints, RoastProfileSpec } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import { profileFromRoast, type RecordedPoint, type RecordedRoast } from './from-roast.ts';

const points = (...rows: [number, number, number?][]): RecordedPoint[] =>
  rows.map(([seconds, beanCelsius, environmentCelsius]) => ({
    seconds,
    beanCelsius,
    ...(environmentCelsius !== undefined && { environmentCelsius }),
  }));
const roast = (more: Partial<RecordedRoast> = {}): RecordedRoast => ({
  points: points(
    [-10, 190, 250],
    [0, 200, 240],
    [60, 100, 230],
    [120, 110, 235],
    [600, 205, 250],
    [610, 150, 200],
  ),
  events: { drop: { seconds: 600, beanCelsius: 205 } },
  ...more,
});

describe('profileFromRoast', () => {
  it('keeps charge to drop, one point per time, in °C to a thousandth', () => {
    const { spec, notes } = profileFromRoast(
      roast({ points: points([0, 200.00049], [0.0004, 199], [60, 100.1234], [600, 205]) }),
    );
    expect(spec.curve).toEqual({ seconds: [0, 60, 600], beanCelsius: [200, 100.123, 205] });
    expect(notes).toEqual([]);
  });

  it.each([
    [
      'a missing bean reading is left out and said',
      roast({ points: points([0, 200, 240], [30, Number.NaN, 235], [60, 100, 230], [600, 205, 250]) }),
      [
        '1 samples without a bean temperature (or with one beyond -50 to 500 °C) are left out of the curve; it runs straight across them.',
      ],
    ],
    [
      'an ET column with a gap is left out and said',
      roast({ points: points([0, 200, 240], [60, 100], [600, 205, 250]) }),
      [
        "The environment temperature (ET) is left out: 1 of the curve's 3 points have no reading (or one beyond -50 to 500 °C).",
      ],
    ],
    [
      'events out of roast order are no targets',
      roast({ events: { firstCrack: { seconds: 620 }, drop: { seconds: 600 } } }),
      ['The drop at 600 s is out of roast order, so it is not a target.'],
    ],
    [
      'control changes a Bullet R1 does not take are left out of the recipe',
      roast({
        controls: [
          { seconds: 0, heater: 9, fan: 50 },
          { seconds: 60, heater: 6.5 },
        ],
      }),
      [
        '2 control changes are not levels a Bullet R1 takes (heater 0-9, fan 1-12, drum 1-9), so the recipe leaves them out.',
      ],
    ],
    [
      'a batch the kind refuses is left out',
      roast({ batchGrams: 2000 }),
      ['batchGrams 2000 is outside what a RoastProfile accepts, so it is left out.'],
    ],
  ])('%s', (_, r, notes) => {
    const made = profileFromRoast(r);
    expect(made.notes).toEqual(notes);
    expect(RoastProfileSpec.parse(made.spec)).toEqual(made.spec);
  });

  it('makes targets with the default tolerances and a recipe of the levels at charge and their changes', () => {
    const { spec } = profileFromRoast(
      roast({
        events: {
          turningPoint: { seconds: 60, beanCelsius: 100 },
          firstCrack: { seconds: 500 },
          drop: { seconds: 600, beanCelsius: 205.04 },
        },
        controls: [
          { seconds: 0, heater: 9 },
          { seconds: 0, fan: 3 },
          { seconds: 240, heater: 7 },
        ],
      }),
    );
    expect(spec.targets).toEqual({
      turningPoint: { seconds: 60, toleranceSeconds: 15, beanCelsius: 100, toleranceCelsius: 5 },
      firstCrack: { seconds: 500, toleranceSeconds: 30 },
      drop: { seconds: 600, toleranceSeconds: 15, beanCelsius: 205, toleranceCelsius: 2 },
    });
    expect(spec.recipe).toEqual({
      byTime: [
        { seconds: 0, heater: 9, fan: 3 },
        { seconds: 240, heater: 7 },
      ],
    });
  });

  it('thins a long curve evenly to the bound, keeping first and last', () => {
    const long = Array.from({ length: 3000 }, (_, i) => ({ seconds: i * 0.5, beanCelsius: 100 + i / 100 }));
    const { spec, notes } = profileFromRoast({ points: long, events: {} });
    expect(spec.curve.seconds).toHaveLength(maxCurvePoints);
    expect([spec.curve.seconds[0], spec.curve.seconds.at(-1)]).toEqual([0, 1499.5]);
    expect(notes).toEqual(['The curve is thinned from 3000 to 1024 points, evenly, first and last kept.']);
  });

  it('refuses a roast with less than two readings, saying why', () => {
    expect(() => profileFromRoast({ points: points([0, 200]), events: {} })).toThrow(
      "it has 1 bean temperature reading between charge and drop; a profile's curve needs at least 2",
    );
  });
});
