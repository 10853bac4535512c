import { describe, expect, it } from 'vitest';
import { pythonLiteral } from './alog.ts';
import { PythonLiteralError, parsePythonLiteral } from './python-literal.ts';

describe('parsePythonLiteral', () => {
  it.each([
    [
      "{'a': 1, \"b\": [1.5, -2, 3e2, .5], 'c': (True, False, None)}",
      { a: 1, b: [1.5, -2, 300, 0.5], c: [true, false, null] },
    ],
    ["u'caf\\xe9 \\u2615 \\U0001f600 it\\'s\\n'", "café ☕ 😀 it's\n"],
    ["'''tri'ple'''", "tri'ple"],
    ['[]', []],
    ['{}', {}],
    ['[1, 2,]', [1, 2]],
    ["{1: 'x'}", { 1: 'x' }],
  ])('reads %s', (text, value) => {
    expect(parsePythonLiteral(text)).toEqual(value);
  });

  it.each([
    ["{'a': foo}", 'not a literal'],
    ["'open", 'unterminated string'],
    ['[1 2]', 'expected , or ]'],
    ['1 2', 'text after the literal'],
  ])('refuses %s', (text, says) => {
    expect(() => parsePythonLiteral(text)).toThrow(PythonLiteralError);
    expect(() => parsePythonLiteral(text)).toThrow(says);
  });

  it('reads back what pythonLiteral writes', () => {
    const value = { s: "a'b\\c\n\u0001☕", n: [0, -1.25, 1e21], t: true, z: null, nested: { x: [[]] } };
    expect(parsePythonLiteral(pythonLiteral(value))).toEqual(value);
  });
});
