import { type ChannelStep, TemperatureChannel } from './channel.ts';
import { type CurvePoint, valueAt, window } from './curve.ts';
import { CrossingTracker, findBreak, MinimumTracker } from './detectors.ts';
import { roastMetrics, roastPhase } from './metrics.ts';
import { type AnalysisSettings, type AnalysisSettingsOverrides, analysisSettings } from './settings.ts';
import type {
  BatchWeights,
  EventSource,
  RoastAnalysis,
  RoastEvent,
  RoastEventKind,
  RoastEvents,
  RoastMark,
  RoastMetrics,
  RoastPhase,
  RoastSample,
} from './types.ts';
import { type TemperatureUnit, toCelsius } from './units.ts';

export interface RoastAnalyzerOptions {
  /** Unit of the incoming `bt` and `et`. Everything the analyzer reports is in °C. */
  readonly unit: TemperatureUnit;
  readonly settings?: AnalysisSettingsOverrides;
  readonly weights?: BatchWeights;
}

// A stronger source replaces a weaker one's event; the same source replaces its own (a corrected mark).
const SOURCE_RANK: Record<EventSource, number> = { inferred: 0, mark: 1, stateCode: 2 };

// Artisan's R1 state alarms: CHARGE when the state passes "charge" (4) into roasting, DROP when it passes
// "roasting" (6) into cooling (R1 8, R2 7).
const CHARGE_STATE = 4;
const ROASTING_STATE = 6;

/** An event given rather than inferred: a person's mark or a change of the roaster's state. */
interface Anchor {
  readonly kind: RoastEventKind;
  readonly t: number;
  readonly source: Exclude<EventSource, 'inferred'>;
}

/** An event as held inside; seconds since charge are added on the way out, from the charge known then. */
type Detected = Omit<RoastEvent, 'sinceChargeS'>;
type DetectedEvents = { [K in RoastEventKind]?: Detected };

/**
 * Streaming roast analysis: push samples as they arrive, push a person's marks, read events, phase and
 * metrics at any time. Each push returns the events it detected or changed.
 *
 * Bean readings pass a spike filter that holds them back about a second, and inference confirms an event
 * some seconds after it happened (a break needs its fall, a turning point the rise after it); events
 * always carry the time they happened. Marks and state changes take their place on the same cleaned
 * timeline: a mark for a time already analyzed makes the analyzer run the timeline again, so what it
 * reports never depends on when a mark arrived, and streaming ends where a whole-curve analysis does.
 * (Such a re-run can also withdraw inferred events the mark contradicts; read `events` for the whole
 * picture.)
 *
 * Charge and drop come from the roaster's state codes when the stream carries them; otherwise from a mark
 * or, failing that, from the bean-temperature break. The turning point is the bean minimum after charge
 * under Artisan's rules; dry end and first crack come from marks or from configurable temperatures.
 * Inference restarts from every new charge and stops at drop.
 */
export class RoastAnalyzer {
  readonly #unit: TemperatureUnit;
  readonly #settings: AnalysisSettings;
  #weights: BatchWeights;
  readonly #bt: TemperatureChannel;
  readonly #et: TemperatureChannel;
  /** The cleaned bean timeline, each reading with its rate of rise. */
  readonly #steps: ChannelStep[] = [];
  /** Given events by time; those before #nextAnchor have been applied to the timeline. */
  readonly #anchors: Anchor[] = [];
  #nextAnchor = 0;
  #events: DetectedEvents = {};
  #now = Number.NEGATIVE_INFINITY;
  /** Time of the timeline reading being analyzed. */
  #at = Number.NEGATIVE_INFINITY;
  #stateCode: number | undefined;
  /** Time of the first sample with a state code: from then on charge and drop are the roaster's to tell. */
  #stateCodesFrom = Number.POSITIVE_INFINITY;
  // Trackers over the bean curve since charge.
  #lowest = new MinimumTracker();
  #dryEnd: CrossingTracker;
  #firstCrack: CrossingTracker;

  constructor(options: RoastAnalyzerOptions) {
    this.#unit = options.unit;
    this.#settings = analysisSettings(options.settings);
    this.#weights = options.weights ?? {};
    this.#bt = new TemperatureChannel(this.#settings);
    this.#et = new TemperatureChannel(this.#settings);
    this.#dryEnd = new CrossingTracker(this.#settings.dryEndBt);
    this.#firstCrack = new CrossingTracker(this.#settings.firstCrackBt);
  }

  /** Adds the next sample. A sample not later than the previous one is ignored. */
  push(sample: RoastSample): RoastEvent[] {
    return this.#reportingChanges(() => {
      if (!(sample.t > this.#now)) return;
      this.#now = sample.t;
      if (sample.stateCode !== undefined) this.#readState(sample.t, sample.stateCode);
      if (sample.et !== undefined) this.#et.push(sample.t, toCelsius(sample.et, this.#unit));
      for (const step of this.#bt.push(sample.t, toCelsius(sample.bt, this.#unit))) this.#advance(step);
    });
  }

  /**
   * Adds a person's mark. It replaces an inferred event of its kind, or an earlier mark, but not an event
   * from the roaster's state.
   */
  mark(mark: RoastMark): RoastEvent[] {
    return this.#reportingChanges(() => this.#addAnchor({ kind: mark.kind, t: mark.t, source: 'mark' }));
  }

  /** Ends the stream: releases the readings the spike filter still holds and applies every pending mark. */
  finish(): RoastEvent[] {
    return this.#reportingChanges(() => {
      this.#et.flush();
      for (const step of this.#bt.flush()) this.#advance(step);
      this.#applyAnchors(Number.POSITIVE_INFINITY);
    });
  }

  setWeights(weights: BatchWeights): void {
    this.#weights = weights;
  }

  get events(): RoastEvents {
    const chargeT = this.#events.charge?.t;
    const out: { [K in RoastEventKind]?: RoastEvent } = {};
    for (const event of Object.values(this.#events)) out[event.kind] = withSinceCharge(event, chargeT);
    return out;
  }

  get phase(): RoastPhase {
    return roastPhase(this.events);
  }

  get metrics(): RoastMetrics {
    const eventTimes = Object.values(this.#events).map((e) => e.t);
    return roastMetrics({
      events: this.events,
      bt: this.#bt.curve,
      btRor: this.#bt.rates,
      now: Math.max(this.#now, ...eventTimes),
      weights: this.#weights,
      settings: this.#settings,
    });
  }

  snapshot(): RoastAnalysis {
    return {
      events: this.events,
      phase: this.phase,
      metrics: this.metrics,
      bt: [...this.#bt.curve],
      btRor: [...this.#bt.rates],
      et: [...this.#et.curve],
      etRor: [...this.#et.rates],
    };
  }

  // Reports the events a change added or replaced; a new charge changes every event's seconds since charge.
  #reportingChanges(change: () => void): RoastEvent[] {
    const before = this.#events;
    change();
    const chargeT = this.#events.charge?.t;
    return Object.values(this.#events)
      .filter((e) => e !== before[e.kind] || chargeT !== before.charge?.t)
      .map((e) => withSinceCharge(e, chargeT));
  }

  #readState(t: number, code: number): void {
    this.#stateCodesFrom = Math.min(this.#stateCodesFrom, t);
    const previous = this.#stateCode;
    this.#stateCode = code;
    // A stream that starts mid-roast has not seen the charge happen.
    if (previous === undefined) return;
    const passes = (state: number) => previous <= state && code > state;
    if (passes(CHARGE_STATE)) this.#addAnchor({ kind: 'charge', t, source: 'stateCode' });
    if (passes(ROASTING_STATE)) this.#addAnchor({ kind: 'drop', t, source: 'stateCode' });
  }

  #addAnchor(anchor: Anchor): void {
    const after = this.#anchors.findIndex((a) => a.t > anchor.t);
    const at = after === -1 ? this.#anchors.length : after;
    this.#anchors.splice(at, 0, anchor);
    if (at < this.#nextAnchor || anchor.t <= this.#at) this.#rerun();
  }

  /** Analyzes the whole timeline again from the start, keeping the events it finds unchanged. */
  #rerun(): void {
    const before = this.#events;
    this.#events = {};
    this.#nextAnchor = 0;
    this.#at = Number.NEGATIVE_INFINITY;
    for (const step of this.#steps) this.#analyze(step);
    for (const event of Object.values(this.#events)) {
      const previous = before[event.kind];
      if (previous?.t === event.t && previous.source === event.source) this.#events[event.kind] = previous;
    }
  }

  #advance(step: ChannelStep): void {
    this.#steps.push(step);
    this.#analyze(step);
  }

  #applyAnchors(until: number): void {
    for (let a = this.#anchors[this.#nextAnchor]; a !== undefined && a.t <= until; ) {
      this.#nextAnchor++;
      this.#apply(a.kind, a.t, a.source);
      a = this.#anchors[this.#nextAnchor];
    }
  }

  #analyze({ point, ror }: ChannelStep): void {
    this.#at = point.t;
    this.#applyAnchors(point.t);
    const { charge, drop } = this.#events;
    if (drop !== undefined) return;
    const inferBreaks = point.t < this.#stateCodesFrom;
    if (charge === undefined) {
      const knee = inferBreaks ? findBreak(this.#bt.curve, point.t, this.#settings.charge) : undefined;
      if (knee !== undefined) this.#apply('charge', knee.t, 'inferred');
      return;
    }
    for (const tracker of [this.#lowest, this.#dryEnd, this.#firstCrack]) tracker.see(point);
    this.#inferTurningPoint(point, charge.t);
    // Thresholds count only on the way up: the beans may be charged above them and cool through them.
    if (ror !== undefined && ror > 0) {
      this.#inferCrossing('dryEnd', this.#dryEnd);
      this.#inferCrossing('firstCrack', this.#firstCrack);
    }
    const knee = inferBreaks ? findBreak(this.#bt.curve, point.t, this.#settings.drop) : undefined;
    if (knee !== undefined && knee.t - charge.t >= this.#settings.drop.minAfterChargeS) {
      this.#apply('drop', knee.t, 'inferred');
    }
  }

  #inferTurningPoint(point: CurvePoint, chargeT: number): void {
    const lowest = this.#lowest.lowest;
    const rules = this.#settings.turningPoint;
    if (this.#events.turningPoint !== undefined || lowest === undefined) return;
    if (point.t - chargeT <= rules.minAfterChargeS || point.value < lowest.value + rules.riseC) return;
    if (lowest.value <= rules.minBt || lowest.value >= rules.maxBt) return;
    this.#apply('turningPoint', lowest.t, 'inferred');
  }

  #inferCrossing(kind: 'dryEnd' | 'firstCrack', tracker: CrossingTracker): void {
    const t = tracker.crossedAt;
    if (this.#events[kind] === undefined && t !== undefined) this.#apply(kind, t, 'inferred');
  }

  #apply(kind: RoastEventKind, t: number, source: EventSource): void {
    const existing = this.#events[kind];
    if (existing !== undefined && SOURCE_RANK[existing.source] > SOURCE_RANK[source]) return;
    const event = { kind, t, bt: valueAt(this.#bt.curve, t) ?? null, source, detectedAt: this.#now };
    this.#events = { ...this.#events, [kind]: event };
    if (kind === 'charge') this.#restartFrom(t);
  }

  // Everything inferred after charge depends on it: a new charge drops those events and looks again from
  // the new charge on, including readings that arrived before it was known (an inferred charge is
  // confirmed seconds late, a mark may come later still).
  #restartFrom(chargeT: number): void {
    const kept: DetectedEvents = {};
    for (const event of Object.values(this.#events)) {
      if (event.kind === 'charge' || event.source !== 'inferred') kept[event.kind] = event;
    }
    this.#events = kept;
    this.#trackFrom(chargeT);
  }

  #trackFrom(chargeT: number): void {
    this.#lowest = new MinimumTracker();
    this.#dryEnd = new CrossingTracker(this.#settings.dryEndBt);
    this.#firstCrack = new CrossingTracker(this.#settings.firstCrackBt);
    for (const point of window(this.#bt.curve, chargeT, this.#at)) {
      for (const tracker of [this.#lowest, this.#dryEnd, this.#firstCrack]) tracker.see(point);
    }
  }
}

function withSinceCharge(event: Detected, chargeT: number | undefined): RoastEvent {
  return { ...event, sinceChargeS: chargeT === undefined ? null : event.t - chargeT };
}

/**
 * Whole-curve analysis: runs the streaming analyzer over every sample, each mark pushed right after the
 * first sample at or past its time, then ends the stream.
 */
export function analyzeRoast(
  samples: Iterable<RoastSample>,
  options: RoastAnalyzerOptions & { readonly marks?: readonly RoastMark[] },
): RoastAnalysis {
  const analyzer = new RoastAnalyzer(options);
  const marks = [...(options.marks ?? [])].sort((a, b) => a.t - b.t);
  for (const sample of samples) {
    analyzer.push(sample);
    while (marks[0] !== undefined && marks[0].t <= sample.t) analyzer.mark(marks.shift() as RoastMark);
  }
  for (const mark of marks) analyzer.mark(mark);
  analyzer.finish();
  return analyzer.snapshot();
}
