// Retry spacing: exponential in the number of failures in a row, capped, and optionally jittered so that
// many clients that failed together (an API server restart, a leader change) do not come back in the
// same instant.

/**
 * The n-th failure in a row waits a draw in [(1 − jitter)·c, c], where c = min(maxMs, initialMs·2ⁿ):
 * jitter 0 waits exactly c, 0.5 spreads over c's upper half ("equal jitter"), 1 over all of it.
 * client-go's reflector (800 ms → 30 s, its jitter 1.0: a draw in [d, 2d)) is
 * `{ initialMs: 1600, maxMs: 60_000, jitter: 0.5 }`.
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** 0 (the default) to 1. */
  readonly jitter?: number;
}

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

function check(policy: BackoffPolicy): void {
  const { initialMs, maxMs, jitter = 0 } = policy;
  if (!(initialMs > 0 && Number.isFinite(initialMs))) {
    throw new RangeError(`backoff initialMs must be a positive number of milliseconds, not ${initialMs}`);
  }
  if (!(maxMs >= initialMs && Number.isFinite(maxMs))) {
    throw new RangeError(`backoff maxMs must be at least initialMs (${initialMs}), not ${maxMs}`);
  }
  if (!(jitter >= 0 && jitter <= 1))
    throw new RangeError(`backoff jitter must be within 0 and 1, not ${jitter}`);
}

/** The wait after `failures` failures in a row (0 for the first retry). */
export function backoffDelay(policy: BackoffPolicy, failures: number, random: Random = Math.random): number {
  check(policy);
  if (!(Number.isInteger(failures) && failures >= 0)) {
    throw new RangeError(`failures must be a whole number of at least 0, not ${failures}`);
  }
  // 2 ** failures overflows to Infinity for large counts, which the cap absorbs.
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** failures);
  const jitter = policy.jitter ?? 0;
  return ceiling * (1 - jitter) + ceiling * jitter * random();
}

/** The failures in a row of one loop (a reconnect, a relist): `next` after each failure, `reset` after a success. */
export class Backoff {
  readonly policy: BackoffPolicy;
  readonly #random: Random;
  #failures = 0;

  constructor(policy: BackoffPolicy, random: Random = Math.random) {
    check(policy);
    this.policy = policy;
    this.#random = random;
  }

  /** The wait before the next attempt; counts one more failure. */
  next(): number {
    return backoffDelay(this.policy, this.#failures++, this.#random);
  }

  get failures(): number {
    return this.#failures;
  }

  reset(): void {
    this.#failures = 0;
  }
}

/**
 * The failures in a row of each key, as client-go's ItemExponentialFailureRateLimiter: `when` after each
 * failure of a key, `forget` after its success.
 */
export class ItemBackoff<K = string> {
  readonly policy: BackoffPolicy;
  readonly #random: Random;
  readonly #failures = new Map<K, number>();

  constructor(policy: BackoffPolicy, random: Random = Math.random) {
    check(policy);
    this.policy = policy;
    this.#random = random;
  }

  /** The wait before `key`'s next attempt; counts one more failure of it. */
  when(key: K): number {
    const failures = this.retries(key);
    this.#failures.set(key, failures + 1);
    return backoffDelay(this.policy, failures, this.#random);
  }

  /** Failures in a row recorded for `key`. */
  retries(key: K): number {
    return this.#failures.get(key) ?? 0;
  }

  forget(key: K): void {
    this.#failures.delete(key);
  }
}
