import { describe, expect, it } from 'vitest';
import { defaultSafetyConfig, safetyConfig } from './config.ts';

describe('safetyConfig', () => {
  it('fills everything left out with the defaults', () => {
    expect(safetyConfig({})).toEqual(defaultSafetyConfig);
  });

  it('takes what is given and keeps the rest', () => {
    const config = safetyConfig({
      heater: { min: 0, max: 7 },
      ceilingsC: { roasting: 235 },
      riseRate: { maxCPerMin: 30 },
      linkTimeoutSeconds: 90,
    });
    expect(config.limits.levels.heater).toEqual({ min: 0, max: 7 });
    expect(config.limits.levels.fan).toEqual(defaultSafetyConfig.limits.levels.fan);
    expect(config.limits.ceilingsC).toEqual({ ...defaultSafetyConfig.limits.ceilingsC, roasting: 235 });
    expect(config.riseRate).toEqual({ ...defaultSafetyConfig.riseRate, maxCPerMin: 30 });
    expect(config.linkTimeoutSeconds).toBe(90);
  });

  it.each<[string, unknown]>([
    ['a heater above the model', { heater: { min: 0, max: 10 } }],
    ['an inverted range', { fan: { min: 8, max: 2 } }],
    ['a ceiling above plausibility', { ceilingsC: { roasting: 400 } }],
    ['an unknown state', { ceilingsC: { stabilizing: 200 } }],
    ['an unknown field', { heaterMax: 7 }],
    ['a fraction of a level', { safeFan: 10.5 }],
    ['half a range', { drum: { max: 7 } }],
    ['not an object', 'heater: 7'],
  ])('refuses %s', (_, document) => {
    expect(() => safetyConfig(document)).toThrow(/invalid edge safety configuration/);
  });

  it('lists every problem at once', () => {
    expect(() => safetyConfig({ heater: { min: 0, max: 10 }, staleSeconds: 0, extra: true })).toThrow(
      'invalid edge safety configuration: heater.max: a whole number in 0–9, not 10; staleSeconds: a number in 1–60, not 0; extra: not a setting',
    );
  });
});
