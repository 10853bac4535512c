import type { CommandProposal, Roaster, RoastSession } from '@roast-operator/api';
import { rules, stopLatchId } from '@roast-operator/governor';
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
  session,
  stop,
} from '../testing/objects.ts';
import { defaultBounds } from './bounds.ts';
import {
  bulkSteps,
  humanProposal,
  type Plan,
  plan,
  type Situation,
  sessionOfAnotherRoaster,
  tooManyOpen,
} from './plan.ts';

const present = { lastHumanActionAt: ago(30) };

function situation(
  p: CommandProposal,
  s: Partial<Situation> = {},
  others: CommandProposal[] = [],
): Situation {
  const sessions = new Map<string, RoastSession>();
  return {
    now,
    roaster: roaster(),
    proposals: [p, ...others],
    session: (name) => sessions.get(name),
    sessions: [],
    presence: present,
    guardLive: true,
    link: 'up',
    retentionMs: 60_000,
    bounds: defaultBounds,
    retainedBeyond: new Set(),
    ...s,
  };
}

const planFor = (p: CommandProposal, s: Partial<Situation> = {}, others: CommandProposal[] = []) =>
  plan(p, situation(p, s, others));

const governed = (rule: string) => expect.objectContaining({ governor: expect.objectContaining({ rule }) });

const waiting = (reason: string, message: string) => ({
  type: 'Reconciling',
  status: 'True' as const,
  reason,
  message,
  lastTransitionTime: iso(ago(10)),
});

describe('plan: Pending', () => {
  it.each([
    ['L1', 'Blocked', rules.observeOnly],
    ['L2', 'Blocked', rules.adviceOnly],
    ['L3', 'AwaitingApproval', rules.agentNeedsApproval],
  ] as const)('governs an agent step at %s: %s (%s)', (level, to, rule) => {
    const next = planFor(proposal(heater(6)), { roaster: roaster({ autonomy: { level } }) });
    expect(next).toMatchObject({ kind: 'move', to });
    expect(next).toEqual(governed(rule));
  });

  it("snapshots the Roaster's self-approval flag when the wait for a human begins", () => {
    const r = roaster({ autonomy: { level: 'L2' }, approvalPolicy: { allowSelfApprovalForHumans: true } });
    expect(planFor(proposal(heater(6), { by: human }), { roaster: r })).toMatchObject({
      kind: 'move',
      to: 'AwaitingApproval',
      selfApprovalAllowed: true,
    });
  });

  it('approves one L4 step inside the envelope with a human present, and holds the next for a human', () => {
    const first = proposal(heater(6));
    expect(planFor(first)).toMatchObject({
      kind: 'move',
      to: 'Approved',
      governor: { rule: rules.envelope },
    });
    const approved = proposal(heater(6), {
      status: { phase: 'Approved', governor: { decision: 'Allow', rule: rules.envelope, level: 'L4' } },
    });
    const second = proposal({ type: 'SetFan', target: 7 });
    expect(planFor(second, {}, [approved])).toEqual(governed(rules.outsideEnvelope));
  });

  it('holds an energy raise at L4 for a human when none was seen', () => {
    expect(planFor(proposal(heater(6)), { presence: {} })).toMatchObject({
      kind: 'move',
      to: 'AwaitingApproval',
      governor: { rule: rules.presenceRequired, level: 'L3' },
    });
  });

  it('ends a proposal governed after its deadline Expired, not Blocked', () => {
    expect(planFor(proposal(heater(6), { createdAt: ago(120) }))).toMatchObject({
      kind: 'move',
      to: 'Expired',
      governor: { rule: rules.deadline },
    });
  });

  it('blocks a proposal naming a session of another roaster', () => {
    const p = proposal(heater(6), { session: 'elsewhere' });
    const other = session('elsewhere', 'bullet-2');
    const next = plan(p, { ...situation(p), session: (name) => (name === 'elsewhere' ? other : undefined) });
    expect(next).toMatchObject({
      kind: 'move',
      to: 'Blocked',
      governor: { decision: 'Deny', rule: sessionOfAnotherRoaster },
    });
  });

  it('sends an EmergencyStop at once, on a faulted, latched or disconnected roaster too', () => {
    const latch = { id: 'git-x', cause: 'SpecEmergencyStop' as const, since: iso(ago(60)) };
    for (const status of [{ phase: 'Fault' as const }, { ...connected, latch }]) {
      expect(planFor(proposal(stop), { roaster: roaster({}, status) })).toMatchObject({
        kind: 'dispatch',
        governor: { decision: 'Allow', rule: rules.emergencyStopExempt },
      });
    }
    const offline = planFor(proposal(stop), {
      roaster: roaster({}, { phase: 'Disconnected' }),
      link: 'down',
    });
    expect(offline).toMatchObject({
      kind: 'move',
      to: 'Approved',
      governor: { rule: rules.emergencyStopExempt },
    });
  });

  it('blocks every step after an EmergencyStop before the Roaster controller writes the latch', () => {
    const pendingStop = proposal(stop);
    expect(planFor(proposal(heater(6)), {}, [pendingStop])).toEqual(governed(rules.latched));
  });
});

describe('plan: AwaitingApproval', () => {
  const awaiting = (o: Parameters<typeof proposal>[1] = {}) =>
    proposal(heater(7), {
      ...o,
      status: {
        phase: 'AwaitingApproval',
        governor: { decision: 'RequireApproval', rule: rules.outsideEnvelope, level: 'L4' },
      },
    });

  it('takes a human decision, and sends an approved command in the same step when nothing makes it wait', () => {
    const approvedBy = { approval: { decision: 'Approved' as const, approver: 'bob', reason: 'fine' } };
    expect(planFor(awaiting(approvedBy))).toEqual({
      kind: 'dispatch',
      approved: 'Approved by bob: fine',
    });
    expect(planFor(awaiting(approvedBy), { link: 'down' })).toEqual({
      kind: 'move',
      to: 'Approved',
      message: 'Approved by bob: fine',
    });
    expect(planFor(awaiting({ approval: { decision: 'Rejected', approver: 'bob' } }))).toMatchObject({
      to: 'Rejected',
    });
  });

  it('waits for the decision until the deadline, then expires', () => {
    expect(planFor(awaiting())).toEqual({ kind: 'idle', wakeAt: ago(1) + 60_000 });
    expect(planFor(awaiting({ createdAt: ago(61) }))).toMatchObject({ kind: 'move', to: 'Expired' });
  });

  it('aborts when the roaster latches while it waits', () => {
    expect(planFor(awaiting(), {}, [proposal(stop)])).toMatchObject({ kind: 'move', to: 'Aborted' });
  });
});

describe('plan: Approved', () => {
  const approvedBy = { decision: 'Approved' as const, approver: 'bob' };
  const approved = (o: Parameters<typeof proposal>[1] = {}) =>
    proposal(heater(7), { approval: approvedBy, ...o, status: { phase: 'Approved', ...o.status } });

  it('dispatches with the authority of an approval or of its own recorded Allow', () => {
    expect(planFor(approved())).toEqual({ kind: 'dispatch' });
    const allowed = proposal(heater(6), {
      status: { phase: 'Approved', governor: { decision: 'Allow', rule: rules.envelope, level: 'L4' } },
    });
    expect(planFor(allowed)).toEqual({ kind: 'dispatch' });
  });

  it('never dispatches on the phase alone', () => {
    expect(planFor(proposal(heater(6), { status: { phase: 'Approved' } }))).toMatchObject({
      kind: 'move',
      to: 'Aborted',
    });
  });

  it.each([
    ['no link runs', { link: 'none' }, 'NoLink'],
    ["the roaster's stream is down", { link: 'down' }, 'LinkDown'],
    ['the guard is not proven live', { guardLive: false }, 'GuardNotLive'],
    ['the roaster is disconnected', { roaster: roaster({}, { phase: 'Disconnected' }) }, 'Disconnected'],
  ] as const)('waits, until the deadline, while %s', (_why, s: Partial<Situation>, reason) => {
    expect(planFor(approved(), s)).toMatchObject({ kind: 'wait', reason, wakeAt: ago(1) + 60_000 });
  });

  it('waits for the minimum interval since the last dispatch', () => {
    const r = roaster({ limits: { minSecondsBetweenCommands: 10 } });
    const earlier = proposal(heater(6), { status: { phase: 'Succeeded', dispatch: { time: iso(ago(4)) } } });
    expect(planFor(approved(), { roaster: r }, [earlier])).toMatchObject({
      kind: 'wait',
      reason: 'MinInterval',
      wakeAt: ago(4) + 10_000,
    });
  });

  it('expires at the deadline, saying what it waited for', () => {
    const message = 'The roaster is not connected to its edge agent.';
    const p = approved({
      createdAt: ago(61),
      status: { phase: 'Approved', conditions: [waiting('Disconnected', message)] },
    });
    const next = planFor(p, { roaster: roaster({}, { phase: 'Disconnected' }) });
    expect(next).toMatchObject({ kind: 'move', to: 'Expired' });
    expect((next as Plan & { kind: 'move' }).message).toContain(`It was waiting: ${message}`);
  });

  it('aborts when the Roaster’s limits narrowed while it waited', () => {
    expect(
      planFor(approved(), { roaster: roaster({ limits: { heater: { min: 0, max: 6 } } }) }),
    ).toMatchObject({
      kind: 'move',
      to: 'Aborted',
    });
  });

  it('sends an allowed ResetLatch, which must still find the latch it clears', () => {
    const latch = { id: 'git-uid-bull-3', cause: 'SpecEmergencyStop' as const, since: iso(ago(60)) };
    const allowed = { decision: 'Allow' as const, rule: rules.resetAllowed, level: 'L4' as const };
    const reset = proposal(
      { type: 'ResetLatch', latchId: latch.id },
      { by: human, status: { phase: 'Approved', governor: allowed } },
    );
    expect(planFor(reset, { roaster: roaster({}, { ...connected, latch }) })).toEqual({
      kind: 'dispatch',
    });
  });

  it('sends an EmergencyStop even while the guard is not proven live, but not past its deadline', () => {
    const allowed = {
      phase: 'Approved' as const,
      governor: { decision: 'Allow' as const, rule: rules.emergencyStopExempt, level: 'L4' as const },
    };
    expect(planFor(proposal(stop, { status: allowed }), { guardLive: false })).toEqual({
      kind: 'dispatch',
    });
    const late = proposal(stop, { createdAt: ago(61), status: allowed });
    const latched = roaster(
      {},
      {
        ...connected,
        latch: { id: stopLatchId(late.metadata.uid!), cause: 'EmergencyStopProposal', since: iso(ago(60)) },
      },
    );
    expect(planFor(late, { link: 'none', roaster: latched })).toMatchObject({ kind: 'move', to: 'Expired' });
  });
});

describe('plan: Dispatched and after', () => {
  const dispatched = (
    command = heater(6),
    result?: { outcome: 'Succeeded' | 'Failed' | 'Unknown'; message?: string },
  ) =>
    proposal(command, {
      status: {
        phase: 'Dispatched',
        governor: { decision: 'Allow', rule: rules.envelope, level: 'L4' },
        dispatch: { time: iso(ago(1)) },
        ...(result && { result }),
      },
    });

  it('waits for the result the link writes, then ends by its outcome', () => {
    expect(planFor(dispatched())).toEqual({ kind: 'idle' });
    expect(planFor(dispatched(heater(6), { outcome: 'Succeeded' }))).toMatchObject({ to: 'Succeeded' });
    expect(planFor(dispatched(heater(6), { outcome: 'Unknown', message: 'link lost' }))).toMatchObject({
      to: 'Failed',
      message: 'Unknown on the roaster: link lost',
    });
  });

  it('holds an EmergencyStop until the latch in status is its own', () => {
    const p = dispatched(stop, { outcome: 'Succeeded' });
    expect(planFor(p)).toEqual({ kind: 'idle' });
    const latch = {
      id: stopLatchId(p.metadata.uid!),
      cause: 'EmergencyStopProposal' as const,
      since: iso(now),
    };
    expect(planFor(p, { roaster: roaster({}, { ...connected, latch }) })).toMatchObject({ to: 'Succeeded' });
  });

  it('keeps an ended proposal for the retention period, then deletes it', () => {
    const ended = (secondsAgo: number) =>
      proposal(heater(6), {
        status: {
          phase: 'Blocked',
          conditions: [
            {
              type: 'Reconciling',
              status: 'False',
              reason: 'Blocked',
              message: '',
              lastTransitionTime: iso(ago(secondsAgo)),
            },
          ],
        },
      });
    expect(planFor(ended(30))).toEqual({ kind: 'idle', wakeAt: ago(30) + 60_000 });
    expect(planFor(ended(60))).toEqual({ kind: 'delete' });
  });

  it('waits for a roaster that does not exist, then expires', () => {
    expect(planFor(proposal(heater(6)), { roaster: undefined as Roaster | undefined })).toMatchObject({
      kind: 'wait',
      reason: 'RoasterNotFound',
    });
    expect(planFor(proposal(heater(6), { createdAt: ago(61) }), { roaster: undefined })).toMatchObject({
      to: 'Expired',
    });
  });
});

describe('humanProposal', () => {
  it('counts a human proposal being governed in time as presence, never an agent’s or an old one', () => {
    expect(humanProposal(proposal(heater(6), { by: human }), now)).toBe(true);
    expect(humanProposal(proposal(heater(6), { by: agent }), now)).toBe(false);
    expect(humanProposal(proposal(heater(6), { by: human, createdAt: ago(61) }), now)).toBe(false);
  });
});

/** The bulk step for `p` among `others`, as a reconcile's bulk pass takes it. */
function bulkStep(p: CommandProposal, s: Situation): Plan | undefined {
  return bulkSteps(s).find(({ proposal }) => proposal === p)?.step;
}

describe('bounds and bulk steps', () => {
  const bounds = { ...defaultBounds, openPerProposer: 2 };
  const atL3 = { bounds, roaster: roaster({ autonomy: { level: 'L3' } }) };
  const flood = (n: number) =>
    Array.from({ length: n }, (_, i) => proposal(heater(6), { createdAt: ago(30 - i) }));

  it('refuses a proposer’s proposal beyond its open bound, saying why and what to do', () => {
    const [a, b, c] = flood(3) as [CommandProposal, CommandProposal, CommandProposal];
    expect(plan(a, situation(a, atL3, [b, c]))).toMatchObject({ to: 'AwaitingApproval' });
    const refused = plan(c, situation(c, atL3, [a, b]));
    expect(refused).toMatchObject({ kind: 'move', to: 'Blocked' });
    expect(refused).toEqual(governed(tooManyOpen));
    expect(refused).toMatchObject({ message: expect.stringContaining('already has 2 open proposals') });
    expect(bulkStep(c, situation(c, atL3, [a, b]))).toEqual(refused);
  });

  it('never refuses an EmergencyStop however many proposals its proposer has open', () => {
    const p = proposal(stop);
    expect(plan(p, situation(p, { bounds }, flood(5)))).toMatchObject({ kind: 'dispatch' });
    expect(bulkStep(p, situation(p, { bounds }, flood(5)))).toBeUndefined();
  });

  it('expires in bulk what waits for a person or for dispatch past its deadline, as plan would', () => {
    const waiting = proposal(heater(6), { createdAt: ago(61), status: { phase: 'AwaitingApproval' } });
    const next = bulkStep(waiting, situation(waiting));
    expect(next).toMatchObject({ kind: 'move', to: 'Expired' });
    expect(next).toEqual(planFor(waiting));
    const early = proposal(heater(6), { createdAt: ago(30), status: { phase: 'AwaitingApproval' } });
    expect(bulkStep(early, situation(early))).toBeUndefined();
  });

  it('expires in bulk a proposal still ungoverned at its deadline, with the governor’s decision', () => {
    const late = proposal(heater(6), { createdAt: ago(61) });
    const next = bulkStep(late, situation(late));
    expect(next).toMatchObject({ kind: 'move', to: 'Expired' });
    expect(next).toEqual(governed(rules.deadline));
  });

  it('ends in bulk what waits to be governed or for a person once a stop latched the roaster', () => {
    const others = [proposal(stop, { createdAt: ago(2) })];
    const waiting = proposal(heater(6), { status: { phase: 'AwaitingApproval' } });
    expect(bulkStep(waiting, situation(waiting, {}, others))).toMatchObject({ kind: 'move', to: 'Aborted' });
    const ungoverned = proposal(heater(6));
    expect(bulkStep(ungoverned, situation(ungoverned, {}, others))).toEqual(governed(rules.latched));
  });

  it('leaves to the ordered pass what depends on the proposals before it', () => {
    const p = proposal(heater(6));
    expect(bulkStep(p, situation(p))).toBeUndefined();
    const decided = proposal(heater(6), {
      createdAt: ago(61),
      approval: { decision: 'Rejected', approver: 'bob' },
      status: { phase: 'AwaitingApproval' },
    });
    expect(bulkStep(decided, situation(decided))).toBeUndefined();
  });

  it('deletes an ended unsent proposal beyond the number kept before its retention ends', () => {
    const p = proposal(heater(6), { status: { phase: 'Expired' } });
    expect(bulkStep(p, situation(p, { retainedBeyond: new Set([p.metadata.uid!]) }))).toEqual({
      kind: 'delete',
    });
    expect(bulkStep(p, situation(p))).toBeUndefined();
  });
});
