// The contract between the CommandProposal controller and the link that carries commands to edge agents.
// The controller decides when a command may go and records it; the link only carries it and reports back.
import type { Command } from '@roast-operator/api';

/** A roaster as the link knows it: the edge agent's hello names its namespace, name and UID. */
export interface RoasterRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

export interface DispatchRequest {
  readonly roaster: RoasterRef;
  /** The proposal, for logs and for writing its result. */
  readonly proposal: { readonly namespace: string; readonly name: string };
  /**
   * The CommandProposal's UID. The edge persists UID → result and answers a repeat with its first result,
   * so a command sent twice acts once.
   */
  readonly proposalUid: string;
  /** An absolute target or a press: sending it again never moves the roaster twice. */
  readonly command: Command;
  /**
   * The proposal's deadline. The link sends what is left of it, relative, so the edge drops a command it
   * cannot start in time without comparing clocks.
   */
  readonly deadline: Date;
}

/** The link has the command: it was written to the edge's stream. Its result comes later. */
export interface DispatchReceipt {
  readonly sentAt: Date;
  /** The node and pod of the edge agent it went to. */
  readonly node?: string;
  readonly pod?: string;
}

/**
 * Thrown by `dispatch` when the command certainly never left (no stream, or the stream closed before the
 * write). Any other failure means it may have reached the edge.
 */
export class NotSent extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotSent';
  }
}

/**
 * Carries commands to edge agents, effectively exactly once:
 * - The controller records `Dispatched` on the proposal with a compare-and-swap on its resourceVersion
 *   before calling `dispatch`, so of two writers (a stale cache, a second operator) only the one whose
 *   write won ever sends; a crash after the record and before the send leaves a proposal Dispatched with no
 *   result, which the link resolves by asking the edge about the UID, never by sending again.
 * - EmergencyStop is the exception: it is sent first and recorded after, since it is absolute, idempotent
 *   and only acts in the safe direction — a delay for the write would be the only harm.
 * - `dispatch` sends once and never retries on its own. It resolves when the edge's stream has the command
 *   and rejects with `NotSent` when it certainly did not leave; the controller then records the outcome
 *   (Failed for NotSent, Unknown otherwise) instead of sending again.
 * - The edge's answer arrives later: the link writes it to the proposal's `status.result` (outcome, message,
 *   latency, time), write-once, with a compare-and-swap status patch; the controller then ends the proposal
 *   Succeeded or Failed, and the circuit breaker counts it.
 */
export interface Dispatcher {
  /** Whether the roaster's edge agent holds a live stream to this process now. */
  isConnected(roaster: RoasterRef): boolean;
  dispatch(request: DispatchRequest, signal: AbortSignal): Promise<DispatchReceipt>;
}
