import { describe, expect, it } from 'vitest';
import { checkFlags, parseInvocation } from './args.ts';
import { UsageError } from './refusal.ts';

describe('parseInvocation', () => {
  it('takes the command word, its arguments and flags in any order, as kubectl does', () => {
    expect(parseInvocation(['approve', '-n', 'roastery', 'p1', '--reason=looks right', '-y'])).toEqual({
      command: 'approve',
      args: ['p1'],
      flags: { namespace: 'roastery', reason: 'looks right', yes: true },
    });
    expect(parseInvocation(['--context', 'shop', 'propose', 'bullet-1', 'heater', '7'])).toMatchObject({
      command: 'propose',
      args: ['bullet-1', 'heater', '7'],
      flags: { context: 'shop' },
    });
  });

  it('refuses an unknown flag in one sentence', () => {
    expect(() => parseInvocation(['get', '--colour'])).toThrow(
      new UsageError("Unknown option '--colour': see kubectl roast --help"),
    );
  });
});

describe('checkFlags', () => {
  it('accepts the connection flags and the command’s own', () => {
    expect(() =>
      checkFlags('stop', { kubeconfig: 'k', namespace: 'n', rationale: 'r' }, ['rationale']),
    ).not.toThrow();
  });

  it('names flags the command does not take, and those it does', () => {
    expect(() => checkFlags('stop', { yes: true, reason: 'x' }, ['rationale'])).toThrow(
      'kubectl roast stop does not take --yes, --reason; it takes --rationale',
    );
  });
});
