// The advisor's boundary with the API: a RoastProfile's spec becomes libs/advisor's Profile, a Roaster's
// spec its Limits, and the follow stream's points and events a LiveRoast. Pure.
import type {
  Limits,
  LiveRoast,
  Profile,
  ReferencePoint,
  TargetEvent,
  Targets,
} from '@roast-operator/advisor';
import {
  type Actuator,
  modelFacts,
  type Roaster,
  type RoastProfileSpec,
  targetOrder,
} from '@roast-operator/api';
import type { CurvePoint, RoastEvents } from '@roast-operator/telemetry-client';
import type { LevelChange } from '@roast-operator/thermal';

/** The drum temperature a profile is taken to charge at when nothing says otherwise (the Bullet's usual). */
export const defaultPreheatC = 239;
/** The batch a profile is taken to be for when it does not say. */
export const defaultBatchGrams = 400;

/** A RoastProfile's spec as the advisor's Profile: columns become points, targets and recipe field for field. */
export function profileOf(spec: RoastProfileSpec, preheatC = defaultPreheatC): Profile {
  const { curve } = spec;
  const reference: ReferencePoint[] = curve.seconds.map((t, i) => ({
    t,
    bt: curve.beanCelsius[i]!,
    ...(curve.environmentCelsius && { et: curve.environmentCelsius[i]! }),
    ...(curve.rateOfRiseCelsiusPerMinute && { ror: curve.rateOfRiseCelsiusPerMinute[i]! }),
  }));
  const targets: Record<string, TargetEvent> = {};
  for (const event of targetOrder) {
    const target = spec.targets?.[event];
    if (target === undefined) continue;
    targets[event] = {
      t: target.seconds,
      toleranceS: target.toleranceSeconds,
      ...(target.beanCelsius !== undefined && { bt: target.beanCelsius }),
      ...(target.toleranceCelsius !== undefined && { toleranceC: target.toleranceCelsius }),
    };
  }
  const recipe = [
    ...(spec.recipe?.byTime ?? []).map(({ seconds, ...levels }) => ({ atS: seconds, ...levels })),
    ...(spec.recipe?.byBeanTemperature ?? []).map(({ beanCelsius, ...levels }) => ({
      atBtC: beanCelsius,
      ...levels,
    })),
  ];
  return {
    reference,
    targets: targets as Targets,
    batchGrams: spec.batchGrams ?? defaultBatchGrams,
    preheatC,
    ...(recipe.length > 0 && { recipe }),
  };
}

/** The Roaster's limits inside its model's ranges, and its minimum interval between commands. */
export function limitsOf(roaster: Roaster): Limits {
  const { ranges } = modelFacts[roaster.spec.model];
  const limits = roaster.spec.limits;
  const range = (actuator: Actuator) => limits?.[actuator] ?? ranges[actuator];
  return {
    heater: range('heater'),
    fan: range('fan'),
    drum: range('drum'),
    minIntervalS: limits?.minSecondsBetweenCommands ?? 0,
  };
}

/** A roast as the follow stream has shown it so far: points since charge, the session's events. */
export interface FollowedRoast {
  readonly points: readonly CurvePoint[];
  readonly events: RoastEvents | undefined;
  readonly dropped: boolean;
  readonly lastRecommendationAt?: number;
  readonly batchGrams?: number;
}

const reading = (value: number | undefined) => value !== undefined && Number.isFinite(value) && value > -1;

/** The LiveRoast libs/advisor judges: readings from charge on (t ≥ 0), levels as they changed, events. */
export function liveRoastOf(roast: FollowedRoast): LiveRoast {
  const since = roast.points.filter((p) => p.t >= 0);
  const levels: LevelChange[] = [];
  for (const p of since) {
    const last = levels.at(-1)?.controls;
    if (last?.heater !== p.heater || last.fan !== p.fan || last.drum !== p.drum)
      levels.push({ at: p.t, controls: { heater: p.heater, fan: p.fan, drum: p.drum } });
  }
  const event = (
    e: { secondsSinceCharge: number; beanTemperatureCelsius?: number | undefined } | undefined,
  ) =>
    e?.beanTemperatureCelsius === undefined
      ? undefined
      : { t: e.secondsSinceCharge, bt: e.beanTemperatureCelsius };
  const events = roast.events;
  const turningPoint = event(events?.turningPoint);
  const dryEnd = event(events?.dryEnd);
  const firstCrack = event(events?.firstCrack);
  return {
    now: since.at(-1)?.t ?? 0,
    bt: since.flatMap((p) =>
      reading(p.beanTemperatureCelsius) ? [{ t: p.t, value: p.beanTemperatureCelsius! }] : [],
    ),
    et: since.flatMap((p) =>
      reading(p.exhaustTemperatureCelsius) ? [{ t: p.t, value: p.exhaustTemperatureCelsius! }] : [],
    ),
    events: {
      ...(turningPoint && { turningPoint }),
      ...(dryEnd && { dryEnd }),
      ...(firstCrack && { firstCrack }),
      ...(roast.dropped && { dropped: true }),
    },
    levels,
    ...(roast.lastRecommendationAt !== undefined && { lastRecommendationAt: roast.lastRecommendationAt }),
    ...(roast.batchGrams !== undefined && { batchGrams: roast.batchGrams }),
  };
}
