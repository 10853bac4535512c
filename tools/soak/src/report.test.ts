import { describe, expect, it } from 'vitest';
import {
  type Bounds,
  between,
  type Measured,
  memoryBytes,
  memorySample,
  percentile,
  seeded,
  verdict,
} from './report.ts';

describe('seeded', () => {
  it('gives the same numbers for the same seed, others for another', () => {
    const a = seeded(7);
    const b = seeded(7);
    const c = seeded(8);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws integers within both ends', () => {
    const r = seeded(1);
    const drawn = Array.from({ length: 200 }, () => between(r, 3, 5));
    expect(new Set(drawn)).toEqual(new Set([3, 4, 5]));
  });
});

describe('percentile', () => {
  it.each([
    [[5, 1, 3, 2, 4], 50, 3],
    [[5, 1, 3, 2, 4], 100, 5],
    [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99],
    [[7], 99, 7],
  ])('of %j at p%i is %i', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('is undefined for none', () => {
    expect(percentile([], 50)).toBeUndefined();
  });
});

describe('memoryBytes', () => {
  it.each([
    ['192Mi', 192 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['500M', 5e8],
    ['1024', 1024],
  ])('%s is %i bytes', (q, bytes) => {
    expect(memoryBytes(q)).toBe(bytes);
  });

  it('refuses what is not a quantity', () => {
    expect(() => memoryBytes('lots')).toThrow('not a memory quantity');
  });
});

describe('memorySample', () => {
  const status =
    'Name:\tnode\nVmPeak:\t 1200000 kB\nVmRSS:\t  200000 kB\nRssAnon:\t  120000 kB\nRssFile:\t   80000 kB\n';

  it('reads the anonymous and the whole resident set from /proc/PID/status', () => {
    expect(memorySample(status)).toEqual({ anonBytes: 120000 * 1024, rssBytes: 200000 * 1024 });
  });

  it('gives undefined for a status without them', () => {
    expect(memorySample('Name:\tnode\n')).toBeUndefined();
  });
});

describe('verdict', () => {
  const bounds: Bounds = { stopP99Ms: 100, deadlineLateMs: 1000, memoryBytes: 192 * 2 ** 20 };
  const held: Measured = {
    seed: 1,
    seconds: 600,
    stopMs: [10, 20, 30],
    stopsUnsent: 0,
    deadlineLateMs: [100, 400],
    memory: [{ anonBytes: 100 * 2 ** 20, rssBytes: 150 * 2 ** 20 }],
    roasts: 3,
    roastFailures: [],
    floodProposals: 500,
    refused: { forgedResult: 4 },
    accepted: { forgedResult: 0 },
    recovered: true,
    errors: [],
  };

  it('holds when every figure is within its bound', () => {
    expect(verdict(held, bounds).every((c) => c.ok)).toBe(true);
  });

  it.each<[string, Partial<Measured>, string]>([
    ['a slow stop', { stopMs: [...Array(99).fill(10), 150, 160] }, 'every stop sent within its bound'],
    ['a stop never sent', { stopsUnsent: 1 }, 'every stop sent within its bound'],
    ['no stop at all', { stopMs: [] }, 'every stop sent within its bound'],
    ['a late deadline', { deadlineLateMs: [1200] }, 'deadlines honoured under label storms'],
    [
      'anonymous memory over the limit',
      { memory: [{ anonBytes: 200 * 2 ** 20, rssBytes: 250 * 2 ** 20 }] },
      'operator memory within the chart’s limit',
    ],
    ['no memory sample', { memory: [] }, 'operator memory within the chart’s limit'],
    ['no recovery', { recovered: false }, 'the roaster recovered by a human reset'],
    ['no roast', { roasts: 0 }, 'ordinary roasting went on'],
    ['a roast that failed', { roastFailures: ['roast-2: Drop ended Aborted'] }, 'ordinary roasting went on'],
    ['an attack let through', { accepted: { forgedResult: 1 } }, 'every attack refused'],
    ['an error logged', { errors: ['boom'] }, 'no error-level log line but refused attacks'],
  ])('fails on %s', (_, change, what) => {
    const failed = verdict({ ...held, ...change }, bounds).filter((c) => !c.ok);
    expect(failed.map((c) => c.what)).toEqual([what]);
  });
});
