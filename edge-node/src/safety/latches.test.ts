import { describe, expect, it } from 'vitest';
import type { Condition } from './interlocks.ts';
import { boundLatches, type Latch, latchCauses, newLatches, resetRefusal, withLatch } from './latches.ts';

const hot: Condition = { cause: 'over-temperature', detail: 'max(BT, IBTS) 265.0 °C …' };
const silent: Condition = { cause: 'link-lost', detail: 'no link for 61 s while heating' };
const overTemp: Latch = { id: 'a', cause: 'over-temperature', detail: 'earlier', since: 1 };
const stop: Latch = { id: 'op-1', cause: 'emergency-stop', detail: 'EmergencyStop', since: 2 };

describe('newLatches', () => {
  let n = 0;
  const ids = () => `new-${++n}`;

  it.each<[string, Latch[], Condition[], Partial<Latch>[]]>([
    ['nothing active', [], [], []],
    ['a new condition latches', [], [hot], [{ cause: 'over-temperature', detail: hot.detail, since: 10 }]],
    ['an already latched cause does not latch again', [overTemp], [hot], []],
    ['another cause latches beside it', [overTemp], [hot, silent], [{ cause: 'link-lost', since: 10 }]],
    ['a command latch does not cover a condition', [stop], [hot], [{ cause: 'over-temperature' }]],
  ])('%s', (_, latches, conditions, added) => {
    const got = newLatches(latches, conditions, 10, ids);
    expect(got).toHaveLength(added.length);
    got.forEach((latch, i) => {
      expect(latch).toMatchObject(added[i]!);
      expect(latch.id).toMatch(/^new-/);
    });
  });
});

describe('resetRefusal', () => {
  it.each<[string, string, Condition[], string | undefined]>([
    ['an unknown id', 'zzz', [], 'no latch zzz; latched: a (over-temperature), op-1 (emergency-stop)'],
    [
      'a condition latch while the condition lasts',
      'a',
      [hot],
      `the condition is still present: ${hot.detail}`,
    ],
    ['a condition latch once it is gone', 'a', [], undefined],
    ['a condition latch while another condition lasts', 'a', [silent], undefined],
    ['an emergency stop latch', 'op-1', [hot], undefined],
  ])('%s', (_, id, conditions, reason) => {
    expect(resetRefusal([overTemp, stop], id, conditions)).toBe(reason);
  });
});

describe('withLatch', () => {
  const newer: Latch = { id: 'op-9', cause: 'emergency-stop', detail: 'EmergencyStop', since: 9 };
  const preStop: Latch = { id: 'p', cause: 'pre-stop', detail: 'preStop', since: 0 };

  it.each<[string, Latch[], Latch, Latch[], Latch[]]>([
    ['the first latch', [], stop, [stop], []],
    ['a newer stop supersedes the older one', [overTemp, stop], newer, [overTemp, newer], [stop]],
    ['a stop leaves the other causes alone', [overTemp, preStop], newer, [overTemp, preStop, newer], []],
    ['a repeat of a held id changes nothing', [overTemp, stop], { ...stop, since: 5 }, [overTemp, stop], []],
  ])('%s', (_, latches, latch, held, superseded) => {
    expect(withLatch(latches, latch)).toEqual({ latches: held, superseded });
  });
});

describe('boundLatches', () => {
  const stops = (n: number): Latch[] =>
    Array.from({ length: n }, (_, i) => ({ id: `op-${i}`, cause: 'emergency-stop', detail: '', since: i }));

  it('keeps the newest latch of each cause, in the order they were set', () => {
    const shuffled = [...stops(40).reverse(), overTemp, { ...overTemp, id: 'b', since: 50 }];
    const { latches, superseded } = boundLatches(shuffled);
    expect(latches.map((l) => l.id)).toEqual(['op-39', 'b']);
    expect(superseded).toHaveLength(40);
  });

  it('never holds more than one latch per cause, whatever it is given', () => {
    const many = latchCauses.flatMap((cause, c) =>
      stops(5).map((l) => ({ ...l, cause, id: `${cause}-${l.id}`, since: l.since * 10 + c })),
    );
    const { latches } = boundLatches(many);
    expect(latches).toHaveLength(latchCauses.length);
    expect(new Set(latches.map((l) => l.cause)).size).toBe(latchCauses.length);
    expect(latches.every((l) => l.id.endsWith('op-4'))).toBe(true);
  });
});
