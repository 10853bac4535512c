import type { R1Control, R1StateName } from '@roast-operator/r1';

// What the link hands the edge: one CommandProposal, by its UID. Level commands are absolute targets and
// presses name the state they expect, so executing a repeat can never add a step or skip a state; the
// UID store answers a repeat with the first result anyway.

export type SetLevel = {
  readonly uid: string;
  readonly kind: 'set';
  readonly control: R1Control;
  readonly target: number;
  /** Epoch milliseconds after which the target is abandoned. */
  readonly deadline: number;
  /** Epoch milliseconds: a command that has not started by then ends expired, never late. */
  readonly startBy?: number;
};

/** One press of the roaster's PRS button, valid only while the roaster is in `fromState`. */
export type Press = {
  readonly uid: string;
  readonly kind: 'press';
  readonly fromState: R1StateName;
  readonly deadline: number;
  readonly startBy?: number;
};

/** Heater to 0 and fan up, without pressing PRS; latches under `latchId` (the operator's) or a new id. */
export type EmergencyStop = {
  readonly uid: string;
  readonly kind: 'emergency-stop';
  readonly latchId?: string;
};

/** Clears one latch, when the condition that set it is gone. */
export type ResetLatch = { readonly uid: string; readonly kind: 'reset'; readonly latchId: string };

export type EdgeCommand = SetLevel | Press | EmergencyStop | ResetLatch;

/** `expired`: it could not start before its `startBy`, so it never acted. */
export type Outcome = 'succeeded' | 'failed' | 'refused' | 'expired' | 'aborted' | 'unknown';

export type CommandResult = {
  readonly uid: string;
  readonly outcome: Outcome;
  readonly message: string;
  /** From acceptance to the outcome, on the edge's clock. */
  readonly latencyMs: number;
};
