// One step of a running session, as a pure function: from the session, what the analyzer found, the
// roaster's state and the commands counted, the status to write now (or when to look again) and the
// phase transition it makes. The controller reads, calls this, and writes.
import type { RoastSession, RoastSessionStatus, SessionPhase, SessionSource } from '@roast-operator/api';
import { findStatusCondition } from '@roast-operator/kube';
import type { RoastEventKind, RoastEvents } from '@roast-operator/roast';
import { reconcilingCondition } from '../objects.ts';
import {
  type CommandCounts,
  mergeEvents,
  type PhaseDecision,
  sessionConditions,
  sessionPhaseOf,
  terminalSessionPhases,
  writeDecision,
} from './plan.ts';

export interface SessionSituation {
  readonly session: RoastSession;
  /** The phase the session moves to (sessionPhase of the analyzer's view). */
  readonly next: PhaseDecision;
  /** What the analyzer found, after a terminal phase finished it. */
  readonly events: RoastEvents;
  readonly counts: CommandCounts;
  /** Where the data comes from, by the stream's hello; undefined before one was seen. */
  readonly source: SessionSource | undefined;
  /** Samples arrived since the numbers were last written. */
  readonly newData: boolean;
  readonly metricsWrittenAt: number;
  readonly now: number;
}

export type SessionStep =
  | { readonly write: false; readonly wakeAt?: number }
  | {
      readonly write: true;
      /** The status to write; the numbers (metrics) are added by the caller when `charged`. */
      readonly status: Partial<RoastSessionStatus>;
      readonly charged: boolean;
      /** Events found since the status was written. */
      readonly changed: readonly RoastEventKind[];
      /** The phase it leaves, when it moves. */
      readonly from?: SessionPhase;
      /** The session ends with this write. */
      readonly terminal: boolean;
    };

/** Whether two command counts are the same. */
export const sameCounts = (a: CommandCounts, b: CommandCounts | undefined) =>
  (Object.keys(a) as (keyof CommandCounts)[]).every((k) => a[k] === b?.[k]);

export function sessionStep(s: SessionSituation): SessionStep {
  const { session, next } = s;
  const current = sessionPhaseOf(session);
  // A followed session has not ended, so a terminal phase is its end.
  const terminal = terminalSessionPhases.has(next.phase);
  const { events, changed } = mergeEvents(session.status?.events, s.events);
  const source = session.status?.source ?? s.source;
  const charged = events.charge !== undefined;
  const reason = terminal ? next.phase : charged ? 'Roasting' : 'WaitingForCharge';
  const urgent =
    next.phase !== current ||
    changed.length > 0 ||
    findStatusCondition(session.status?.conditions, reconcilingCondition)?.reason !== reason ||
    !sameCounts(s.counts, session.status?.commands) ||
    (source !== undefined && session.status?.source === undefined);
  // Before the charge there are no numbers to keep up to date.
  const decision = writeDecision({
    urgent,
    newData: s.newData && charged,
    metricsWrittenAt: s.metricsWrittenAt,
    now: s.now,
  });
  if (!decision.write) return decision;
  const generation = session.metadata.generation;
  const status: Partial<RoastSessionStatus> = {
    phase: next.phase,
    ...(charged && { events }),
    commands: s.counts,
    ...(source && { source }),
    ...(generation !== undefined && { observedGeneration: generation }),
    conditions: sessionConditions(session, next.phase, next.message, reason, new Date(s.now)),
  };
  return {
    write: true,
    status,
    charged,
    changed,
    terminal,
    ...(next.phase !== current && { from: current }),
  };
}
