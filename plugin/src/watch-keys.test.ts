import { describe, expect, it } from 'vitest';
import { type KeyState, onKey } from './watch-keys.ts';

const pending = ['p-1', 'p-2'];
const start: KeyState = { selected: 0 };

/** The state and the last result after typing `keys` one by one. */
function type(keys: readonly string[], from: KeyState = start, names = pending) {
  let state = from;
  let last = onKey(state, '', names);
  for (const key of keys) {
    last = onKey(state, key, names);
    state = last.state;
  }
  return last;
}

describe('watch keys', () => {
  it.each([
    ['a then y approves the selected proposal', ['a', 'y'], { kind: 'approve', proposal: 'p-1' }],
    ['n moves to the next one', ['n', 'a', 'y'], { kind: 'approve', proposal: 'p-2' }],
    ['n wraps around', ['n', 'n', 'a', 'Y'], { kind: 'approve', proposal: 'p-1' }],
    ['k moves back, wrapping', ['k', 'a', 'y'], { kind: 'approve', proposal: 'p-2' }],
    [
      'a reason typed, then Enter, rejects',
      ['r', 't', 'o', 'o', ' ', 'h', 'o', 't', '\r'],
      { kind: 'reject', proposal: 'p-1', reason: 'too hot' },
    ],
    [
      'Backspace takes the last character back',
      ['r', 'n', 'o', 'x', '\u007f', '\r'],
      { kind: 'reject', proposal: 'p-1', reason: 'no' },
    ],
    [
      'a pasted escape sequence is not part of a reason',
      ['r', '\u001b[2Jok', '\r'],
      { kind: 'reject', proposal: 'p-1', reason: '[2Jok' },
    ],
    ['f then y marks first crack', ['f', 'y'], { kind: 'mark' }],
    ['q quits', ['q'], { kind: 'quit' }],
    ['Ctrl-C quits, even while typing a reason', ['r', 'x', '\u0003'], { kind: 'quit' }],
  ])('%s', (_, keys, action) => {
    expect(type(keys).action).toEqual(action);
  });

  it.each([
    ['anything but y after a', ['a', 'n'], 'Nothing was done.'],
    ['Enter without a reason', ['r', ' ', '\r'], 'Nothing was done: a rejection needs a reason.'],
    ['Esc while typing a reason', ['r', 'x', '\u001b'], 'Nothing was done.'],
  ])('does nothing on %s, and says so', (_, keys, message) => {
    const result = type(keys);
    expect(result.action).toBeUndefined();
    expect(result.message).toBe(message);
    expect(result.state.prompt).toBeUndefined();
  });

  it('says when there is nothing to approve, and keeps the selection on a shorter list', () => {
    expect(type(['a'], start, []).message).toBe('No proposal awaits approval.');
    expect(type(['a', 'y'], { selected: 5 }).action).toEqual({ kind: 'approve', proposal: 'p-2' });
  });
});
