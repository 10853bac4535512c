import { type Condition, interlockCauses } from './interlocks.ts';

// Every intervention latches with an id. A latch clears only by a reset naming it, and only when its
// condition is gone — a command's latch has no condition, so its reset always succeeds.
//
// Latch state is bounded by construction: one latch per cause. An interlock condition latches once per
// cause while it lasts; a preStop reuses its latch; an emergency stop latches under its own id (the
// operator's latch id, so one ResetLatch clears both sides) and supersedes the stop latched before it. The
// operator's rule is the same — a reset of the newest stop deals with every older one — so an older stop
// never needs a reset of its own, and any number of stops in a row leaves one latch to report and reset.

export const latchCauses = [...interlockCauses, 'emergency-stop', 'pre-stop'] as const;

export type LatchCause = (typeof latchCauses)[number];

export type Latch = {
  readonly id: string;
  readonly cause: LatchCause;
  readonly detail: string;
  /** Epoch milliseconds. */
  readonly since: number;
};

/** Latches for the active conditions that have none yet. */
export function newLatches(
  latches: readonly Latch[],
  conditions: readonly Condition[],
  now: number,
  newId: () => string,
): Latch[] {
  return conditions
    .filter((condition) => !latches.some((latch) => latch.cause === condition.cause))
    .map((condition) => ({ id: newId(), cause: condition.cause, detail: condition.detail, since: now }));
}

export type Latched = {
  /** The latches held afterwards, one per cause. */
  readonly latches: Latch[];
  /** The older latches of the same cause that `latch` replaced. */
  readonly superseded: Latch[];
};

/** `latches` with `latch` added: it replaces any latch of its cause (one with its id is a repeat: no change). */
export function withLatch(latches: readonly Latch[], latch: Latch): Latched {
  if (latches.some((l) => l.id === latch.id)) return { latches: [...latches], superseded: [] };
  const superseded = latches.filter((l) => l.cause === latch.cause);
  return { latches: [...latches.filter((l) => l.cause !== latch.cause), latch], superseded };
}

/**
 * The same bound over latches from anywhere (a store written by an older agent may hold one per stop):
 * the newest of each cause stays, in the order they were set.
 */
export function boundLatches(latches: readonly Latch[]): Latched {
  const oldestFirst = [...latches].sort((a, b) => a.since - b.since || a.id.localeCompare(b.id));
  return oldestFirst.reduce<Latched>(
    (held, latch) => {
      const next = withLatch(held.latches, latch);
      return { latches: next.latches, superseded: [...held.superseded, ...next.superseded] };
    },
    { latches: [], superseded: [] },
  );
}

/** Why latch `id` may not be reset now, or undefined when it may. */
export function resetRefusal(
  latches: readonly Latch[],
  id: string,
  conditions: readonly Condition[],
): string | undefined {
  const latch = latches.find((l) => l.id === id);
  if (!latch) {
    const held = latches.map((l) => `${l.id} (${l.cause})`).join(', ');
    return held === '' ? `no latch ${id}: nothing is latched` : `no latch ${id}; latched: ${held}`;
  }
  const still = conditions.find((c) => c.cause === latch.cause);
  return still ? `the condition is still present: ${still.detail}` : undefined;
}
