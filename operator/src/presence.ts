// Presence, as the governor needs it: when the operator last saw a human act at a roaster — a proposal, a
// decision or a session mark — timed on the operator's own clock, never on timestamps others wrote. It is
// kept in memory only: after a restart no human counts as present until one acts again, which only makes
// the governor stricter.

import type { CommandProposal, RoastSession } from '@roast-operator/api';
import type { Clock } from '@roast-operator/clock';
import { isAgent, type Presence, presenceWindowMs } from '@roast-operator/governor';
import type { Informer, InformerEvent, KubeObject } from '@roast-operator/kube';
import { createdAt, roasterKeyOf } from './objects.ts';

interface ProposalShape extends KubeObject {
  spec?: { proposedBy?: string; approval?: { approver?: string } };
}

interface SessionShape extends KubeObject {
  spec?: { marks?: { by?: string }[] };
}

const human = (name: string | undefined): boolean => name !== undefined && !isAgent(name);

/**
 * Whether a proposal event shows a human acting: a human's new proposal, or a human's decision added to
 * one. A proposal older than the presence window is no news, whatever the watch says: a relist after a
 * long gap reports objects as new that were made long ago.
 */
export function proposalShowsHuman(event: InformerEvent<ProposalShape>, now: number): boolean {
  if (event.type === 'added') {
    return human(event.object.spec?.proposedBy) && now - createdAt(event.object) <= presenceWindowMs;
  }
  if (event.type !== 'modified' || event.old.spec?.approval !== undefined) return false;
  return human(event.object.spec?.approval?.approver);
}

/** Whether a session event adds a human's mark (marks are append-only, so new ones are at the end). */
export function sessionShowsHuman(event: InformerEvent<SessionShape>): boolean {
  if (event.type === 'deleted') return false;
  const before = event.type === 'modified' ? (event.old.spec?.marks?.length ?? 0) : 0;
  return (event.object.spec?.marks ?? []).slice(before).some((mark) => human(mark.by));
}

export class PresenceTracker {
  readonly #clock: Clock;
  readonly #seen = new Map<string, number>();
  readonly #listeners = new Set<(roasterKey: string) => void>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** A human acted at the roaster now. */
  observe(roasterKey: string): void {
    this.#seen.set(roasterKey, this.#clock.now());
    for (const listener of this.#listeners) listener(roasterKey);
  }

  presence(roasterKey: string): Presence {
    const at = this.#seen.get(roasterKey);
    return at === undefined ? {} : { lastHumanActionAt: at };
  }

  /** Calls `listener` with the roaster's key whenever a human is seen there. */
  onObserved(listener: (roasterKey: string) => void): void {
    this.#listeners.add(listener);
  }

  /**
   * Follows the proposals' and sessions' informers. Subscribe before the controllers start, so that a
   * human's proposal counts before anything is governed after it. The initial list is not news: what it
   * holds happened before the operator looked, at a time its own clock did not see.
   */
  follow(proposals: Informer<CommandProposal>, sessions: Informer<RoastSession>): void {
    proposals.on((event) => {
      if (proposals.hasSynced() && proposalShowsHuman(event, this.#clock.now()))
        this.#observeAll(event.object);
    });
    sessions.on((event) => {
      if (sessions.hasSynced() && sessionShowsHuman(event)) this.#observeAll(event.object);
    });
  }

  #observeAll(obj: CommandProposal | RoastSession): void {
    this.observe(roasterKeyOf(obj));
  }
}
