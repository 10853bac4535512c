import type { CommandProposal } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import {
  agent,
  ago,
  connected,
  heater,
  human,
  iso,
  now,
  proposal,
  roaster,
  sessionAt,
  stop,
} from '../testing/objects.ts';
import { defaultBounds, governorReads, openAhead, retainedBeyondBound } from './bounds.ts';

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
  const bounds = (endedUnsent: number, endedSent = 10) => ({ ...defaultBounds, endedUnsent, endedSent });
  const none = () => false;

  it('keeps the newest ended unsent proposals and lets the older ones go', () => {
    const unsent = [ended(30), ended(10), ended(20)];
    expect(retainedBeyondBound(unsent, bounds(2), none)).toEqual(new Set([unsent[0]!.metadata.uid]));
    expect(retainedBeyondBound(unsent, bounds(3), none)).toEqual(new Set());
  });

  it('bounds sent proposals on their own, leaving out those the governor still reads', () => {
    const history = [ended(300, true), ended(100, true), ended(200, true), ended(5, true)];
    const newestOnly = retainedBeyondBound(history, bounds(0, 1), none);
    expect(newestOnly).toEqual(new Set([history[0], history[1], history[2]].map((p) => p!.metadata.uid)));
    const read = (p: CommandProposal) => p === history[0];
    expect(retainedBeyondBound(history, bounds(0, 1), read)).toEqual(
      new Set([history[1], history[2]].map((p) => p!.metadata.uid)),
    );
  });

  it('never counts a stop, a reset, or a proposal still open', () => {
    const kept = [
      proposal(stop, { status: { phase: 'Expired' } }),
      proposal({ type: 'ResetLatch', latchId: 'x' }, { status: { phase: 'Succeeded' } }),
      proposal(heater(6), { status: { phase: 'AwaitingApproval' } }),
    ];
    expect(retainedBeyondBound(kept, bounds(0, 0), none)).toEqual(new Set());
  });
});

describe('governorReads', () => {
  const r = roaster({}, { ...connected, activeSession: { name: 'today' } });

  it('keeps what the circuit breaker’s window needs', () => {
    const reads = governorReads(roaster({}, connected), [], now);
    expect(reads(ended(60, true))).toBe(true);
    expect(reads(ended(7200, true))).toBe(false);
  });

  it.each([
    ['sent since the running session began, naming it', 'today', 7200, true, true],
    ['sent since it began, naming no session', undefined, 7200, true, true],
    ['sent since it began, naming another session', 'tomorrow', 7200, true, true],
    ['sent before it began', 'today', 20_000, true, false],
    ['never sent', 'today', 7200, false, false],
  ])('keeps the commands the session maximum counts: %s', (_, session, secondsAgo, sent, kept) => {
    const today = sessionAt('today', 10_000);
    const old = ended(secondsAgo, sent);
    const p = proposal(heater(6), { ...(session && { session }), status: old.status! });
    expect(governorReads(r, [today], now)(p)).toBe(kept);
  });
});
