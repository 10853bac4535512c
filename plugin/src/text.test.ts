import { describe, expect, it } from 'vitest';
import { age, escapeText, percent, table } from './text.ts';

describe('escapeText', () => {
  it.each([
    ['plain words, ünïcödé and emoji ☕', 'plain words, ünïcödé and emoji ☕'],
    ['two\nlines', 'two\\nlines'],
    ['tab\there', 'tab\\there'],
    ['\u001b[2J\u001b[Hcleared', '\\u001b[2J\\u001b[Hcleared'],
    ['bell\u0007', 'bell\\u0007'],
    ['C1\u009bcsi', 'C1\\u009bcsi'],
    ['del\u007f', 'del\\u007f'],
    ['carriage\rreturn', 'carriage\\rreturn'],
    ['line\u2028separator', 'line\\u2028separator'],
    ['bidi \u202eevil\u202c', 'bidi \\u202eevil\\u202c'],
    ['isolate \u2066x\u2069', 'isolate \\u2066x\\u2069'],
  ])('shows %j as %j', (input, shown) => {
    expect(escapeText(input)).toBe(shown);
  });
});

describe('table', () => {
  it('aligns columns, escapes cells and shows empty ones as -', () => {
    expect(
      table(
        ['A', 'BB'],
        [
          ['x\ny', undefined],
          ['long-cell', 3],
        ],
      ),
    ).toBe(['A          BB', 'x\\ny       -', 'long-cell  3'].join('\n'));
  });
});

describe('age and percent', () => {
  it.each([
    [0, '0s'],
    [59.9, '59s'],
    [60, '1m'],
    [200, '3m20s'],
    [3600, '1h'],
    [7500, '2h5m'],
    [86_400 * 3 + 3600 * 4, '3d4h'],
    [-5, '0s'],
  ])('age(%d) is %s', (s, shown) => expect(age(s)).toBe(shown));

  it.each([
    [undefined, '-'],
    [1, '100%'],
    [0, '0%'],
    [0.756, '75.6%'],
  ])('percent(%s) is %s', (share, shown) => expect(percent(share)).toBe(shown));
});
