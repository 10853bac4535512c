import type { CommandProposalStatus, RoastSession } from '@roast-operator/api';
import { rules } from '@roast-operator/governor';
import { describe, expect, it } from 'vitest';
import { agent, ago, heater, human, iso, now, proposal, roaster, session } from '../testing/objects.ts';
import {
  autonomy,
  completedRoast,
  decisionBetween,
  dispatchedBetween,
  edgeLatchesByInterlock,
  origin,
  ruleLabel,
  terminalBetween,
} from './labels.ts';

const approval = { decision: 'Approved', approver: 'bob' } as const;
const inPhase = (phase: CommandProposalStatus['phase'], extra: CommandProposalStatus = {}, by = agent) =>
  proposal(heater(5), { by, status: { phase, ...extra }, ...(phase === 'Dispatched' && { approval }) });

describe('proposal labels', () => {
  it('tells agents from humans as admission does', () => {
    expect(origin(proposal(heater(5), { by: agent }))).toBe('agent');
    expect(origin(proposal(heater(5), { by: human }))).toBe('human');
  });

  it.each([
    [undefined, 'none'],
    [rules.agentNeedsApproval, rules.agentNeedsApproval],
    ['made.up', 'other'],
  ])('rule %s is labelled %s', (rule, label) => {
    const status: CommandProposalStatus =
      rule === undefined ? {} : { governor: { decision: 'Allow', rule, level: 'L3' } };
    expect(ruleLabel(proposal(heater(5), { status }))).toBe(label);
  });

  it.each([
    ['Pending', 'AwaitingApproval', undefined],
    ['Pending', 'Dispatched', 'Allowed'],
    ['AwaitingApproval', 'Dispatched', 'Approved'],
    ['AwaitingApproval', 'Rejected', 'Rejected'],
    ['AwaitingApproval', 'Expired', 'Expired'],
    ['Pending', 'Blocked', 'Blocked'],
    ['Pending', 'Aborted', 'Aborted'],
    ['Dispatched', 'Succeeded', undefined],
  ] as const)('%s → %s is decision %s', (from, to, decision) => {
    const by = from === 'Pending' && to === 'Dispatched' ? human : agent;
    const next =
      to === 'Dispatched' && from === 'Pending'
        ? proposal(heater(5), { by, status: { phase: to } })
        : inPhase(to, {}, by);
    expect(decisionBetween(inPhase(from), next)).toBe(decision);
  });

  it.each([
    ['Dispatched', 'Succeeded', 'Succeeded'],
    ['AwaitingApproval', 'Expired', 'Expired'],
    ['Pending', 'Dispatched', undefined],
    ['Failed', 'Failed', undefined],
  ] as const)('%s → %s ends in %s', (from, to, ended) => {
    expect(terminalBetween(inPhase(from), inPhase(to))).toBe(ended);
  });

  it('finds the version that first records the dispatch', () => {
    const dispatch = { time: iso(ago(1)) };
    expect(dispatchedBetween(inPhase('Approved'), inPhase('Dispatched', { dispatch }))).toBe(ago(1));
    expect(
      dispatchedBetween(inPhase('Dispatched', { dispatch }), inPhase('Succeeded', { dispatch })),
    ).toBeUndefined();
  });
});

describe('roaster labels', () => {
  const degraded = (reason: string) =>
    roaster(
      { autonomy: { level: 'L4' } },
      {
        effectiveAutonomy: { level: 'L2' },
        conditions: [
          { type: 'AutonomyDegraded', status: 'True', reason, message: '', lastTransitionTime: iso(now) },
        ],
      },
    );

  it.each([
    ['CircuitBreakerOpen', 'CircuitBreakerOpen'],
    ['SomethingNew', 'other'],
  ])('autonomy degraded for %s is labelled %s', (reason, label) => {
    expect(autonomy(degraded(reason))).toEqual({ effective: 2, configured: 4, reason: label });
  });

  it('has no autonomy figures before the operator wrote any', () => {
    expect(autonomy(roaster())).toBeUndefined();
  });

  it('counts the edge latches by interlock, unknown ones as other', () => {
    const latch = (id: string, cause: string) => ({ id, cause, since: iso(now), conditionActive: false });
    const r = roaster(
      {},
      {
        edgeLatches: [latch('a', 'linkLost'), latch('b', 'linkLost'), latch('c', 'newThing')],
      },
    );
    expect(Object.fromEntries(edgeLatchesByInterlock(r))).toEqual({ linkLost: 2, other: 1 });
  });
});

describe('completed roasts', () => {
  const withProfile = (s: RoastSession, profile: Record<string, number>) => ({
    ...s,
    spec: { ...s.spec, profile },
  });
  const dropping = session('b', 'bullet-1', { phase: 'Cooling' });
  const done = session('b', 'bullet-1', {
    phase: 'Completed',
    events: {
      firstCrack: { time: iso(now), secondsSinceCharge: 470, source: 'Mark' },
    },
    metrics: { totalSeconds: 600, developmentRatioPercent: 21.7 },
  });

  it('gives total time, DTR and first crack against the profile', () => {
    const figures = completedRoast(
      dropping,
      withProfile(done, { totalSeconds: 600, developmentRatioPercent: 25 }),
    );
    expect(figures?.totalSeconds).toBe(600);
    expect(figures?.developmentRatio).toBeCloseTo(0.217);
    // The profile puts first crack at 600 × 0.75 = 450 s: 20 s late.
    expect(figures?.firstCrackErrorSeconds).toBeCloseTo(20);
  });

  it('gives no first-crack error without a profile that implies one', () => {
    expect(completedRoast(dropping, withProfile(done, { totalSeconds: 600 }))?.firstCrackErrorSeconds).toBe(
      undefined,
    );
  });

  it('counts a roast once: not again after it completed, not when it did not complete', () => {
    expect(completedRoast(done, done)).toBeUndefined();
    expect(completedRoast(dropping, session('b', 'bullet-1', { phase: 'Aborted' }))).toBeUndefined();
  });
});
