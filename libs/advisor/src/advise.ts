import {
  type Controls,
  type FittedRoast,
  fitRoast,
  levelsAt,
  predictBt,
  predictionStepS,
  type RoastSoFar,
} from '@roast-operator/thermal';
import { crossing, latest, type Point, referenceAt, referenceRorAt, rorOf, rorSpanS } from './curve.ts';
import { rationale } from './rationale.ts';
import type {
  Advice,
  AdvisorInput,
  Control,
  Evidence,
  Limits,
  LiveRoast,
  Observed,
  Prediction,
  Reason,
  Risks,
} from './types.ts';

export type AdvisorSettings = {
  /** No advice before this many seconds: the fit needs the turn and the first rise. */
  readonly startS: number;
  /** Predictions are compared with the reference over this long (shorter near the drop target). */
  readonly horizonS: number;
  /** How far first crack and drop are projected. */
  readonly lookAheadS: number;
  /** A change costs this much per level, °C RMS: the smallest change that helps wins. */
  readonly changeCostC: number;
  /** A change must bring the predicted curve at least this much closer, °C RMS. */
  readonly minGainC: number;
  readonly minConfidence: number;
  /** Scorching: before `untilS`, RoR above the profile's by `rorExcess` °C/min or BT above by `btExcessC`. */
  readonly scorch: { readonly untilS: number; readonly rorExcess: number; readonly btExcessC: number };
};

export const defaultAdvisorSettings: AdvisorSettings = {
  startS: 90,
  horizonS: 180,
  lookAheadS: 600,
  changeCostC: 0.25,
  minGainC: 0.5,
  minConfidence: 0.3,
  scorch: { untilS: 240, rorExcess: 3, btExcessC: 5 },
};

/** The changes the advisor weighs: never a PRS press (charge, drop, cool stay with people). */
const candidateSteps: readonly { readonly control: Control; readonly by: number }[] = [
  { control: 'heater', by: -2 },
  { control: 'heater', by: -1 },
  { control: 'heater', by: 1 },
  { control: 'heater', by: 2 },
  { control: 'fan', by: -2 },
  { control: 'fan', by: -1 },
  { control: 'fan', by: 1 },
  { control: 'fan', by: 2 },
  { control: 'drum', by: -1 },
  { control: 'drum', by: 1 },
];

/**
 * Zero or one recommendation for a live roast, with the evidence behind it. Pure: the same input gives the
 * same advice. The model is fitted to the roast so far (from `previousFit`, returned as `fit` for the next
 * call), then every change within the limits is predicted against the profile's reference.
 */
export function advise(given: AdvisorInput, settings: AdvisorSettings = defaultAdvisorSettings): Advice {
  const input = withReadingsOnly(given);
  const { live, limits } = input;
  const waiting = whyWait(input, settings);
  if (waiting !== undefined)
    return { recommendation: null, none: waiting, evidence: null, fit: input.previousFit };
  const fitted = fitRoast(input.model, roastSoFar(input), input.previousFit);
  const evidence = weigh(input, fitted, settings);
  const current = evidence.predictions[0]!;
  const best = bestChange(evidence.predictions, levelsAt(live.levels, live.now), settings);
  const fit = fitted.corrections;
  if (best === undefined || best.change === null) {
    return { recommendation: null, none: 'no change within the limits is predicted to help', evidence, fit };
  }
  const gain = current.rmsToReferenceC - best.rmsToReferenceC;
  const confidence = confidenceOf(fitted, live.now, gain, settings);
  if (gain < settings.minGainC) {
    return {
      recommendation: null,
      none: `the best change, ${best.change.control} to ${best.change.to}, gains only ${gain.toFixed(1)} °C`,
      evidence,
      fit,
    };
  }
  if (confidence < settings.minConfidence) {
    return { recommendation: null, none: `confidence ${confidence.toFixed(2)} is too low`, evidence, fit };
  }
  const from = levelsAt(live.levels, live.now)[best.change.control];
  const withinLimits = within(limits, best.change.control, best.change.to);
  if (!withinLimits) throw new Error('a candidate outside the limits was weighed');
  const reason = reasonOf(best.change.control, best.change.to - from, evidence, input);
  const recommendation = {
    control: best.change.control,
    from,
    to: best.change.to,
    reason,
    expectedGainC: gain,
    confidence,
  };
  return {
    recommendation: { ...recommendation, rationale: rationale(recommendation, evidence) },
    evidence,
    fit,
  };
}

/** Drops what is not a reading (a dropout: NaN, −1, 0 and below), as the roast analysis does. */
function withReadingsOnly(input: AdvisorInput): AdvisorInput {
  const readings = (values: LiveRoast['bt']) => values.filter((r) => Number.isFinite(r.value) && r.value > 0);
  const { bt, et } = input.live;
  return {
    ...input,
    live: { ...input.live, bt: readings(bt), ...(et !== undefined && { et: readings(et) }) },
  };
}

function whyWait(input: AdvisorInput, settings: AdvisorSettings): string | undefined {
  const { live, limits, profile } = input;
  if (live.events.dropped) return 'the roast has dropped';
  if (live.levels.length === 0) return 'the levels of the roast are not known';
  if (profile.reference.length === 0) return 'the profile has no reference curve';
  if (live.now < settings.startS) return `the model needs the first ${settings.startS} s of the roast`;
  const since = live.lastRecommendationAt === undefined ? undefined : live.now - live.lastRecommendationAt;
  if (since !== undefined && since < limits.minIntervalS) {
    return `the last recommendation was ${Math.round(since)} s ago; the roaster allows one every ${limits.minIntervalS} s`;
  }
  if (latest(live.bt, live.now) === undefined) return 'no bean reading in the last 5 s';
  return undefined;
}

/** The readings the fit sees: 5 s means, which keep a long roast's fit cheap and damp the noise. */
function roastSoFar({ live, profile }: AdvisorInput): RoastSoFar {
  const buckets = new Map<number, Point[]>();
  for (const r of live.bt) {
    if (r.t < 0 || r.t > live.now) continue;
    const key = Math.floor(r.t / predictionStepS);
    buckets.set(key, [...(buckets.get(key) ?? []), r]);
  }
  const bt = [...buckets.values()].map((points) => ({
    t: points.reduce((s, p) => s + p.t, 0) / points.length,
    value: points.reduce((s, p) => s + p.value, 0) / points.length,
  }));
  return {
    grams: live.batchGrams ?? profile.batchGrams,
    preheatC: live.preheatC ?? profile.preheatC,
    bt,
    levels: live.levels.filter((l) => l.at <= live.now),
  };
}

function weigh(input: AdvisorInput, fitted: FittedRoast, settings: AdvisorSettings): Evidence {
  const { live, profile, limits } = input;
  const now = live.now;
  const current = levelsAt(live.levels, now);
  const dropTarget = profile.targets.drop;
  const horizonS =
    dropTarget === undefined
      ? settings.horizonS
      : Math.max(60, Math.min(settings.horizonS, dropTarget.t + 30 - now));
  const changes = candidateSteps
    .map(({ control, by }) => ({ control, to: current[control] + by }))
    .filter(({ control, to }) => within(limits, control, to));
  const predict = (change: Prediction['change']): Prediction => {
    const levels = change === null ? current : { ...current, [change.control]: change.to };
    return predictionOf(input, fitted, levels, change, horizonS, settings);
  };
  const currentPrediction = predict(null);
  return {
    at: now,
    observed: observe(input),
    fit: { corrections: fitted.corrections, rmseC: fitted.rmseC, readings: fitted.readings },
    horizonS,
    predictions: [currentPrediction, ...changes.map(predict)],
    risks: risksOf(input, fitted, current, settings),
    targets: { firstCrackS: profile.targets.firstCrack?.t, dropS: dropTarget?.t },
  };
}

function predictionOf(
  { profile }: AdvisorInput,
  fitted: FittedRoast,
  levels: Controls,
  change: Prediction['change'],
  horizonS: number,
  settings: AdvisorSettings,
): Prediction {
  const from = fitted.state.time;
  const bt = predictBt(fitted.state, () => levels, settings.lookAheadS);
  let squares = 0;
  let n = 0;
  let atHorizon = bt[0]!;
  bt.forEach((value, k) => {
    const t = from + k * predictionStepS;
    if (k === 0 || t > from + horizonS) return;
    squares += (value - referenceAt(profile.reference, t)) ** 2;
    n++;
    atHorizon = value;
  });
  const { firstCrack, drop } = profile.targets;
  return {
    change,
    levels,
    rmsToReferenceC: Math.sqrt(squares / Math.max(1, n)),
    btAtHorizon: atHorizon,
    firstCrackS:
      firstCrack?.bt === undefined ? undefined : crossing(bt, from, predictionStepS, firstCrack.bt),
    dropS: drop?.bt === undefined ? undefined : crossing(bt, from, predictionStepS, drop.bt),
  };
}

function observe({ live, profile }: AdvisorInput): Observed {
  const now = live.now;
  const bt = latest(live.bt, now)!;
  const et = live.et === undefined ? undefined : latest(live.et, now);
  const referenceBt = referenceAt(profile.reference, now);
  return {
    bt,
    referenceBt,
    btOffsetC: bt - referenceBt,
    ror: rorOf(live.bt, now),
    referenceRor: referenceRorAt(profile.reference, now),
    etBtGapC: et === undefined ? undefined : et - bt,
  };
}

function risksOf(
  input: AdvisorInput,
  fitted: FittedRoast,
  current: Controls,
  settings: AdvisorSettings,
): Risks {
  const { live, profile } = input;
  const observed = observe(input);
  const from = fitted.state.time;
  const bt = predictBt(fitted.state, () => current, settings.horizonS);
  const lag = rorSpanS / predictionStepS;
  const ror = bt.map((v, k) => (k < lag ? undefined : (60 * (v - bt[k - lag]!)) / rorSpanS));
  const early = live.now < settings.scorch.untilS;
  const aheadIn = (s: number) =>
    (bt[s / predictionStepS] ?? bt.at(-1)!) - referenceAt(profile.reference, from + s);
  const scorching =
    early &&
    ((observed.ror !== undefined && observed.ror > observed.referenceRor + settings.scorch.rorExcess) ||
      observed.btOffsetC > settings.scorch.btExcessC ||
      aheadIn(60) > settings.scorch.btExcessC);
  const crash = ror.some((r, k) => {
    const refRor = referenceRorAt(profile.reference, from + k * predictionStepS);
    return r !== undefined && refRor > 2 && r < refRor / 2;
  });
  const fcReached =
    live.events.firstCrack !== undefined ||
    (profile.targets.firstCrack?.bt !== undefined && observed.bt >= profile.targets.firstCrack.bt);
  let lowest = Number.POSITIVE_INFINITY;
  let flick = false;
  for (const r of ror) {
    if (r === undefined || !fcReached) continue;
    lowest = Math.min(lowest, r);
    if (r > lowest + 1.5) flick = true;
  }
  return { scorching, crash, flick };
}

function bestChange(predictions: readonly Prediction[], current: Controls, settings: AdvisorSettings) {
  const score = (p: Prediction) =>
    p.rmsToReferenceC +
    (p.change === null ? 0 : settings.changeCostC * Math.abs(p.change.to - current[p.change.control]));
  return [...predictions].sort((a, b) => score(a) - score(b))[0];
}

function confidenceOf(fitted: FittedRoast, now: number, gain: number, settings: AdvisorSettings): number {
  // A fit within a degree or two of the readings, most of the early roast seen, a gain well above the bar.
  const fit = 1 / (1 + (fitted.rmseC / 2) ** 2);
  const seen = Math.min(1, now / 240);
  const clear = Math.min(1, gain / (2 * settings.minGainC));
  return Math.round(fit * (0.5 + 0.5 * seen) * (0.5 + 0.5 * clear) * 100) / 100;
}

function reasonOf(control: Control, by: number, evidence: Evidence, { live, profile }: AdvisorInput): Reason {
  const { observed, risks } = evidence;
  const current = evidence.predictions[0]!;
  const late = (projected: number | undefined, target: { t: number; toleranceS: number } | undefined) =>
    target !== undefined && (projected === undefined || projected > target.t + target.toleranceS);
  if (control === 'heater' && by < 0 && risks.scorching) return 'scorching';
  const developing = live.events.firstCrack !== undefined;
  if (
    control === 'heater' &&
    by > 0 &&
    (developing ||
      late(current.firstCrackS, profile.targets.firstCrack) ||
      late(current.dropS, profile.targets.drop))
  ) {
    return 'slowDevelopment';
  }
  if (control === 'fan' && by > 0 && observed.ror !== undefined && observed.ror > observed.referenceRor)
    return 'fastRise';
  const cools =
    (control === 'heater' && by < 0) || (control === 'fan' && by > 0) || (control === 'drum' && by < 0);
  return cools ? 'aheadOfProfile' : 'behindProfile';
}

export function within(limits: Limits, control: Control, level: number): boolean {
  return Number.isInteger(level) && level >= limits[control].min && level <= limits[control].max;
}
