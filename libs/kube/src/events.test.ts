import { VirtualClock } from '@roast-operator/clock';
import { describe, expect, it } from 'vitest';
import { EventAggregator, microTime, TokenBucket } from './events.ts';

describe('TokenBucket', () => {
  it('allows a burst, then one token per refill period', () => {
    const bucket = new TokenBucket(3, 1 / 1000, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(bucket.take(999)).toBe(false);
    expect(bucket.take(1000)).toBe(true);
    expect(bucket.full(1000)).toBe(false);
    expect(bucket.full(4000)).toBe(true);
  });
});

describe('EventAggregator', () => {
  it('counts identical events within the window into one series', async () => {
    const clock = new VirtualClock();
    const agg = new EventAggregator(clock, { seriesWindowMs: 60_000 });
    const first = agg.observe('e', 'obj', 'ns');
    expect(first.action).toBe('create');
    if (first.action !== 'create') return;
    first.series.name = 'obj.1';
    await clock.advance(59_000);
    const again = agg.observe('e', 'obj', 'ns');
    expect(again).toEqual({ action: 'count', series: first.series });
    expect(first.series.count).toBe(2);
    expect(agg.takeDirty()).toEqual([first.series]);
    expect(agg.takeDirty()).toEqual([]);
  });

  it('starts a new Event once the window since the last occurrence has passed', async () => {
    const clock = new VirtualClock();
    const agg = new EventAggregator(clock, { seriesWindowMs: 60_000 });
    agg.observe('e', 'obj', 'ns');
    await clock.advance(60_001);
    expect(agg.observe('e', 'obj', 'ns').action).toBe('create');
  });

  it('holds back counts until the Event exists', () => {
    const agg = new EventAggregator(new VirtualClock());
    const first = agg.observe('e', 'obj', 'ns');
    agg.observe('e', 'obj', 'ns');
    expect(agg.takeDirty()).toEqual([]);
    if (first.action === 'create') first.series.name = 'obj.1';
    expect(agg.takeDirty()).toHaveLength(1);
  });

  it('rate limits new events per object but never repeats of a series', async () => {
    const clock = new VirtualClock();
    const agg = new EventAggregator(clock, { burst: 2, refillPerMs: 1 / 10_000 });
    expect(agg.observe('a', 'obj', 'ns').action).toBe('create');
    expect(agg.observe('b', 'obj', 'ns').action).toBe('create');
    expect(agg.observe('c', 'obj', 'ns').action).toBe('drop');
    expect(agg.observe('a', 'obj', 'ns').action).toBe('count');
    expect(agg.observe('c-other', 'other', 'ns').action).toBe('create');
    await clock.advance(10_000);
    expect(agg.observe('c', 'obj', 'ns').action).toBe('create');
  });

  it('forgets a series whose Event is gone and prunes expired state', async () => {
    const clock = new VirtualClock();
    const agg = new EventAggregator(clock, { seriesWindowMs: 1000, burst: 1, refillPerMs: 1 / 1000 });
    const first = agg.observe('e', 'obj', 'ns');
    if (first.action !== 'create') throw new Error('expected create');
    agg.forget(first.series);
    await clock.advance(1000);
    expect(agg.observe('e', 'obj', 'ns').action).toBe('create');
    await clock.advance(5000);
    agg.prune();
    // A pruned bucket is a full one: a burst is available again.
    expect(agg.observe('x', 'obj', 'ns').action).toBe('create');
  });
});

describe('microTime', () => {
  it('formats with microseconds', () => {
    expect(microTime(new Date('2026-11-24T10:00:00.123Z'))).toBe('2026-11-24T10:00:00.123000Z');
  });
});
