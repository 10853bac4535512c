// What to do next with one CommandProposal, decided from a consistent view of its roaster. Pure: the
// controller reads, calls `plan`, and carries the plan out with compare-and-swap writes, then plans again.
import type {
  CommandProposal,
  CommandProposalStatus,
  ProposalPhase,
  Roaster,
  RoastSession,
} from '@roast-operator/api';
import {
  type DispatchCheck,
  decide,
  effectiveAutonomy,
  isAgent,
  type Presence,
  proposalDeadline,
  type Ruling,
  recheckBeforeDispatch,
  rules,
  stopLatched,
} from '@roast-operator/governor';
import { findStatusCondition } from '@roast-operator/kube';
import {
  governedProposal,
  governedRoaster,
  governedSession,
  history,
  latchFacts,
  projectedLatch,
  stopRequest,
} from '../governing.ts';
import {
  createdAt,
  endedAt,
  isStop,
  phaseOf,
  reconcilingCondition,
  terminalProposalPhases,
} from '../objects.ts';
import { openAhead, type ProposalBounds, unbounded } from './bounds.ts';

/** Whether a link can carry commands now: none configured, configured but the roaster's stream is down, or up. */
export type LinkState = 'none' | 'down' | 'up';

/** A decision as status.governor records it: the governor's, or the operator's own check of the session. */
export type GovernorRecord = NonNullable<CommandProposalStatus['governor']>;

/** Everything `plan` may look at. */
export interface Situation {
  /** The operator's clock, ms since the epoch. */
  readonly now: number;
  /** The roaster, read from the API server; undefined when it does not exist. */
  readonly roaster: Roaster | undefined;
  /** Every proposal of the roaster, this one included, read from the API server. */
  readonly proposals: readonly CommandProposal[];
  readonly session: (name: string) => RoastSession | undefined;
  /** The roaster's sessions: when its running session began, for the per-session maximum. */
  readonly sessions: readonly RoastSession[];
  readonly presence: Presence;
  /** The admission guard was proven live by the canary. */
  readonly guardLive: boolean;
  readonly link: LinkState;
  /** How long a proposal is kept after it ended. */
  readonly retentionMs: number;
  /** How many open proposals a proposer may have, and how many ended unsent ones are kept. */
  readonly bounds: ProposalBounds;
  /** UIDs of ended proposals never sent beyond the kept number (see `retainedBeyondBound`): deleted now. */
  readonly retainedBeyond: ReadonlySet<string>;
}

/** Why an approved proposal is not sent yet. */
export type WaitReason =
  | 'Disconnected'
  | 'MinInterval'
  | 'GuardNotLive'
  | 'NoLink'
  | 'LinkDown'
  | 'RoasterNotFound';

export type Plan =
  /** Nothing to do until something changes, or until `wakeAt`. */
  | { readonly kind: 'idle'; readonly wakeAt?: number }
  /** Stay in the phase, saying why, until something changes or `wakeAt`. */
  | { readonly kind: 'wait'; readonly reason: WaitReason; readonly message: string; readonly wakeAt?: number }
  /** A phase transition. */
  | {
      readonly kind: 'move';
      readonly to: ProposalPhase;
      readonly message: string;
      readonly governor?: GovernorRecord;
      readonly selfApprovalAllowed?: boolean;
    }
  /**
   * Send the command. With `governor` it comes straight from Pending (only an EmergencyStop does), so its
   * decision is recorded with it. With `approved` (the approval's message) it comes straight from
   * AwaitingApproval: the approval and the dispatch are recorded in one write.
   */
  | {
      readonly kind: 'dispatch';
      readonly governor?: Ruling;
      readonly approved?: string;
    }
  /** Retention is over: delete the proposal. */
  | { readonly kind: 'delete' };

const idle = (wakeAt?: number): Plan => ({ kind: 'idle', ...(wakeAt !== undefined && { wakeAt }) });

const wait = (reason: WaitReason, message: string, wakeAt?: number): Plan => ({
  kind: 'wait',
  reason,
  message,
  ...(wakeAt !== undefined && { wakeAt }),
});

const move = (to: ProposalPhase, message: string, extra: Partial<Plan & { kind: 'move' }> = {}): Plan => ({
  kind: 'move',
  to,
  message,
  ...extra,
});

/** Not a governor rule: the reference is checked before the governor is asked. */
export const sessionOfAnotherRoaster = 'session.otherRoaster';

/** Not a governor rule: the proposer's open proposals are counted before the governor is asked. */
export const tooManyOpen = 'proposer.tooManyOpen';

export { endedAt, reconcilingCondition };

function retain(p: CommandProposal, s: Situation): Plan {
  if (s.retainedBeyond.has(p.metadata.uid ?? '')) return { kind: 'delete' };
  const ended = endedAt(p) ?? createdAt(p);
  const until = ended + s.retentionMs;
  return s.now >= until ? { kind: 'delete' } : idle(until);
}

/** What it waited for, for the message of a proposal that ran out of time waiting. */
function waitedFor(p: CommandProposal): string {
  const condition = findStatusCondition(p.status?.conditions, reconcilingCondition);
  return condition?.status === 'True' && condition.message ? ` It was waiting: ${condition.message}` : '';
}

function expire(p: CommandProposal, deadline: number): Plan {
  const at = new Date(deadline).toISOString();
  return move('Expired', `The deadline ${at} passed before the command was sent.${waitedFor(p)}`);
}

function roasterMissing(p: CommandProposal, s: Situation): Plan {
  const deadline = createdAt(p) + p.spec.ttlSeconds * 1000;
  const message = `Roaster ${p.spec.roasterRef.name} does not exist in namespace ${p.metadata.namespace}.`;
  return s.now >= deadline ? move('Expired', message) : wait('RoasterNotFound', message, deadline);
}

/** A refusal decided before the governor is asked, at the level the governor would have decided at. */
function refusal(p: CommandProposal, s: Situation, roaster: Roaster, rule: string, reason: string) {
  const { level } = effectiveAutonomy(
    governedRoaster(roaster, s.proposals, s.now, p),
    history(roaster, s.proposals, s.session, p),
    s.presence,
    s.now,
    p.spec.command,
  );
  return { decision: 'Deny', rule, reasons: [reason], level } satisfies GovernorRecord;
}

function otherRoastersSession(
  p: CommandProposal,
  s: Situation,
  roaster: Roaster,
): GovernorRecord | undefined {
  const name = p.spec.sessionRef?.name;
  const owner = name === undefined ? undefined : s.session(name)?.spec.roasterRef.name;
  if (owner === undefined || owner === p.spec.roasterRef.name) return undefined;
  const reason = `Session ${name} runs on Roaster ${owner}, not ${p.spec.roasterRef.name}: propose the command for the session's own roaster, or name a session of this one.`;
  return refusal(p, s, roaster, sessionOfAnotherRoaster, reason);
}

/**
 * A proposer may keep only so many proposals open on one roaster; the next is refused (Blocked) when it is
 * governed. Counted here rather than at admission: CEL cannot count objects, and a ResourceQuota on
 * proposals would refuse the creation of an EmergencyStop once a flood filled it.
 */
function beyondOpenBound(p: CommandProposal, s: Situation, roaster: Roaster): GovernorRecord | undefined {
  const ahead = openAhead(p, s.proposals, s.bounds.openPerProposer);
  if (ahead === undefined) return undefined;
  const reason = `${p.spec.proposedBy} already has ${ahead} open proposals for Roaster ${p.spec.roasterRef.name}, the most one proposer may have open at once: wait until some are decided, sent or expired, then propose again. (EmergencyStop and ResetLatch are never refused by this bound.)`;
  return refusal(p, s, roaster, tooManyOpen, reason);
}

const decided = (ruling: GovernorRecord) => (ruling.reasons ?? []).join(' ');

function govern(p: CommandProposal, s: Situation, roaster: Roaster): Plan {
  const refused = beyondOpenBound(p, s, roaster) ?? otherRoastersSession(p, s, roaster);
  if (refused) return move('Blocked', decided(refused), { governor: refused });
  const ruling = decide(
    governedProposal(p),
    governedRoaster(roaster, s.proposals, s.now, p),
    governedSession(p, roaster, s.proposals, s.sessions),
    history(roaster, s.proposals, s.session, p),
    s.presence,
    s.now,
  );
  if (ruling.decision === 'Deny') {
    return move(ruling.rule === rules.deadline ? 'Expired' : 'Blocked', decided(ruling), {
      governor: ruling,
    });
  }
  if (ruling.decision === 'RequireApproval') {
    return move('AwaitingApproval', decided(ruling), {
      governor: ruling,
      selfApprovalAllowed: roaster.spec.approvalPolicy.allowSelfApprovalForHumans,
    });
  }
  if (isStop(p.spec.command) && s.link === 'up') return { kind: 'dispatch', governor: ruling };
  return move('Approved', decided(ruling), { governor: ruling });
}

function recheck(p: CommandProposal, s: Situation, roaster: Roaster): DispatchCheck {
  return recheckBeforeDispatch(
    governedProposal(p),
    governedRoaster(roaster, s.proposals, s.now, p),
    governedSession(p, roaster, s.proposals, s.sessions),
    history(roaster, s.proposals, s.session, p),
    s.now,
  );
}

function awaitDecision(p: CommandProposal, s: Situation, roaster: Roaster): Plan {
  const approval = p.spec.approval;
  if (approval !== undefined) {
    const by = `${approval.approver}${approval.reason ? `: ${approval.reason}` : '.'}`;
    if (approval.decision === 'Rejected') return move('Rejected', `Rejected by ${by}`);
    // Nothing to wait for: one write records the approval and the dispatch (still before the send), so an
    // approved command reaches the roaster one API round trip sooner.
    const next = beforeDispatch(p, s, roaster);
    const approved = `Approved by ${by}`;
    return next.kind === 'dispatch' ? { ...next, approved } : move('Approved', approved);
  }
  // While it waits for a person, the roaster may move on so that no approval could let it go any more.
  const check = recheck(p, s, roaster);
  const deadline = proposalDeadline(governedProposal(p), roaster);
  if (check.action === 'Expire') return expire(p, deadline);
  if (check.action === 'Abort') return move('Aborted', check.reasons.join(' '));
  return idle(deadline);
}

// The governor's recheck waits on these two rules only: a dropped link and the pacing between commands.
const waitReasonOf: Partial<Record<string, WaitReason>> = {
  [rules.disconnected]: 'Disconnected',
  [rules.minInterval]: 'MinInterval',
};

/** The dispatcher's authority: a human's approval or the governor's own recorded Allow — never the phase alone. */
function authorized(p: CommandProposal): boolean {
  return p.spec.approval?.decision === 'Approved' || p.status?.governor?.decision === 'Allow';
}

function beforeDispatch(p: CommandProposal, s: Situation, roaster: Roaster): Plan {
  if (!authorized(p)) {
    return move(
      'Aborted',
      'Approved without an approval in spec.approval or a governor Allow in status: nothing authorizes dispatch.',
    );
  }
  const deadline = proposalDeadline(governedProposal(p), roaster);
  const check = recheck(p, s, roaster);
  // An EmergencyStop passes every recheck, the deadline included; it still cannot wait forever.
  if (check.action === 'Expire' || s.now >= deadline) return expire(p, deadline);
  if (check.action === 'Abort') return move('Aborted', check.reasons.join(' '));
  if (check.action === 'Wait') {
    const wakeAt = Math.min(check.notBefore ?? deadline, deadline);
    return wait(waitReasonOf[check.rule] ?? 'Disconnected', check.reasons.join(' '), wakeAt);
  }
  // A stop only acts in the safe direction: refusing it because the guard is down would trade safety for
  // a security check that cannot make a stop less safe.
  if (!s.guardLive && !isStop(p.spec.command)) {
    return wait(
      'GuardNotLive',
      'The admission guard is not proven live (see the operator’s readiness): nothing is dispatched until it is.',
      deadline,
    );
  }
  if (s.link === 'none') {
    return wait(
      'NoLink',
      'No link to edge agents runs in this operator: the command cannot be sent.',
      deadline,
    );
  }
  if (s.link === 'down') {
    return wait('LinkDown', "The roaster's edge agent has no stream to the operator right now.", deadline);
  }
  return { kind: 'dispatch' };
}

function awaitResult(p: CommandProposal): Plan {
  const result = p.status?.result;
  if (result === undefined) return idle();
  const message = `${result.outcome} on the roaster${result.message ? `: ${result.message}` : '.'}`;
  return move(result.outcome === 'Succeeded' ? 'Succeeded' : 'Failed', message);
}

/**
 * An EmergencyStop ends only once the roaster's latch holds it (or a reset dealt with it): until then the
 * stop is what keeps the roaster latched.
 */
function heldForLatch(p: CommandProposal, s: Situation, next: Plan): Plan {
  if (
    !isStop(p.spec.command) ||
    next.kind !== 'move' ||
    !terminalProposalPhases.has(next.to) ||
    s.roaster === undefined
  )
    return next;
  const facts = latchFacts(s.roaster, s.proposals);
  return stopLatched(stopRequest(p), s.roaster.status?.latch, facts) ? next : idle();
}

function planActive(p: CommandProposal, s: Situation, roaster: Roaster): Plan {
  switch (phaseOf(p)) {
    case 'Pending':
      return govern(p, s, roaster);
    case 'AwaitingApproval':
      return awaitDecision(p, s, roaster);
    case 'Approved':
      return beforeDispatch(p, s, roaster);
    default:
      return awaitResult(p);
  }
}

/** The next step for one proposal. */
export function plan(p: CommandProposal, s: Situation): Plan {
  if (p.metadata.deletionTimestamp !== undefined) return idle();
  if (terminalProposalPhases.has(phaseOf(p))) return retain(p, s);
  if (s.roaster === undefined) return roasterMissing(p, s);
  return heldForLatch(p, s, planActive(p, s, s.roaster));
}

/**
 * The steps that end or delete a proposal whatever the roaster's other proposals do — its retention is
 * over, its deadline passed while it waited for a person or for dispatch, a stop latched the roaster
 * while it waited to be governed or for a person, or its proposer has too many open — so a reconcile takes all of
 * these together, a bounded number of writes at once, rather than one after another on the roaster's key.
 * Each is the step `plan` would take. Left out: what depends on the proposals before it (governing,
 * dispatching), and stops and resets.
 */
export function bulkSteps(s: Situation): { proposal: CommandProposal; step: Plan }[] {
  // Whether a stop latched the roaster: the same for every proposal here (none of them is a stop or a reset).
  const latched = s.roaster !== undefined && projectedLatch(s.roaster, s.proposals, s.now) !== undefined;
  return s.proposals.flatMap((proposal) => {
    const step = bulkStep(proposal, s, latched);
    return step === undefined ? [] : [{ proposal, step }];
  });
}

function bulkStep(p: CommandProposal, s: Situation, latched: boolean): Plan | undefined {
  if (p.metadata.deletionTimestamp !== undefined) return undefined;
  if (terminalProposalPhases.has(phaseOf(p))) {
    const kept = retain(p, s);
    return kept.kind === 'delete' ? kept : undefined;
  }
  if (s.roaster === undefined || unbounded(p)) return undefined;
  const phase = phaseOf(p);
  const deadline = proposalDeadline(governedProposal(p), s.roaster);
  if (phase === 'Pending') {
    const refused = beyondOpenBound(p, s, s.roaster);
    if (refused) return move('Blocked', decided(refused), { governor: refused });
    // The deadline is the governor's first rule, and a latch denies every command but a stop or a reset
    // before any rule that reads other proposals: either way governing ends it, whatever came before it.
    return s.now >= deadline || latched ? govern(p, s, s.roaster) : undefined;
  }
  if (phase === 'AwaitingApproval' && p.spec.approval === undefined) {
    if (s.now >= deadline) return expire(p, deadline);
    // Latched, the recheck while it waits for a person aborts it.
    const next = latched ? awaitDecision(p, s, s.roaster) : idle();
    return next.kind === 'move' ? next : undefined;
  }
  return phase === 'Approved' && authorized(p) && s.now >= deadline ? expire(p, deadline) : undefined;
}

/**
 * Whether governing this proposal counts as a human seen at the roaster: a human's proposal not yet governed
 * and within its time to live, so a restart does not turn an old proposal into fresh presence.
 */
export function humanProposal(p: CommandProposal, now: number): boolean {
  return (
    phaseOf(p) === 'Pending' && !isAgent(p.spec.proposedBy) && now - createdAt(p) <= p.spec.ttlSeconds * 1000
  );
}
