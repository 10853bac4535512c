import type { Logger } from '@roast-operator/log';
import { type Condition, type InterlockCause, interlockCauses } from './interlocks.ts';
import { boundLatches, type Latch, type LatchCause, newLatches, resetRefusal, withLatch } from './latches.ts';

// The latches the edge holds, kept to the rules of latches.ts (one per cause) and written through to the
// store, so an intervention does not end because the pod was replaced.

/** Where latches persist (the agent's store). */
export interface LatchStore {
  latches(): Latch[];
  addLatch(latch: Latch, superseded: readonly Latch[]): void;
  removeLatches(latches: readonly Latch[]): void;
}

export type LatchChange =
  | { readonly type: 'latched'; readonly latch: Latch }
  | { readonly type: 'latch-cleared'; readonly latch: Latch; readonly byCommand: string };

export type ResetOutcome =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly message: string };

export class LatchBook {
  readonly #store: LatchStore;
  readonly #log: Logger;
  readonly #changed: (change: LatchChange) => void;
  #held: Latch[];

  /** Loads the stored latches, bounded as new ones are: a store an older agent wrote may hold one per stop. */
  constructor(store: LatchStore, log: Logger, changed: (change: LatchChange) => void) {
    this.#store = store;
    this.#log = log;
    this.#changed = changed;
    const { latches, superseded } = boundLatches(store.latches());
    if (superseded.length > 0) {
      store.removeLatches(superseded);
      log.warn('stored latches superseded by newer ones of the same cause', {
        kept: latches.map((l) => l.id),
        dropped: superseded.length,
      });
    }
    this.#held = latches;
  }

  get held(): readonly Latch[] {
    return this.#held;
  }

  /** The interlock causes latched: a condition that tripped lasts while its own fault does. */
  get latchedInterlocks(): ReadonlySet<InterlockCause> {
    return new Set(interlockCauses.filter((cause) => this.#held.some((l) => l.cause === cause)));
  }

  byCause(cause: LatchCause): Latch | undefined {
    return this.#held.find((l) => l.cause === cause);
  }

  /** Latches under `id` at `now`, superseding the older latch of the same cause; a held id is a repeat. */
  latch(cause: LatchCause, detail: string, id: string, now: number): { latch: Latch; superseded: Latch[] } {
    const existing = this.#held.find((l) => l.id === id);
    if (existing) return { latch: existing, superseded: [] };
    const latch: Latch = { id, cause, detail, since: now };
    const { latches, superseded } = withLatch(this.#held, latch);
    this.#held = latches;
    this.#store.addLatch(latch, superseded);
    this.#log.warn('latched', { latchId: id, cause, detail, superseded: superseded.map((l) => l.id) });
    this.#changed({ type: 'latched', latch });
    return { latch, superseded };
  }

  /** A latch for each active condition that has none yet. */
  latchConditions(conditions: readonly Condition[], now: number, newId: () => string): void {
    for (const latch of newLatches(this.#held, conditions, now, newId)) {
      this.latch(latch.cause, latch.detail, latch.id, now);
    }
  }

  /** Clears latch `id` for `byCommand`, unless its condition is still present. */
  reset(id: string, conditions: readonly Condition[], byCommand: string): ResetOutcome {
    const refused = resetRefusal(this.#held, id, conditions);
    if (refused !== undefined) return { ok: false, message: refused };
    const latch = this.#held.find((l) => l.id === id)!;
    this.#held = this.#held.filter((l) => l !== latch);
    this.#store.removeLatches([latch]);
    this.#log.info('latch reset', { latchId: latch.id, cause: latch.cause, uid: byCommand });
    this.#changed({ type: 'latch-cleared', latch, byCommand });
    return { ok: true, message: `latch ${latch.id} (${latch.cause}) cleared` };
  }
}
