import { describe, expect, it } from 'vitest';
import { medianScheduleToP5, realismFigures, scheduleLevels } from './calibration.ts';
import { levelsAt } from './fit.ts';
import {
  type LayeredState,
  layeredBulletR1Params,
  layeredCharge,
  layeredDrop,
  layeredEmptyDrum,
  layeredRead,
  layeredStep,
} from './layered.ts';

// The layered plant against the figures it was set to (roast-physics §2.4, §4.4, §4.5's directions), on
// the median schedule up to P5.

const schedule = scheduleLevels(medianScheduleToP5);

type Roast = { readonly log: number[]; readonly probe: number[]; readonly states: LayeredState[] };

function roast(grams: number, preheatC: number, seconds = 700): Roast {
  let state = layeredCharge(layeredEmptyDrum(layeredBulletR1Params, { drumC: preheatC, seed: 1 }), { grams });
  const log = [layeredRead(state).beanProbe];
  const probe = [state.probeC];
  const states = [state];
  for (let t = 0; t < seconds; t++) {
    state = layeredStep(state, levelsAt(schedule, t), 1);
    log.push(layeredRead(state).beanProbe);
    probe.push(state.probeC);
    states.push(state);
  }
  return { log, probe, states };
}

const nominal = roast(400, 239);
const fcOf = (r: Roast) => realismFigures(r.log).fcSeconds ?? Number.POSITIVE_INFINITY;

describe('the layered plant, 400 g at 239 °C', () => {
  const f = realismFigures(nominal.log);

  it('turns at about a minute and reaches first crack (186 °C on the probe) at 6–8 min', () => {
    expect(f.tpSeconds).toBeGreaterThanOrEqual(50);
    expect(f.tpSeconds).toBeLessThanOrEqual(80);
    expect(f.rorPeak).toBeGreaterThan(17);
    expect(f.rorPeak).toBeLessThan(26);
    expect(fcOf(nominal)).toBeGreaterThanOrEqual(360);
    expect(fcOf(nominal)).toBeLessThanOrEqual(480);
  });

  it('dries the surface before the core', () => {
    const [surface, middle, core] = nominal.states[300]!.beans!.moisture as [number, number, number];
    expect(surface).toBeLessThan(middle);
    expect(middle).toBeLessThan(core);
    expect(core).toBeLessThan(layeredBulletR1Params.greenMoisture);
  });

  it('crashes at first crack and flicks after it', () => {
    const crackAt = nominal.states.findIndex((s) => s.beans?.crackS !== undefined);
    const ror = (t: number) => (60 * (nominal.probe[t]! - nominal.probe[t - 30]!)) / 30;
    const lowest = Math.min(...[30, 45, 60, 75, 90].map((d) => ror(crackAt + d)));
    expect(crackAt).toBeGreaterThan(0);
    expect(lowest).toBeLessThan(0.6 * ror(crackAt));
    expect(ror(crackAt + 150)).toBeGreaterThan(lowest + 1);
  });

  it('reads the empty drum after drop', () => {
    let state = layeredDrop(nominal.states.at(-1)!);
    const atDrop = layeredRead(state).beanProbe;
    for (let t = 0; t < 60; t++) state = layeredStep(state, { heater: 0, fan: 12, drum: 9 }, 1);
    expect(state.beans).toBeNull();
    expect(layeredRead(state).beanProbe).toBeLessThan(atDrop);
  });
});

describe('the layered plant follows batch and charge temperature the way roasts do', () => {
  it.each([
    ['a smaller batch', 300, 239, 'earlier'],
    ['a larger batch', 500, 239, 'later'],
    ['a hotter charge', 400, 254, 'earlier'],
    ['a cooler charge', 400, 224, 'later'],
  ] as const)('%s reaches first crack %s', (_, grams, preheatC, when) => {
    const fc = fcOf(roast(grams, preheatC));
    if (when === 'earlier') expect(fc).toBeLessThan(fcOf(nominal) - 20);
    else expect(fc).toBeGreaterThan(fcOf(nominal) + 20);
  });

  it('refuses a second charge, an empty batch and a bad step', () => {
    const empty = layeredEmptyDrum(layeredBulletR1Params, { drumC: 239, seed: 1 });
    expect(() => layeredCharge(nominal.states[1]!, { grams: 400 })).toThrow(/already holds beans/);
    expect(() => layeredCharge(empty, { grams: 0 })).toThrow(/batch of 0 g/);
    expect(() => layeredStep(empty, levelsAt(schedule, 0), 0)).toThrow(/dt 0 s/);
  });
});
