import type { CommandProposal, RoastSession } from '@roast-operator/api';
import { presenceWindowMs, rules, stopLatchId } from '@roast-operator/governor';
import { describe, expect, it } from 'vitest';
import {
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
import { type AutonomySituation, autonomyStatus, conditionEvents, differs } from './autonomy.ts';

const l3 = roaster({ autonomy: { level: 'L3' }, circuitBreaker: { minCommands: 2, degradeTo: 'L2' } });

function situation(s: Partial<AutonomySituation> = {}, sessions: RoastSession[] = []): AutonomySituation {
  return {
    now,
    roaster: l3,
    proposals: [],
    session: (name) => sessions.find((x) => x.metadata.name === name),
    presence: { lastHumanActionAt: ago(60) },
    guardLive: true,
    linkConfigured: true,
    ...s,
  };
}

const condition = (s: AutonomySituation, type: string) =>
  autonomyStatus(s).status.conditions.find((c) => c.type === type);

function finished(
  outcome: 'Succeeded' | 'Failed',
  secondsAgo: number,
  sessionName?: string,
): CommandProposal {
  return proposal(heater(6), {
    by: human,
    ...(sessionName && { session: sessionName }),
    status: {
      phase: outcome,
      dispatch: { time: iso(ago(secondsAgo + 1)) },
      result: { outcome, time: iso(ago(secondsAgo)) },
    },
  });
}

describe('autonomyStatus', () => {
  it('reports the configured level with nothing lowering it, and a connected roaster Ready', () => {
    const s = situation();
    expect(autonomyStatus(s).status.effectiveAutonomy).toEqual({ level: 'L3', reasons: [] });
    expect(condition(s, 'AutonomyDegraded')).toMatchObject({ status: 'False', reason: 'AtConfiguredLevel' });
    expect(condition(s, 'Ready')).toMatchObject({ status: 'True', reason: 'Ready', observedGeneration: 3 });
    expect(condition(s, 'EmergencyStopLatched')).toMatchObject({ status: 'False', reason: 'NotLatched' });
  });

  it('degrades on repeated failures of real sessions, not of simulated ones', () => {
    const real = session('real', 'bullet-1', { source: { type: 'Device', serial: 'R1-1' } });
    const simulated = session('sim', 'bullet-1', { source: { type: 'Simulated', seed: 7 } });
    const simFailures = [
      finished('Failed', 30, 'sim'),
      finished('Failed', 20, 'sim'),
      finished('Failed', 10, 'sim'),
    ];
    const quiet = situation({ proposals: simFailures }, [real, simulated]);
    expect(autonomyStatus(quiet).status.effectiveAutonomy.level).toBe('L3');

    const failing = situation(
      { proposals: [...simFailures, finished('Failed', 5, 'real'), finished('Failed', 4, 'real')] },
      [real, simulated],
    );
    expect(autonomyStatus(failing).status.effectiveAutonomy).toEqual({
      level: 'L2',
      reasons: [expect.stringContaining('circuit breaker is open: 2 of the last 2')],
    });
    expect(condition(failing, 'AutonomyDegraded')).toMatchObject({
      status: 'True',
      reason: 'CircuitBreakerOpen',
    });
  });

  it('looks again when a counted result leaves the window or presence lapses', () => {
    const s = situation({ proposals: [finished('Failed', 100)], presence: { lastHumanActionAt: ago(10) } });
    expect(autonomyStatus(s).wakeAt).toBe(ago(10) + presenceWindowMs + 1);
    const away = situation({ proposals: [finished('Failed', 3590)], presence: {} });
    expect(autonomyStatus(away).wakeAt).toBe(ago(3590) + 3_600_000 + 1);
  });

  it('shows the presence cap at L4 with no human seen', () => {
    const s = situation({ roaster: roaster(), presence: {} });
    expect(condition(s, 'AutonomyDegraded')).toMatchObject({ status: 'True', reason: 'NoHumanPresent' });
  });

  it('latches on an EmergencyStop proposal and says how to clear the latch', () => {
    const p = proposal(stop);
    const { status } = autonomyStatus(situation({ proposals: [p] }));
    const id = stopLatchId(p.metadata.uid!);
    expect(status.latch).toMatchObject({ id, cause: 'EmergencyStopProposal' });
    expect(status.conditions.find((c) => c.type === 'EmergencyStopLatched')).toMatchObject({
      status: 'True',
      reason: 'EmergencyStopProposal',
      message: expect.stringContaining(`ResetLatch proposal naming ${id}`),
    });
    expect(status.conditions.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Latched',
    });
  });

  it('clears the latch for an allowed reset naming it', () => {
    const latch = { id: 'git-uid-bull-3', cause: 'SpecEmergencyStop' as const, since: iso(ago(60)) };
    const reset = proposal(
      { type: 'ResetLatch', latchId: latch.id },
      {
        by: human,
        status: { phase: 'Approved', governor: { decision: 'Allow', rule: rules.resetAllowed, level: 'L3' } },
      },
    );
    const latched = roaster({ autonomy: { level: 'L3' } }, { ...connected, latch });
    expect(autonomyStatus(situation({ roaster: latched, proposals: [reset] })).status.latch).toBeUndefined();
  });

  it.each([
    ['not reported by the link yet', { roaster: roaster({}, {}) }, 'Disconnected'],
    ['faulted', { roaster: roaster({}, { phase: 'Fault' }) }, 'Faulted'],
    ['running with the guard not proven', { guardLive: false }, 'AdmissionGuardNotLive'],
    ['running with no link', { linkConfigured: false }, 'NoLink'],
  ] as const)('is not Ready when %s', (_why, s: Partial<AutonomySituation>, reason) => {
    expect(condition(situation(s), 'Ready')).toMatchObject({ status: 'False', reason });
  });
});

describe('differs', () => {
  it('is false once the status holds what is wanted, whatever else it holds', () => {
    const { status } = autonomyStatus(situation());
    const written = {
      ...connected,
      ...status,
      conditions: [...(connected.conditions ?? []), ...status.conditions],
    };
    expect(differs(written, status)).toBe(false);
    expect(differs(connected, status)).toBe(true);
  });
});

describe('conditionEvents', () => {
  const cond = (type: string, status: 'True' | 'False', reason: string, message = '') => ({
    type,
    status,
    reason,
    message,
    lastTransitionTime: iso(now),
  });

  it('announces what moved, and a first condition only when it is bad', () => {
    expect(
      conditionEvents(undefined, [
        cond('Ready', 'True', 'Ready'),
        cond('EmergencyStopLatched', 'False', 'NotLatched'),
      ]),
    ).toEqual([]);
    expect(conditionEvents(undefined, [cond('Ready', 'False', 'NoLink', 'no link')])).toEqual([
      { type: 'Warning', reason: 'NotReady', action: 'Reconcile', note: 'no link' },
    ]);
    const before = [
      cond('EmergencyStopLatched', 'True', 'EmergencyStopProposal', 'latch a'),
      cond('AutonomyDegraded', 'True', 'CircuitBreakerOpen'),
    ];
    const after = [
      cond('EmergencyStopLatched', 'True', 'EmergencyStopProposal', 'latch b'),
      cond('AutonomyDegraded', 'False', 'AtConfiguredLevel'),
    ];
    expect(conditionEvents(before, after).map((e) => [e.type, e.reason])).toEqual([
      ['Normal', 'AutonomyRestored'],
      ['Warning', 'EmergencyStopLatched'],
    ]);
  });
});
