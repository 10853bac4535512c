import { describe, expect, it } from 'vitest';
import type { Condition } from './interlocks.ts';
import { clearedByReset, type Latch, newLatches, resetRefusal } from './latches.ts';

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
    ['an unknown id', 'zzz', [], 'no latch zzz'],
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

describe('clearedByReset', () => {
  const older: Latch = { id: 'op-0', cause: 'emergency-stop', detail: 'EmergencyStop', since: 1 };
  const newer: Latch = { id: 'op-9', cause: 'emergency-stop', detail: 'EmergencyStop', since: 9 };
  const preStop: Latch = { id: 'p', cause: 'pre-stop', detail: 'preStop', since: 0 };
  const all = [older, overTemp, stop, preStop, newer];

  it.each<[string, Latch, Latch[]]>([
    ['a condition latch: that one only', overTemp, [overTemp]],
    ['the oldest stop: that one only', older, [older]],
    ['a stop: it and the older stops', stop, [older, stop]],
    ['the newest stop: every stop, no other latch', newer, [older, stop, newer]],
    ['a preStop latch: that one only', preStop, [preStop]],
  ])('%s', (_, latch, cleared) => {
    expect(clearedByReset(all, latch)).toEqual(cleared);
  });
});
