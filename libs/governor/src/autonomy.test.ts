import type { Command } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import { effectiveAutonomy } from './autonomy.ts';
import { evaluateBreaker } from './breaker.ts';
import { energyEffect } from './energy.ts';
import { absent, ago, heater, noHistory, now, present, result, roaster, roastingStatus } from './fixtures.ts';
import { isAgent } from './proposer.ts';
import { rules } from './rules.ts';

describe('effectiveAutonomy for the Roaster status', () => {
  it('is Git’s level, with no reasons, while a human is present and the breaker is closed', () => {
    expect(effectiveAutonomy(roaster(), noHistory, present, now)).toEqual({
      level: 'L5',
      reasons: [],
      loweredBy: undefined,
    });
  });

  it('shows the presence cap as for a command that raises energy', () => {
    const autonomy = effectiveAutonomy(roaster(), noHistory, absent, now);
    expect(autonomy).toMatchObject({ level: 'L3', loweredBy: rules.presenceRequired });
    expect(autonomy.reasons).toHaveLength(1);
  });

  it('drops the presence cap for a command that does not raise energy', () => {
    expect(effectiveAutonomy(roaster(), noHistory, absent, now, heater(1)).level).toBe('L5');
  });

  it('does not mention a cap that does not lower the level', () => {
    const l2 = roaster({ spec: { autonomy: { level: 'L2' } } });
    expect(effectiveAutonomy(l2, noHistory, absent, now)).toEqual({
      level: 'L2',
      reasons: [],
      loweredBy: undefined,
    });
  });

  it('accepts the time as a Date', () => {
    expect(effectiveAutonomy(roaster(), noHistory, present, new Date(now)).level).toBe('L5');
  });
});

describe('evaluateBreaker', () => {
  const policy = { failureRateThreshold: 0.5, windowSeconds: 600, minCommands: 2, degradeTo: 'L2' } as const;

  it.each([
    ['no results', [], { open: false, counted: 0, failed: 0 }],
    ['one failure: too few to judge', [result('Failed', 1)], { open: false, counted: 1, failed: 1 }],
    [
      'half failed: at the threshold',
      [result('Failed', 1), result('Succeeded', 2)],
      { open: true, counted: 2, failed: 1 },
    ],
    [
      'an unknown outcome is a failure',
      [result('Unknown', 1), result('Succeeded', 2)],
      { open: true, counted: 2, failed: 1 },
    ],
    [
      'below the threshold',
      [result('Failed', 1), result('Succeeded', 2), result('Succeeded', 3)],
      { open: false, counted: 3, failed: 1 },
    ],
    [
      'results older than the window',
      [result('Failed', 600), result('Failed', 601)],
      { open: false, counted: 0, failed: 0 },
    ],
    [
      'simulated results',
      [result('Failed', 1, true), result('Failed', 2, true)],
      { open: false, counted: 0, failed: 0 },
    ],
  ])('%s', (_, results, expected) => {
    expect(evaluateBreaker(policy, results, now)).toEqual(expected);
  });

  it('opens at a threshold of 1 only when every command failed', () => {
    const all = { ...policy, failureRateThreshold: 1 };
    expect(evaluateBreaker(all, [result('Failed', 1), result('Failed', 2)], now).open).toBe(true);
    expect(evaluateBreaker(all, [result('Failed', 1), result('Succeeded', 2)], now).open).toBe(false);
  });
});

describe('energyEffect', () => {
  const levels = roastingStatus.levels; // heater 5, fan 6, drum 5
  it.each([
    [heater(6), 'raises'],
    [heater(5), 'holds'],
    [heater(4), 'lowers'],
    [{ type: 'SetFan', target: 5 }, 'raises'],
    [{ type: 'SetFan', target: 6 }, 'holds'],
    [{ type: 'SetFan', target: 7 }, 'lowers'],
    [{ type: 'SetDrum', target: 9 }, 'holds'],
    [{ type: 'SetDrum', target: 1 }, 'holds'],
    [{ type: 'Preheat', fromState: 'Off' }, 'raises'],
    [{ type: 'Charge', fromState: 'ReadyToCharge' }, 'raises'],
    [{ type: 'Drop', fromState: 'Roasting' }, 'lowers'],
    [{ type: 'Cool', fromState: 'Cooling' }, 'lowers'],
    [{ type: 'EmergencyStop' }, 'lowers'],
    [{ type: 'ResetLatch', latchId: 'l' }, 'holds'],
  ] satisfies [Command, string][])('%j %s energy', (command, effect) => {
    expect(energyEffect(command, levels)).toBe(effect);
  });

  it('counts a heater or fan change from an unknown level as a raise', () => {
    expect(energyEffect(heater(0), undefined)).toBe('raises');
    expect(energyEffect({ type: 'SetFan', target: 12 }, {})).toBe('raises');
  });
});

describe('isAgent', () => {
  it.each([
    ['system:serviceaccount:roasting:advisor', true],
    ['system:admin', true],
    ['alice', false],
    ['alice@example.com', false],
    ['System:serviceaccount:x:y', false],
    ['mallory-system:x', false],
  ])('%s → %s', (username, expected) => {
    expect(isAgent(username)).toBe(expected);
  });
});

it('the presence window ends 5 minutes after the last human action', () => {
  const at = (lastHumanActionAt: number) =>
    effectiveAutonomy(roaster(), noHistory, { lastHumanActionAt }, now).level;
  expect(at(ago(300))).toBe('L5');
  expect(at(ago(301))).toBe('L3');
});
