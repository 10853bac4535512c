import { describe, expect, it } from 'vitest';
import { Backoff, type BackoffPolicy, backoffDelay, ItemBackoff } from './backoff.ts';

const reflector: BackoffPolicy = { initialMs: 1600, maxMs: 60_000, jitter: 0.5 };
const edgeLink: BackoffPolicy = { initialMs: 500, maxMs: 30_000, jitter: 0.5 };
const workQueue: BackoffPolicy = { initialMs: 5, maxMs: 1_000_000 };

describe('backoffDelay', () => {
  it.each<[string, BackoffPolicy, number, number, number]>([
    // name, policy, failures, random(), delay
    ['the first retry waits the initial delay', workQueue, 0, 0.3, 5],
    ['each failure doubles it', workQueue, 3, 0.3, 40],
    ['up to the cap', workQueue, 30, 0.3, 1_000_000],
    ['a count that overflows 2ⁿ stays at the cap', workQueue, 5000, 0.3, 1_000_000],
    ['equal jitter at its low end: half the ceiling', edgeLink, 0, 0, 250],
    ['equal jitter at its high end: the ceiling', edgeLink, 0, 1, 500],
    ['equal jitter in the middle', edgeLink, 3, 0.5, 3000],
    ['equal jitter at the cap', edgeLink, 60, 1, 30_000],
    ['the reflector: 800 ms to 1.6 s first', reflector, 0, 0, 800],
    ['the reflector, halfway: 1.5 × 800 ms · 2ⁿ', reflector, 4, 0.5, 19_200],
    ['the reflector at its cap: 30 s to 60 s', reflector, 20, 0.5, 45_000],
    ['full jitter reaches down to 0', { initialMs: 100, maxMs: 100, jitter: 1 }, 0, 0, 0],
  ])('%s', (_, policy, failures, random, delay) => {
    expect(backoffDelay(policy, failures, () => random)).toBe(delay);
  });

  it('stays within [(1 − jitter)·ceiling, ceiling] with real random numbers', () => {
    for (let failures = 0; failures < 12; failures++) {
      const ceiling = Math.min(30_000, 500 * 2 ** failures);
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelay(edgeLink, failures);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it.each<[string, BackoffPolicy, number, RegExp]>([
    ['a zero initial delay', { initialMs: 0, maxMs: 10 }, 0, /initialMs must be a positive number/],
    [
      'a cap below the initial delay',
      { initialMs: 10, maxMs: 5 },
      0,
      /maxMs must be at least initialMs \(10\)/,
    ],
    ['an infinite cap', { initialMs: 10, maxMs: Infinity }, 0, /maxMs must be at least/],
    ['a jitter above 1', { initialMs: 10, maxMs: 20, jitter: 2 }, 0, /jitter must be within 0 and 1, not 2/],
    ['a negative failure count', workQueue, -1, /failures must be a whole number of at least 0, not -1/],
    ['a fractional failure count', workQueue, 1.5, /failures must be a whole number/],
  ])('refuses %s with a reason', (_, policy, failures, reason) => {
    expect(() => backoffDelay(policy, failures)).toThrow(reason);
  });
});

describe('Backoff', () => {
  it('doubles up to the cap within the jitter band and starts over on reset', () => {
    const b = new Backoff(reflector, () => 0.5);
    expect(Array.from({ length: 8 }, () => b.next())).toEqual([
      1200, 2400, 4800, 9600, 19_200, 38_400, 45_000, 45_000,
    ]);
    expect(b.failures).toBe(8);
    b.reset();
    expect(b.failures).toBe(0);
    expect(b.next()).toBe(1200);
  });

  it('without jitter waits exactly initial·2ⁿ up to the cap', () => {
    const b = new Backoff({ initialMs: 1000, maxMs: 30_000 });
    expect(Array.from({ length: 7 }, () => b.next())).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
  });

  it('refuses a policy it cannot follow when it is made, not at the first failure', () => {
    expect(() => new Backoff({ initialMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});

describe('ItemBackoff', () => {
  it('backs off each key on its own until it is forgotten', () => {
    const b = new ItemBackoff<string>({ initialMs: 10, maxMs: 1000 });
    expect([b.when('a'), b.when('a'), b.when('b'), b.when('a')]).toEqual([10, 20, 10, 40]);
    expect([b.retries('a'), b.retries('b'), b.retries('c')]).toEqual([3, 1, 0]);
    b.forget('a');
    expect(b.retries('a')).toBe(0);
    expect(b.when('a')).toBe(10);
  });

  it('refuses a policy it cannot follow', () => {
    expect(() => new ItemBackoff({ initialMs: 10, maxMs: 20, jitter: -0.1 })).toThrow(/jitter/);
  });
});
