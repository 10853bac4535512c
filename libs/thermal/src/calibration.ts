// Calibration of the model against roast-physics.md §4: the control schedules its figures come from, and the
// realism figures measured the same way wherever a simulated roast is judged (this package's tests, the
// simulated roaster through the driver). The measures, on a 1 Hz log of the lagged (IBTS) channel from
// charge, after a centred 5 s moving mean (it takes the 0.2 °C sensor noise down to about 0.09 °C, so a
// noisy extreme does not decide a figure):
// - turning point: the lowest smoothed reading in the first 3 minutes;
// - RoR(t) = 60 · (y(t) − y(t − 30 s)) / 30 s, °C/min, a plain finite difference over 30 s;
// - first crack: the first second at which the smoothed reading reaches 186 °C.
import type { LevelChange } from './fit.ts';
import type { Controls } from './model.ts';

/** A control change at `at` seconds after charge. */
export type ScheduleChange = { readonly at: number } & Partial<Controls>;

/**
 * The median control schedule of §4.3: P7 until 4:50, then P6, P5, P4 at 6:30, P3 at 7:40; F1, F2 at
 * 1:30, F3 at 4:10, F4 at 5:00; D9. The reference gives no time for P5: 5:40, halfway, is used.
 */
export const medianSchedule: readonly ScheduleChange[] = [
  { at: 0, heater: 7, fan: 1, drum: 9 },
  { at: 90, fan: 2 },
  { at: 250, fan: 3 },
  { at: 290, heater: 6 },
  { at: 300, fan: 4 },
  { at: 340, heater: 5 },
  { at: 390, heater: 4 },
  { at: 460, heater: 3 },
];

/**
 * The median schedule until P5 at 5:40, P5 held from there: on the layered plant it reaches 194 °C at
 * about 10 min, where the full schedule stalls near 190 °C.
 */
export const medianScheduleToP5: readonly ScheduleChange[] = medianSchedule.filter(
  (change) => change.at <= 340,
);

/** A schedule as the full levels in force from each change on (charge at heater 0, fan 1, drum 9 unless it says). */
export function scheduleLevels(schedule: readonly ScheduleChange[]): LevelChange[] {
  let levels: Controls = { heater: 0, fan: 1, drum: 9 };
  return schedule.map(({ at, ...change }) => {
    levels = { ...levels, ...change };
    return { at, controls: levels };
  });
}

/** §4.5 "F8 from 4:00": the median schedule with the fan at 8 from 4:00 on. */
export const fan8From4Min: readonly ScheduleChange[] = [
  ...medianSchedule.filter((change) => change.at < 240),
  { at: 240, fan: 8 },
  ...medianSchedule.filter((change) => change.at >= 240).map(({ fan: _, ...change }) => change),
];

export type Figures = {
  readonly tpSeconds: number;
  readonly tpC: number;
  readonly rorPeak: number;
  readonly rorPeakSeconds: number;
  /** RoR at 3, 4, 5, 6 and 7 minutes. */
  readonly rorByMinute: readonly number[];
  /** Undefined when the log never reaches first crack. */
  readonly fcSeconds: number | undefined;
};

export const firstCrackC = 186;

export function realismFigures(log: readonly number[]): Figures {
  const y = movingMean(log, 5);
  const at = (t: number) => y[t]!;
  const ror = (t: number) => (60 * (at(t) - at(t - 30))) / 30;
  const tpSeconds = argBest(0, 180, (t) => -at(t));
  const rorPeakSeconds = argBest(tpSeconds, 360, ror);
  const fc = y.findIndex((value, t) => t > tpSeconds && value >= firstCrackC);
  return {
    tpSeconds,
    tpC: at(tpSeconds),
    rorPeak: ror(rorPeakSeconds),
    rorPeakSeconds,
    rorByMinute: [3, 4, 5, 6, 7].map((minute) => ror(minute * 60)),
    fcSeconds: fc === -1 ? undefined : fc,
  };
}

function movingMean(values: readonly number[], width: number): number[] {
  const half = Math.floor(width / 2);
  return values.map((_, i) => {
    const window = values.slice(Math.max(0, i - half), i + half + 1);
    return window.reduce((sum, v) => sum + v, 0) / window.length;
  });
}

/** The first t in [from, to] where `score` is highest. */
function argBest(from: number, to: number, score: (t: number) => number): number {
  let best = from;
  for (let t = from + 1; t <= to; t++) if (score(t) > score(best)) best = t;
  return best;
}
