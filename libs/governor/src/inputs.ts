import type {
  Command,
  CommandOutcome,
  CommandProposalSpec,
  RoasterSpec,
  RoasterStatus,
} from '@roast-operator/api';

/** A point in time on the operator's clock: a Date or milliseconds since the epoch. The governor never reads a clock. */
export type Instant = Date | number;

export function toMs(t: Instant): number {
  return typeof t === 'number' ? t : t.getTime();
}

/** The proposal to govern: its spec and when the API server created it. */
export interface GovernedProposal {
  readonly spec: Pick<CommandProposalSpec, 'command' | 'proposedBy' | 'ttlSeconds'>;
  /** metadata.creationTimestamp: the deadline counts from here. */
  readonly createdAt: Instant;
}

/** The parts of a Roaster the governor reads. A parsed Roaster object fits, plus what the edge reports. */
export interface GovernedRoaster {
  readonly spec: Pick<
    RoasterSpec,
    'model' | 'autonomy' | 'limits' | 'approvalPolicy' | 'circuitBreaker' | 'emergencyStop'
  >;
  /**
   * Absent before the link gateway first writes it: the roaster then counts as disconnected. Its Connected
   * condition says why a disconnected roaster is.
   */
  readonly status?: Pick<RoasterStatus, 'phase' | 'latch' | 'levels' | 'lastTelemetry' | 'conditions'>;
  /**
   * Whether the edge agent's latest heartbeat reports every local interlock clear. Unknown counts as not
   * clear. The Roaster status does not carry this yet; the link gateway knows it.
   */
  readonly edgeInterlocksClear?: boolean;
}

/**
 * The roaster's running session, which every command to the roaster counts against while it runs, whatever
 * the proposal names (a proposal that names no session, or one that does not exist, counts all the same).
 */
export interface GovernedSession {
  readonly name: string;
  /** Commands sent to the roaster since the session began, EmergencyStop and ResetLatch not counted. */
  readonly dispatched: number;
  /** Commands approved (by a human or the governor) and not sent yet, EmergencyStop and ResetLatch not counted. */
  readonly awaitingDispatch: number;
}

/** A command to this roaster that was approved (by the governor or a human), other than the one governed. */
export interface PastCommand {
  readonly command: Command;
  /** When the operator sent it to the edge; absent while it waits for dispatch. */
  readonly dispatchedAt?: Instant;
  /** True once the edge answered, whatever the outcome. */
  readonly finished: boolean;
}

/** The result the edge reported for one dispatched command. */
export interface CommandResult {
  readonly at: Instant;
  readonly outcome: CommandOutcome;
  /** True for commands of simulated or replayed sessions: they never count towards the circuit breaker. */
  readonly simulated: boolean;
}

/** Recent activity at the roaster, as the operator recorded it. */
export interface History {
  /**
   * Commands dispatched at least within the last spec.limits.minSecondsBetweenCommands, and every command
   * approved but not finished.
   */
  readonly commands: readonly PastCommand[];
  /** Results at least within the circuit breaker's window. */
  readonly results: readonly CommandResult[];
}

/** What the operator saw of humans at the roaster. */
export interface Presence {
  /** When the operator last observed a human proposal, decision or mark for this roaster, on its own clock. */
  readonly lastHumanActionAt?: Instant;
}
