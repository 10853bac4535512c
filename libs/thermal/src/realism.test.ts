import { describe, expect, it } from 'vitest';
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

/** A control change at `at` seconds after charge. */
type Change = { readonly at: number } & Partial<Controls>;

/**
 * The median control schedule of §4.3: P7 until 4:50, then P6, P5, P4 at 6:30, P3 at 7:40; F1, F2 at
 * 1:30, F3 at 4:10, F4 at 5:00; D9. The reference gives no time for P5: 5:40, halfway, is used.
 */
const medianSchedule: readonly Change[] = [
  { at: 0, heater: 7, fan: 1, drum: 9 },
  { at: 90, fan: 2 },
  { at: 250, fan: 3 },
  { at: 290, heater: 6 },
  { at: 300, fan: 4 },
  { at: 340, heater: 5 },
  { at: 390, heater: 4 },
  { at: 460, heater: 3 },
];

/** §4.5 "F8 from 4:00": the median schedule with the fan at 8 from 4:00 on. */
const fan8From4Min: readonly Change[] = [
  ...medianSchedule.filter((change) => change.at < 240),
  { at: 240, fan: 8 },
  ...medianSchedule.filter((change) => change.at >= 240).map(({ fan: _, ...change }) => change),
];

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

function movingMean(values: readonly number[], width: number): number[] {
  const half = Math.floor(width / 2);
  return values.map((_, i) => {
    const window = values.slice(Math.max(0, i - half), i + half + 1);
    return window.reduce((sum, v) => sum + v, 0) / window.length;
  });
}

type Figures = {
  tpSeconds: number;
  tpC: number;
  rorPeak: number;
  rorPeakSeconds: number;
  /** RoR at 3, 4, 5, 6 and 7 minutes. */
  rorByMinute: number[];
  /** Seconds from charge, or undefined when it is not reached in the log. */
  fcSeconds: number | undefined;
};

function figures(log: readonly number[]): Figures {
  const y = movingMean(log, 5);
  const at = (t: number) => y[t]!;
  const ror = (t: number) => (60 * (at(t) - at(t - 30))) / 30;
  const tpSeconds = argBest(0, 180, (t) => -at(t));
  const rorPeakSeconds = argBest(tpSeconds, 360, ror);
  const fc = y.findIndex((value, t) => t > tpSeconds && value >= 186);
  return {
    tpSeconds,
    tpC: at(tpSeconds),
    rorPeak: ror(rorPeakSeconds),
    rorPeakSeconds,
    rorByMinute: [3, 4, 5, 6, 7].map((minute) => ror(minute * 60)),
    fcSeconds: fc === -1 ? undefined : fc,
  };
}

/** The first t in [from, to] where `score` is highest. */
function argBest(from: number, to: number, score: (t: number) => number): number {
  let best = from;
  for (let t = from + 1; t <= to; t++) if (score(t) > score(best)) best = t;
  return best;
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
