import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  delayUntil,
  every,
  maxTimerMs,
  scaledClock,
  systemClock,
  VirtualClock,
  wakeableSleep,
} from './index.ts';

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

describe('delayUntil', () => {
  const hour = 3_600_000;
  it.each<[string, number | undefined, number | undefined, number | undefined]>([
    // name, at, maxMs, delay (now = 10_000)
    ['nothing to wait for', undefined, undefined, undefined],
    ['a wake-up at infinity is nothing to wait for', Infinity, undefined, undefined],
    ['NaN is nothing to wait for', Number.NaN, undefined, undefined],
    ['ahead: the difference', 12_500, undefined, 2500],
    ['now: 1 ms, never a spin', 10_000, undefined, 1],
    ['past: 1 ms', 5000, undefined, 1],
    ['beyond the cap: the cap', 10_000 + 2 * hour, hour, hour],
    ['beyond what a timer takes: the longest timer', 10_000 + 30 * 86_400_000, undefined, maxTimerMs],
    ['a cap above what a timer takes: the longest timer', 10_000 + 30 * 86_400_000, 2 ** 40, maxTimerMs],
  ])('%s', (_, at, maxMs, delay) => {
    expect(delayUntil(at, 10_000, maxMs)).toBe(delay);
  });
});

describe('systemClock', () => {
  it('takes a delay longer than a timer holds as the longest one, not as an immediate fire', async () => {
    let fired = false;
    const timer = systemClock.setTimer(() => {
      fired = true;
    }, 40 * 86_400_000);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => systemClock.setTimer(() => resolve(undefined), 5));
    expect(fired).toBe(false);
    timer.cancel();
  });
});

describe('every', () => {
  it('runs every period until cancelled, also after a run that throws', async () => {
    const clock = new VirtualClock(0);
    const runs: number[] = [];
    const timer = every(clock, 10, () => {
      runs.push(clock.now());
      if (runs.length === 2) throw new Error('one bad run');
    });
    await clock.advance(25).catch(() => {});
    await clock.advance(10);
    expect(runs).toEqual([10, 20, 30]);
    timer.cancel();
    await clock.advance(50);
    expect(runs).toHaveLength(3);
    expect(clock.pending).toBe(0);
  });

  it('refuses a period that would spin', () => {
    expect(() => every(new VirtualClock(0), 0, () => {})).toThrow(/above 0 ms, not 0/);
  });
});

describe('systemClock keep-alive', () => {
  const script = (options: string) =>
    `import { systemClock } from ${JSON.stringify(new URL('./index.ts', import.meta.url).href)};
     systemClock.setTimer(() => process.stdout.write('fired'), 50${options});`;
  it.each([
    ['lets the process exit before an ordinary timer fires', '', ''],
    ['keeps the process alive for a timer that asks to', ', { keepAlive: true }', 'fired'],
  ])('%s', (_, options, stdout) => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script(options)], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(stdout);
  });
});
