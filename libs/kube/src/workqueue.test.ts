import { ItemBackoff, settle, VirtualClock } from '@roast-operator/clock';
import { describe, expect, it } from 'vitest';
import { type QueueObserver, WorkQueue } from './workqueue.ts';

function recorder() {
  const seen = { adds: 0, retries: 0, depth: 0, queued: [] as number[], worked: [] as number[] };
  const observer: QueueObserver = {
    added: () => seen.adds++,
    retried: () => seen.retries++,
    depth: (n) => {
      seen.depth = n;
    },
    queued: (s) => seen.queued.push(s),
    worked: (s) => seen.worked.push(s),
  };
  return { seen, observer };
}

describe('WorkQueue', () => {
  it('collapses a burst of adds of one key into one item', async () => {
    const q = new WorkQueue();
    for (let i = 0; i < 100; i++) q.add('ns/a');
    q.add('ns/b');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('ns/a');
    expect(await q.get()).toBe('ns/b');
    expect(q.length).toBe(0);
  });

  it('never hands out a key that a worker holds, and requeues it once when it was added meanwhile', async () => {
    const q = new WorkQueue();
    q.add('k');
    const key = await q.get();
    q.add('k');
    q.add('k');
    expect(q.length).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => {
      second = k;
    });
    await settle();
    expect(second).toBeUndefined();
    q.done(key!);
    await settle();
    expect(second).toBe('k');
  });

  it('does not requeue a key that was not added during processing', async () => {
    const q = new WorkQueue();
    q.add('k');
    q.done((await q.get())!);
    expect(q.length).toBe(0);
  });

  it('wakes a waiting worker on add', async () => {
    const q = new WorkQueue();
    const next = q.get();
    q.add('x');
    expect(await next).toBe('x');
  });

  it('addAfter delays on the clock and keeps only the earliest pending time per key', async () => {
    const clock = new VirtualClock();
    const q = new WorkQueue({ clock });
    q.addAfter('k', 1000);
    q.addAfter('k', 300);
    q.addAfter('k', 5000);
    await clock.advance(299);
    expect(q.length).toBe(0);
    await clock.advance(1);
    expect(q.length).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it('addRateLimited backs off exponentially per key until forget', async () => {
    const clock = new VirtualClock();
    const q = new WorkQueue({ clock, backoff: new ItemBackoff({ initialMs: 10, maxMs: 1000 }) });
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = clock.now();
      q.addRateLimited('k');
      while (q.length === 0) await clock.advance(1);
      delays.push(clock.now() - start);
      q.done((await q.get())!);
    }
    expect(delays).toEqual([10, 20, 40, 80, 160]);
    expect(q.retries('k')).toBe(5);
    q.forget('k');
    expect(q.retries('k')).toBe(0);
  });

  it('reports adds, depth, retries and the time keys wait and are worked on', async () => {
    const clock = new VirtualClock();
    const { seen, observer } = recorder();
    const q = new WorkQueue({ clock, observer });
    q.add('a');
    q.add('a');
    q.add('b');
    expect(seen.adds).toBe(2);
    expect(seen.depth).toBe(2);
    await clock.advance(250);
    const key = (await q.get())!;
    expect(seen.queued).toEqual([0.25]);
    expect(seen.depth).toBe(1);
    await clock.advance(500);
    expect(q.inFlight()).toEqual({ unfinishedSeconds: 0.5, longestSeconds: 0.5 });
    q.done(key);
    expect(seen.worked).toEqual([0.5]);
    q.addRateLimited('c');
    expect(seen.retries).toBe(1);
  });

  it('on shutdown releases waiting workers', async () => {
    const q = new WorkQueue();
    const idle = q.get();
    await q.shutdown();
    expect(await idle).toBeUndefined();
  });

  it('on shutdown drops queued and delayed keys, refuses new ones and resolves once held keys are done', async () => {
    const clock = new VirtualClock();
    const q = new WorkQueue({ clock });
    q.add('held');
    const held = (await q.get())!;
    q.add('queued');
    q.addAfter('later', 100);
    const drained = q.shutdown();
    expect(await q.get()).toBeUndefined();
    let finished = false;
    void drained.then(() => {
      finished = true;
    });
    await settle();
    expect(finished).toBe(false);
    q.done(held);
    await drained;
    q.add('new');
    await clock.advance(100);
    expect(q.length).toBe(0);
  });
});
