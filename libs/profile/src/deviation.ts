// A live roast against its profile: where the bean temperature is compared with the reference at the same
// time, how far behind the reference the roast runs, and when first crack and drop will come against their
// targets. Pure: the session controller hands in what its analyzer knows and writes the answer to status.
import type { ProfileDeviation, RoastProfileSpec } from '@roast-operator/api';
import { beanAt, curveEnd, rateOfRiseAt, timeReaching } from './reference.ts';

/** What is known about the roast now, on its own time axis (seconds since charge). */
export interface LiveRoast {
  readonly secondsSinceCharge: number;
  /** Bean temperature now, °C. */
  readonly beanCelsius: number;
  /** Smoothed bean rate of rise now, °C/min. */
  readonly rateOfRiseCelsiusPerMinute?: number;
  /** Seconds since charge of the events found so far. */
  readonly turningPoint?: number;
  readonly firstCrack?: number;
  readonly drop?: number;
}

type Projection = NonNullable<ProfileDeviation['firstCrack']>;

/** Status numbers are shown to a tenth. */
const tenth = (x: number) => Math.round(x * 10) / 10;

/**
 * How far behind the reference the roast runs: now minus when the reference had the bean temperature of
 * now. Only after the live turning point, when bean temperature rises and names one time on the reference.
 */
export function lagSeconds(spec: RoastProfileSpec, live: LiveRoast): number | undefined {
  if (live.turningPoint === undefined || live.drop !== undefined) return undefined;
  const then = timeReaching(spec.curve, live.beanCelsius);
  return then === undefined ? undefined : live.secondsSinceCharge - then;
}

function projection(
  target: { readonly seconds: number; readonly toleranceSeconds?: number },
  happened: number | undefined,
  live: LiveRoast,
  lag: number | undefined,
): Projection {
  const projected =
    happened ?? (lag === undefined ? undefined : Math.max(live.secondsSinceCharge, target.seconds + lag));
  const offset = projected === undefined ? undefined : projected - target.seconds;
  return {
    targetSeconds: tenth(target.seconds),
    reached: happened !== undefined,
    ...(projected !== undefined && { projectedSeconds: tenth(projected) }),
    ...(offset !== undefined && { offsetSeconds: tenth(offset) }),
    ...(offset !== undefined &&
      target.toleranceSeconds !== undefined && { onTarget: Math.abs(offset) <= target.toleranceSeconds }),
  };
}

/**
 * The deviation status of a roast following `profile` (named `profileName`). First crack is projected
 * only against a target the profile sets; drop against its target, else the end of the reference curve
 * (without a tolerance). A projection is the target shifted by the lag, and never earlier than now.
 */
export function profileDeviation(
  profileName: string,
  spec: RoastProfileSpec,
  live: LiveRoast,
): ProfileDeviation {
  const t = live.secondsSinceCharge;
  const reference = beanAt(spec.curve, t);
  const referenceRor = rateOfRiseAt(spec.curve, t);
  const lag = lagSeconds(spec, live);
  const firstCrack = spec.targets?.firstCrack;
  const drop = spec.targets?.drop ?? { seconds: curveEnd(spec.curve) };
  return {
    profile: profileName,
    secondsSinceCharge: tenth(t),
    beanCelsius: tenth(live.beanCelsius),
    ...(reference !== undefined && {
      referenceBeanCelsius: tenth(reference),
      beanOffsetCelsius: tenth(live.beanCelsius - reference),
    }),
    ...(lag !== undefined && { lagSeconds: tenth(lag) }),
    ...(live.rateOfRiseCelsiusPerMinute !== undefined && {
      rateOfRiseCelsiusPerMinute: tenth(live.rateOfRiseCelsiusPerMinute),
    }),
    ...(referenceRor !== undefined && { referenceRateOfRiseCelsiusPerMinute: tenth(referenceRor) }),
    ...(firstCrack && { firstCrack: projection(firstCrack, live.firstCrack, live, lag) }),
    drop: projection(drop, live.drop, live, lag),
  };
}
