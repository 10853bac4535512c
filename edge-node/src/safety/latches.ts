import type { Condition, InterlockCause } from './interlocks.ts';

// Every intervention latches with an id. An interlock condition latches once per cause while it lasts; an
// emergency stop or a preStop latches under its own id (an emergency stop under the operator's latch id,
// so one ResetLatch clears both sides). A latch clears only by a reset naming it, and only when its
// condition is gone — a command's latch has no condition, so its reset always succeeds. As on the operator's
// side, a reset of a stop's latch deals with that stop and every older one.

export type LatchCause = InterlockCause | 'emergency-stop' | 'pre-stop';

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

/** Why latch `id` may not be reset now, or undefined when it may. */
export function resetRefusal(
  latches: readonly Latch[],
  id: string,
  conditions: readonly Condition[],
): string | undefined {
  const latch = latches.find((l) => l.id === id);
  if (!latch) return `no latch ${id}`;
  const still = conditions.find((c) => c.cause === latch.cause);
  return still ? `the condition is still present: ${still.detail}` : undefined;
}

/**
 * What a reset of `latch` clears: that latch, and for an emergency stop every older one too. The operator
 * names only its newest stop, and the reset of it deals with the older stops; left here, they would hold
 * the safe state with no reset able to name them.
 */
export function clearedByReset(latches: readonly Latch[], latch: Latch): Latch[] {
  if (latch.cause !== 'emergency-stop') return [latch];
  return latches.filter((l) => l === latch || (l.cause === 'emergency-stop' && l.since <= latch.since));
}
