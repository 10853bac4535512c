// What a CommandProposal reconcile reads: the roaster's proposals fresh from the API server, and its
// sessions from the cache, or fresh where the cache may not hold one yet.
import type { CommandProposal, RoastSession } from '@roast-operator/api';
import { type Informer, keyOf, type ResourceClient } from '@roast-operator/kube';
import { byCreation, isStop, listOfRoaster, phaseOf } from '../objects.ts';

export type SessionLookup = (name: string) => RoastSession | undefined;

/** The roaster's proposals, EmergencyStops first (they pre-empt queued steps), then oldest first. */
export async function readProposals(
  api: ResourceClient<CommandProposal>,
  namespace: string,
  roaster: string,
): Promise<CommandProposal[]> {
  const proposals = await listOfRoaster(api, namespace, roaster);
  const stopFirst = (p: CommandProposal) => (isStop(p.spec.command) ? 0 : 1);
  return proposals.sort((a, b) => stopFirst(a) - stopFirst(b) || byCreation(a, b));
}

export function cachedSessions(sessions: Informer<RoastSession>, namespace: string): SessionLookup {
  return (name) => sessions.store.get(keyOf(namespace, name));
}

/**
 * The roaster's sessions by name. A session's roaster never changes, so the cache is right about every
 * session it holds; one that a proposal about to be governed names but the cache lacks may just be newer
 * than the cache, and is read from the API server.
 */
export async function sessionsOf(
  sessions: Informer<RoastSession>,
  api: ResourceClient<RoastSession>,
  namespace: string,
  proposals: readonly CommandProposal[],
): Promise<SessionLookup> {
  const cached = cachedSessions(sessions, namespace);
  const missing = new Set(
    proposals
      .filter((p) => phaseOf(p) === 'Pending')
      .flatMap((p) => p.spec.sessionRef?.name ?? [])
      .filter((name) => cached(name) === undefined),
  );
  const fresh = new Map<string, RoastSession | undefined>();
  for (const name of missing) fresh.set(name, await api.getIfExists(namespace, name));
  return (name) => (fresh.has(name) ? fresh.get(name) : cached(name));
}
