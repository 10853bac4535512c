// What one roaster's proposals may pile up: open proposals per proposer, and retained proposals that ended
// without ever being sent. Pure counts over the roaster's proposals; `plan` turns them into refusals and
// early deletions. Neither bound ever touches an EmergencyStop or a ResetLatch: nothing may refuse or delay
// those, and the latch they set or clear is read from them.
import type { CommandProposal } from '@roast-operator/api';
import { byCreation, endedAt, isStop, isTerminalProposal } from '../objects.ts';

export interface ProposalBounds {
  /** Open (not ended) proposals one proposer may have on one roaster; the next is refused at governing. */
  readonly openPerProposer: number;
  /** Ended proposals never sent that one roaster keeps; older ones are deleted before their retention ends. */
  readonly endedUnsent: number;
}

export const defaultBounds: ProposalBounds = { openPerProposer: 50, endedUnsent: 200 };

/** Proposals no bound applies to: a stop or a reset is never refused, and the latch is read from them. */
export const unbounded = (p: CommandProposal): boolean =>
  isStop(p.spec.command) || p.spec.command.type === 'ResetLatch';

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
  const ahead = proposals.filter(
    (o) =>
      o.spec.proposedBy === p.spec.proposedBy &&
      o.metadata.uid !== p.metadata.uid &&
      !unbounded(o) &&
      !isTerminalProposal(o) &&
      o.metadata.deletionTimestamp === undefined &&
      byCreation(o, p) < 0,
  ).length;
  return ahead >= bound ? ahead : undefined;
}

/**
 * The UIDs of ended proposals that were never sent, beyond the newest `bound` of them. They carry nothing
 * the governor reads (no dispatch, no result), so keeping them only costs memory and every reconcile's
 * reads; proposals that were sent are paced by the roaster's own limits and keep their full retention.
 */
export function retainedBeyondBound(proposals: readonly CommandProposal[], bound: number): Set<string> {
  const unsent = proposals
    .filter(
      (p) =>
        isTerminalProposal(p) &&
        !unbounded(p) &&
        p.status?.dispatch === undefined &&
        p.status?.result === undefined &&
        p.metadata.deletionTimestamp === undefined,
    )
    .map((p) => ({ uid: p.metadata.uid ?? '', ended: endedAt(p) ?? 0 }))
    // Newest ended first: the oldest beyond the bound go.
    .sort((a, b) => b.ended - a.ended || a.uid.localeCompare(b.uid));
  return new Set(unsent.slice(bound).map((e) => e.uid));
}
