import { describe, expect, it } from 'vitest';
import { seconds } from './durations.ts';

describe('seconds', () => {
  it.each([
    [0, '0.0 s'],
    [1, '0.0 s'],
    [24_345.999755859375, '24.3 s'],
    [89_949, '89.9 s'],
    [95_400, '95 s'],
    [-5, '0.0 s'],
  ])('%d ms reads %s', (ms, text) => {
    expect(seconds(ms)).toBe(text);
  });
});
