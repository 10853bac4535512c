// Who is asking and may they: the caller's bearer token goes to a TokenReview (the API server's own
// audiences, as `kubectl create token` mints them), the user it names to a SubjectAccessReview for `get` on
// roastsessions/telemetry of that session. Answers are kept briefly, so a dashboard polling every second asks
// the API server once per TTL rather than twice per request.
import { createHash } from 'node:crypto';
import { group } from '@roast-operator/api';
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
    this.#now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached answer for `key` and true, or `load()`'s and false. */
  get(key: string, load: () => Promise<V>): { value: Promise<V>; cached: boolean } {
    const now = this.#now();
    const entry = this.#entries.get(key);
    if (entry !== undefined && entry.expiresAt > now) return { value: entry.value, cached: true };
    this.#entries.delete(key);
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    const value = load();
    const fresh = { value, expiresAt: now + this.#ttlMs };
    this.#entries.set(key, fresh);
    value.catch(() => {
      if (this.#entries.get(key) === fresh) this.#entries.delete(key);
    });
    return { value, cached: false };
  }
}

export interface AccessOptions {
  /** How long a review's answer is used again (default 10 s, as the API server caches token reviews). */
  ttlMs?: number;
  /** Answers kept at most, per kind of review (default 1000). */
  maxEntries?: number;
  now?: () => number;
  registry: Registry;
}

type Review = 'token' | 'access';

/** Authenticates and authorizes callers of the read API; throws a `Failure` (401, 403 or 503) to refuse. */
export class Access {
  readonly #client: KubeClient;
  readonly #tokens: TtlCache<ReviewedUser | string>;
  readonly #decisions: TtlCache<{ allowed: boolean; reason: string }>;
  readonly #reviews: Counter<'review' | 'source'>;

  constructor(client: KubeClient, opts: AccessOptions) {
    this.#client = client;
    const cache = {
      ttlMs: opts.ttlMs ?? 10_000,
      maxEntries: opts.maxEntries ?? 1000,
      ...(opts.now && { now: opts.now }),
    };
    this.#tokens = new TtlCache(cache);
    this.#decisions = new TtlCache(cache);
    this.#reviews = new Counter({
      name: 'roast_telemetry_api_reviews_total',
      help: 'Token and access reviews of telemetry read API callers, by review and by whether the API server (api) or the cache (cache) answered.',
      labelNames: ['review', 'source'],
      registers: [opts.registry],
    });
  }

  /** Reviews counted so far, by review and source: what the cache saved, for tests and benchmarks. */
  async counts(): Promise<Record<`${Review}/${'api' | 'cache'}`, number>> {
    const values = (await this.#reviews.get()).values;
    const count = (review: Review, source: string) =>
      values.find((v) => v.labels.review === review && v.labels.source === source)?.value ?? 0;
    return {
      'token/api': count('token', 'api'),
      'token/cache': count('token', 'cache'),
      'access/api': count('access', 'api'),
      'access/cache': count('access', 'cache'),
    };
  }

  /** The user the request's bearer token belongs to. */
  async authenticate(authorization: string | undefined): Promise<ReviewedUser> {
    const token = authorization === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (token === undefined)
      throw new Failure(401, 'a bearer token is required: Authorization: Bearer <token>', {
        'WWW-Authenticate': 'Bearer',
      });
    // Keyed by a digest: the cache never holds a usable token.
    const key = createHash('sha256').update(token).digest('base64url');
    const answer = await this.#ask('token', this.#tokens, key, async () => {
      const review = await reviewToken(this.#client, token);
      if (!review.authenticated || !review.user?.username)
        return review.error || 'invalid, expired, or not for this API server';
      return review.user;
    });
    if (typeof answer === 'string')
      throw new Failure(401, `the token was not accepted: ${answer}`, {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    return answer;
  }

  /** Refuses unless `user` may get roastsessions/telemetry on the session. */
  async authorize(user: ReviewedUser, session: SessionRef): Promise<void> {
    const attributes: ResourceAttributes = { ...telemetryPermission, ...session };
    const key = JSON.stringify([user.username, user.uid, user.groups, user.extra, attributes]);
    const decision = await this.#ask('access', this.#decisions, key, async () => {
      const review = await reviewAccess(this.#client, user, attributes);
      return { allowed: review.allowed, reason: review.reason || review.evaluationError || '' };
    });
    if (!decision.allowed) throw new Failure(403, forbidden(user, session, decision.reason));
  }

  async #ask<V>(review: Review, cache: TtlCache<V>, key: string, load: () => Promise<V>): Promise<V> {
    const { value, cached } = cache.get(key, load);
    this.#reviews.inc({ review, source: cached ? 'cache' : 'api' });
    try {
      return await value;
    } catch {
      throw new Failure(
        503,
        `the ${review} review could not be made: the API server did not answer; try again`,
      );
    }
  }
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
