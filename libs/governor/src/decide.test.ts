import { AutonomyLevel, type Command, type GovernorDecision, Press } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import {
  absent,
  agent,
  ago,
  type Case,
  dispatched,
  drum,
  fan,
  govern,
  heater,
  human,
  now,
  present,
  result,
} from './fixtures.ts';
import { presenceWindowMs } from './presence.ts';
import { type RuleId, rules } from './rules.ts';

type Expected = [decision: GovernorDecision, rule: RuleId];

const at = (level: AutonomyLevel) => ({ spec: { autonomy: { level } } });

function expectRuling(c: Case, [decision, rule]: Expected) {
  const ruling = govern(c);
  expect({ decision: ruling.decision, rule: ruling.rule }).toEqual({ decision, rule });
  expect(ruling.reasons.length).toBeGreaterThan(0);
  return ruling;
}

describe('a disconnected roaster', () => {
  it('says why, as the link gateway reported it', () => {
    const connected = {
      type: 'Connected',
      status: 'False' as const,
      reason: 'HelloRefused',
      message: 'The edge agent was refused: its hello: more than 32 latches.',
      lastTransitionTime: '2026-11-24T09:58:00Z',
    };
    const ruling = govern({
      command: heater(4),
      roaster: { status: { phase: 'Disconnected', conditions: [connected] } },
    });
    expect(ruling.rule).toBe(rules.disconnected);
    expect(ruling.reasons.join(' ')).toContain('its hello: more than 32 latches');
    expect(ruling.reasons.join(' ')).not.toContain('USB');
  });

  it('points at the edge agent when the gateway never reported', () => {
    const ruling = govern({ command: heater(4), roaster: { status: undefined } });
    expect(ruling.reasons.join(' ')).toContain("check the edge agent on the roaster's node");
  });
});

describe('each level, for agents and humans', () => {
  // One step down of the heater: inside every limit and the L4 envelope, and it lowers energy, so the
  // presence rule stays out of the way and only the level decides.
  it.each([
    ['L1', agent, ['Deny', rules.observeOnly]],
    ['L1', human, ['Deny', rules.observeOnly]],
    ['L2', agent, ['Deny', rules.adviceOnly]],
    ['L2', human, ['RequireApproval', rules.humanNeedsApproval]],
    ['L3', agent, ['RequireApproval', rules.agentNeedsApproval]],
    ['L3', human, ['Allow', rules.humanDirect]],
    ['L4', agent, ['Allow', rules.envelope]],
    ['L4', human, ['Allow', rules.humanDirect]],
    ['L5', agent, ['Allow', rules.autonomous]],
    ['L5', human, ['Allow', rules.humanDirect]],
  ] satisfies [AutonomyLevel, string, Expected][])('%s, proposed by %s: %j', (level, by, expected) => {
    const ruling = expectRuling({ command: heater(4), by, roaster: at(level), presence: absent }, expected);
    expect(ruling.level).toBe(level);
  });
});

describe('the L4 envelope', () => {
  const l4 = (c: Omit<Case, 'roaster' | 'by'>, expected: Expected) =>
    expectRuling({ ...c, by: agent, roaster: at('L4') }, expected);

  it.each([
    ['one heater step up', heater(6)],
    ['one heater step down', heater(4)],
    ['one fan step up', fan(7)],
    ['one drum step', drum(6)],
    ['the current level again', heater(5)],
  ])('approves %s on its own', (_, command) => {
    l4({ command }, ['Allow', rules.envelope]);
  });

  it.each([
    ['two heater steps', heater(7)],
    ['two fan steps down', fan(4)],
    ['three drum steps', drum(8)],
    ['a press', { type: 'Drop', fromState: 'Roasting' } as Command],
  ])('needs a human for %s', (_, command) => {
    l4({ command }, [
      'RequireApproval',
      command.type === 'Drop' ? rules.pressNeedsApproval : rules.outsideEnvelope,
    ]);
  });

  it.each([
    ['approved and waiting for dispatch', { command: fan(7), finished: false }],
    ['dispatched and not finished', dispatched(heater(6), 30, false)],
  ])('needs a human for a second step while another is %s', (_, pending) => {
    l4({ command: heater(6), history: { commands: [pending], results: [] } }, [
      'RequireApproval',
      rules.outsideEnvelope,
    ]);
  });

  it('counts only unfinished commands as in flight', () => {
    l4({ command: heater(6), history: { commands: [dispatched(heater(5), 30)], results: [] } }, [
      'Allow',
      rules.envelope,
    ]);
  });

  it('needs a human when the roaster has not reported the level to step from', () => {
    expectRuling(
      {
        command: heater(6),
        by: agent,
        roaster: { ...at('L4'), status: { phase: 'Roasting', levels: { fan: 6 } } },
      },
      ['RequireApproval', rules.outsideEnvelope],
    );
  });
});

describe('presence at L4 and L5', () => {
  it.each([
    ['L4', heater(6), absent, ['RequireApproval', rules.presenceRequired], 'L3'],
    ['L4', heater(6), present, ['Allow', rules.envelope], 'L4'],
    ['L4', fan(5), absent, ['RequireApproval', rules.presenceRequired], 'L3'],
    ['L4', fan(7), absent, ['Allow', rules.envelope], 'L4'],
    ['L4', heater(4), absent, ['Allow', rules.envelope], 'L4'],
    ['L4', drum(6), absent, ['Allow', rules.envelope], 'L4'],
    ['L5', heater(9), absent, ['RequireApproval', rules.presenceRequired], 'L3'],
    ['L5', heater(9), present, ['Allow', rules.autonomous], 'L5'],
    ['L5', fan(1), absent, ['RequireApproval', rules.presenceRequired], 'L3'],
    ['L5', fan(12), absent, ['Allow', rules.autonomous], 'L5'],
    ['L5', heater(0), absent, ['Allow', rules.autonomous], 'L5'],
    ['L5', drum(9), absent, ['Allow', rules.autonomous], 'L5'],
  ] satisfies [AutonomyLevel, Command, typeof present, Expected, AutonomyLevel][])(
    'at %s, an agent’s %j with presence %j: %j at %s',
    (level, command, presence, expected, effective) => {
      const ruling = expectRuling({ command, by: agent, roaster: at(level), presence }, expected);
      expect(ruling.level).toBe(effective);
    },
  );

  it('says what to do when no human was seen', () => {
    const ruling = govern({ command: heater(6), by: agent, roaster: at('L4'), presence: absent });
    expect(ruling.reasons[0]).toMatch(/No human was seen at this roaster in the last 5 minutes/);
  });

  it.each([
    ['just now', now, true],
    ['exactly 5 minutes ago', now - presenceWindowMs, true],
    ['5 minutes and 1 ms ago', now - presenceWindowMs - 1, false],
    ['after the operator’s now', now + 1, false],
  ])('counts a human action %s as present: %s', (_, time, isPresent) => {
    const ruling = govern({
      command: heater(6),
      by: agent,
      roaster: at('L4'),
      presence: { lastHumanActionAt: time },
    });
    expect(ruling.rule).toBe(isPresent ? rules.envelope : rules.presenceRequired);
  });

  it('treats a raise from an unknown level as a raise', () => {
    expectRuling(
      {
        command: drum(5),
        by: agent,
        roaster: { ...at('L5'), status: { levels: {} } },
        presence: absent,
      },
      ['Allow', rules.autonomous],
    );
    expectRuling(
      {
        command: heater(1),
        by: agent,
        roaster: { ...at('L5'), status: { levels: {} } },
        presence: absent,
      },
      ['RequireApproval', rules.presenceRequired],
    );
  });

  it('leaves a human’s own proposal direct, the level capped at L3', () => {
    const ruling = expectRuling({ command: heater(9), by: human, presence: absent }, [
      'Allow',
      rules.humanDirect,
    ]);
    expect(ruling.level).toBe('L3');
  });

  it('does nothing at L3 and below', () => {
    expectRuling({ command: heater(9), by: agent, roaster: at('L3'), presence: absent }, [
      'RequireApproval',
      rules.agentNeedsApproval,
    ]);
  });
});

describe('hard rules deny at every level, whoever proposes', () => {
  const limits = {
    heater: { min: 0, max: 6 },
    fan: { min: 3, max: 12 },
    drum: { min: 2, max: 7 },
    minSecondsBetweenCommands: 10,
    maxCommandsPerSession: 3,
    temperatureCeilingsCelsius: { roasting: 220 },
  };
  const hot = {
    phase: 'Roasting',
    levels: { heater: 5, fan: 6, drum: 5 },
    lastTelemetry: { time: '2026-11-24T09:59:59Z', beanTemperatureCelsius: 221 },
  } as const;

  const cases: [string, Case, RuleId][] = [
    [
      'an expired proposal (ttlSeconds)',
      { command: heater(4), createdAt: ago(61), ttlSeconds: 60 },
      rules.deadline,
    ],
    [
      'an expired proposal (the Roaster’s approval timeout is shorter)',
      {
        command: heater(4),
        createdAt: ago(31),
        ttlSeconds: 300,
        roaster: { spec: { approvalPolicy: { timeoutSeconds: 30 } } },
      },
      rules.deadline,
    ],
    ['a SetHeater without a target', { command: { type: 'SetHeater' } }, rules.malformed],
    [
      'a disconnected roaster',
      { command: heater(4), roaster: { status: { phase: 'Disconnected' } } },
      rules.disconnected,
    ],
    ['a roaster never reported', { command: heater(4), roaster: { status: undefined } }, rules.disconnected],
    ['a faulted roaster', { command: heater(4), roaster: { status: { phase: 'Fault' } } }, rules.faulted],
    [
      'Git’s kill switch',
      { command: heater(4), roaster: { spec: { emergencyStop: true } } },
      rules.killSwitch,
    ],
    [
      'a latched roaster',
      {
        command: heater(4),
        roaster: { status: { latch: { id: 'l-1', cause: 'EdgeInterlock', since: '2026-11-24T09:58:00Z' } } },
      },
      rules.latched,
    ],
    ['a heater level above the model’s', { command: heater(10) }, rules.modelRangeHeater],
    ['a fan level below the model’s', { command: fan(0) }, rules.modelRangeFan],
    ['a drum level above the model’s', { command: drum(10) }, rules.modelRangeDrum],
    [
      'a heater level above the Roaster’s limit',
      { command: heater(7), roaster: { spec: { limits } } },
      rules.limitsHeater,
    ],
    [
      'a fan level below the Roaster’s limit',
      { command: fan(2), roaster: { spec: { limits } } },
      rules.limitsFan,
    ],
    [
      'a drum level above the Roaster’s limit',
      { command: drum(8), roaster: { spec: { limits } } },
      rules.limitsDrum,
    ],
    [
      'a press in another state',
      { command: { type: 'Charge', fromState: 'ReadyToCharge' } },
      rules.pressFromState,
    ],
    [
      'a press from a state the model does not press it in',
      { command: { type: 'Charge', fromState: 'Roasting' } },
      rules.pressFromState,
    ],
    [
      'raising the heat above the temperature ceiling',
      { command: heater(6), roaster: { spec: { limits }, status: hot } },
      rules.temperatureCeiling,
    ],
    [
      'a command sooner than the minimum interval',
      {
        command: heater(4),
        roaster: { spec: { limits } },
        history: { commands: [dispatched(fan(6), 4)], results: [] },
      },
      rules.minInterval,
    ],
    [
      'a session that sent all its commands',
      {
        command: heater(4),
        roaster: { spec: { limits } },
        session: { name: 'batch-7', dispatched: 3, awaitingDispatch: 0 },
      },
      rules.maxPerSession,
    ],
    [
      'a session whose last commands are approved and not sent yet',
      {
        command: heater(4),
        roaster: { spec: { limits } },
        session: { name: 'batch-7', dispatched: 1, awaitingDispatch: 2 },
      },
      rules.maxPerSession,
    ],
  ];

  describe.each(AutonomyLevel.options)('at %s', (level) => {
    it.each(
      cases.flatMap(([what, c, rule]) => [human, agent].map((by) => [what, by, { ...c, by }, rule] as const)),
    )('%s, proposed by %s', (_, __, c, rule) => {
      const roaster = { ...c.roaster, spec: { ...c.roaster?.spec, autonomy: { level } } };
      expectRuling({ ...c, roaster }, ['Deny', rule]);
    });
  });

  it.each([
    ['just inside the deadline', { createdAt: ago(59), ttlSeconds: 60 }],
    ['the Roaster’s top heater limit', { command: heater(6) }],
    ['the Roaster’s bottom fan limit', { command: fan(3) }],
    ['lowering the heat above the temperature ceiling', { roaster: { spec: { limits }, status: hot } }],
    [
      'a command exactly the minimum interval later',
      { history: { commands: [dispatched(fan(6), 10)], results: [] } },
    ],
    [
      'an approved command not dispatched yet',
      { history: { commands: [{ command: fan(6), finished: false }], results: [] } },
    ],
    ['the last command of a session', { session: { name: 'batch-7', dispatched: 1, awaitingDispatch: 1 } }],
    ['a proposal without a session', {}],
  ] satisfies [string, Partial<Case>][])('allows %s', (_, c) => {
    expectRuling({ command: heater(4), roaster: { spec: { limits } }, ...c }, ['Allow', rules.humanDirect]);
  });

  it('names the limit and how to act on it', () => {
    const ruling = govern({ command: heater(7), roaster: { spec: { limits } } });
    expect(ruling.reasons).toEqual([
      "SetHeater 7 is outside this Roaster's heater limits 0-6 (spec.limits.heater); propose a level inside them, or change the limits in Git.",
    ]);
  });

  it('tells how long to wait for the minimum interval', () => {
    const ruling = govern({
      command: heater(4),
      roaster: { spec: { limits } },
      history: { commands: [dispatched(fan(6), 4)], results: [] },
    });
    expect(ruling.reasons[0]).toMatch(/the last was dispatched 4 s ago: the next may go in 6 s/);
  });
});

describe('the circuit breaker', () => {
  const breaker = { failureRateThreshold: 0.5, windowSeconds: 600, minCommands: 4, degradeTo: 'L2' as const };
  const l4 = { spec: { autonomy: { level: 'L4' as const }, circuitBreaker: breaker } };
  const history = (...results: ReturnType<typeof result>[]) => ({ commands: [], results });
  const halfFailed = history(
    result('Failed', 60),
    result('Unknown', 120),
    result('Succeeded', 180),
    result('Succeeded', 240),
  );

  it.each([
    [agent, ['Deny', rules.breakerOpen]],
    [human, ['RequireApproval', rules.breakerOpen]],
  ] satisfies [string, Expected][])(
    'degrades to its level when half the commands failed (%s: %j)',
    (by, expected) => {
      const ruling = expectRuling({ command: heater(4), by, roaster: l4, history: halfFailed }, expected);
      expect(ruling.level).toBe('L2');
      expect(ruling.reasons[0]).toMatch(
        /circuit breaker is open: 2 of the last 4 commands within 600 s failed/,
      );
    },
  );

  it.each([
    [
      'the failures left the window',
      history(
        result('Failed', 601),
        result('Unknown', 700),
        result('Succeeded', 180),
        result('Succeeded', 240),
      ),
    ],
    ['successes dilute them', history(...halfFailed.results, result('Succeeded', 10))],
    [
      'too few commands to judge',
      history(result('Failed', 60), result('Failed', 120), result('Failed', 180)),
    ],
    [
      'the failures were simulated or replayed',
      history(
        result('Failed', 60, true),
        result('Failed', 120, true),
        result('Succeeded', 180),
        result('Succeeded', 240),
      ),
    ],
  ])('recovers (closes) when %s', (_, results) => {
    const ruling = expectRuling({ command: heater(4), by: agent, roaster: l4, history: results }, [
      'Allow',
      rules.envelope,
    ]);
    expect(ruling.level).toBe('L4');
  });

  it('never raises the level above Git’s', () => {
    const ruling = expectRuling(
      {
        command: heater(4),
        by: human,
        roaster: {
          spec: { ...l4.spec, autonomy: { level: 'L2' }, circuitBreaker: { ...breaker, degradeTo: 'L3' } },
        },
        history: halfFailed,
      },
      ['RequireApproval', rules.humanNeedsApproval],
    );
    expect(ruling.level).toBe('L2');
  });

  it('is not named when the lower level decides the same', () => {
    const l5 = {
      spec: { autonomy: { level: 'L5' as const }, circuitBreaker: { ...breaker, degradeTo: 'L4' as const } },
    };
    const ruling = expectRuling({ command: heater(4), by: agent, roaster: l5, history: halfFailed }, [
      'Allow',
      rules.envelope,
    ]);
    expect(ruling.level).toBe('L4');
    expect(ruling.reasons[0]).toMatch(/circuit breaker is open/);
  });

  it('and presence together: the lowest cap decides and both are told', () => {
    const l5 = {
      spec: { autonomy: { level: 'L5' as const }, circuitBreaker: { ...breaker, degradeTo: 'L4' as const } },
    };
    const ruling = expectRuling(
      { command: heater(6), by: agent, roaster: l5, history: halfFailed, presence: absent },
      ['RequireApproval', rules.presenceRequired],
    );
    expect(ruling.level).toBe('L3');
    expect(ruling.reasons.slice(0, 2)).toEqual([
      expect.stringMatching(/circuit breaker/),
      expect.stringMatching(/No human/),
    ]);
  });
});

describe('EmergencyStop', () => {
  const stop: Command = { type: 'EmergencyStop' };
  it.each([
    ['a faulted roaster', { roaster: { status: { phase: 'Fault' } } }],
    [
      'a latched roaster',
      {
        roaster: {
          status: { latch: { id: 'l-1', cause: 'EmergencyStopProposal', since: '2026-11-24T09:58:00Z' } },
        },
      },
    ],
    ['a disconnected roaster', { roaster: { status: { phase: 'Disconnected' } } }],
    ['a roaster never reported', { roaster: { status: undefined } }],
    ['L1', { roaster: at('L1') }],
    ['L2, from an agent', { roaster: at('L2'), by: agent }],
    ['Git’s kill switch', { roaster: { spec: { emergencyStop: true } } }],
    ['an expired proposal', { createdAt: ago(600), ttlSeconds: 60 }],
    [
      'a session out of commands',
      {
        roaster: { spec: { limits: { maxCommandsPerSession: 1 } } },
        session: { name: 'b', dispatched: 9, awaitingDispatch: 0 },
      },
    ],
    [
      'right after another command',
      {
        roaster: { spec: { limits: { minSecondsBetweenCommands: 60 } } },
        history: { commands: [dispatched(heater(4), 1)], results: [] },
      },
    ],
    [
      'an open circuit breaker',
      {
        by: agent,
        history: {
          commands: [],
          results: [
            result('Failed', 1),
            result('Failed', 2),
            result('Failed', 3),
            result('Failed', 4),
            result('Failed', 5),
          ],
        },
      },
    ],
  ] satisfies [string, Partial<Case>][])('is allowed on %s', (_, c) => {
    expectRuling({ command: stop, ...c }, ['Allow', rules.emergencyStopExempt]);
  });
});

describe('PRS presses', () => {
  const pressIn = (press: Press) => {
    const from = { Preheat: 'Off', Charge: 'ReadyToCharge', Drop: 'Roasting', Cool: 'Cooling' } as const;
    return { command: { type: press, fromState: from[press] }, roaster: { status: { phase: from[press] } } };
  };

  it.each(Press.options.flatMap((press) => [agent, human].map((by) => [press, by] as const)))(
    '%s by %s at L5 with a human present is never approved automatically',
    (press, by) => {
      expectRuling({ ...pressIn(press), by }, ['RequireApproval', rules.pressNeedsApproval]);
    },
  );

  it.each([
    ['L1', agent, ['Deny', rules.observeOnly]],
    ['L2', agent, ['Deny', rules.adviceOnly]],
    ['L2', human, ['RequireApproval', rules.humanNeedsApproval]],
    ['L3', agent, ['RequireApproval', rules.pressNeedsApproval]],
    ['L3', human, ['RequireApproval', rules.pressNeedsApproval]],
    ['L4', agent, ['RequireApproval', rules.pressNeedsApproval]],
  ] satisfies [AutonomyLevel, string, Expected][])('Drop at %s by %s: %j', (level, by, expected) => {
    expectRuling({ command: { type: 'Drop', fromState: 'Roasting' }, by, roaster: at(level) }, expected);
  });

  it('is denied from the wrong state, saying which state it waits for', () => {
    const ruling = expectRuling({ command: { type: 'Cool', fromState: 'Cooling' } }, [
      'Deny',
      rules.pressFromState,
    ]);
    expect(ruling.reasons[0]).toMatch(/Cool expects the roaster in Cooling, but it is Roasting/);
  });
});

describe('ResetLatch', () => {
  const latch = { id: 'latch-42', cause: 'EdgeInterlock', since: '2026-11-24T09:50:00Z' } as const;
  const reset = (latchId: string = latch.id): Command => ({ type: 'ResetLatch', latchId });
  const latchedRoaster = (options: Case['roaster'] = {}) => ({
    ...options,
    spec: options.spec,
    status: { phase: 'Off' as const, latch, ...options.status },
  });

  it.each(AutonomyLevel.options)('is allowed at %s for a human naming the current latch', (level) => {
    const ruling = expectRuling({ command: reset(), roaster: latchedRoaster(at(level)) }, [
      'Allow',
      rules.resetAllowed,
    ]);
    expect(ruling.level).toBe(level);
  });

  it.each([
    ['from an agent', { by: agent }, rules.resetHumanOnly],
    ['with no latch set', { roaster: { status: { phase: 'Off' } } }, rules.resetNoLatch],
    ['naming another latch', { command: reset('latch-41') }, rules.resetLatchMismatch],
    [
      'while Git’s kill switch is on',
      { roaster: latchedRoaster({ spec: { emergencyStop: true } }) },
      rules.resetKillSwitchOn,
    ],
    [
      'while an interlock is tripped',
      { roaster: latchedRoaster({ edgeInterlocksClear: false }) },
      rules.resetInterlocksActive,
    ],
    [
      'before the edge reported its interlocks',
      { roaster: latchedRoaster({ edgeInterlocksClear: undefined }) },
      rules.resetInterlocksActive,
    ],
    [
      'while disconnected',
      { roaster: latchedRoaster({ status: { phase: 'Disconnected' } }) },
      rules.disconnected,
    ],
    ['after its deadline', { createdAt: ago(120) }, rules.deadline],
    ['without a latchId', { command: { type: 'ResetLatch' } }, rules.malformed],
  ] satisfies [string, Partial<Case>, RuleId][])('is denied %s', (_, c, rule) => {
    expectRuling({ command: reset(), roaster: latchedRoaster(), ...c }, ['Deny', rule]);
  });
});
