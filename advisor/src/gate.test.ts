import { describe, expect, it } from 'vitest';
import { holdOf, overtakes, type RoasterGate } from './gate.ts';

describe('holdOf', () => {
  const now = 1_000_000;
  it.each<[string, RoasterGate, string | undefined]>([
    ['free', { latched: false }, undefined],
    ['latched', { latched: true }, 'latched'],
    ['latched beats an open proposal', { latched: true, openProposal: 'p-1' }, 'latched'],
    ['an open proposal', { latched: false, openProposal: 'p-1' }, 'openProposal'],
    ['backing off', { latched: false, backoffUntilMs: now + 1 }, 'backingOff'],
    ['back-off over', { latched: false, backoffUntilMs: now }, undefined],
    [
      'open proposal beats the back-off',
      { latched: false, openProposal: 'p', backoffUntilMs: now + 1 },
      'openProposal',
    ],
  ])('%s', (_, gate, hold) => {
    expect(holdOf(gate, now)).toBe(hold);
  });
});

describe('overtakes', () => {
  const open = { control: 'heater', to: 5 };
  it.each<[string, { control: string; to: number } | null, boolean]>([
    ['the same change', { control: 'heater', to: 5 }, false],
    ['another level', { control: 'heater', to: 4 }, true],
    ['another control', { control: 'fan', to: 5 }, true],
    ['no change at all', null, true],
  ])('%s', (_, now, expected) => {
    expect(overtakes(open, now)).toBe(expected);
  });
});
