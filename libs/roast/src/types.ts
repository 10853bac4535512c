import type { CurvePoint } from './curve.ts';
import type { RorPoint } from './ror.ts';

/** One reading from a roaster or a recording. */
export interface RoastSample {
  /** Seconds on the caller's clock (any origin), increasing from sample to sample. */
  readonly t: number;
  /** Bean temperature in the analyzer's input unit; −1, NaN and implausible values count as no reading. */
  readonly bt: number;
  /** Environment temperature, same unit, when the roaster reports one. */
  readonly et?: number;
  /** The roaster's state code (Aillio R1: 4 charge, 6 roasting, 8 cooling), when the input carries one. */
  readonly stateCode?: number;
}

export type RoastEventKind = 'charge' | 'turningPoint' | 'dryEnd' | 'firstCrack' | 'drop';

/** Events a person can mark (the turning point is always computed). */
export type MarkKind = 'charge' | 'dryEnd' | 'firstCrack' | 'drop';

/** A person's mark of an event at time t (the samples' clock). */
export interface RoastMark {
  readonly kind: MarkKind;
  readonly t: number;
}

/** Where an event comes from, strongest first: the roaster's state, a person's mark, or the curve. */
export type EventSource = 'stateCode' | 'mark' | 'inferred';

export interface RoastEvent {
  readonly kind: RoastEventKind;
  /** When it happened, on the samples' clock. */
  readonly t: number;
  /** Seconds since charge; null while no charge is known. */
  readonly sinceChargeS: number | null;
  /** Bean temperature at that time, °C; null only for a mark on a roast without any bean reading. */
  readonly bt: number | null;
  readonly source: EventSource;
  /** Time of the latest sample when the event was detected: inference confirms some seconds late. */
  readonly detectedAt: number;
}

export type RoastEvents = { readonly [K in RoastEventKind]?: RoastEvent };

export type RoastPhase = 'beforeCharge' | 'drying' | 'maillard' | 'development' | 'dropped';

/** Green (in) and roasted (out) batch weights in grams, when known. */
export interface BatchWeights {
  readonly greenG?: number;
  readonly roastedG?: number;
}

export interface MaxRor {
  readonly t: number;
  readonly sinceChargeS: number;
  /** °C/min */
  readonly ror: number;
}

/**
 * Figures of the roast so far. Durations of a phase still running count up to the latest sample; a
 * phase whose boundary was never found is null.
 */
export interface RoastMetrics {
  /** Charge to drop (or to the latest sample while roasting). */
  readonly totalS: number | null;
  /** Charge to dry end. */
  readonly dryingS: number | null;
  /** Dry end to first crack. */
  readonly maillardS: number | null;
  /** First crack to drop. */
  readonly developmentS: number | null;
  /** Development time ratio: development / total × 100. */
  readonly dtrPercent: number | null;
  /** Highest bean rate of rise from the turning point (and one RoR span after charge) to drop. */
  readonly maxRor: MaxRor | null;
  /** Bean temperature at drop, or the latest one, °C. */
  readonly finalBt: number | null;
  readonly weightLossPercent: number | null;
  /** The rate of rise fell sharply just after first crack; null until first crack and a rate are known. */
  readonly rorCrash: boolean | null;
  /** The rate of rise picked up again after first crack; null until first crack and a rate are known. */
  readonly rorFlick: boolean | null;
}

/** Everything known about a roast: the analyzer's state, or the result of a whole-curve analysis. */
export interface RoastAnalysis {
  readonly events: RoastEvents;
  readonly phase: RoastPhase;
  readonly metrics: RoastMetrics;
  /** Cleaned bean temperature, °C. */
  readonly bt: readonly CurvePoint[];
  /** Bean rate of rise, °C/min. */
  readonly btRor: readonly RorPoint[];
  /** Cleaned environment temperature and its rate of rise (empty without an environment probe). */
  readonly et: readonly CurvePoint[];
  readonly etRor: readonly RorPoint[];
}
