import { describe, expect, it } from 'vitest';
import {
  type ScheduleChange as Change,
  fan8From4Min,
  realismFigures as figures,
  medianSchedule,
} from './calibration.ts';
import { type Controls, charge, emptyDrum, read, step } from './model.ts';
import { bulletR1Params } from './params.ts';

// The realism figures the simulated roaster is held to: roast-physics.md §2.4 (public Bullet R1 IBTS
// 400 g roasts, medians) and the directions of §4.5. The model steps at 10 Hz like the simulator; the
// lagged bean channel is logged once a second, as Artisan logs a Bullet (Delay = 1000 ms).
//
// Measures, all on that 1 Hz log after a centred 5 s moving mean (which takes the 0.2 °C sensor noise
// down to 0.09 °C, so a noisy minimum or maximum does not decide a figure):
// - turning point: the lowest smoothed reading in the first 3 minutes;
// - RoR(t) = 60 · (y(t) − y(t − 30 s)) / 30 s, °C/min, a plain finite difference over 30 s;
// - first crack: the first second at which the smoothed reading reaches 186 °C.

function controlsAt(schedule: readonly Change[], t: number): Controls {
  const controls = { heater: 0, fan: 1, drum: 1 };
  for (const { at, ...change } of schedule) if (at <= t) Object.assign(controls, change);
  return controls;
}

const stepsPerSecond = 10;

type Roast = { readonly grams: number; readonly preheatC: number; readonly schedule: readonly Change[] };

/** The lagged channel once a second from charge (index = seconds) for `seconds`. */
function logRoast({ grams, preheatC, schedule }: Roast, seed: number, seconds: number): number[] {
  let state = charge(
    emptyDrum(bulletR1Params, { drumC: preheatC, controls: controlsAt(schedule, 0), seed }),
    {
      grams,
    },
  );
  const log = [read(state).beanLagged];
  for (let second = 0; second < seconds; second++) {
    const controls = controlsAt(schedule, second);
    for (let i = 0; i < stepsPerSecond; i++) state = step(state, controls, 1 / stepsPerSecond);
    log.push(read(state).beanLagged);
  }
  return log;
}

const base: Roast = { grams: 400, preheatC: 239, schedule: medianSchedule };
const seeds = [1, 2, 3];
const tenMinutes = 600;
const baseFigures = new Map(seeds.map((seed) => [seed, figures(logRoast(base, seed, tenMinutes))]));
const fcOf = (roast: Roast, seed: number) => figures(logRoast(roast, seed, tenMinutes)).fcSeconds;

describe.each(seeds)('400 g on the median schedule, seed %i', (seed) => {
  const f = baseFigures.get(seed)!;

  it('turns at 60 ± 15 s and 97 ± 8 °C', () => {
    expect(f.tpSeconds).toBeGreaterThanOrEqual(45);
    expect(f.tpSeconds).toBeLessThanOrEqual(75);
    expect(f.tpC).toBeGreaterThanOrEqual(89);
    expect(f.tpC).toBeLessThanOrEqual(105);
  });

  it('peaks at 22 ± 4 °C/min between 2.5 and 3.5 min', () => {
    expect(f.rorPeak).toBeGreaterThanOrEqual(18);
    expect(f.rorPeak).toBeLessThanOrEqual(26);
    expect(f.rorPeakSeconds).toBeGreaterThanOrEqual(150);
    expect(f.rorPeakSeconds).toBeLessThanOrEqual(210);
  });

  it('declines after the peak, minute by minute', () => {
    const [, ...afterPeak] = f.rorByMinute;
    expect(afterPeak[0]).toBeLessThan(f.rorPeak);
    afterPeak.slice(1).forEach((ror, i) => {
      expect(ror).toBeLessThan(afterPeak[i]!);
    });
  });

  it('reaches first crack (186 °C) at 420 ± 45 s', () => {
    expect(f.fcSeconds).toBeGreaterThanOrEqual(375);
    expect(f.fcSeconds).toBeLessThanOrEqual(465);
  });
});

describe.each(seeds)('directions of roast-physics §4.5, seed %i', (seed) => {
  const baseFc = baseFigures.get(seed)!.fcSeconds!;

  it('200 g reaches first crack at least 60 s before 400 g', () => {
    const fc = fcOf({ ...base, grams: 200 }, seed);
    expect(fc).toBeDefined();
    expect(baseFc - fc!).toBeGreaterThanOrEqual(60);
  });

  it('a 220 °C preheat reaches first crack at least 60 s after 239 °C', () => {
    const fc = fcOf({ ...base, preheatC: 220 }, seed);
    expect(fc).toBeDefined();
    expect(fc! - baseFc).toBeGreaterThanOrEqual(60);
  });

  it('fan 8 from 4:00 stalls the roast short of first crack for 10 min', () => {
    expect(fcOf({ ...base, schedule: fan8From4Min }, seed)).toBeUndefined();
  });
});
