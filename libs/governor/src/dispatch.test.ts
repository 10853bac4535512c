import type { Command, RoasterStatus } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import { proposalDeadline } from './checks.ts';
import { type DispatchAction, recheckBeforeDispatch } from './dispatch.ts';
import {
  agent,
  ago,
  dispatched,
  heater,
  human,
  noHistory,
  now,
  proposal,
  type RoasterOptions,
  roaster,
  seconds,
} from './fixtures.ts';
import type { GovernedSession, History } from './inputs.ts';
import { type RuleId, rules } from './rules.ts';

const latch = { id: 'latch-7', cause: 'EmergencyStopProposal', since: '2026-11-24T09:59:00Z' } as const;

interface Recheck {
  readonly command?: Command;
  readonly roaster?: RoasterOptions;
  readonly history?: History;
  readonly session?: GovernedSession;
  readonly createdAt?: number;
}

const recheck = (c: Recheck) =>
  recheckBeforeDispatch(
    proposal(c.command ?? heater(6), human, c.createdAt ?? ago(30)),
    roaster(c.roaster),
    c.session,
    c.history ?? noHistory,
    now,
  );

describe('recheckBeforeDispatch', () => {
  it('dispatches when nothing changed', () => {
    expect(recheck({})).toEqual({
      action: 'Dispatch',
      rule: rules.dispatchReady,
      reasons: [expect.any(String)],
    });
  });

  it.each([
    ['the deadline passed', { createdAt: ago(61) }, 'Expire', rules.deadline],
    [
      'the roaster disconnected',
      { roaster: { status: { phase: 'Disconnected' } } },
      'Wait',
      rules.disconnected,
    ],
    ['the roaster faulted', { roaster: { status: { phase: 'Fault' } } }, 'Abort', rules.faulted],
    ['an emergency stop latched', { roaster: { status: { latch } } }, 'Abort', rules.latched],
    ['Git’s kill switch went on', { roaster: { spec: { emergencyStop: true } } }, 'Abort', rules.killSwitch],
    [
      'the roaster left the state a press expects',
      { command: { type: 'Drop', fromState: 'Roasting' }, roaster: { status: { phase: 'Cooling' } } },
      'Abort',
      rules.pressFromState,
    ],
    [
      'Git narrowed the limits',
      { roaster: { spec: { limits: { heater: { min: 0, max: 5 } } } } },
      'Abort',
      rules.limitsHeater,
    ],
    [
      'the beans passed the temperature ceiling',
      {
        roaster: {
          spec: { limits: { temperatureCeilingsCelsius: { roasting: 200 } } },
          status: { lastTelemetry: { time: '2026-11-24T09:59:59Z', ibtsTemperatureCelsius: 201 } },
        },
      },
      'Abort',
      rules.temperatureCeiling,
    ],
    [
      'another command was dispatched since',
      {
        roaster: { spec: { limits: { minSecondsBetweenCommands: 5 } } },
        history: { commands: [dispatched(heater(5), 2)], results: [] },
      },
      'Wait',
      rules.minInterval,
    ],
    [
      'the session sent its last command meanwhile (approvals beyond the maximum)',
      {
        roaster: { spec: { limits: { maxCommandsPerSession: 3 } } },
        session: { name: 'batch-7', dispatched: 3, awaitingDispatch: 4 },
      },
      'Abort',
      rules.maxPerSession,
    ],
    [
      'the session is full, even while the pacing would only have it wait',
      {
        roaster: { spec: { limits: { maxCommandsPerSession: 1, minSecondsBetweenCommands: 5 } } },
        session: { name: 'batch-7', dispatched: 1, awaitingDispatch: 0 },
        history: { commands: [dispatched(heater(5), 2)], results: [] },
      },
      'Abort',
      rules.maxPerSession,
    ],
  ] satisfies [string, Recheck, DispatchAction, RuleId][])('when %s: %s', (_, c, action, rule) => {
    expect(recheck(c)).toMatchObject({ action, rule, reasons: [expect.any(String)] });
  });

  it('tells when the minimum interval has passed', () => {
    const check = recheck({
      roaster: { spec: { limits: { minSecondsBetweenCommands: 5 } } },
      history: { commands: [dispatched(heater(5), 2)], results: [] },
    });
    expect(check.notBefore).toBe(ago(2) + seconds(5));
  });

  it('sends approved commands while the session has sent fewer than its maximum, however many wait', () => {
    const session = { name: 'batch-7', dispatched: 2, awaitingDispatch: 6 };
    const limits = { maxCommandsPerSession: 3 };
    expect(recheck({ roaster: { spec: { limits } }, session }).action).toBe('Dispatch');
  });

  it('does not re-govern the level: the approval stands', () => {
    expect(recheck({ roaster: { spec: { autonomy: { level: 'L1' } } } }).action).toBe('Dispatch');
  });

  it.each<[string, RoasterStatus | undefined]>([
    ['disconnected', { phase: 'Disconnected' }],
    ['never reported', undefined],
    ['faulted and latched', { phase: 'Fault', latch }],
  ])('sends EmergencyStop on a roaster %s', (_, status) => {
    const check = recheckBeforeDispatch(
      proposal({ type: 'EmergencyStop' }, agent, ago(3600)),
      roaster({ status, spec: { emergencyStop: true, limits: { maxCommandsPerSession: 1 } } }),
      { name: 'batch-7', dispatched: 5, awaitingDispatch: 0 },
      noHistory,
      now,
    );
    expect(check).toMatchObject({ action: 'Dispatch', rule: rules.emergencyStopExempt });
  });

  describe('for ResetLatch', () => {
    const reset: Command = { type: 'ResetLatch', latchId: latch.id };
    it.each([
      ['the latch still set', { status: { phase: 'Off', latch } }, 'Dispatch', rules.dispatchReady],
      ['the latch already cleared', { status: { phase: 'Off' } }, 'Abort', rules.resetNoLatch],
      [
        'a newer latch',
        { status: { phase: 'Off', latch: { ...latch, id: 'latch-8' } } },
        'Abort',
        rules.resetLatchMismatch,
      ],
      ['the link down', { status: { phase: 'Disconnected', latch } }, 'Wait', rules.disconnected],
      [
        'an interlock tripped again',
        { status: { phase: 'Off', latch }, edgeInterlocksClear: false },
        'Abort',
        rules.resetInterlocksActive,
      ],
      [
        'Git’s kill switch on',
        { status: { phase: 'Off', latch }, spec: { emergencyStop: true } },
        'Abort',
        rules.resetKillSwitchOn,
      ],
    ] satisfies [string, RoasterOptions, DispatchAction, RuleId][])('with %s: %s', (_, r, action, rule) => {
      expect(recheck({ command: reset, roaster: r })).toMatchObject({ action, rule });
    });

    it('is never refused by a full session', () => {
      const full = {
        command: reset,
        roaster: { status: { phase: 'Off', latch }, spec: { limits: { maxCommandsPerSession: 1 } } },
        session: { name: 'batch-7', dispatched: 4, awaitingDispatch: 0 },
      } satisfies Recheck;
      expect(recheck(full)).toMatchObject({ action: 'Dispatch', rule: rules.dispatchReady });
    });
  });
});

describe('proposalDeadline', () => {
  it.each([
    [60, 120, 60],
    [300, 120, 120],
    [90, 90, 90],
  ])('ttlSeconds %i and approval timeout %i: %i s after creation', (ttl, timeout, expected) => {
    const p = proposal(heater(6), human, now, ttl);
    const r = roaster({ spec: { approvalPolicy: { timeoutSeconds: timeout } } });
    expect(proposalDeadline(p, r)).toBe(now + seconds(expected));
  });

  it('reads the creation time from a Date', () => {
    const p = proposal(heater(6), human, now, 60);
    expect(proposalDeadline({ ...p, createdAt: new Date(now) }, roaster())).toBe(now + seconds(60));
  });
});
