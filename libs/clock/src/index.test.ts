import { describe, expect, it } from 'vitest';
import { scaledClock, VirtualClock, wakeableSleep } from './index.ts';

describe('VirtualClock', () => {
  it('fires timers in time order, then creation order, only when advanced past them', async () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    clock.setTimer(() => fired.push('b'), 20);
    clock.setTimer(() => fired.push('a'), 10);
    clock.setTimer(() => fired.push('c'), 20);
    const cancelled = clock.setTimer(() => fired.push('x'), 5);
    cancelled.cancel();
    await clock.advance(15);
    expect(fired).toEqual(['a']);
    await clock.advance(5);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.now()).toBe(20);
  });

  it('lets promise chains started by a timer run before the next timer', async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.setTimer(async () => {
      await Promise.resolve();
      clock.setTimer(() => seen.push(clock.now()), 1);
    }, 10);
    await clock.advance(11);
    expect(seen).toEqual([11]);
  });

  it('fails a wait for something that never happens instead of hanging', async () => {
    const clock = new VirtualClock(0);
    await expect(clock.until(() => false, 1000)).rejects.toThrow(/within 1000 ms/);
    expect(clock.now()).toBe(1000);
  });
});

describe('wakeableSleep', () => {
  it('ends early when woken, and on time otherwise', async () => {
    const clock = new VirtualClock(0);
    const early = wakeableSleep(clock, 100);
    early.wake();
    expect(await early.done).toBe(true);
    const late = wakeableSleep(clock, 100);
    await clock.advance(100);
    expect(await late.done).toBe(false);
  });
});

describe('scaledClock', () => {
  it('runs faster than its base by the factor', async () => {
    const base = new VirtualClock(1000);
    const fast = scaledClock(base, 20);
    let fired = false;
    fast.setTimer(() => {
      fired = true;
    }, 2000);
    await base.advance(100);
    expect(fast.now()).toBe(1000 + 2000);
    expect(fired).toBe(true);
  });

  it('agrees with its base at the origin it is given', async () => {
    const base = new VirtualClock(5000);
    const fast = scaledClock(base, 4, 1000);
    expect(fast.now()).toBe(1000 + 4000 * 4);
    await base.advance(250);
    expect(fast.now()).toBe(1000 + 4250 * 4);
  });
});
