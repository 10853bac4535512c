import { describe, expect, it } from 'vitest';
import { isR1StateCode, R1State, r1StateName } from './state.ts';

describe('R1 state codes (aillio-bullet-protocol.md §4, R1:L77-82)', () => {
  it.each([
    [0x00, 'off'],
    [0x02, 'preheating'],
    [0x04, 'charge'],
    [0x06, 'roasting'],
    [0x08, 'cooling'],
    [0x09, 'shutdown'],
  ] as const)('names code %i %s', (code, name) => {
    expect(R1State[name]).toBe(code);
    expect(r1StateName(code)).toBe(name);
    expect(isR1StateCode(code)).toBe(true);
  });

  // The R2's extra states and codes nobody defines are not R1 states.
  it.each([0x01, 0x03, 0x05, 0x07, 0x0a, 0x0b, 0xff])('does not know code %i', (code) => {
    expect(r1StateName(code)).toBeUndefined();
    expect(isR1StateCode(code)).toBe(false);
  });
});
