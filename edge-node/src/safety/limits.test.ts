import { describe, expect, it } from 'vitest';
import { defaultSafetyConfig } from './config.ts';
import { ceilingFor, levelRefusal, type PushedLimits, type SafetyLimits, tighten } from './limits.ts';

const local: SafetyLimits = {
  ...defaultSafetyConfig.limits,
  levels: { heater: { min: 0, max: 8 }, fan: { min: 1, max: 12 }, drum: { min: 3, max: 9 } },
  ceilingsC: { off: 320, preheating: 300, charge: 300, roasting: 240, cooling: 280, shutdown: 320 },
};

describe('tighten', () => {
  it.each<
    [string, PushedLimits, Partial<SafetyLimits['levels']>, Partial<SafetyLimits['ceilingsC']>, string[]]
  >([
    ['nothing pushed', {}, {}, {}, []],
    ['a narrower heater range', { heater: { min: 1, max: 6 } }, { heater: { min: 1, max: 6 } }, {}, []],
    [
      'a wider heater range cannot loosen',
      { heater: { min: 0, max: 9 } },
      { heater: { min: 0, max: 8 } },
      {},
      ['heater.max 9 is above the local 8'],
    ],
    [
      'a drum min below the local one is ignored, its max applied',
      { drum: { min: 1, max: 7 } },
      { drum: { min: 3, max: 7 } },
      {},
      ['drum.min 1 is below the local 3'],
    ],
    [
      'a lower roasting ceiling applies',
      { temperatureCeilingsCelsius: { roasting: 230 } },
      {},
      { roasting: 230 },
      [],
    ],
    [
      'a higher ceiling cannot loosen',
      { temperatureCeilingsCelsius: { roasting: 300, readyToCharge: 250 } },
      {},
      { roasting: 240, charge: 250 },
      ['roasting ceiling 300 °C is above the local 240 °C'],
    ],
  ])('%s', (_, pushed, levels, ceilings, ignored) => {
    const result = tighten(local, pushed);
    expect(result).toEqual({
      ok: true,
      limits: {
        ...local,
        levels: { ...local.levels, ...levels },
        ceilingsC: { ...local.ceilingsC, ...ceilings },
      },
      ignored,
    });
  });

  it('refuses a pushed range that leaves nothing', () => {
    expect(tighten(local, { heater: { min: 9, max: 9 } })).toEqual({
      ok: false,
      reason: 'heater 9–9 leaves nothing inside the local 0–8',
    });
  });

  it('applies a lower exhaust ceiling and ignores a higher one', () => {
    expect(tighten(local, { exhaustCeilingCelsius: 250 })).toMatchObject({
      ok: true,
      limits: { exhaustCeilingC: 250 },
      ignored: [],
    });
    expect(tighten(local, { exhaustCeilingCelsius: 300 })).toMatchObject({
      ok: true,
      limits: { exhaustCeilingC: local.exhaustCeilingC },
      ignored: [`exhaust ceiling 300 °C is above the local ${local.exhaustCeilingC} °C`],
    });
  });

  it('never loosens, whatever is pushed', () => {
    const pushed: PushedLimits[] = [
      { heater: { min: 0, max: 9 }, fan: { min: 1, max: 12 }, drum: { min: 1, max: 9 } },
      { temperatureCeilingsCelsius: { preheating: 350, readyToCharge: 350, roasting: 350, cooling: 350 } },
      { exhaustCeilingCelsius: 350 },
    ];
    for (const p of pushed) {
      const result = tighten(local, p);
      if (!result.ok) throw new Error(result.reason);
      expect(result.limits).toEqual(local);
    }
  });
});

describe('levelRefusal', () => {
  it.each<[string, 'heater' | 'fan' | 'drum', number, string | undefined]>([
    ['inside', 'heater', 5, undefined],
    ['at the top', 'heater', 8, undefined],
    ['above the local top', 'heater', 9, 'heater target 9 is outside the limits 0–8'],
    ['below the drum floor', 'drum', 2, 'drum target 2 is outside the limits 3–9'],
    ['not a level', 'fan', 2.5, 'fan target 2.5 is not a whole level'],
    ['not a number', 'fan', Number.NaN, 'fan target NaN is not a whole level'],
  ])('%s', (_, control, target, reason) => {
    expect(levelRefusal(local, control, target)).toBe(reason);
  });
});

describe('ceilingFor', () => {
  it.each<[Parameters<typeof ceilingFor>[1], number]>([
    ['roasting', 240],
    ['preheating', 300],
    [undefined, 240],
  ])('%s', (state, ceiling) => {
    expect(ceilingFor(local, state)).toBe(ceiling);
  });
});
