/**
 * Per-key exponential failure backoff, as client-go's ItemExponentialFailureRateLimiter: the n-th
 * consecutive failure of a key waits base·2ⁿ, capped; `forget` after a success starts over.
 */
export class ItemBackoff<K = string> {
  readonly baseMs: number;
  readonly maxMs: number;
  #failures = new Map<K, number>();

  constructor(opts: { baseMs?: number; maxMs?: number } = {}) {
    this.baseMs = opts.baseMs ?? 5;
    this.maxMs = opts.maxMs ?? 1_000_000;
  }

  /** Delay for the next retry of `key`; counts one more failure. */
  when(key: K): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    // 2**failures overflows to Infinity for large counts, which the cap absorbs.
    return Math.min(this.baseMs * 2 ** failures, this.maxMs);
  }

  /** Consecutive failures recorded for `key`. */
  retries(key: K): number {
    return this.#failures.get(key) ?? 0;
  }

  forget(key: K): void {
    this.#failures.delete(key);
  }
}

/**
 * Jittered exponential backoff for reconnect loops (client-go's reflector uses 800 ms → 30 s, factor 2,
 * jitter 1.0). Jitter spreads reconnects of many clients after an API server restart.
 */
export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly jitter: number;
  #random: () => number;
  #attempt = 0;

  constructor(opts: { initialMs?: number; maxMs?: number; jitter?: number; random?: () => number } = {}) {
    this.initialMs = opts.initialMs ?? 800;
    this.maxMs = opts.maxMs ?? 30_000;
    this.jitter = opts.jitter ?? 1;
    this.#random = opts.random ?? Math.random;
  }

  /** The delay before the next attempt, in [d, d·(1+jitter)) with d doubling up to the cap. */
  next(): number {
    const base = Math.min(this.initialMs * 2 ** this.#attempt, this.maxMs);
    this.#attempt++;
    return base * (1 + this.jitter * this.#random());
  }

  reset(): void {
    this.#attempt = 0;
  }
}
