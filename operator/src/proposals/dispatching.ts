// What a dispatch sends and records: the request the link is given, the transition that records it, and
// how a receipt or a failure reads in status.
import type { CommandProposal, Roaster } from '@roast-operator/api';
import { proposalDeadline } from '@roast-operator/governor';
import type { DispatchReceipt, DispatchRequest, RoasterRef } from '../dispatch.ts';
import { governedProposal } from '../governing.ts';
import { isStop } from '../objects.ts';
import type { StatusPatch, Transition } from './transitions.ts';

/** The request for the link; a stop gets its whole time to live from the moment it leaves. */
export function dispatchRequest(p: CommandProposal, roaster: Roaster, now: number): DispatchRequest {
  const deadline = isStop(p.spec.command)
    ? now + p.spec.ttlSeconds * 1000
    : proposalDeadline(governedProposal(p), roaster);
  return {
    roaster: roasterRef(roaster),
    proposal: { namespace: p.metadata.namespace ?? '', name: p.metadata.name ?? '' },
    proposalUid: p.metadata.uid ?? '',
    command: p.spec.command,
    deadline: new Date(deadline),
  };
}

/** The move to Dispatched, with where the command went. */
export function dispatchedTransition(deadline: { expiresAt?: number }, receipt: DispatchReceipt): Transition {
  return {
    to: 'Dispatched',
    message: `Sent to the edge agent${receipt.pod ? ` ${receipt.pod}` : ''}; waiting for its result.`,
    ...deadline,
    dispatch: dispatchRecord(receipt),
  };
}

export const approvedBy = (message: string): Transition => ({ to: 'Approved', message });

export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 512);

export function dispatchRecord(receipt: DispatchReceipt): NonNullable<StatusPatch['dispatch']> {
  return {
    time: receipt.sentAt.toISOString(),
    ...(receipt.node && { node: receipt.node }),
    ...(receipt.pod && { pod: receipt.pod }),
  };
}

export function roasterRef(roaster: Roaster): RoasterRef {
  return {
    namespace: roaster.metadata.namespace ?? '',
    name: roaster.metadata.name ?? '',
    uid: roaster.metadata.uid ?? '',
  };
}
