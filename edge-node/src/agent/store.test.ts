import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandResult } from '../commands.ts';
import { EdgeStore } from './store.ts';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-store-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const day = 24 * 3600_000;
const result: CommandResult = { uid: 'p-1', outcome: 'succeeded', message: 'heater at 7', latencyMs: 900 };

describe('EdgeStore', () => {
  it('answers a repeated UID with its first result, across a restart', () => {
    const dir = freshDir();
    const store = EdgeStore.open(dir, 0);
    expect(store.begin('p-1', 10)).toEqual({ state: 'new' });
    store.finish(result);
    expect(store.begin('p-1', 20)).toEqual({ state: 'done', result });
    store.close();
    const reopened = EdgeStore.open(dir, 30);
    expect(reopened.begin('p-1', 40)).toEqual({ state: 'done', result });
    reopened.close();
  });

  it('answers Unknown for a command the previous process never finished', () => {
    const dir = freshDir();
    const store = EdgeStore.open(dir, 0);
    store.begin('p-2', 1000);
    store.close();
    const reopened = EdgeStore.open(dir, 5000);
    expect(reopened.begin('p-2', 6000)).toEqual({
      state: 'done',
      result: {
        uid: 'p-2',
        outcome: 'unknown',
        message: 'the edge agent stopped while executing it',
        latencyMs: 4000,
      },
    });
    reopened.close();
  });

  it('refuses to start a UID that is still running', () => {
    const store = EdgeStore.open(':memory:', 0);
    store.begin('p-3', 0);
    expect(() => store.begin('p-3', 1)).toThrow(/already running/);
  });

  it('forgets results after eight days', () => {
    const dir = freshDir();
    const store = EdgeStore.open(dir, 0);
    store.begin('old', 0);
    store.finish({ ...result, uid: 'old' });
    store.close();
    const later = EdgeStore.open(dir, 8 * day + 1);
    expect(later.begin('old', 8 * day + 2)).toEqual({ state: 'new' });
    later.close();
  });

  it('keeps latches and the session across a restart', () => {
    const dir = freshDir();
    const store = EdgeStore.open(dir, 0);
    store.addLatch({ id: 'L1', cause: 'over-temperature', detail: 'hot', since: 5 });
    const stop = { id: 'L2', cause: 'emergency-stop', detail: 'stop', since: 6 } as const;
    store.addLatch(stop);
    store.addLatch({ id: 'L3', cause: 'emergency-stop', detail: 'stop', since: 7 }, [stop]);
    store.removeLatches([{ id: 'L3', cause: 'emergency-stop', detail: 'stop', since: 7 }]);
    store.setSession('batch-7');
    store.close();
    const reopened = EdgeStore.open(dir, 10);
    expect(reopened.latches()).toEqual([{ id: 'L1', cause: 'over-temperature', detail: 'hot', since: 5 }]);
    expect(reopened.session()).toBe('batch-7');
    reopened.setSession(undefined);
    expect(reopened.session()).toBeUndefined();
    reopened.close();
  });
});
