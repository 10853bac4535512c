import {
  bulletR1Params,
  type Controls,
  type LayeredParams,
  type LevelChange,
  layeredBulletR1Params,
  medianScheduleToP5,
  type Plant,
  plant,
  type ThermalParams,
} from '@roast-operator/thermal';
import { type AdvisorSettings, advise, defaultAdvisorSettings } from '../src/advise.ts';
import { referenceAt } from '../src/curve.ts';
import type { Control, Limits, Profile, RecipeStep } from '../src/types.ts';

// Seeded roasts on the layered bean/drum plant (libs/thermal's second model), run three ways: a scripted
// attendant who approves every recommendation of the advisor (which predicts with the lumped model), an
// open-loop playback of the profile's recipe, and no correction at all. Used by `npm run bench:advisor`
// and its short seeded test.

export type Mode = 'advisor' | 'recipe' | 'none';
export const modes: readonly Mode[] = ['advisor', 'recipe', 'none'];

/** The recipe the profile was roasted with: the public Bullet median schedule up to P5 (roast-physics §4.3). */
export const recipe: readonly RecipeStep[] = medianScheduleToP5.map(({ at, ...levels }) => ({
  atS: at,
  ...levels,
}));

export const limits: Limits = {
  heater: { min: 0, max: 9 },
  fan: { min: 1, max: 8 },
  drum: { min: 5, max: 9 },
  minIntervalS: 30,
};

const nominal = { grams: 400, preheatC: 239 };
const firstCrackC = 186;
const dropC = 194;
/** The attendant drops at the drop temperature after first crack, and at the latest this long after the target. */
const dropLateCapS = 150;
const adviseEveryS = 5;

export type Disturbance = {
  readonly seed: number;
  readonly grams: number;
  /** Drum temperature at charge. */
  readonly chargeC: number;
  readonly ambientC: number;
  /** The advisor's model parameters, each off by up to ±15 %. */
  readonly model: ThermalParams;
  /** Seconds between a recommendation and the attendant's approval. */
  readonly approvalDelayS: number;
};

/** A small seeded generator (mulberry32) for the disturbances. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export function disturbance(seed: number): Disturbance {
  const draw = random(seed * 7919 + 17);
  const between = (lo: number, hi: number) => lo + (hi - lo) * draw();
  const off = () => between(0.85, 1.15);
  const p = bulletR1Params;
  return {
    seed,
    grams: nominal.grams * between(0.75, 1.25),
    chargeC: nominal.preheatC + between(-15, 15),
    ambientC: between(15, 35),
    model: {
      ...p,
      heaterEfficiency: p.heaterEfficiency * off(),
      drumToBeans400g: p.drumToBeans400g * off(),
      drumHeatCapacity: p.drumHeatCapacity * off(),
      airToBeans400g: p.airToBeans400g * off(),
      shellLoss: p.shellLoss * off(),
      laggedTau: p.laggedTau * off(),
    },
    approvalDelayS: Math.round(between(10, 40)),
  };
}

/** The recipe's levels at t with BT `bt` (steps by BT apply once reached). */
function recipeLevels(t: number, reached: (step: RecipeStep) => boolean): Controls {
  const levels = { heater: 0, fan: 1, drum: 9 };
  for (const step of recipe) {
    if (!reached(step)) continue;
    const { heater, fan, drum } = step;
    Object.assign(
      levels,
      heater === undefined ? {} : { heater },
      fan === undefined ? {} : { fan },
      drum === undefined ? {} : { drum },
    );
  }
  return t >= 0 ? levels : levels;
}

const stepReached = (t: number, bt: number) => (step: RecipeStep) =>
  'atS' in step ? step.atS <= t : step.atBtC <= bt;

/** The profile: the plant's nominal roast on the recipe, its reference curve every 5 s and target events. */
export function nominalProfile(): Profile {
  const roaster = layeredPlant(layeredBulletR1Params, nominal.grams, nominal.preheatC, 1, true);
  const reference: { t: number; bt: number }[] = [];
  let firstCrack: number | undefined;
  let drop: number | undefined;
  let tp = { t: 0, bt: Number.POSITIVE_INFINITY };
  for (let t = 0; drop === undefined && t < 1200; t++) {
    const bt = roaster.read().beanLagged;
    if (t % 5 === 0) reference.push({ t, bt });
    if (t < 180 && bt < tp.bt) tp = { t, bt };
    if (firstCrack === undefined && bt >= firstCrackC) firstCrack = t;
    if (firstCrack !== undefined && bt >= dropC) drop = t;
    roaster.step(recipeLevels(t, stepReached(t, bt)), 1);
  }
  if (firstCrack === undefined || drop === undefined)
    throw new Error('the nominal roast never reaches its drop');
  return {
    reference,
    targets: {
      turningPoint: { t: tp.t, bt: tp.bt, toleranceS: 15, toleranceC: 5 },
      firstCrack: { t: firstCrack, bt: firstCrackC, toleranceS: 20 },
      drop: { t: drop, bt: dropC, toleranceS: 20 },
    },
    batchGrams: nominal.grams,
    preheatC: nominal.preheatC,
    recipe,
  };
}

/** The layered plant charged at `chargeC`; `quiet` leaves the noise out (the reference curve). */
function layeredPlant(
  params: LayeredParams,
  grams: number,
  chargeC: number,
  seed: number,
  quiet = false,
): Plant {
  const model = { kind: 'layered', params: quiet ? { ...params, noiseC: 0 } : params } as const;
  const p = plant(model, { drumC: chargeC, controls: recipeLevels(0, () => true), seed });
  p.charge({ grams });
  return p;
}

export type RoastResult = {
  readonly mode: Mode;
  readonly seed: number;
  /** BT against the reference from the turning point to drop, °C RMS. */
  readonly btRmseC: number;
  /** First crack (BT reaching its temperature) and drop, seconds after their targets. */
  readonly firstCrackErrorS: number;
  readonly dropErrorS: number;
  readonly recommendations: number;
  /** When each recommendation was made, seconds since charge. */
  readonly recommendedAt: readonly number[];
  /** Seconds at a level outside the limits (must stay 0). */
  readonly outsideLimitsS: number;
  readonly maxBt: number;
};

/** One seeded roast run one way. */
export function runRoast(
  profile: Profile,
  d: Disturbance,
  mode: Mode,
  settings: AdvisorSettings = defaultAdvisorSettings,
): RoastResult {
  const params = { ...layeredBulletR1Params, ambientC: d.ambientC };
  const roaster = layeredPlant(params, d.grams, d.chargeC, d.seed);
  const { firstCrack: fcTarget, drop: dropTarget } = profile.targets as Required<Profile['targets']>;
  const start = recipeLevels(0, stepReached(0, roaster.read().beanLagged));
  let levels: Controls = start;
  const changes: LevelChange[] = [{ at: 0, controls: start }];
  const bt: { t: number; value: number }[] = [];
  const et: { t: number; value: number }[] = [];
  let pending: { due: number; control: Control; to: number } | undefined;
  let lastRecommendationAt: number | undefined;
  let fit: ReturnType<typeof advise>['fit'];
  const recommendedAt: number[] = [];
  let outsideLimitsS = 0;
  let firstCrackAt: number | undefined;
  let dropAt: number | undefined;
  let maxBt = 0;
  for (let t = 0; dropAt === undefined; t++) {
    const { beanLagged: reading, exhaust } = roaster.read();
    bt.push({ t, value: reading });
    et.push({ t, value: exhaust });
    maxBt = Math.max(maxBt, reading);
    if (firstCrackAt === undefined && t > 120 && reading >= firstCrackC) firstCrackAt = t;
    if ((firstCrackAt !== undefined && reading >= dropC) || t >= dropTarget.t + dropLateCapS) {
      dropAt = t;
      break;
    }
    let next = levels;
    if (mode === 'recipe') next = recipeLevels(t, stepReached(t, reading));
    if (mode === 'advisor') {
      if (pending !== undefined && t >= pending.due) {
        next = { ...levels, [pending.control]: pending.to };
        pending = undefined;
      }
      if (pending === undefined && t % adviseEveryS === 0) {
        const advice = advise(
          {
            profile,
            live: {
              now: t,
              bt,
              et,
              events: firstCrackAt === undefined ? {} : { firstCrack: { t: firstCrackAt, bt: firstCrackC } },
              levels: changes,
              ...(lastRecommendationAt !== undefined && { lastRecommendationAt }),
              batchGrams: d.grams,
            },
            limits,
            model: d.model,
            ...(fit !== undefined && { previousFit: fit }),
          },
          settings,
        );
        fit = advice.fit;
        const r = advice.recommendation;
        if (r !== null) {
          recommendedAt.push(t);
          lastRecommendationAt = t;
          pending = { due: t + d.approvalDelayS, control: r.control, to: r.to };
        }
      }
    }
    if (next.heater !== levels.heater || next.fan !== levels.fan || next.drum !== levels.drum) {
      levels = next;
      changes.push({ at: t, controls: levels });
    }
    if (!inLimits(levels)) outsideLimitsS++;
    roaster.step(levels, 1);
  }
  const tp = bt.filter((r) => r.t <= 180).reduce((low, r) => (r.value < low.value ? r : low));
  const scored = bt.filter((r) => r.t >= tp.t && r.t <= dropAt!);
  const squares = scored.reduce((s, r) => s + (r.value - referenceAt(profile.reference, r.t)) ** 2, 0);
  return {
    mode,
    seed: d.seed,
    btRmseC: Math.sqrt(squares / scored.length),
    firstCrackErrorS: (firstCrackAt ?? dropAt) - fcTarget.t,
    dropErrorS: dropAt - dropTarget.t,
    recommendations: recommendedAt.length,
    recommendedAt,
    outsideLimitsS,
    maxBt,
  };
}

function inLimits(levels: Controls): boolean {
  return (['heater', 'fan', 'drum'] as const).every(
    (c) => levels[c] >= limits[c].min && levels[c] <= limits[c].max,
  );
}

export type ModeSummary = {
  readonly mode: Mode;
  readonly roasts: number;
  readonly medianBtRmseC: number;
  readonly medianAbsFirstCrackErrorS: number;
  readonly medianAbsDropErrorS: number;
  readonly medianRecommendations: number;
  readonly outsideLimitsS: number;
};

export function summarize(results: readonly RoastResult[]): ModeSummary[] {
  return modes.map((mode) => {
    const of = results.filter((r) => r.mode === mode);
    return {
      mode,
      roasts: of.length,
      medianBtRmseC: median(of.map((r) => r.btRmseC)),
      medianAbsFirstCrackErrorS: median(of.map((r) => Math.abs(r.firstCrackErrorS))),
      medianAbsDropErrorS: median(of.map((r) => Math.abs(r.dropErrorS))),
      medianRecommendations: median(of.map((r) => r.recommendations)),
      outsideLimitsS: of.reduce((s, r) => s + r.outsideLimitsS, 0),
    };
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
