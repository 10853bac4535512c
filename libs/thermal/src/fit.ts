import { type Controls, charge, emptyDrum, step, type ThermalState } from './model.ts';
import type { ThermalParams } from './params.ts';

// The lumped model fitted online to one roast, as a moving-horizon estimate: the model is started from the
// roast itself a while ago (its lagged channel on the readings then, the beans where that channel's lag says
// they were), and the drum's temperature then and the heater's effect are fitted to the readings since. The
// fitted model predicts the rest of the roast under any levels. Fitting the recent past rather than the
// whole roast keeps predictions unbiased where the roaster differs from the model in structure (a plunge of
// the probe, drying, a heavy frame): what matters is where the roast goes from here.

/** Levels in force from `at` seconds after charge on. */
export type LevelChange = { readonly at: number; readonly controls: Controls };

export type RoastSoFar = {
  /** The batch and drum temperature the roast was charged with, as far as they are known. */
  readonly grams: number;
  readonly preheatC: number;
  /** The lagged bean channel, seconds since charge, time-ordered. */
  readonly bt: readonly { readonly t: number; readonly value: number }[];
  /** The levels from charge on, time-ordered; the first at 0. */
  readonly levels: readonly LevelChange[];
};

export type Corrections = {
  /** Multiplies the heater's effect. */
  readonly heat: number;
  /** Added to the model's drum temperature at the start of the fitted window, °C. */
  readonly drumC: number;
};

export const noCorrections: Corrections = { heat: 1, drumC: 0 };

export type FittedRoast = {
  readonly corrections: Corrections;
  /** RMS of the fitted model's lagged channel against the readings of the window, °C. */
  readonly rmseC: number;
  /** Readings in the window. */
  readonly readings: number;
  /** The fitted model's state at the last reading, for predictions from there. */
  readonly state: ThermalState;
};

/** Model steps for fitting and prediction, s (see `step`). */
export const predictionStepS = 5;
/** The fitted window: the last this many seconds, and never the first minute (the probe's own plunge). */
const windowS = 120;
const firstS = 60;
/** Readings over this span set the lagged channel and its slope where the model is started. */
const anchorSpanS = 30;
const bounds = { heat: [0.5, 1.6], drumC: [-80, 80] } as const;
/**
 * Two minutes of readings tell the heater's effect and the drum's temperature apart only roughly, so the
 * fit leans towards the model as it is: a correction of one typical size (15 % of heat, 15 °C of drum)
 * costs as much as 0.2 °C of RMS misfit.
 */
const prior = { heat: 0.15, drumC: 15, weightC2: 0.04 };

function priorCost(c: Corrections): number {
  return prior.weightC2 * (((c.heat - 1) / prior.heat) ** 2 + (c.drumC / prior.drumC) ** 2);
}
const firstSteps: Corrections = { heat: 0.2, drumC: 20 };
const rounds = 7;

/** The noise-free model: a prediction wants the expected reading. */
export function quiet(params: ThermalParams): ThermalParams {
  return { ...params, noiseC: 0, spikes: { perMinute: 0, maxC: 0 } };
}

/**
 * Fits the corrections to the readings of the window by coordinate search from `start` (the previous fit),
 * step sizes halving each round. With fewer than three readings since the first minute the model runs
 * uncorrected from charge.
 */
export function fitRoast(
  params: ThermalParams,
  roast: RoastSoFar,
  start: Corrections = noCorrections,
): FittedRoast {
  const model = quiet(params);
  const now = roast.bt.at(-1)?.t ?? 0;
  const from = Math.max(firstS, now - windowS);
  const window = roast.bt.filter((r) => r.t >= from);
  const origin = anchored(runFromCharge(model, roast, from), roast.bt, from);
  if (window.length < 3 || origin === undefined) {
    const state = runFromCharge(model, roast, now);
    return { corrections: noCorrections, rmseC: 0, readings: window.length, state };
  }
  const trace = (c: Corrections) => run(corrected(origin, c), roast.levels, now);
  const objective = (c: Corrections) => cost(trace(c).trace, window) + priorCost(c);
  let best = start;
  let bestCost = objective(best);
  let steps = firstSteps;
  for (let round = 0; round < rounds; round++) {
    for (const key of ['heat', 'drumC'] as const) {
      for (const sign of [1, -1]) {
        const [lo, hi] = bounds[key];
        const candidate = { ...best, [key]: Math.min(hi, Math.max(lo, best[key] + sign * steps[key])) };
        const c = objective(candidate);
        if (c < bestCost) {
          best = candidate;
          bestCost = c;
        }
      }
    }
    steps = { heat: steps.heat / 2, drumC: steps.drumC / 2 };
  }
  const fitted = trace(best);
  const end = fitted.state;
  return {
    corrections: best,
    rmseC: Math.sqrt(cost(fitted.trace, window)),
    readings: window.length,
    state: anchored(end, roast.bt, now) ?? end,
  };
}

/**
 * The fitted model's lagged channel each `predictionStepS` from its state for `seconds`, with the levels
 * `levelsAt(t)` (t since charge). Index 0 is the state itself.
 */
export function predictBt(state: ThermalState, levelsAt: (t: number) => Controls, seconds: number): number[] {
  const out = [state.laggedC];
  let s = state;
  const from = s.time;
  for (let t = 0; t < seconds; t += predictionStepS) {
    s = step(s, levelsAt(from + t), predictionStepS, predictionStepS);
    out.push(s.laggedC);
  }
  return out;
}

/** The levels in force at `t`. */
export function levelsAt(levels: readonly LevelChange[], t: number): Controls {
  let current = levels[0]?.controls ?? { heater: 0, fan: 1, drum: 1 };
  for (const change of levels) if (change.at <= t) current = change.controls;
  return current;
}

function corrected(state: ThermalState, c: Corrections): ThermalState {
  const params = { ...state.params, heaterEfficiency: state.params.heaterEfficiency * c.heat };
  return { ...state, params, drumC: state.drumC + c.drumC };
}

/** The uncorrected model charged at time 0 (its clock is seconds since charge) and run to `until`. */
function runFromCharge(model: ThermalParams, roast: RoastSoFar, until: number): ThermalState {
  const controls = roast.levels[0]?.controls ?? { heater: 0, fan: 1, drum: 1 };
  const empty = emptyDrum(model, { drumC: roast.preheatC, controls, seed: 1 });
  return run(charge(empty, { grams: roast.grams }), roast.levels, until).state;
}

function run(
  from: ThermalState,
  levels: readonly LevelChange[],
  until: number,
): { state: ThermalState; trace: { t: number; value: number }[] } {
  let s = from;
  const trace = [{ t: s.time, value: s.laggedC }];
  while (s.time < until - 1e-9) {
    const dt = Math.min(predictionStepS, until - s.time);
    s = step(s, levelsAt(levels, s.time), dt, predictionStepS);
    trace.push({ t: s.time, value: s.laggedC });
  }
  return { state: s, trace };
}

/**
 * The state moved onto the roast at time `at`: its lagged channel on the readings' line there, the beans
 * where that channel's lag says they must be for the rise it shows (T = y + τ·dy/dt).
 */
function anchored(state: ThermalState, readings: RoastSoFar['bt'], at: number): ThermalState | undefined {
  const line = fitLine(
    readings.filter((r) => r.t > at - anchorSpanS && r.t <= at),
    at,
  );
  if (line === undefined || state.beans === null) return undefined;
  const laggedC = line.value;
  const tempC = laggedC + state.params.laggedTau * line.slope;
  return { ...state, laggedC, beans: { ...state.beans, tempC } };
}

/**
 * Least-squares parabola through the points, read at `at`: its value and slope there. A line would put a
 * curve's slope at the middle of the span, seconds before `at`, which near the turning point is wrong by
 * most of the rise.
 */
function fitLine(points: readonly { t: number; value: number }[], at: number) {
  if (points.length < 4) return undefined;
  // Normal equations of v = a + b·x + c·x² with x = t − at.
  const sums = [0, 0, 0, 0, 0];
  const rhs = [0, 0, 0];
  for (const p of points) {
    const x = p.t - at;
    for (let k = 0; k < 5; k++) sums[k]! += x ** k;
    for (let k = 0; k < 3; k++) rhs[k]! += p.value * x ** k;
  }
  const m = [0, 1, 2].map((row) => [0, 1, 2].map((col) => sums[row + col]!));
  const solution = solve3(m, rhs);
  return solution === undefined ? undefined : { value: solution[0], slope: solution[1] };
}

/** Cramer's rule for a 3×3 system; undefined when it is singular. */
function solve3(m: number[][], r: number[]): [number, number, number] | undefined {
  const det = (a: number[][]) =>
    a[0]![0]! * (a[1]![1]! * a[2]![2]! - a[1]![2]! * a[2]![1]!) -
    a[0]![1]! * (a[1]![0]! * a[2]![2]! - a[1]![2]! * a[2]![0]!) +
    a[0]![2]! * (a[1]![0]! * a[2]![1]! - a[1]![1]! * a[2]![0]!);
  const d = det(m);
  if (Math.abs(d) < 1e-12) return undefined;
  const replaced = (col: number) => m.map((row, i) => row.map((v, j) => (j === col ? r[i]! : v)));
  return [det(replaced(0)) / d, det(replaced(1)) / d, det(replaced(2)) / d];
}

/** Mean squared error of a model trace against the readings, interpolated between its steps. */
function cost(trace: readonly { t: number; value: number }[], readings: RoastSoFar['bt']): number {
  let sum = 0;
  let j = 0;
  for (const reading of readings) {
    while (j < trace.length - 2 && trace[j + 1]!.t < reading.t) j++;
    const a = trace[j]!;
    const b = trace[j + 1] ?? a;
    const value = b.t === a.t ? a.value : a.value + ((b.value - a.value) * (reading.t - a.t)) / (b.t - a.t);
    sum += (value - reading.value) ** 2;
  }
  return readings.length === 0 ? 0 : sum / readings.length;
}
