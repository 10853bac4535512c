// What one roaster's proposals may pile up: open proposals per proposer, and ended proposals retained (like
// a CronJob's history limits, on top of the retention period). Pure counts over the roaster's proposals;
// `plan` turns them into refusals and early deletions. No bound ever touches an EmergencyStop or a
// ResetLatch: nothing may refuse or delay those, and the latch they set or clear is read from them.
import type { CommandProposal, Roaster, RoastSession } from '@roast-operator/api';
import { runningSession, sentDuringSession } from '../governing.ts';
import { endedAt, isStop, isTerminalProposal } from '../objects.ts';

export interface ProposalBounds {
  /** Open (not ended) proposals one proposer may have on one roaster; the next is refused at governing. */
  readonly openPerProposer: number;
  /** Ended proposals never sent that one roaster keeps; older ones are deleted before their retention ends. */
  readonly endedUnsent: number;
  /** Ended proposals that were sent that one roaster keeps, beyond those the governor still reads. */
  readonly endedSent: number;
}

export const defaultBounds: ProposalBounds = { openPerProposer: 50, endedUnsent: 200, endedSent: 500 };

/** Proposals no bound applies to: a stop or a reset is never refused, and the latch is read from them. */
export const unbounded = (p: CommandProposal): boolean =>
  isStop(p.spec.command) || p.spec.command.type === 'ResetLatch';

/**
 * Creation order as a string that sorts like `byCreation`, without parsing dates: a flood is counted
 * against every proposal of it, so this runs a million times. The API server writes creationTimestamp in
 * one RFC 3339 form (seconds, UTC), which sorts as text.
 */
const createdOrder = (p: CommandProposal) =>
  `${String(p.metadata.creationTimestamp)} ${p.metadata.name ?? ''}`;

/**
 * How many open proposals the proposer of `p` already has on its roaster ahead of `p` (created before it),
 * when that reaches the bound; undefined while `p` is within it.
 */
export function openAhead(
  p: CommandProposal,
  proposals: readonly CommandProposal[],
  bound: number,
): number | undefined {
  if (unbounded(p)) return undefined;
  const created = createdOrder(p);
  const ahead = proposals.filter(
    (o) =>
      o.spec.proposedBy === p.spec.proposedBy &&
      o.metadata.uid !== p.metadata.uid &&
      !unbounded(o) &&
      !isTerminalProposal(o) &&
      o.metadata.deletionTimestamp === undefined &&
      createdOrder(o) < created,
  ).length;
  return ahead >= bound ? ahead : undefined;
}

/**
 * Which ended proposals the governor still reads, and so are kept whatever the count: those in the circuit
 * breaker's window, and the commands sent during the roaster's running session (its maximum counts them,
 * whatever session they name).
 */
export function governorReads(
  roaster: Roaster | undefined,
  sessions: readonly RoastSession[],
  now: number,
): (p: CommandProposal) => boolean {
  const windowMs = (roaster?.spec.circuitBreaker.windowSeconds ?? 86_400) * 1000;
  const running = roaster && runningSession(roaster, sessions);
  return (p) => sentDuringSession(p, running) || (endedAt(p) ?? now) > now - windowMs;
}

const sent = (p: CommandProposal) => p.status?.dispatch !== undefined || p.status?.result !== undefined;

/**
 * The UIDs of ended proposals beyond the newest `endedUnsent` never sent and the newest `endedSent` sent
 * (not counting those `needed` keeps). One never sent carries nothing the governor reads; one sent is
 * paced by the roaster's own limits, so only a long, busy history reaches its bound.
 */
export function retainedBeyondBound(
  proposals: readonly CommandProposal[],
  bounds: ProposalBounds,
  needed: (p: CommandProposal) => boolean,
): Set<string> {
  const ended = proposals.filter(
    (p) => isTerminalProposal(p) && !unbounded(p) && p.metadata.deletionTimestamp === undefined,
  );
  const unsent = ended.filter((p) => !sent(p));
  const sentUnneeded = ended.filter((p) => sent(p) && !needed(p));
  return new Set([
    ...oldestBeyond(unsent, bounds.endedUnsent),
    ...oldestBeyond(sentUnneeded, bounds.endedSent),
  ]);
}

/** The UIDs of all but the `keep` most recently ended. */
function oldestBeyond(ended: readonly CommandProposal[], keep: number): string[] {
  return ended
    .map((p) => ({ uid: p.metadata.uid ?? '', at: endedAt(p) ?? 0 }))
    .sort((a, b) => b.at - a.at || a.uid.localeCompare(b.uid))
    .slice(keep)
    .map((e) => e.uid);
}
