// What the RoastSession controller decides, as pure functions of what it read: which session is a roaster's
// active one, the phase a session is in, which events to record, when numbers are due, when an ended
// session goes. The controller feeds the analyzer, calls these, and writes what they return.
import {
  type CommandProposal,
  type DeviceState,
  type Mark,
  type RoastSession,
  type RoastSessionStatus,
  type SessionPhase,
  sessionLifecycle,
} from '@roast-operator/api';
import { type Condition, findStatusCondition, readyAndReconciling } from '@roast-operator/kube';
import type { Sample } from '@roast-operator/proto';
import type {
  MarkKind,
  RoastEvent,
  RoastEventKind,
  RoastEvents,
  RoastMetrics,
  RoastPhase,
  RoastSample,
} from '@roast-operator/roast';
import type { SessionCounts } from '@roast-operator/store';
import { byCreation, createdAt, endedAt, reconcilingCondition } from '../objects.ts';

export type StatusEvents = NonNullable<RoastSessionStatus['events']>;
export type StatusEvent = NonNullable<StatusEvents[RoastEventKind]>;
export type StatusMetrics = NonNullable<RoastSessionStatus['metrics']>;
export type CommandCounts = NonNullable<RoastSessionStatus['commands']>;

/** Phases a session never leaves. */
export const terminalSessionPhases: ReadonlySet<SessionPhase> = new Set(['Completed', 'Aborted', 'Failed']);

export const sessionPhaseOf = (s: RoastSession): SessionPhase => s.status?.phase ?? 'Pending';
export const isTerminalSession = (s: RoastSession): boolean => terminalSessionPhases.has(sessionPhaseOf(s));

/** Numbers reach the API at most this often; events and phases go at once. */
export const metricsIntervalMs = 5000;

/**
 * An operator-created session's telemetry window opens this long (on the sample clock) before the charge,
 * so the curve leading into the charge — and the state change that marks it — is part of the session.
 */
export const preChargeMs = 30_000;

/** Labels and annotations the operator puts on sessions. */
export const roasterLabel = 'roasting.simcorp.io/roaster';
export const createdByAnnotation = 'roasting.simcorp.io/created-by';
export const operatorCreator = 'roast-operator';

// --- Which session runs --------------------------------------------------------------------------------

const startedPhases: ReadonlySet<SessionPhase> = new Set(
  sessionLifecycle.slice(sessionLifecycle.indexOf('Charged')),
);

/** The roast began: the beans went in (a session never gives the roaster up after that until it ends). */
export const sessionStarted = (s: RoastSession): boolean =>
  s.status?.events?.charge !== undefined || startedPhases.has(sessionPhaseOf(s));

/**
 * A person at the roaster chose the session for the next roast: it carries a `present` mark. Only people
 * may add one (admission refuses it from service accounts), so an agent cannot claim the roaster this way.
 */
export const sessionClaimed = (s: RoastSession): boolean =>
  (s.spec.marks ?? []).some((m) => m.type === 'present');

/**
 * Which session takes the roaster, first to last: one whose roast has begun (it runs to its end); then
 * sessions a person at the roaster claimed with a `present` mark; then the rest; each group oldest first.
 * So a session planned by anyone (an agent included) that sits idle holds the roaster only until a person
 * marks present on another one: it never takes that person's roast.
 */
function precedence(s: RoastSession): number {
  if (sessionStarted(s)) return 0;
  return sessionClaimed(s) ? 1 : 2;
}

/** The Reconciling reason of a session waiting for the roaster's active one. */
export const queuedReason = 'Queued';

export const sessionQueued = (s: RoastSession): boolean =>
  findStatusCondition(s.status?.conditions, reconcilingCondition)?.reason === queuedReason;

/**
 * Whether a session about to run starts a fresh telemetry window: one that waited and never began its
 * roast — it may have run for a while before a claimed session took the roaster, and that window was closed
 * then — rather than one followed again after a restart.
 */
export const freshWindow = (s: RoastSession): boolean => sessionQueued(s) && !sessionStarted(s);

/**
 * The roaster's active session: of those that have not ended and are not being deleted, the first by
 * `precedence`. The others wait for it to end (or, before its roast begins, to be claimed over).
 */
export function activeSession(sessions: readonly RoastSession[]): RoastSession | undefined {
  return sessions
    .filter((s) => !isTerminalSession(s) && s.metadata.deletionTimestamp == null)
    .sort((a, b) => precedence(a) - precedence(b) || byCreation(a, b))[0];
}

/**
 * A readable name for a session the operator opens, from the charge time on the sample clock:
 * `<roaster>-<yyyymmdd-hhmmss>`. The same charge gives the same name, so a create repeated after a restart
 * finds the session already there instead of opening a second one.
 */
export function sessionName(roaster: string, chargeMs: number): string {
  const stamp = new Date(chargeMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  // A name is at most 253 characters; the stamp and its dash take 16.
  return `${roaster.slice(0, 253 - 16).replace(/[-.]+$/, '')}-${stamp}`;
}

// --- Samples -------------------------------------------------------------------------------------------

/** The channel a roaster's bean temperature is read on for the analysis. */
export type BeanChannel = 'ibts' | 'probe';

/**
 * The IBTS infrared channel where the roaster has one (the first-crack default of 186 °C is the R1's IBTS
 * median), else the bean probe. A replay is read on its probe: it plays the recording's BT there and its ET
 * in the IBTS bytes (where Artisan logs an R1's), and the shared recordings' ET is an environment reading.
 */
export const beanChannelOf = (model: string): BeanChannel => (model === 'Replay' ? 'probe' : 'ibts');

/**
 * A stored sample as the analyzer reads it: seconds on the sample clock, the bean reading on the roaster's
 * bean channel, the exhaust as environment temperature, and the state code (charge and drop). A missing
 * reading is NaN, which the analyzer skips as a dropout.
 */
export function roastSample(s: Sample, channel: BeanChannel): RoastSample {
  const bean = channel === 'probe' ? s.beanTemp : (s.ibtsTemp ?? s.beanTemp);
  return {
    t: s.timeMs / 1000,
    bt: bean ?? Number.NaN,
    ...(s.exhaustTemp !== undefined && { et: s.exhaustTemp }),
    stateCode: s.stateCode,
  };
}

// --- Phase ---------------------------------------------------------------------------------------------

export interface PhaseInput {
  /** The phase the session's status shows now. */
  readonly current: SessionPhase;
  /** Whether the session is the roaster's active one (only the active one follows the roaster). */
  readonly active: boolean;
  /** The analyzer's view: events found and its roast phase. */
  readonly events: RoastEvents;
  readonly roast: RoastPhase;
  /** The roaster's state by its latest sample's state code; undefined before any sample. */
  readonly state: DeviceState | 'Fault' | undefined;
  /** The Roaster holds an emergency-stop latch. */
  readonly latched: boolean;
}

export interface PhaseDecision {
  readonly phase: SessionPhase;
  /** Why, for the condition and the Event. */
  readonly message: string;
}

const order = sessionLifecycle;

const roastPhases: Readonly<Partial<Record<RoastPhase, SessionPhase>>> = {
  drying: 'Drying',
  maillard: 'Maillard',
  development: 'Development',
};

const ready = new Set<DeviceState | 'Fault' | undefined>(['Preheating', 'ReadyToCharge']);
const switchedOff = new Set<DeviceState | 'Fault' | undefined>(['Off', 'Shutdown']);

/**
 * The phase of a session from what the analyzer found and the roaster's state:
 * - before charge: Preheating while the roaster preheats or waits for beans, Pending otherwise;
 * - Charged from the charge until the turning point, then the analyzer's Drying, Maillard and Development;
 * - Dropped once a drop is found while the roaster still reports roasting (an inferred drop), Cooling while
 *   it cools after charge (an R1 drop is its move from roasting to cooling), Completed when it leaves cooling;
 * - Aborted when the roaster is switched off or an emergency stop latches after charge and before drop;
 *   Failed when it reports a state it does not define (Fault) before the roast completed.
 * The roast never goes back: after charge a phase only moves forward (an analyzer re-run that withdraws
 * an inferred event does not undo a phase already shown). Ended phases never change.
 */
export function sessionPhase(i: PhaseInput): PhaseDecision {
  if (terminalSessionPhases.has(i.current)) return { phase: i.current, message: 'The session has ended.' };
  const next = nextPhase(i);
  const charged = order.indexOf('Charged');
  const at = order.indexOf(i.current);
  // Before charge the roaster may go back and forth between preheating and off.
  if (at >= charged && !terminalSessionPhases.has(next.phase) && order.indexOf(next.phase) < at)
    return { phase: i.current, message: next.message };
  return next;
}

function nextPhase(i: PhaseInput): PhaseDecision {
  if (!i.active) return { phase: 'Pending', message: 'Waiting for the roaster’s running session to end.' };
  const { charge, drop, turningPoint } = i.events;
  const chargedBefore = order.indexOf(i.current) >= order.indexOf('Charged');
  if (charge === undefined && !chargedBefore) {
    return ready.has(i.state)
      ? { phase: 'Preheating', message: 'The roaster is preheating or ready for the beans.' }
      : { phase: 'Pending', message: 'Waiting for the roaster to preheat and charge.' };
  }
  if (i.state === 'Fault')
    return { phase: 'Failed', message: 'The roaster reported a state it does not define.' };
  const cooling = i.state === 'Cooling';
  if (drop === undefined && !cooling && !['Dropped', 'Cooling'].includes(i.current)) {
    if (switchedOff.has(i.state))
      return { phase: 'Aborted', message: `The roaster went ${i.state} before the beans were dropped.` };
    if (i.latched)
      return { phase: 'Aborted', message: 'An emergency stop latched before the beans were dropped.' };
    if (turningPoint === undefined && i.roast === 'drying')
      return { phase: 'Charged', message: 'Beans charged; waiting for the turning point.' };
    const phase = roastPhases[i.roast] ?? 'Charged';
    return { phase, message: roastMessages[phase] ?? 'Roasting.' };
  }
  if (cooling) return { phase: 'Cooling', message: 'Beans dropped; the roaster is cooling them.' };
  if (i.state === 'Roasting') return { phase: 'Dropped', message: 'Beans dropped.' };
  return { phase: 'Completed', message: `Cooling ended (the roaster is ${i.state ?? 'silent'}).` };
}

const roastMessages: Partial<Record<SessionPhase, string>> = {
  Drying: 'Past the turning point; drying.',
  Maillard: 'Dry end passed; Maillard phase.',
  Development: 'First crack passed; development.',
};

// --- Events --------------------------------------------------------------------------------------------

const sources = { stateCode: 'StateCode', inferred: 'Inferred', mark: 'Mark' } as const;
const rank: Readonly<Record<StatusEvent['source'], number>> = { Inferred: 0, Mark: 1, StateCode: 2 };

const tenth = (x: number) => Math.round(x * 10) / 10;

/** An analyzer event as status records it: sample-clock time, seconds since charge, BT, how it was found. */
export function statusEvent(e: RoastEvent): StatusEvent {
  return {
    time: new Date(Math.round(e.t * 1000)).toISOString(),
    secondsSinceCharge: Math.max(0, tenth(e.sinceChargeS ?? 0)),
    ...(e.bt !== null && { beanTemperatureCelsius: tenth(e.bt) }),
    source: sources[e.source],
  };
}

/**
 * The events to record: what status holds, plus what the analyzer found that is new, or found by a
 * stronger source (the roaster's state over a mark over inference), or a mark made again later. An event
 * already recorded is never rewritten with other values otherwise — a rebuilt analyzer after a restart
 * finds the same events, and must not move them. Nothing is recorded before a charge is known.
 */
export function mergeEvents(
  recorded: StatusEvents | undefined,
  found: RoastEvents,
): { events: StatusEvents; changed: RoastEventKind[] } {
  const events: StatusEvents = { ...recorded };
  const changed: RoastEventKind[] = [];
  if (found.charge === undefined) return { events, changed };
  for (const e of Object.values(found)) {
    const next = statusEvent(e);
    const was = events[e.kind];
    const replaces =
      was === undefined ||
      rank[next.source] > rank[was.source] ||
      (next.source === 'Mark' && was.source === 'Mark' && Date.parse(next.time) > Date.parse(was.time));
    if (!replaces) continue;
    events[e.kind] = next;
    changed.push(e.kind);
  }
  return { events, changed };
}

// --- Marks ---------------------------------------------------------------------------------------------

/** Marks that are roast events the analyzer places; the others (present, note, …) are not events. */
const markKinds: Readonly<Partial<Record<Mark['type'], MarkKind>>> = {
  dryEnd: 'dryEnd',
  firstCrack: 'firstCrack',
};

export interface NewMark {
  readonly index: number;
  readonly kind: MarkKind;
}

/** Marks appended since `seen` (marks are append-only) that are roast events. */
export function newMarks(marks: readonly Mark[] | undefined, seen: number): NewMark[] {
  return (marks ?? []).slice(seen).flatMap((m, i) => {
    const kind = markKinds[m.type];
    return kind === undefined ? [] : [{ index: seen + i, kind }];
  });
}

/**
 * Marks recorded in status, to apply again to a rebuilt analyzer at the times the operator observed them.
 * Marks carry no time of their own, so status is their only record.
 */
export function recordedMarks(events: StatusEvents | undefined): { kind: MarkKind; t: number }[] {
  return Object.entries(events ?? {}).flatMap(([kind, e]) =>
    e?.source === 'Mark' && Object.values(markKinds).includes(kind as MarkKind)
      ? [{ kind: kind as MarkKind, t: Date.parse(e.time) / 1000 }]
      : [],
  );
}

/**
 * How many of the spec's marks a rebuilt analyzer has already seen: every mark up to the last one whose
 * kind status records as a Mark event. Marks after it came while no operator was looking and are new.
 */
export function marksSeen(marks: readonly Mark[] | undefined, events: StatusEvents | undefined): number {
  const recorded = new Set(recordedMarks(events).map((m) => m.kind));
  const list = marks ?? [];
  for (let i = list.length - 1; i >= 0; i--) {
    const kind = markKinds[list[i]!.type];
    if (kind !== undefined && recorded.has(kind)) return i + 1;
  }
  return 0;
}

// --- Numbers -------------------------------------------------------------------------------------------

/**
 * 1 − weightOutGrams / profile.batchGrams, in %, once both are known. The roasted weight is usually entered
 * after cooling, so this is kept up to date on ended sessions too.
 */
export function weightLossPercent(s: RoastSession): number | undefined {
  const green = s.spec.profile?.batchGrams;
  const roasted = s.spec.weightOutGrams;
  if (green === undefined || roasted === undefined || !(green > 0)) return undefined;
  return Math.min(100, Math.max(0, tenth((1 - roasted / green) * 100)));
}

/**
 * The metrics status shows, from the analyzer's and the store's figures and the session's weights.
 * pointsDropped is the samples lost, not the batches they were in: what pointsStored is missing.
 */
export function statusMetrics(
  m: RoastMetrics,
  counts: SessionCounts | undefined,
  weightLoss: number | undefined,
): StatusMetrics {
  const num = (x: number | null | undefined, min = Number.NEGATIVE_INFINITY) =>
    x === null || x === undefined || !Number.isFinite(x) ? undefined : Math.max(min, tenth(x));
  const fields: StatusMetrics = {
    totalSeconds: num(m.totalS, 0),
    developmentSeconds: num(m.developmentS, 0),
    developmentRatioPercent: num(m.dtrPercent === null ? null : Math.min(100, m.dtrPercent), 0),
    maxRateOfRiseCelsiusPerMinute: num(m.maxRor?.ror),
    finalBeanTemperatureCelsius: num(m.finalBt),
    weightLossPercent: weightLoss,
    ...(counts && { pointsStored: counts.pointsStored, pointsDropped: counts.pointsDropped }),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as StatusMetrics;
}

/** Counts of the proposals naming the session. */
export function commandCounts(proposals: readonly CommandProposal[]): CommandCounts {
  const phase = (p: CommandProposal) => p.status?.phase ?? 'Pending';
  return {
    proposed: proposals.length,
    succeeded: proposals.filter((p) => phase(p) === 'Succeeded').length,
    failed: proposals.filter((p) => phase(p) === 'Failed').length,
    blocked: proposals.filter((p) => phase(p) === 'Blocked').length,
  };
}

export interface WriteInput {
  /** A phase, event, source or count changed, or the session ended: written at once. */
  readonly urgent: boolean;
  /** Samples arrived since the numbers were last written. */
  readonly newData: boolean;
  /** When the numbers were last written, on the operator's clock (0: never). */
  readonly metricsWrittenAt: number;
  readonly now: number;
}

export type WriteDecision = { readonly write: true } | { readonly write: false; readonly wakeAt?: number };

/** Events and phases are written at once (with the numbers as they are then); numbers alone every 5 s. */
export function writeDecision(i: WriteInput): WriteDecision {
  if (i.urgent) return { write: true };
  if (!i.newData) return { write: false };
  const due = i.metricsWrittenAt + metricsIntervalMs;
  return i.now >= due ? { write: true } : { write: false, wakeAt: due };
}

// --- Conditions and retention --------------------------------------------------------------------------

/** Ready and Reconciling as the schema describes them, with observedGeneration. */
export function sessionConditions(
  s: RoastSession,
  phase: SessionPhase,
  message: string,
  reason: string,
  now: Date,
): Condition[] {
  return readyAndReconciling(
    s.status?.conditions,
    {
      ready: phase === 'Completed',
      readyReason: phase,
      reconciling: !terminalSessionPhases.has(phase),
      reconcilingReason: reason,
      message,
      observedGeneration: s.metadata.generation,
    },
    now,
  );
}

/** Whether an ended session's retention is over, or when it will be. */
export function retention(
  s: RoastSession,
  now: number,
  retentionMs: number,
): { readonly delete: boolean; readonly wakeAt?: number } {
  const until = (endedAt(s) ?? createdAt(s)) + retentionMs;
  return now >= until ? { delete: true } : { delete: false, wakeAt: until };
}
