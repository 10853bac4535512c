import { describe, expect, it } from 'vitest';
import {
  type Controls,
  charge,
  drop,
  emptyDrum,
  read,
  step,
  type ThermalState,
  weightLoss,
} from './model.ts';
import { bulletR1Params, type ThermalParams } from './params.ts';

const quiet: ThermalParams = { ...bulletR1Params, noiseC: 0, spikes: { perMinute: 0, maxC: 0 } };
const roastLevels: Controls = { heater: 7, fan: 2, drum: 9 };

function run(state: ThermalState, controls: Controls, seconds: number, dt = 0.1): ThermalState {
  let s = state;
  for (let i = 0; i < Math.round(seconds / dt); i++) s = step(s, controls, dt);
  return s;
}

function readingsOver(state: ThermalState, controls: Controls, steps: number) {
  const log = [];
  let s = state;
  for (let i = 0; i < steps; i++) {
    s = step(s, controls, 0.1);
    log.push(read(s));
  }
  return log;
}

const preheated = (params: ThermalParams, seed = 1) =>
  emptyDrum(params, { drumC: 239, controls: { heater: 0, fan: 1, drum: 9 }, seed });

describe('an empty, preheated drum', () => {
  it('reads the drum on the fast channel and 159 °C on the lagged one (roast-physics §2.4)', () => {
    const r = read(preheated(quiet));
    expect(r.beanFast).toBe(239);
    expect(r.drum).toBe(239);
    expect(r.beanLagged).toBe(159);
  });

  it('shows exhaust air between room and drum, cooler with more fan', () => {
    const state = preheated(quiet);
    const slow = read(step(state, { heater: 0, fan: 1, drum: 9 }, 0.1)).exhaust;
    const fast = read(step(state, { heater: 0, fan: 12, drum: 9 }, 0.1)).exhaust;
    expect(slow).toBeGreaterThan(fast);
    expect(fast).toBeGreaterThan(bulletR1Params.ambientC);
    expect(slow).toBeLessThan(239);
  });

  it.each([
    ['heater 0 cools it', 0, -1],
    ['heater 9 heats it', 9, 1],
  ] as const)('%s', (_, heater, sign) => {
    const after = run(preheated(quiet), { heater, fan: 1, drum: 9 }, 60);
    expect(Math.sign(after.drumC - 239)).toBe(sign);
  });

  it('warms from cold at full power by about 0.4 °C/s, the heat input over the drum capacity', () => {
    const cold = emptyDrum(quiet, { drumC: 25, controls: { heater: 9, fan: 1, drum: 9 }, seed: 1 });
    const after = run(cold, { heater: 9, fan: 1, drum: 9 }, 10);
    const expected = (0.85 * 1550) / 3400;
    expect((after.drumC - 25) / 10).toBeCloseTo(expected, 2);
  });
});

describe('a roast', () => {
  const charged = charge(preheated(quiet), { grams: 400 });

  it('charges beans at room temperature with the green moisture', () => {
    expect(charged.beans).toEqual({
      greenKg: 0.4,
      dryKg: 0.4 / 1.11,
      tempC: 25,
      moisture: 0.11,
      extent: 0,
    });
    expect(weightLoss(quiet, charged.beans!)).toBeCloseTo(0, 12);
  });

  it('takes a given green moisture', () => {
    expect(charge(preheated(quiet), { grams: 400, moisture: 0.13 }).beans?.moisture).toBe(0.13);
  });

  it('cools the fast channel at once and the lagged one slowly', () => {
    const r = read(charged);
    // Beans at 25 °C plus 9.6 % of the drum's 214 °C lead.
    expect(r.beanFast).toBeCloseTo(25 + 0.096 * 214, 0);
    expect(r.beanLagged).toBe(159);
    expect(read(run(charged, roastLevels, 30)).beanLagged).toBeLessThan(130);
  });

  it('dries the beans and advances the reactions, losing about 12 % weight by 8 min (§4.2)', () => {
    const mid = run(charged, roastLevels, 240);
    const end = run(mid, { heater: 4, fan: 3, drum: 9 }, 240);
    expect(mid.beans!.moisture).toBeLessThan(0.11);
    expect(end.beans!.moisture).toBeLessThan(mid.beans!.moisture);
    expect(end.beans!.extent).toBeGreaterThan(mid.beans!.extent);
    expect(weightLoss(quiet, end.beans!)).toBeGreaterThan(0.09);
    expect(weightLoss(quiet, end.beans!)).toBeLessThan(0.15);
  });

  it('takes heat from the drum', () => {
    const empty = run(preheated(quiet), roastLevels, 120);
    const loaded = run(charged, roastLevels, 120);
    expect(loaded.drumC).toBeLessThan(empty.drumC - 20);
  });

  it.each<[string, Partial<Controls>, number]>([
    ['more heater heats the beans faster', { heater: 9 }, 1],
    ['less heater heats them slower', { heater: 3 }, -1],
    ['a slower drum heats them slower', { drum: 3 }, -1],
  ])('%s', (_, change, sign) => {
    const reference = run(charged, roastLevels, 180).beans!.tempC;
    const changed = run(charged, { ...roastLevels, ...change }, 180).beans!.tempC;
    expect(Math.sign(changed - reference)).toBe(sign);
  });

  it('gives the same physics whatever the step length', () => {
    const fine = run(charged, roastLevels, 300, 0.1);
    const coarse = run(charged, roastLevels, 300, 2);
    expect(coarse.time).toBeCloseTo(fine.time, 9);
    expect(coarse.drumC).toBeCloseTo(fine.drumC, 3);
    expect(coarse.beans!.tempC).toBeCloseTo(fine.beans!.tempC, 3);
    expect(coarse.laggedC).toBeCloseTo(fine.laggedC, 3);
  });

  it('drops the beans, after which the lagged channel returns toward the empty-drum reading', () => {
    const roasted = run(charged, roastLevels, 420);
    const dropped = drop(roasted);
    expect(dropped.beans).toBeNull();
    expect(read(dropped).beanFast).toBe(read(dropped).drum);
    const later = run(dropped, { heater: 0, fan: 12, drum: 9 }, 300);
    const target = 25 + ((159 - 25) / (239 - 25)) * (later.drumC - 25);
    expect(Math.abs(later.laggedC - target)).toBeLessThan(Math.abs(roasted.laggedC - target) / 5);
  });

  it.each<[string, () => unknown, ErrorConstructor]>([
    ['a second charge', () => charge(charged, { grams: 100 }), Error],
    ['an empty batch', () => charge(preheated(quiet), { grams: 0 }), RangeError],
    ['a zero step', () => step(charged, roastLevels, 0), RangeError],
    ['an infinite step', () => step(charged, roastLevels, Number.POSITIVE_INFINITY), RangeError],
    ['heater 10', () => step(charged, { ...roastLevels, heater: 10 }, 0.1), RangeError],
    ['fan 0', () => step(charged, { ...roastLevels, fan: 0 }, 0.1), RangeError],
    ['drum 0', () => step(charged, { ...roastLevels, drum: 0 }, 0.1), RangeError],
    ['drum 10', () => step(charged, { ...roastLevels, drum: 10 }, 0.1), RangeError],
  ])('refuses %s', (_, action, error) => {
    expect(action).toThrow(error);
  });
});

describe('sensor noise', () => {
  const roasting = (seed: number) => charge(preheated(bulletR1Params, seed), { grams: 400 });

  it('is the same for the same seed and differs for another', () => {
    const a = readingsOver(roasting(7), roastLevels, 600);
    expect(readingsOver(roasting(7), roastLevels, 600)).toEqual(a);
    expect(readingsOver(roasting(8), roastLevels, 600)).not.toEqual(a);
  });

  it('does not change the physics', () => {
    const noisy = run(roasting(7), roastLevels, 120);
    const clean = run(charge(preheated(quiet), { grams: 400 }), roastLevels, 120);
    expect(noisy.beans).toEqual(clean.beans);
    expect(noisy.drumC).toBe(clean.drumC);
  });

  it('has the configured spread, in steps of 0.1 °C, on every channel', () => {
    // Noise leaves the physics alone, so a noise-free twin gives the true readings.
    const noisy = readingsOver(roasting(7), roastLevels, 2000);
    const clean = readingsOver(charge(preheated(quiet), { grams: 400 }), roastLevels, 2000);
    for (const channel of ['beanLagged', 'exhaust', 'drum'] as const) {
      const errors = noisy.map((r, i) => r[channel] - clean[i]![channel]);
      const mean = errors.reduce((sum, e) => sum + e, 0) / errors.length;
      const sd = Math.sqrt(errors.reduce((sum, e) => sum + (e - mean) ** 2, 0) / errors.length);
      expect(Math.abs(mean)).toBeLessThan(0.03);
      expect(sd).toBeGreaterThan(0.17);
      expect(sd).toBeLessThan(0.23);
      expect(noisy.every((r) => Math.abs(r[channel] * 10 - Math.round(r[channel] * 10)) < 1e-9)).toBe(true);
    }
  });

  it('spikes upward now and then on the fast channel only', () => {
    const params: ThermalParams = { ...quiet, spikes: { perMinute: 6, maxC: 5 } };
    const log = readingsOver(preheated(params), { heater: 0, fan: 1, drum: 9 }, 6000);
    const spikes = log.filter((r) => r.beanFast - r.drum > 0.05);
    // 6 a minute over 10 minutes: about 60, none downward, none on the other channels.
    expect(spikes.length).toBeGreaterThan(30);
    expect(spikes.length).toBeLessThan(90);
    expect(log.every((r) => r.beanFast >= r.drum && r.beanFast - r.drum <= 5)).toBe(true);
  });
});
