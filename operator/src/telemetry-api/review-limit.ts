// How often the read API may ask the API server to review a caller: a token bucket for all callers together
// and one per client address. A flood of made-up bearer tokens then costs the API server a bounded number of
// TokenReviews, and one flooding address cannot spend the budget of everyone else. Answers the read API
// already holds (a token reviewed a moment ago, a refusal it remembers) cost nothing and are never limited.

/** A sustained rate and the burst allowed above it. */
export interface Rate {
  readonly perSecond: number;
  readonly burst: number;
}

export interface ReviewLimits {
  /** All callers together. */
  readonly all: Rate;
  /** Each client address. */
  readonly perClient: Rate;
  /** Client addresses remembered at most; the least recently seen is forgotten first (a full bucket again). */
  readonly maxClients: number;
}

export const defaultReviewLimits: ReviewLimits = {
  all: { perSecond: 25, burst: 50 },
  perClient: { perSecond: 5, burst: 20 },
  maxClients: 1024,
};

/** A token bucket: `burst` tokens at most, refilled at `perSecond`. */
export class TokenBucket {
  readonly #rate: Rate;
  #tokens: number;
  #at: number;

  constructor(rate: Rate, now: number) {
    this.#rate = rate;
    this.#tokens = rate.burst;
    this.#at = now;
  }

  /** Tokens there now, refilled up to the burst. */
  available(now: number): number {
    this.#tokens = Math.min(
      this.#rate.burst,
      this.#tokens + (Math.max(0, now - this.#at) * this.#rate.perSecond) / 1000,
    );
    this.#at = Math.max(this.#at, now);
    return this.#tokens;
  }

  /** Milliseconds until one token is there (0: now). */
  waitMs(now: number): number {
    return Math.max(0, Math.ceil(((1 - this.available(now)) * 1000) / this.#rate.perSecond));
  }

  take(): void {
    this.#tokens -= 1;
  }
}

export type Admission =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly scope: 'client' | 'all'; readonly retryAfterMs: number };

/** Decides whether one more review may go to the API server now, for a client address. */
export class ReviewLimiter {
  readonly #limits: ReviewLimits;
  readonly #now: () => number;
  readonly #all: TokenBucket;
  readonly #clients = new Map<string, TokenBucket>();

  constructor(limits: ReviewLimits, now: () => number) {
    this.#limits = limits;
    this.#now = now;
    this.#all = new TokenBucket(limits.all, now());
  }

  get limits(): ReviewLimits {
    return this.#limits;
  }

  /** Client addresses remembered now (bounded by maxClients). */
  get clients(): number {
    return this.#clients.size;
  }

  /** Takes one review from the client's and the shared budget, or says which is spent and for how long. */
  admit(client: string): Admission {
    const now = this.#now();
    const own = this.#bucket(client, now);
    if (own.available(now) < 1) return { allowed: false, scope: 'client', retryAfterMs: own.waitMs(now) };
    if (this.#all.available(now) < 1)
      return { allowed: false, scope: 'all', retryAfterMs: this.#all.waitMs(now) };
    own.take();
    this.#all.take();
    return { allowed: true };
  }

  #bucket(client: string, now: number): TokenBucket {
    const known = this.#clients.get(client);
    // Most recently seen last, so the first entry is the one to forget.
    this.#clients.delete(client);
    const bucket = known ?? new TokenBucket(this.#limits.perClient, now);
    while (this.#clients.size >= this.#limits.maxClients) {
      const oldest = this.#clients.keys().next().value;
      if (oldest === undefined) break;
      this.#clients.delete(oldest);
    }
    this.#clients.set(client, bucket);
    return bucket;
  }
}
