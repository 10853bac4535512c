// The earlier system's dashboard summary, computed from CommandProposals as the API server holds them: what
// waits for a person, how commands fared in the last 24 hours and 7 days, the success rate per command type
// and the latest failures. Pure: the caller lists the proposals and says what time it is.
import type { CommandProposal, CommandType, ProposalPhase, RoastSession } from '@roast-operator/api';

/** The windows the totals cover, in milliseconds back from now. */
export const windows = { last24h: 24 * 3_600_000, last7d: 7 * 24 * 3_600_000 } as const;

/** Proposals created in a window, by how they ended (or where they are). */
export interface Totals {
  proposed: number;
  succeeded: number;
  failed: number;
  blocked: number;
  rejected: number;
  expired: number;
  aborted: number;
  /** Still open: pending, awaiting approval, approved or dispatched. */
  open: number;
  /** Of the commands that reached the roaster and finished, the share that succeeded; undefined when none did. */
  successRate: number | undefined;
}

export interface PendingApproval {
  name: string;
  roaster: string;
  type: CommandType;
  target: number | undefined;
  proposedBy: string;
  ageSeconds: number;
  /** Seconds until the proposal expires; undefined when the operator has not set a deadline. */
  expiresInSeconds: number | undefined;
}

/** One command type's record over the last 7 days. */
export interface CommandRate {
  type: CommandType;
  succeeded: number;
  failed: number;
  successRate: number | undefined;
}

export interface FailedCommand {
  name: string;
  roaster: string;
  type: CommandType;
  /** When the result arrived, or the proposal was created when no result time is known (RFC 3339). */
  time: string;
  /** Failed, or Unknown when the edge could not confirm the command. */
  outcome: 'Failed' | 'Unknown';
  message: string | undefined;
}

export interface Summary {
  pendingApprovals: PendingApproval[];
  last24h: Totals;
  last7d: Totals;
  /** Command types proposed in the last 7 days, most proposed first. */
  byType: CommandRate[];
  /** Failed commands of the last 7 days, newest first. */
  recentFailures: FailedCommand[];
}

const phaseOf = (p: CommandProposal): ProposalPhase => p.status?.phase ?? 'Pending';

const openPhases: ReadonlySet<ProposalPhase> = new Set([
  'Pending',
  'AwaitingApproval',
  'Approved',
  'Dispatched',
]);

/** When the proposal was created, in ms since the epoch. */
// creationTimestamp is typed as a Date by client-node but arrives as a string; Date takes either.
export const createdMs = (p: CommandProposal): number =>
  new Date(p.metadata.creationTimestamp ?? 0).getTime();

const rate = (succeeded: number, failed: number): number | undefined =>
  succeeded + failed === 0 ? undefined : succeeded / (succeeded + failed);

function totals(proposals: readonly CommandProposal[]): Totals {
  const count = (phase: ProposalPhase) => proposals.filter((p) => phaseOf(p) === phase).length;
  const succeeded = count('Succeeded');
  const failed = count('Failed');
  return {
    proposed: proposals.length,
    succeeded,
    failed,
    blocked: count('Blocked'),
    rejected: count('Rejected'),
    expired: count('Expired'),
    aborted: count('Aborted'),
    open: proposals.filter((p) => openPhases.has(phaseOf(p))).length,
    successRate: rate(succeeded, failed),
  };
}

function pendingApproval(p: CommandProposal, nowMs: number): PendingApproval {
  const expiresAt = p.status?.expiresAt;
  return {
    name: p.metadata.name ?? '',
    roaster: p.spec.roasterRef.name,
    type: p.spec.command.type,
    target: p.spec.command.target,
    proposedBy: p.spec.proposedBy,
    ageSeconds: Math.max(0, Math.floor((nowMs - createdMs(p)) / 1000)),
    expiresInSeconds:
      expiresAt === undefined ? undefined : Math.max(0, Math.floor((Date.parse(expiresAt) - nowMs) / 1000)),
  };
}

function byType(proposals: readonly CommandProposal[]): CommandRate[] {
  const rates = new Map<CommandType, { proposed: number; succeeded: number; failed: number }>();
  for (const p of proposals) {
    const r = rates.get(p.spec.command.type) ?? { proposed: 0, succeeded: 0, failed: 0 };
    r.proposed++;
    if (phaseOf(p) === 'Succeeded') r.succeeded++;
    if (phaseOf(p) === 'Failed') r.failed++;
    rates.set(p.spec.command.type, r);
  }
  return [...rates]
    .sort(([ta, a], [tb, b]) => b.proposed - a.proposed || ta.localeCompare(tb))
    .map(([type, r]) => ({
      type,
      succeeded: r.succeeded,
      failed: r.failed,
      successRate: rate(r.succeeded, r.failed),
    }));
}

function failure(p: CommandProposal): FailedCommand {
  const result = p.status?.result;
  return {
    name: p.metadata.name ?? '',
    roaster: p.spec.roasterRef.name,
    type: p.spec.command.type,
    time: result?.time ?? new Date(createdMs(p)).toISOString(),
    outcome: result?.outcome === 'Unknown' ? 'Unknown' : 'Failed',
    message: result?.message,
  };
}

/**
 * Names of the sessions whose data is not a real roaster's (Simulated or Replay): their commands never
 * count towards fleet analytics.
 */
export function notCounted(sessions: readonly RoastSession[]): ReadonlySet<string> {
  return new Set(
    sessions
      .filter((s) => s.status?.source && s.status.source.type !== 'Device')
      .map((s) => s.metadata.name ?? ''),
  );
}

/**
 * The summary at `nowMs` of `proposals` in one namespace, whose `sessions` say which roasts were simulated
 * or replayed: their commands are left out of the totals, rates and failures (a proposal of theirs awaiting
 * approval is still listed: someone has to decide it). At most `failuresShown` recent failures are listed.
 */
export function summarize(
  proposals: readonly CommandProposal[],
  sessions: readonly RoastSession[],
  nowMs: number,
  failuresShown = 5,
): Summary {
  const skipped = notCounted(sessions);
  const counted = proposals.filter((p) => !skipped.has(p.spec.sessionRef?.name ?? ''));
  const within = (ms: number) => counted.filter((p) => nowMs - createdMs(p) <= ms);
  const week = within(windows.last7d);
  return {
    pendingApprovals: proposals
      .filter((p) => phaseOf(p) === 'AwaitingApproval')
      .sort((a, b) => createdMs(a) - createdMs(b))
      .map((p) => pendingApproval(p, nowMs)),
    last24h: totals(within(windows.last24h)),
    last7d: totals(week),
    byType: byType(week),
    recentFailures: week
      .filter((p) => phaseOf(p) === 'Failed')
      .map(failure)
      .sort((a, b) => Date.parse(b.time) - Date.parse(a.time))
      .slice(0, failuresShown),
  };
}
