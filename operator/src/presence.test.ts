import { VirtualClock } from '@roast-operator/clock';
import { presenceWindowMs } from '@roast-operator/governor';
import type { KubeObject } from '@roast-operator/kube';
import { describe, expect, it } from 'vitest';
import { PresenceTracker, proposalShowsHuman, sessionShowsHuman } from './presence.ts';

const now = Date.parse('2026-11-24T10:00:00Z');
const proposal = (spec: object, createdSecondsAgo = 1) =>
  ({
    metadata: {
      name: 'p',
      namespace: 'roastery',
      creationTimestamp: new Date(now - createdSecondsAgo * 1000).toISOString(),
    },
    spec: { roasterRef: { name: 'bullet-1' }, ...spec },
  }) as KubeObject;
const session = (marks: { type: string; by: string }[]) =>
  ({
    metadata: { name: 's', namespace: 'roastery' },
    spec: { roasterRef: { name: 'bullet-1' }, marks },
  }) as KubeObject;

const agent = 'system:serviceaccount:roastery:advisor';
const approval = (approver: string) => ({ approval: { decision: 'Approved', approver } });

describe('proposalShowsHuman', () => {
  it("counts a human's new proposal, not an agent's, nor one older than the presence window", () => {
    expect(proposalShowsHuman({ type: 'added', object: proposal({ proposedBy: 'alice' }) }, now)).toBe(true);
    expect(proposalShowsHuman({ type: 'added', object: proposal({ proposedBy: agent }) }, now)).toBe(false);
    const old = proposal({ proposedBy: 'alice' }, presenceWindowMs / 1000 + 1);
    expect(proposalShowsHuman({ type: 'added', object: old }, now)).toBe(false);
  });

  it("counts a human's decision when it is added, once", () => {
    const before = proposal({ proposedBy: agent });
    const decided = proposal({ proposedBy: agent, ...approval('bob') });
    expect(proposalShowsHuman({ type: 'modified', old: before, object: decided }, now)).toBe(true);
    expect(proposalShowsHuman({ type: 'modified', old: decided, object: decided }, now)).toBe(false);
    const robot = proposal({ proposedBy: agent, ...approval(agent) });
    expect(proposalShowsHuman({ type: 'modified', old: before, object: robot }, now)).toBe(false);
  });
});

describe('sessionShowsHuman', () => {
  it("counts a human's new mark of any type, not marks seen before", () => {
    const one = session([{ type: 'present', by: 'alice' }]);
    expect(sessionShowsHuman({ type: 'added', object: one })).toBe(true);
    expect(sessionShowsHuman({ type: 'modified', old: one, object: one })).toBe(false);
    const two = session([
      { type: 'present', by: 'alice' },
      { type: 'firstCrack', by: 'bob' },
    ]);
    expect(sessionShowsHuman({ type: 'modified', old: one, object: two })).toBe(true);
    expect(sessionShowsHuman({ type: 'added', object: session([{ type: 'note', by: agent }]) })).toBe(false);
  });
});

describe('PresenceTracker', () => {
  it('times what it observes on its own clock and tells listeners', () => {
    const clock = new VirtualClock(now);
    const tracker = new PresenceTracker(clock);
    const heard: string[] = [];
    tracker.onObserved((key) => heard.push(key));
    expect(tracker.presence('roastery/bullet-1')).toEqual({});
    tracker.observe('roastery/bullet-1');
    expect(tracker.presence('roastery/bullet-1')).toEqual({ lastHumanActionAt: now });
    expect(heard).toEqual(['roastery/bullet-1']);
  });
});
