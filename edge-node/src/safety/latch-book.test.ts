import { Logger } from '@roast-operator/log';
import { describe, expect, it } from 'vitest';
import { EdgeStore } from '../agent/store.ts';
import type { Condition } from './interlocks.ts';
import { LatchBook, type LatchChange } from './latch-book.ts';

const quiet = new Logger({ level: 'error', sink: () => {} });
const hot: Condition = { cause: 'over-temperature', detail: 'max(BT, IBTS) 265.0 °C …' };

function book(store = EdgeStore.open(':memory:', 0)) {
  const changes: LatchChange[] = [];
  return { store, changes, latches: new LatchBook(store, quiet, (change) => changes.push(change)) };
}

describe('LatchBook', () => {
  it('holds and stores one stop latch however many stops come, and tells of each new one', () => {
    const { store, changes, latches } = book();
    for (let i = 1; i <= 34; i++) latches.latch('emergency-stop', `stop ${i}`, `op-${i}`, i);
    expect(latches.held.map((l) => l.id)).toEqual(['op-34']);
    expect(store.latches().map((l) => l.id)).toEqual(['op-34']);
    expect(changes.filter((c) => c.type === 'latched')).toHaveLength(34);
    expect(latches.latch('emergency-stop', 'again', 'op-34', 99).superseded).toEqual([]);
    expect(changes).toHaveLength(34);
  });

  it('latches a condition once per cause, and resets it only once it is gone', () => {
    const { store, latches } = book();
    let n = 0;
    latches.latchConditions([hot], 10, () => `L${++n}`);
    latches.latchConditions([hot], 20, () => `L${++n}`);
    expect(latches.held).toEqual([{ id: 'L1', cause: 'over-temperature', detail: hot.detail, since: 10 }]);
    expect(latches.latchedInterlocks).toEqual(new Set(['over-temperature']));
    expect(latches.reset('L1', [hot], 'p-1')).toEqual({
      ok: false,
      message: `the condition is still present: ${hot.detail}`,
    });
    expect(latches.reset('L1', [], 'p-2')).toEqual({
      ok: true,
      message: 'latch L1 (over-temperature) cleared',
    });
    expect(store.latches()).toEqual([]);
  });

  it('loads a store with a latch per stop bounded, and forgets the superseded ones in the store', () => {
    const store = EdgeStore.open(':memory:', 0);
    for (let i = 1; i <= 40; i++) {
      store.addLatch({ id: `op-${i}`, cause: 'emergency-stop', detail: '', since: i }, []);
    }
    store.addLatch({ id: 'L', cause: 'link-lost', detail: '', since: 3 }, []);
    const { latches } = book(store);
    expect(latches.held.map((l) => l.id)).toEqual(['L', 'op-40']);
    expect(store.latches().map((l) => l.id)).toEqual(['L', 'op-40']);
  });
});
