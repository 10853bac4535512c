// Who is asking and may they: the caller's bearer token goes to a TokenReview (the API server's own
// audiences, as `kubectl create token` mints them), the user it names to a SubjectAccessReview for `get` on
// roastsessions/telemetry of that session. Answers are kept briefly, so a dashboard polling every second asks
// the API server once per TTL rather than twice per request. Refused tokens are remembered apart from
// accepted ones, so a flood of made-up tokens cannot push real users' answers out, and the reviews that do
// go to the API server are rate-limited (review-limit.ts): the API server is not the read API's to flood.
import { createHash } from 'node:crypto';
import { group } from '@roast-operator/api';
import { systemClock } from '@roast-operator/clock';
import {
  type KubeClient,
  type ResourceAttributes,
  type ReviewedUser,
  reviewAccess,
  reviewToken,
} from '@roast-operator/kube';
import { Counter, type Registry } from 'prom-client';
import type { SessionRef } from './query.ts';
import { Failure } from './refusals.ts';
import { defaultReviewLimits, ReviewLimiter, type ReviewLimits } from './review-limit.ts';

/** The permission the read API checks, on the session named in the path. */
export const telemetryPermission = {
  verb: 'get',
  group,
  resource: 'roastsessions',
  subresource: 'telemetry',
} as const;

/**
 * Promises by key for `ttlMs`, at most `maxEntries` (the oldest go first). A promise is shared while in
 * flight, so simultaneous requests with one token make one review; a rejected one is forgotten at once.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: Promise<V>; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(opts: { ttlMs: number; maxEntries: number; now?: () => number }) {
    this.#ttlMs = opts.ttlMs;
    this.#maxEntries = opts.maxEntries;
    this.#now = opts.now ?? (() => systemClock.now());
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached answer for `key` and true, or `load()`'s and false. A `load` that throws stores nothing. */
  get(key: string, load: () => Promise<V>): { value: Promise<V>; cached: boolean } {
    const cached = this.peek(key);
    if (cached !== undefined) return { value: cached, cached: true };
    const value = load();
    this.set(key, value);
    return { value, cached: false };
  }

  /** The answer cached for `key`, if it has not expired. */
  peek(key: string): Promise<V> | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined && entry.expiresAt > this.#now()) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  /** Keeps `value` for `key` for the TTL, forgetting the oldest entries beyond the bound. */
  set(key: string, value: Promise<V>): void {
    this.#entries.delete(key);
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    const fresh = { value, expiresAt: this.#now() + this.#ttlMs };
    this.#entries.set(key, fresh);
    value.catch(() => {
      if (this.#entries.get(key) === fresh) this.#entries.delete(key);
    });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}

export interface AccessOptions {
  /** How long a review's answer is used again (default 10 s, as the API server caches token reviews). */
  ttlMs?: number;
  /** Answers kept at most, per kind of review (default 1000). */
  maxEntries?: number;
  /** Refused tokens remembered at most, apart from the accepted ones (default 4096). */
  maxRefusals?: number;
  /** Reviews asked of the API server at most (default `defaultReviewLimits`). */
  limits?: ReviewLimits;
  now?: () => number;
  registry: Registry;
}

type Review = 'token' | 'access';
type Source = 'api' | 'cache' | 'limited';

/** How a caller gets what this API accepts: the 401's advice, for a request without a bearer token. */
export const howToGetAToken =
  "this API reads a bearer token only (Authorization: Bearer <token>), not a client certificate. A service account gets one with `kubectl create token <service-account> -n <namespace>`; a person signed in through OIDC sends the id-token of their kubeconfig. Whoever is known to the cluster only by a client certificate has no token: ask for a service account bound to ClusterRole roast-viewer in the session's namespace and use its token";

/** A token the API server did not accept, as the refusal says it. */
class NotAccepted extends Error {}

/** Authenticates and authorizes callers of the read API; throws a `Failure` (401, 403, 429 or 503) to refuse. */
export class Access {
  readonly #client: KubeClient;
  readonly #tokens: TtlCache<ReviewedUser>;
  readonly #refusals: TtlCache<string>;
  readonly #decisions: TtlCache<{ allowed: boolean; reason: string }>;
  readonly #limiter: ReviewLimiter;
  readonly #reviews: Counter<'review' | 'source'>;

  constructor(client: KubeClient, opts: AccessOptions) {
    this.#client = client;
    const now = opts.now ?? (() => systemClock.now());
    const cache = { ttlMs: opts.ttlMs ?? 10_000, maxEntries: opts.maxEntries ?? 1000, now };
    this.#tokens = new TtlCache(cache);
    this.#refusals = new TtlCache({ ...cache, maxEntries: opts.maxRefusals ?? 4096 });
    this.#decisions = new TtlCache(cache);
    this.#limiter = new ReviewLimiter(opts.limits ?? defaultReviewLimits, now);
    this.#reviews = new Counter({
      name: 'roast_telemetry_api_reviews_total',
      help: 'Token and access reviews of telemetry read API callers, by review and by whether the API server (api) or the cache (cache) answered, or the review was refused for the rate limit (limited).',
      labelNames: ['review', 'source'],
      registers: [opts.registry],
    });
  }

  /** Reviews counted so far, by review and source: what the cache saved, for tests and benchmarks. */
  async counts(): Promise<Record<`${Review}/${Source}`, number>> {
    const values = (await this.#reviews.get()).values;
    const count = (review: Review, source: Source) =>
      values.find((v) => v.labels.review === review && v.labels.source === source)?.value ?? 0;
    return {
      'token/api': count('token', 'api'),
      'token/cache': count('token', 'cache'),
      'token/limited': count('token', 'limited'),
      'access/api': count('access', 'api'),
      'access/cache': count('access', 'cache'),
      'access/limited': count('access', 'limited'),
    };
  }

  /** The user the request's bearer token belongs to; `client` is the caller's address, for the rate limit. */
  async authenticate(authorization: string | undefined, client: string): Promise<ReviewedUser> {
    const token = authorization === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (token === undefined)
      throw new Failure(401, `a bearer token is required: ${howToGetAToken}`, {
        'WWW-Authenticate': 'Bearer',
      });
    // Keyed by a digest: the cache never holds a usable token.
    const key = createHash('sha256').update(token).digest('base64url');
    try {
      const refused = this.#refusals.peek(key);
      if (refused !== undefined) {
        this.#reviews.inc({ review: 'token', source: 'cache' });
        throw new NotAccepted(await refused);
      }
      return await this.#ask('token', this.#tokens, key, client, async () => {
        const review = await reviewToken(this.#client, token);
        if (!review.authenticated || !review.user?.username)
          throw new NotAccepted(review.error || 'invalid, expired, or not for this API server');
        return review.user;
      });
    } catch (err) {
      if (!(err instanceof NotAccepted)) throw err;
      this.#refusals.set(key, Promise.resolve(err.message));
      throw new Failure(401, `the token was not accepted: ${err.message}`, {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    }
  }

  /** Refuses unless `user` may get roastsessions/telemetry on the session. */
  async authorize(user: ReviewedUser, session: SessionRef, client: string): Promise<void> {
    const attributes: ResourceAttributes = { ...telemetryPermission, ...session };
    const key = JSON.stringify([user.username, user.uid, user.groups, user.extra, attributes]);
    const decision = await this.#ask('access', this.#decisions, key, client, async () => {
      const review = await reviewAccess(this.#client, user, attributes);
      return { allowed: review.allowed, reason: review.reason || review.evaluationError || '' };
    });
    if (!decision.allowed) throw new Failure(403, forbidden(user, session, decision.reason));
  }

  /** The cached answer, or the API server's within the rate limit; a refused token stays `NotAccepted`. */
  async #ask<V>(
    review: Review,
    cache: TtlCache<V>,
    key: string,
    client: string,
    load: () => Promise<V>,
  ): Promise<V> {
    const { value, cached } = cache.get(key, () => {
      const admission = this.#limiter.admit(client);
      if (!admission.allowed) {
        this.#reviews.inc({ review, source: 'limited' });
        throw tooManyReviews(this.#limiter.limits, admission.scope, client, admission.retryAfterMs);
      }
      return load();
    });
    this.#reviews.inc({ review, source: cached ? 'cache' : 'api' });
    try {
      return await value;
    } catch (err) {
      if (err instanceof NotAccepted) throw err;
      throw new Failure(
        503,
        `the ${review} review could not be made: the API server did not answer; try again`,
      );
    }
  }
}

/** The 429 for a review the rate limit holds back, saying which budget is spent and when to retry. */
export function tooManyReviews(
  limits: ReviewLimits,
  scope: 'client' | 'all',
  client: string,
  retryAfterMs: number,
): Failure {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const budget =
    scope === 'client'
      ? `${limits.perClient.perSecond} a second from one address (${client})`
      : `${limits.all.perSecond} a second from all callers together`;
  return new Failure(
    429,
    `too many callers to review: this API asks the API server to review new tokens and permissions at most ${budget}; retry in ${seconds} s. A token it has already accepted is answered without waiting`,
    { 'Retry-After': String(seconds) },
  );
}

/** The refusal, in the words of the API server's own, naming the permission and how it is granted. */
export function forbidden(user: ReviewedUser, session: SessionRef, reason: string): string {
  const { verb, resource, subresource } = telemetryPermission;
  return (
    `roastsessions.${group} "${session.name}" is forbidden: User "${user.username}" cannot ${verb} ` +
    `resource "${resource}/${subresource}" in API group "${group}" in the namespace "${session.namespace}"` +
    `${reason ? `: ${reason}` : ''} (ClusterRole roast-viewer grants it; bind it in namespace ${session.namespace})`
  );
}
