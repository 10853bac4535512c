// What the session's analyzer knows now, as the live roast libs/profile compares with the session's
// RoastProfile. Pure.
import type { ProfileDeviation } from '@roast-operator/api';
import type { LiveRoast } from '@roast-operator/profile';
import type { RoastAnalysis, RoastEventKind, RoastMetrics } from '@roast-operator/roast';

/** What of an analysis the live roast is read from. */
export interface AnalysisNow {
  readonly events: RoastAnalysis['events'];
  readonly metrics: Pick<RoastMetrics, 'totalS' | 'finalBt'>;
  readonly btRor: RoastAnalysis['btRor'];
}

/** The live roast of an analysis; undefined before charge or before any bean reading. */
export function liveRoastOf(analysis: AnalysisNow): LiveRoast | undefined {
  const { events, metrics } = analysis;
  if (metrics.totalS === null || metrics.finalBt === null) return undefined;
  const since = (kind: RoastEventKind) => {
    const s = events[kind]?.sinceChargeS;
    return s === null || s === undefined ? {} : { [kind]: s };
  };
  const ror = analysis.btRor.at(-1)?.ror;
  return {
    secondsSinceCharge: metrics.totalS,
    beanCelsius: metrics.finalBt,
    ...(ror !== undefined && { rateOfRiseCelsiusPerMinute: ror }),
    ...since('turningPoint'),
    ...since('firstCrack'),
    ...since('drop'),
  };
}

/**
 * The deviation field of a status merge patch: the one computed, or null to remove one written before (the
 * session no longer names a profile, or the profile is gone), or nothing.
 */
export function deviationPatch(
  computed: ProfileDeviation | undefined,
  written: ProfileDeviation | undefined,
): { deviation?: ProfileDeviation | null } {
  if (computed) return { deviation: computed };
  return written ? { deviation: null } : {};
}
