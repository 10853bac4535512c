import type { Controls, Corrections, LevelChange, ThermalParams } from '@roast-operator/thermal';

// The advisor's input in plain domain terms. A RoastProfile's spec maps onto `Profile` one to one
// (reference curve, target events, batch, recipe); a roast's telemetry and events onto `LiveRoast`; a
// Roaster's limits and minimum interval onto `Limits`. All times are seconds since charge, temperatures
// °C on the bean channel the profile was written on (the Bullet's IBTS).

export type Control = 'heater' | 'fan' | 'drum';

export type ReferencePoint = {
  readonly t: number;
  readonly bt: number;
  readonly et?: number;
  /** °C/min; computed from the curve where not given. */
  readonly ror?: number;
};

export type TargetEvent = {
  readonly t: number;
  readonly bt?: number;
  readonly toleranceS: number;
  readonly toleranceC?: number;
};

export type Targets = {
  readonly turningPoint?: TargetEvent;
  readonly dryEnd?: TargetEvent;
  readonly firstCrack?: TargetEvent;
  readonly drop?: TargetEvent;
};

/** A control event of the recipe (Artisan's background events), by time or by bean temperature. */
export type RecipeStep = ({ readonly atS: number } | { readonly atBtC: number }) & Partial<Controls>;

export type Profile = {
  /** Time-ordered, from charge. */
  readonly reference: readonly ReferencePoint[];
  readonly targets: Targets;
  readonly batchGrams: number;
  /** The drum temperature the profile charges at. */
  readonly preheatC: number;
  readonly recipe?: readonly RecipeStep[];
};

export type Reading = { readonly t: number; readonly value: number };

export type LiveRoast = {
  /** Seconds since charge now. */
  readonly now: number;
  readonly bt: readonly Reading[];
  readonly et?: readonly Reading[];
  readonly events: {
    readonly turningPoint?: { readonly t: number; readonly bt: number };
    readonly dryEnd?: { readonly t: number; readonly bt: number };
    readonly firstCrack?: { readonly t: number; readonly bt: number };
    readonly dropped?: boolean;
  };
  /** The levels from charge on; the last one is in force now. */
  readonly levels: readonly LevelChange[];
  /** When this roast was last given a recommendation, seconds since charge. */
  readonly lastRecommendationAt?: number;
  /** The batch and preheat as weighed and set, when known (the profile's otherwise). */
  readonly batchGrams?: number;
  readonly preheatC?: number;
};

export type LevelRange = { readonly min: number; readonly max: number };

export type Limits = {
  readonly heater: LevelRange;
  readonly fan: LevelRange;
  readonly drum: LevelRange;
  /** Never two recommendations closer than this, s. */
  readonly minIntervalS: number;
};

export type AdvisorInput = {
  readonly profile: Profile;
  readonly live: LiveRoast;
  readonly limits: Limits;
  /** The lumped model's parameters the roaster is known by. */
  readonly model: ThermalParams;
  /** The previous fit of this roast, to start the next one from. */
  readonly previousFit?: Corrections;
};

/** Which of the classic rules a recommendation is a case of, or a correction back to the profile. */
export type Reason = 'scorching' | 'slowDevelopment' | 'fastRise' | 'aheadOfProfile' | 'behindProfile';

export type Observed = {
  readonly bt: number;
  readonly referenceBt: number;
  /** BT minus the reference, °C. */
  readonly btOffsetC: number;
  /** °C/min over the last 30 s; undefined with too few readings. */
  readonly ror: number | undefined;
  readonly referenceRor: number;
  readonly etBtGapC: number | undefined;
};

export type Prediction = {
  /** null: the levels in force now. */
  readonly change: { readonly control: Control; readonly to: number } | null;
  readonly levels: Controls;
  /** RMS of the predicted BT against the reference over the horizon, °C. */
  readonly rmsToReferenceC: number;
  /** Predicted BT at the end of the horizon. */
  readonly btAtHorizon: number;
  /** When the predicted BT reaches the first-crack and drop targets' temperatures; undefined if not within the look-ahead. */
  readonly firstCrackS: number | undefined;
  readonly dropS: number | undefined;
};

export type Risks = {
  /** Early in the roast the beans run hotter and faster than the profile: their surface may scorch. */
  readonly scorching: boolean;
  /** The predicted RoR falls to less than half the profile's. */
  readonly crash: boolean;
  /** The predicted RoR picks up again after first crack. */
  readonly flick: boolean;
};

export type Evidence = {
  readonly at: number;
  readonly observed: Observed;
  readonly fit: { readonly corrections: Corrections; readonly rmseC: number; readonly readings: number };
  readonly horizonS: number;
  /** The levels in force first, then every candidate change within the limits. */
  readonly predictions: readonly Prediction[];
  readonly risks: Risks;
  readonly targets: { readonly firstCrackS: number | undefined; readonly dropS: number | undefined };
};

export type Recommendation = {
  readonly control: Control;
  readonly from: number;
  readonly to: number;
  readonly reason: Reason;
  /** How much closer to the reference the roast is predicted to run over the horizon, °C RMS. */
  readonly expectedGainC: number;
  /** 0–1: how well the model fits this roast, how much of it it has seen, how clear the gain is. */
  readonly confidence: number;
  /** Observation → prediction → suggestion, in one glance. */
  readonly rationale: string;
};

export type Advice = {
  readonly recommendation: Recommendation | null;
  /** Why there is none. */
  readonly none?: string;
  readonly evidence: Evidence | null;
  readonly fit: Corrections | undefined;
};
