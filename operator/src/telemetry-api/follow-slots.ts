// How many follow streams the read API holds open: a few per caller and a bound for all callers together,
// so one caller's dashboards cannot take every slot. Pure bookkeeping; the server takes a slot before it
// streams and gives it back when the stream ends.
import { Failure } from './refusals.ts';

export interface FollowSlotLimits {
  /** Open follows one caller (one authenticated user name) may hold. */
  readonly perCaller: number;
  /** Open follows of every caller together. */
  readonly total: number;
}

export const defaultFollowSlots: FollowSlotLimits = { perCaller: 4, total: 256 };

/** Seconds a refused caller is told to wait: a follow ends when its session does, so slots free slowly. */
const retryAfterSeconds = 30;

export class FollowSlots {
  readonly #limits: FollowSlotLimits;
  readonly #held = new Map<string, number>();
  #total = 0;

  constructor(limits: FollowSlotLimits = defaultFollowSlots) {
    this.#limits = limits;
  }

  /** Open follows, all callers together. */
  get open(): number {
    return this.#total;
  }

  /** Takes a slot for `caller`; returns how to give it back (once), or throws a 429 Failure saying why. */
  take(caller: string): () => void {
    const mine = this.#held.get(caller) ?? 0;
    const retry = { 'Retry-After': String(retryAfterSeconds) };
    if (mine >= this.#limits.perCaller)
      throw new Failure(
        429,
        `${caller} already follows ${mine} sessions, the most one caller may: end one (a follow ends with its session) or read without follow=true`,
        retry,
      );
    if (this.#total >= this.#limits.total)
      throw new Failure(
        429,
        `the read API already serves ${this.#total} follows, the most it holds: try again later or read without follow=true`,
        retry,
      );
    this.#held.set(caller, mine + 1);
    this.#total++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.#total--;
      const left = (this.#held.get(caller) ?? 1) - 1;
      if (left === 0) this.#held.delete(caller);
      else this.#held.set(caller, left);
    };
  }
}
