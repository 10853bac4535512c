// The operator's view of the four kinds: how the runtime addresses them, how objects are parsed, and the
// keys and indexes that tie proposals and sessions to their roaster.
import {
  type CommandProposal,
  type DeviceState,
  type ProposalPhase,
  type RoastSession,
  r1StateCodes,
} from '@roast-operator/api';
import { commandProposals, roasters, roastProfiles, roastSessions } from '@roast-operator/kinds';
import { type Condition, findStatusCondition, keyOf, type ResourceClient } from '@roast-operator/kube';

export { commandProposals, roasters, roastProfiles, roastSessions };

/** Phases a proposal never leaves. */
export const terminalProposalPhases: ReadonlySet<ProposalPhase> = new Set([
  'Blocked',
  'Succeeded',
  'Failed',
  'Rejected',
  'Expired',
  'Aborted',
]);

/** Phases of a command that was approved for dispatch, by a human or by the governor. */
export const approvedPhases: ReadonlySet<ProposalPhase> = new Set([
  'Approved',
  'Dispatched',
  'Succeeded',
  'Failed',
]);

export const phaseOf = (p: CommandProposal): ProposalPhase => p.status?.phase ?? 'Pending';

export const isTerminalProposal = (p: CommandProposal): boolean => terminalProposalPhases.has(phaseOf(p));

/** An EmergencyStop: sent first and recorded after, never throttled, never held by the guard. */
export const isStop = (command: { readonly type: string }): boolean => command.type === 'EmergencyStop';

type RoasterBound = { metadata: { namespace?: string }; spec: { roasterRef: { name: string } } };

/** The key of the roaster a proposal or session belongs to: the work-queue key of both controllers. */
export function roasterKeyOf(obj: RoasterBound): string {
  return keyOf(obj.metadata.namespace, obj.spec.roasterRef.name);
}

/** Index of proposals and sessions by their roaster's key. */
export const byRoaster = 'roaster';
/** Index of proposals by the key of the session they name. */
export const bySession = 'session';

export function roasterIndex(obj: CommandProposal | RoastSession): string[] {
  return [roasterKeyOf(obj)];
}

export function sessionIndex(obj: CommandProposal): string[] {
  const ref = obj.spec.sessionRef?.name;
  return ref ? [keyOf(obj.metadata.namespace, ref)] : [];
}

/** A roaster's proposals or sessions read fresh from the API server, by the selectable spec.roasterRef.name. */
export async function listOfRoaster<T extends CommandProposal | RoastSession>(
  api: ResourceClient<T>,
  namespace: string,
  roaster: string,
): Promise<T[]> {
  const page = await api.list({ namespace, fieldSelector: `spec.roasterRef.name=${roaster}` });
  return page.items;
}

// The metadata schema keeps the wire's timestamps as they came: strings, whatever client-node's type says.
export function createdAt(obj: { metadata: { creationTimestamp?: unknown } }): number {
  return Date.parse(String(obj.metadata.creationTimestamp));
}

type Created = { metadata: { creationTimestamp?: unknown; name?: string | undefined } };

/** Oldest first, by creation and then name, so proposals are governed (and sessions run) in the order made. */
export function byCreation(a: Created, b: Created): number {
  return createdAt(a) - createdAt(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** The condition proposals and sessions use to say what they are doing, and, turned False, when they ended. */
export const reconcilingCondition = 'Reconciling';

/** When a proposal or session ended: its Reconciling condition turned False then. */
export function endedAt(obj: {
  status?: { conditions?: Condition[] | undefined } | undefined;
}): number | undefined {
  const condition = findStatusCondition(obj.status?.conditions, reconcilingCondition);
  return condition?.status === 'False' ? Date.parse(condition.lastTransitionTime) : undefined;
}

/** The roaster's own state for an R1 state code; a code the R1 does not define is a fault. */
export function stateOfCode(code: number): DeviceState | 'Fault' {
  return r1StateCodes.get(code) ?? 'Fault';
}
