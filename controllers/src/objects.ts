// The operator's view of the three kinds: how the runtime addresses them, how objects are parsed, and the
// keys and indexes that tie proposals and sessions to their roaster.
import {
  CommandProposal,
  commandProposalNames,
  type DeviceState,
  group,
  type KindNames,
  type ProposalPhase,
  Roaster,
  RoastSession,
  r1StateCodes,
  roasterNames,
  roastSessionNames,
  version,
} from '@roast-operator/api';
import {
  type Condition,
  findStatusCondition,
  isNotFound,
  type KubeObject,
  keyOf,
  type ResourceClient,
  type ResourceDescriptor,
} from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';

function descriptor(names: KindNames): ResourceDescriptor {
  return { group, version, plural: names.plural, kind: names.kind, namespaced: true };
}

export const roasters = descriptor(roasterNames);
export const roastSessions = descriptor(roastSessionNames);
export const commandProposals = descriptor(commandProposalNames);

/** Phases a proposal never leaves. */
export const finalPhases: ReadonlySet<ProposalPhase> = new Set([
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

export const isFinal = (p: CommandProposal): boolean => finalPhases.has(phaseOf(p));

type RoasterBound = { metadata: { namespace?: string }; spec: { roasterRef: { name: string } } };

/** The key of the roaster a proposal or session belongs to: the work-queue key of both controllers. */
export function roasterKeyOf(obj: RoasterBound): string {
  return keyOf(obj.metadata.namespace, obj.spec.roasterRef.name);
}

/** Index of proposals and sessions by their roaster's key. */
export const byRoaster = 'roaster';
/** Index of proposals by the key of the session they name. */
export const bySession = 'session';

export function roasterIndex(obj: KubeObject): string[] {
  const ref = (obj as Partial<RoasterBound>).spec?.roasterRef?.name;
  return ref ? [keyOf(obj.metadata.namespace, ref)] : [];
}

export function sessionIndex(obj: KubeObject): string[] {
  const ref = (obj as { spec?: { sessionRef?: { name?: string } } }).spec?.sessionRef?.name;
  return ref ? [keyOf(obj.metadata.namespace, ref)] : [];
}

/** What the API's schemas offer for parsing. */
interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: unknown };
}

/**
 * The object as its schema reads it, or undefined with a warning. The API server validated it; an object
 * that still does not fit (another version of the CRD) is left alone rather than misread.
 */
function parser<T>(schema: Schema<T>, kind: string) {
  return (obj: unknown, log: Logger): T | undefined => {
    const parsed = schema.safeParse(obj);
    if (parsed.success) return parsed.data;
    const { namespace, name } = (obj as KubeObject).metadata ?? {};
    log.warn(`${kind} does not fit its schema; ignoring it`, { namespace, name, err: parsed.error });
    return undefined;
  };
}

export const parseRoaster = parser(Roaster, roasterNames.kind);
export const parseSession = parser(RoastSession, roastSessionNames.kind);
export const parseProposal = parser(CommandProposal, commandProposalNames.kind);

/** Parses every object that fits, in their order. */
export function parseAll<T>(
  objs: readonly unknown[],
  parse: (o: unknown, l: Logger) => T | undefined,
  log: Logger,
) {
  return objs.flatMap((o) => {
    const parsed = parse(o, log);
    return parsed === undefined ? [] : [parsed];
  });
}

/** The Roaster read fresh from the API server (not the cache); undefined when it does not exist. */
export async function readRoaster(
  api: ResourceClient<KubeObject>,
  namespace: string,
  name: string,
  log: Logger,
): Promise<Roaster | undefined> {
  try {
    return parseRoaster(await api.get(namespace, name), log);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** A roaster's proposals or sessions read fresh from the API server, by the selectable spec.roasterRef.name. */
export async function listOfRoaster<T>(
  api: ResourceClient<KubeObject>,
  namespace: string,
  roaster: string,
  parse: (o: unknown, l: Logger) => T | undefined,
  log: Logger,
): Promise<T[]> {
  const page = await api.list({ namespace, fieldSelector: `spec.roasterRef.name=${roaster}` });
  return parseAll(page.items, parse, log);
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
