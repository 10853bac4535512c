import { RoastSession } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import { summarize } from './summary.ts';
import { hoursAgo, now, type ProposalCase, proposal } from './testing/proposals.ts';

const summaryOf = (cases: ProposalCase[], failuresShown?: number) =>
  summarize(cases.map(proposal), [], now, failuresShown);

describe('summarize', () => {
  it('is empty, with no success rate, for no proposals', () => {
    const s = summaryOf([]);
    expect(s.last24h).toEqual({
      proposed: 0,
      succeeded: 0,
      failed: 0,
      blocked: 0,
      rejected: 0,
      expired: 0,
      aborted: 0,
      open: 0,
      successRate: undefined,
    });
    expect(s.pendingApprovals).toEqual([]);
    expect(s.byType).toEqual([]);
    expect(s.recentFailures).toEqual([]);
  });

  it.each([
    {
      what: 'counts each ending in both windows when recent',
      cases: [
        { name: 'a', phase: 'Succeeded', age: 1 },
        { name: 'b', phase: 'Failed', age: 2 },
        { name: 'c', phase: 'Blocked', age: 3 },
        { name: 'd', phase: 'Rejected', age: 4 },
        { name: 'e', phase: 'Expired', age: 5 },
        { name: 'f', phase: 'Aborted', age: 6 },
        { name: 'g', phase: 'Dispatched', age: 0.1 },
        { name: 'h', age: 0 },
      ],
      day: { proposed: 8, succeeded: 1, failed: 1, blocked: 1, rejected: 1, expired: 1, aborted: 1, open: 2 },
      week: { proposed: 8, open: 2 },
    },
    {
      what: 'leaves older proposals out of the 24 h totals, and those older than 7 d out of both',
      cases: [
        { name: 'today', phase: 'Succeeded', age: 23.9 },
        { name: 'yesterday', phase: 'Succeeded', age: 24.1 },
        { name: 'last-week', phase: 'Failed', age: 167.9 },
        { name: 'long-ago', phase: 'Failed', age: 168.1 },
      ],
      day: { proposed: 1, succeeded: 1, failed: 0 },
      week: { proposed: 3, succeeded: 2, failed: 1 },
    },
  ] as const)('$what', ({ cases, day, week }) => {
    const s = summaryOf([...cases]);
    expect(s.last24h).toMatchObject(day);
    expect(s.last7d).toMatchObject(week);
  });

  it.each([
    { succeeded: 3, failed: 1, blocked: 2, rate: 0.75 },
    { succeeded: 0, failed: 2, blocked: 0, rate: 0 },
    // A blocked or rejected proposal never reached the roaster: it does not count against the rate.
    { succeeded: 0, failed: 0, blocked: 4, rate: undefined },
  ])('rates $succeeded succeeded and $failed failed (and $blocked blocked) at $rate', (c) => {
    const cases: ProposalCase[] = [
      ...Array.from({ length: c.succeeded }, (_, i) => ({
        name: `s${i}`,
        phase: 'Succeeded' as const,
        age: 1,
      })),
      ...Array.from({ length: c.failed }, (_, i) => ({ name: `f${i}`, phase: 'Failed' as const, age: 1 })),
      ...Array.from({ length: c.blocked }, (_, i) => ({ name: `b${i}`, phase: 'Blocked' as const, age: 1 })),
    ];
    expect(summaryOf(cases).last24h.successRate).toBe(c.rate);
  });

  it('rates each command type over 7 days, most proposed first', () => {
    const s = summaryOf([
      { name: 'h1', type: 'SetHeater', phase: 'Succeeded', age: 1 },
      { name: 'h2', type: 'SetHeater', phase: 'Failed', age: 30 },
      { name: 'h3', type: 'SetHeater', phase: 'Blocked', age: 2 },
      { name: 'd1', type: 'Drop', phase: 'Succeeded', age: 3 },
      { name: 'c1', type: 'Charge', phase: 'Succeeded', age: 3 },
      { name: 'old', type: 'Cool', phase: 'Failed', age: 200 },
    ]);
    expect(s.byType).toEqual([
      { type: 'SetHeater', succeeded: 1, failed: 1, successRate: 0.5 },
      { type: 'Charge', succeeded: 1, failed: 0, successRate: 1 },
      { type: 'Drop', succeeded: 1, failed: 0, successRate: 1 },
    ]);
  });

  it('lists proposals awaiting approval, oldest first, with their age and time left', () => {
    const s = summaryOf([
      { name: 'newer', phase: 'AwaitingApproval', age: 0.01, expiresIn: 24 },
      { name: 'older', type: 'Charge', phase: 'AwaitingApproval', age: 0.02 },
      { name: 'decided', phase: 'Approved', age: 0.03 },
    ]);
    expect(s.pendingApprovals).toEqual([
      {
        name: 'older',
        roaster: 'bullet-1',
        type: 'Charge',
        target: undefined,
        proposedBy: 'alice',
        ageSeconds: 72,
        expiresInSeconds: undefined,
      },
      {
        name: 'newer',
        roaster: 'bullet-1',
        type: 'SetHeater',
        target: 7,
        proposedBy: 'alice',
        ageSeconds: 36,
        expiresInSeconds: 24,
      },
    ]);
  });

  it('lists the latest failures of the week, newest result first, with the edge’s message', () => {
    const s = summaryOf(
      [
        { name: 'f-old', phase: 'Failed', age: 100, outcome: 'Failed', message: 'no answer', resultAge: 99 },
        { name: 'f-new', phase: 'Failed', age: 5, outcome: 'Unknown', message: 'link lost', resultAge: 4 },
        { name: 'f-mid', phase: 'Failed', age: 50 },
        { name: 'f-gone', phase: 'Failed', age: 170 },
        { name: 'ok', phase: 'Succeeded', age: 1, outcome: 'Succeeded', resultAge: 1 },
      ],
      2,
    );
    expect(s.recentFailures).toEqual([
      {
        name: 'f-new',
        roaster: 'bullet-1',
        type: 'SetHeater',
        time: hoursAgo(4),
        outcome: 'Unknown',
        message: 'link lost',
      },
      {
        name: 'f-mid',
        roaster: 'bullet-1',
        type: 'SetHeater',
        time: hoursAgo(50),
        outcome: 'Failed',
        message: undefined,
      },
    ]);
  });

  it('leaves simulated and replayed roasts out of the figures but lists their pending approvals', () => {
    const session = (name: string, source?: object) =>
      RoastSession.parse({
        apiVersion: 'roasting.simcorp.io/v1alpha1',
        kind: 'RoastSession',
        metadata: { name },
        spec: { roasterRef: { name: 'bullet-1' } },
        ...(source && { status: { source } }),
      });
    const sessions = [
      session('real', { type: 'Device', serial: 'R1-1' }),
      session('sim', { type: 'Simulated', seed: 1 }),
      session('replay', { type: 'Replay', file: 'guji.json' }),
      session('unknown'),
    ];
    const inSession = (
      name: string,
      sessionName: string,
      phase: 'Failed' | 'Succeeded' | 'AwaitingApproval',
    ) => {
      const p = proposal({ name, phase, age: 1 });
      return { ...p, spec: { ...p.spec, sessionRef: { name: sessionName } } };
    };
    const s = summarize(
      [
        inSession('r', 'real', 'Succeeded'),
        inSession('s', 'sim', 'Failed'),
        inSession('p', 'replay', 'Failed'),
        inSession('u', 'unknown', 'Succeeded'),
        inSession('w', 'sim', 'AwaitingApproval'),
        proposal({ name: 'none', phase: 'Failed', age: 1 }),
      ],
      sessions,
      now,
    );
    expect(s.last24h).toMatchObject({ proposed: 3, succeeded: 2, failed: 1, open: 0 });
    expect(s.recentFailures.map((f) => f.name)).toEqual(['none']);
    expect(s.pendingApprovals.map((p) => p.name)).toEqual(['w']);
  });
});
