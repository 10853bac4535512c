import { describe, expect, it } from 'vitest';
import { ReviewLimiter, TokenBucket } from './review-limit.ts';

function limiter(maxClients = 8) {
  let now = 0;
  const l = new ReviewLimiter(
    { all: { perSecond: 4, burst: 6 }, perClient: { perSecond: 1, burst: 3 }, maxClients },
    () => now,
  );
  return {
    l,
    advance: (ms: number) => {
      now += ms;
    },
    /** How many of `n` reviews from `client` are let through now. */
    let: (client: string, n: number) =>
      Array.from({ length: n }, () => l.admit(client)).filter((a) => a.allowed).length,
  };
}

describe('the token bucket', () => {
  it('starts full, refills at its rate up to the burst, and says how long until the next token', () => {
    const b = new TokenBucket({ perSecond: 2, burst: 3 }, 0);
    expect(b.available(0)).toBe(3);
    for (let i = 0; i < 3; i++) b.take();
    expect(b.available(0)).toBe(0);
    expect(b.waitMs(0)).toBe(500);
    expect(b.available(250)).toBe(0.5);
    expect(b.waitMs(250)).toBe(250);
    expect(b.available(10_000)).toBe(3);
    expect(b.waitMs(10_000)).toBe(0);
  });

  it('ignores a clock that steps back', () => {
    const b = new TokenBucket({ perSecond: 1, burst: 2 }, 1000);
    b.take();
    b.take();
    expect(b.available(0)).toBe(0);
    expect(b.available(1000)).toBe(0);
  });
});

describe('the review limiter', () => {
  it('holds one address to its own burst and rate, saying when to retry', () => {
    const t = limiter();
    expect(t.let('10.0.0.1', 100)).toBe(3);
    expect(t.l.admit('10.0.0.1')).toEqual({ allowed: false, scope: 'client', retryAfterMs: 1000 });
    t.advance(1000);
    expect(t.let('10.0.0.1', 100)).toBe(1);
  });

  it('leaves the shared budget to other addresses while one floods', () => {
    const t = limiter();
    expect(t.let('10.0.0.1', 1000)).toBe(3);
    expect(t.let('10.0.0.2', 1)).toBe(1);
  });

  it('holds all addresses together to the shared budget', () => {
    const t = limiter();
    const let_ = ['a', 'b', 'c', 'd'].map((client) => t.let(client, 3));
    expect(let_).toEqual([3, 3, 0, 0]);
    expect(t.l.admit('e')).toEqual({ allowed: false, scope: 'all', retryAfterMs: 250 });
    t.advance(10_000);
    expect(t.let('e', 1)).toBe(1);
  });

  it('bounds over the long run: burst plus rate times time, whatever the demand', () => {
    const t = limiter();
    let allowed = 0;
    for (let ms = 0; ms < 60_000; ms += 10) {
      allowed += t.let(`10.0.${ms % 7}.1`, 5);
      t.advance(10);
    }
    expect(allowed).toBeLessThanOrEqual(6 + 4 * 60);
    expect(allowed).toBeGreaterThanOrEqual(4 * 60);
  });

  it('remembers at most maxClients addresses, forgetting the least recently seen', () => {
    const t = limiter(2);
    t.let('a', 3);
    t.let('b', 1);
    t.let('a', 1);
    t.let('c', 1);
    expect(t.l.clients).toBe(2);
    // a was seen more recently than b, so b was forgotten and a still has its spent budget.
    expect(t.l.admit('a')).toMatchObject({ allowed: false, scope: 'client' });
  });
});
