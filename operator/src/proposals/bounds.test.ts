import type { CommandProposal } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import { agent, ago, heater, human, iso, proposal, stop } from '../testing/objects.ts';
import { openAhead, retainedBeyondBound } from './bounds.ts';

const ended = (secondsAgo: number, sent = false): CommandProposal =>
  proposal(heater(6), {
    status: {
      phase: sent ? 'Succeeded' : 'Expired',
      ...(sent && { dispatch: { time: iso(ago(secondsAgo + 1)) } }),
      conditions: [
        {
          type: 'Reconciling',
          status: 'False',
          reason: sent ? 'Succeeded' : 'Expired',
          message: '',
          lastTransitionTime: iso(ago(secondsAgo)),
        },
      ],
    },
  });

describe('openAhead', () => {
  const older = (n: number, by = agent) =>
    Array.from({ length: n }, (_, i) => proposal(heater(6), { by, createdAt: ago(100 - i) }));

  it.each([
    ['within the bound', 2, undefined],
    ['at the bound', 3, 3],
    ['beyond it', 5, 5],
  ])('counts the proposer’s open proposals ahead: %s', (_, n, expected) => {
    const p = proposal(heater(6));
    expect(openAhead(p, [...older(n), p], 3)).toBe(expected);
  });

  it('counts neither other proposers, nor ended, nor newer proposals, nor stops and resets', () => {
    const p = proposal(heater(6), { createdAt: ago(50) });
    const others = [
      ...older(2, human),
      ended(10),
      proposal(heater(6), { createdAt: ago(1) }),
      proposal(stop, { createdAt: ago(90) }),
      proposal({ type: 'ResetLatch', latchId: 'x' }, { createdAt: ago(90) }),
    ];
    expect(openAhead(p, [...others, p], 1)).toBeUndefined();
  });

  it('never bounds an EmergencyStop or a ResetLatch', () => {
    for (const command of [stop, { type: 'ResetLatch' as const, latchId: 'x' }]) {
      const p = proposal(command);
      expect(openAhead(p, [...older(10), p], 1)).toBeUndefined();
    }
  });
});

describe('retainedBeyondBound', () => {
  it('keeps the newest ended unsent proposals and lets the older ones go', () => {
    const unsent = [ended(30), ended(10), ended(20)];
    expect(retainedBeyondBound(unsent, 2)).toEqual(new Set([unsent[0]!.metadata.uid]));
    expect(retainedBeyondBound(unsent, 3)).toEqual(new Set());
  });

  it('never counts a proposal that was sent, a stop, or one still open', () => {
    const kept = [
      ended(50, true),
      proposal(stop, { status: { phase: 'Expired' } }),
      proposal(heater(6), { status: { phase: 'AwaitingApproval' } }),
    ];
    expect(retainedBeyondBound([...kept, ended(10)], 0)).toEqual(new Set([expect.any(String)]));
    expect(retainedBeyondBound(kept, 0)).toEqual(new Set());
  });
});
