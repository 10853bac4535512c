// A proposal's status as each step leaves it: phase, decision, conditions, and the Event that announces it.
import type { CommandProposal, CommandProposalStatus, ProposalPhase } from '@roast-operator/api';
import { type Condition, type EventInput, readyAndReconciling } from '@roast-operator/kube';
import { phaseOf, terminalProposalPhases } from '../objects.ts';
import { type GovernorRecord, reconcilingCondition, type WaitReason } from './plan.ts';

export type StatusPatch = Partial<CommandProposalStatus>;

/** What Reconciling says while a proposal is in an active phase and not held up. */
const activeReason: Partial<Record<ProposalPhase, string>> = {
  Pending: 'Governing',
  AwaitingApproval: 'AwaitingApproval',
  Approved: 'Dispatching',
  Dispatched: 'AwaitingResult',
};

/** Ends someone should look into; a person's rejection is not one. */
const warningPhases: ReadonlySet<ProposalPhase> = new Set(['Blocked', 'Failed', 'Expired', 'Aborted']);

function conditions(
  p: CommandProposal,
  phase: ProposalPhase,
  message: string,
  waiting: WaitReason | undefined,
  now: Date,
): Condition[] {
  return readyAndReconciling(
    p.status?.conditions,
    {
      ready: phase === 'Succeeded',
      readyReason: phase,
      reconciling: !terminalProposalPhases.has(phase),
      reconcilingReason: waiting ?? activeReason[phase] ?? phase,
      message,
      observedGeneration: p.metadata.generation,
    },
    now,
  );
}

export interface Transition {
  readonly to: ProposalPhase;
  readonly message: string;
  readonly governor?: GovernorRecord;
  readonly selfApprovalAllowed?: boolean;
  readonly expiresAt?: number;
  readonly dispatch?: CommandProposalStatus['dispatch'];
}

/** The status a transition writes. */
export function transitionStatus(p: CommandProposal, t: Transition, now: Date): StatusPatch {
  return {
    phase: t.to,
    ...(p.metadata.generation !== undefined && { observedGeneration: p.metadata.generation }),
    ...(t.governor && { governor: t.governor }),
    // Snapshotted as the wait begins, so a later change in Git applies to later proposals only.
    ...(t.selfApprovalAllowed !== undefined && {
      approvalPolicy: { selfApprovalAllowed: t.selfApprovalAllowed },
    }),
    ...(t.expiresAt !== undefined && { expiresAt: new Date(t.expiresAt).toISOString() }),
    ...(t.dispatch && { dispatch: t.dispatch }),
    conditions: conditions(p, t.to, t.message, undefined, now),
  };
}

/** The status that says what an active proposal waits for; undefined when it already says so. */
export function waitingStatus(
  p: CommandProposal,
  reason: WaitReason,
  message: string,
  now: Date,
): StatusPatch | undefined {
  const current = p.status?.conditions?.find((c) => c.type === reconcilingCondition);
  if (current?.status === 'True' && current.reason === reason && current.message === message)
    return undefined;
  const phase = phaseOf(p);
  return { phase, conditions: conditions(p, phase, message, reason, now) };
}

const actionFrom: Partial<Record<ProposalPhase, string>> = {
  Pending: 'Govern',
  AwaitingApproval: 'Decide',
  Approved: 'Dispatch',
  Dispatched: 'Complete',
};

/** The Event announcing a transition, on the proposal. */
export function transitionEvent(from: ProposalPhase, t: Transition): EventInput {
  const rule = t.governor ? ` [${t.governor.decision} ${t.governor.rule} at ${t.governor.level}]` : '';
  return {
    type: warningPhases.has(t.to) ? 'Warning' : 'Normal',
    reason: t.to,
    action: actionFrom[from] ?? 'Retain',
    note: `${from} → ${t.to}${rule}: ${t.message}`,
  };
}

/** At L5 an agent's command goes without a human: the people watching the roaster hear of it (on the Roaster). */
export function autonomousEvent(p: CommandProposal, t: Transition): EventInput {
  return {
    type: 'Normal',
    reason: 'AutonomousCommand',
    action: 'Govern',
    note: `${p.spec.proposedBy}'s ${p.spec.command.type} (${p.metadata.name}) was approved automatically: ${t.message}`,
    related: p,
  };
}
