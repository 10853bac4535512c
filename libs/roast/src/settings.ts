import { DEFAULT_CHANNEL_SETTINGS } from './channel.ts';
import type { DespikeSettings } from './curve.ts';
import type { RorSettings } from './ror.ts';

/** A temperature break: the bean temperature turns from its trend into a sustained fall. */
export interface BreakSettings {
  /** Seconds before the fall over which the previous trend is fitted. */
  preWindowS: number;
  /** Seconds over which the slope of the fall is measured. */
  postWindowS: number;
  /** The fall must be at least this steep, °C/min. */
  minFallPerMin: number;
  /** The slope must drop by at least this much from the trend to the fall, °C/min. */
  minSlopeChangePerMin: number;
  /** Bean temperature at the break must be at least this, °C. */
  minBt: number;
}

export interface AnalysisSettings {
  ror: RorSettings;
  despike: DespikeSettings;
  /** Charge inferred from the fall of a pre-heated probe into cold beans. */
  charge: BreakSettings;
  /** Drop inferred from the fall after the beans leave the drum. */
  drop: BreakSettings & {
    /** Seconds after charge before a drop can be inferred. */
    minAfterChargeS: number;
  };
  turningPoint: {
    /** Artisan checks for the turning point only more than 20 s after charge. */
    minAfterChargeS: number;
    /** Artisan accepts a turning point only strictly between these bean temperatures, °C. */
    minBt: number;
    maxBt: number;
    /** Bean temperature must have risen this far above the minimum to confirm it, °C. */
    riseC: number;
  };
  /** Bean temperature at which dry end is inferred when nobody marks it, °C. */
  dryEndBt: number;
  /** Bean temperature at which first crack is inferred when nobody marks it, °C. */
  firstCrackBt: number;
  crash: {
    /** Seconds after first crack in which a crash is looked for. */
    windowS: number;
    /** Fraction of the rate of rise at first crack that must be lost for a crash. */
    minDropFraction: number;
  };
  flick: {
    /** Rise of the latest rate of rise above its lowest since first crack that makes a flick, °C/min. */
    minRisePerMin: number;
  };
}

const BREAK_WINDOWS = { preWindowS: 16, postWindowS: 8, minSlopeChangePerMin: 20 };

export const DEFAULT_ANALYSIS_SETTINGS: AnalysisSettings = {
  ...DEFAULT_CHANNEL_SETTINGS,
  // Artisan's autoCHARGE gate: BT above 77 °C. Cold beans pull a pre-heated probe down at 20–100 °C/min.
  charge: { ...BREAK_WINDOWS, minFallPerMin: 10, minBt: 77 },
  // Artisan's autoDROP gate is BT above 160 °C and 7 min after charge; fast roasts drop earlier than 7 min.
  // Cutting the heat before drop can make BT sag at ~10 °C/min; beans leaving make it fall at 20+ °C/min.
  drop: { ...BREAK_WINDOWS, minFallPerMin: 20, minBt: 160, minAfterChargeS: 240 },
  turningPoint: { minAfterChargeS: 20, minBt: 50, maxBt: 150, riseC: 1 },
  // Artisan's default dry-end watermark. First crack: the Bullet R1 IBTS median from public roasts
  // (shared reference, roast-physics §2.4); a probe reads differently, so each roaster sets its own.
  dryEndBt: 150,
  firstCrackBt: 186,
  // A first-crack burst on the reference model loses about half the rate within a minute and then
  // rebounds by ~1.8 °C/min (roast-physics §4.4); a steadily declining rate loses about a fifth a minute.
  crash: { windowS: 60, minDropFraction: 0.4 },
  flick: { minRisePerMin: 1.5 },
};

/** Overrides of some settings; nested groups may be given in part. */
export type AnalysisSettingsOverrides = {
  [K in keyof AnalysisSettings]?: AnalysisSettings[K] extends number ? number : Partial<AnalysisSettings[K]>;
};

export function analysisSettings(overrides: AnalysisSettingsOverrides = {}): AnalysisSettings {
  const d = DEFAULT_ANALYSIS_SETTINGS;
  return {
    ror: { ...d.ror, ...overrides.ror },
    despike: { ...d.despike, ...overrides.despike },
    charge: { ...d.charge, ...overrides.charge },
    drop: { ...d.drop, ...overrides.drop },
    turningPoint: { ...d.turningPoint, ...overrides.turningPoint },
    dryEndBt: overrides.dryEndBt ?? d.dryEndBt,
    firstCrackBt: overrides.firstCrackBt ?? d.firstCrackBt,
    crash: { ...d.crash, ...overrides.crash },
    flick: { ...d.flick, ...overrides.flick },
  };
}
