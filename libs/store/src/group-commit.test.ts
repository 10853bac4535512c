import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.ts';

function recorder(fail?: (items: number[]) => boolean) {
  const groups: number[][] = [];
  const commit = (items: number[]) => {
    if (fail?.(items)) throw new Error('disk full');
    groups.push(items);
    return items.map((i) => i * 10);
  };
  return { groups, commit };
}

describe('group commit', () => {
  it('coalesces items submitted together into one commit and answers each with its own result', async () => {
    const { groups, commit } = recorder();
    const group = new GroupCommit(commit, { maxDelayMs: 5, maxItems: 100 });
    const results = await Promise.all([1, 2, 3].map((i) => group.submit(i)));
    expect(results).toEqual([10, 20, 30]);
    expect(groups).toEqual([[1, 2, 3]]);
  });

  it('commits a full group on the next turn of the event loop, a backlog in groups of at most maxItems', async () => {
    const { groups, commit } = recorder();
    const group = new GroupCommit(commit, { maxDelayMs: 60_000, maxItems: 2 });
    const results = [1, 2, 3, 4, 5].map((i) => group.submit(i));
    expect(groups).toEqual([]);
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    await nextTurn();
    expect(groups).toEqual([[1, 2]]);
    await nextTurn();
    expect(groups).toEqual([
      [1, 2],
      [3, 4],
    ]);
    // The rest is not a full group: it waits for the timer (or a flush).
    await nextTurn();
    expect(groups).toHaveLength(2);
    group.flush();
    await expect(Promise.all(results)).resolves.toEqual([10, 20, 30, 40, 50]);
  });

  it('flushes a backlog in groups of at most maxItems', async () => {
    const { groups, commit } = recorder();
    const group = new GroupCommit(commit, { maxDelayMs: 60_000, maxItems: 2 });
    const results = [1, 2, 3].map((i) => group.submit(i));
    group.flush();
    expect(groups).toEqual([[1, 2], [3]]);
    await expect(Promise.all(results)).resolves.toEqual([10, 20, 30]);
  });

  it('bounds the wait of a lone item by the delay', async () => {
    const { groups, commit } = recorder();
    const group = new GroupCommit(commit, { maxDelayMs: 20, maxItems: 100 });
    const started = performance.now();
    await group.submit(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(groups).toEqual([[1]]);
  });

  it('never resolves before its commit ran', async () => {
    const { groups, commit } = recorder();
    const group = new GroupCommit(commit, { maxDelayMs: 30, maxItems: 100 });
    let resolved = false;
    const done = group.submit(1).then(() => {
      resolved = true;
      expect(groups).toEqual([[1]]);
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(resolved).toBe(false);
    await done;
  });

  it('rejects every item of a group whose commit fails, and goes on with the next group', async () => {
    const { groups, commit } = recorder((items) => items.includes(2));
    const group = new GroupCommit(commit, { maxDelayMs: 1, maxItems: 100 });
    const failed = await Promise.allSettled([group.submit(1), group.submit(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(group.submit(3)).resolves.toBe(30);
    expect(groups).toEqual([[3]]);
  });

  it('holds commits while paused and commits what waited on resume', async () => {
    const { groups, commit } = recorder();
    const group = new GroupCommit(commit, { maxDelayMs: 1, maxItems: 2 });
    group.pause();
    const results = [1, 2, 3].map((i) => group.submit(i));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(groups).toEqual([]);
    group.resume();
    await expect(Promise.all(results)).resolves.toEqual([10, 20, 30]);
    expect(groups).toEqual([[1, 2], [3]]);
  });

  it('commits what waits when flushed', async () => {
    const { groups, commit } = recorder();
    const group = new GroupCommit(commit, { maxDelayMs: 60_000, maxItems: 100 });
    const pending = group.submit(4);
    group.flush();
    expect(groups).toEqual([[4]]);
    await expect(pending).resolves.toBe(40);
    group.flush();
    expect(groups).toHaveLength(1);
  });
});
