import {
  bulletR1Params,
  type Controls,
  charge,
  emptyDrum,
  type LevelChange,
  levelsAt,
  medianScheduleToP5,
  read,
  scheduleLevels,
  step,
} from '@roast-operator/thermal';
import type { LiveRoast, Profile, Reading } from '../src/types.ts';

// Roasts on the lumped model itself, for the advisor's table tests: a profile from the median schedule and
// live roasts that run hotter or colder than it, as far as a test needs.

/** The median schedule up to P5 (roast-physics §4.3). */
export const testProfileLevels: readonly LevelChange[] = scheduleLevels(medianScheduleToP5);

type Run = {
  readonly grams: number;
  readonly preheatC: number;
  readonly levels: readonly LevelChange[];
  readonly seed: number;
};

/** The lagged bean channel and the exhaust once a second from charge to `until`. */
export function lumpedReadings(run: Run, until: number): { bt: Reading[]; et: Reading[] } {
  const first: Controls = levelsAt(run.levels, 0);
  let state = charge(emptyDrum(bulletR1Params, { drumC: run.preheatC, controls: first, seed: run.seed }), {
    grams: run.grams,
  });
  const bt: Reading[] = [];
  const et: Reading[] = [];
  for (let t = 0; t <= until; t++) {
    const r = read(state);
    bt.push({ t, value: r.beanLagged });
    et.push({ t, value: r.exhaust });
    state = step(state, levelsAt(run.levels, t), 1);
  }
  return { bt, et };
}

/** The profile: the nominal 400 g roast on `testProfileLevels`, first crack at 186 °C, drop at 194 °C. */
export function lumpedProfile(): Profile {
  const { bt } = lumpedReadings({ grams: 400, preheatC: 239, levels: testProfileLevels, seed: 1 }, 660);
  const reference = bt.filter((r) => r.t % 5 === 0).map((r) => ({ t: r.t, bt: r.value }));
  const when = (c: number) => bt.find((r) => r.t > 120 && r.value >= c)?.t;
  const firstCrack = when(186);
  const drop = when(194) ?? 600;
  if (firstCrack === undefined) throw new Error('the profile roast never reaches first crack');
  return {
    reference,
    targets: {
      firstCrack: { t: firstCrack, bt: 186, toleranceS: 20 },
      drop: { t: drop, bt: 194, toleranceS: 20 },
    },
    batchGrams: 400,
    preheatC: 239,
  };
}

/** A live roast at `now` on the given run. */
export function liveAt(run: Run, now: number, events: LiveRoast['events'] = {}): LiveRoast {
  const { bt, et } = lumpedReadings(run, now);
  return { now, bt, et, events, levels: run.levels, batchGrams: run.grams, preheatC: run.preheatC };
}
