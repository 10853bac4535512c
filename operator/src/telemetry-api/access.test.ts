import { describe, expect, it } from 'vitest';
import { forbidden, howToGetAToken, TtlCache, tooManyReviews } from './access.ts';

function cache(opts: { ttlMs: number; maxEntries: number }) {
  let now = 0;
  let loads = 0;
  const c = new TtlCache<string>({ ...opts, now: () => now });
  return {
    c,
    advance: (ms: number) => {
      now += ms;
    },
    loads: () => loads,
    get: (key: string, fail = false) =>
      c.get(key, () => {
        loads++;
        return fail ? Promise.reject(new Error('no answer')) : Promise.resolve(`${key}#${loads}`);
      }),
  };
}

describe('the review cache', () => {
  it('answers from the cache until the TTL passes, then asks again', async () => {
    const t = cache({ ttlMs: 10_000, maxEntries: 10 });
    expect(t.get('a').cached).toBe(false);
    t.advance(9_999);
    const again = t.get('a');
    expect(again.cached).toBe(true);
    expect(await again.value).toBe('a#1');
    t.advance(1);
    expect(await t.get('a').value).toBe('a#2');
    expect(t.loads()).toBe(2);
  });

  it('shares one load among simultaneous askers', async () => {
    const t = cache({ ttlMs: 10_000, maxEntries: 10 });
    const answers = await Promise.all([t.get('a').value, t.get('a').value, t.get('a').value]);
    expect(answers).toEqual(['a#1', 'a#1', 'a#1']);
    expect(t.loads()).toBe(1);
  });

  it('forgets a failed load at once', async () => {
    const t = cache({ ttlMs: 10_000, maxEntries: 10 });
    await expect(t.get('a', true).value).rejects.toThrow('no answer');
    expect(t.get('a').cached).toBe(false);
    expect(t.loads()).toBe(2);
  });

  it('keeps at most maxEntries, dropping the oldest first', async () => {
    const t = cache({ ttlMs: 10_000, maxEntries: 3 });
    for (const key of ['a', 'b', 'c', 'd']) t.get(key);
    expect(t.c.size).toBe(3);
    expect(t.get('b').cached).toBe(true);
    expect(t.get('a').cached).toBe(false);
    expect(t.c.size).toBe(3);
  });
});

describe('the refusal', () => {
  it.each([
    [
      '',
      'roastsessions.roasting.simcorp.io "s1" is forbidden: User "system:serviceaccount:roastery:nobody" cannot get resource "roastsessions/telemetry" in API group "roasting.simcorp.io" in the namespace "roastery" (ClusterRole roast-viewer grants it; bind it in namespace roastery)',
    ],
    [
      'no RBAC policy matched',
      'in the namespace "roastery": no RBAC policy matched (ClusterRole roast-viewer',
    ],
  ])('names the permission (reason %j)', (reason, message) => {
    const user = { username: 'system:serviceaccount:roastery:nobody' };
    expect(forbidden(user, { namespace: 'roastery', name: 's1' }, reason)).toContain(message);
  });
});

describe('the review cache, set and peek', () => {
  it('keeps a set answer for the TTL and forgets it on delete', async () => {
    const t = cache({ ttlMs: 1000, maxEntries: 2 });
    t.c.set('x', Promise.resolve('refused'));
    expect(await t.c.peek('x')).toBe('refused');
    t.advance(1000);
    expect(t.c.peek('x')).toBeUndefined();
    t.c.set('y', Promise.resolve('refused'));
    t.c.delete('y');
    expect(t.c.peek('y')).toBeUndefined();
  });

  it('stores nothing when the load throws before it starts', () => {
    const t = cache({ ttlMs: 1000, maxEntries: 1 });
    t.get('a');
    expect(() =>
      t.c.get('b', () => {
        throw new Error('limited');
      }),
    ).toThrow('limited');
    expect(t.c.size).toBe(1);
    expect(t.get('a').cached).toBe(true);
  });
});

describe('the refusals', () => {
  it('tell a caller without a bearer token how to get one', () => {
    expect(howToGetAToken).toContain('kubectl create token <service-account> -n <namespace>');
    expect(howToGetAToken).toContain('not a client certificate');
  });

  it('say which review budget is spent and when to retry', () => {
    const limits = {
      all: { perSecond: 20, burst: 40 },
      perClient: { perSecond: 2, burst: 10 },
      maxClients: 10,
    };
    const own = tooManyReviews(limits, 'client', '10.1.2.3', 1200);
    expect(own.code).toBe(429);
    expect(own.reason).toBe('TooManyRequests');
    expect(own.headers).toEqual({ 'Retry-After': '2' });
    expect(own.message).toContain('at most 2 a second from one address (10.1.2.3); retry in 2 s');
    expect(tooManyReviews(limits, 'all', '10.1.2.3', 10).message).toContain(
      'at most 20 a second from all callers together; retry in 1 s',
    );
  });
});
