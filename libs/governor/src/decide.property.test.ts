import {
  type Actuator,
  AutonomyLevel,
  actuatorOf,
  type Command,
  CommandOutcome,
  CommandProposalStatus,
  CommandType,
  DeviceState,
  type LevelRange,
  modelFacts,
  RoasterModel,
  RoasterPhase,
  RoasterStatus,
  SetCommand,
} from '@roast-operator/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveAutonomy } from './autonomy.ts';
import { isPress } from './commands.ts';
import { decide } from './decide.ts';
import { recheckBeforeDispatch } from './dispatch.ts';
import type { GovernedProposal, GovernedRoaster, GovernedSession, History, Presence } from './inputs.ts';
import { isBelow } from './levels.ts';
import { isAgent } from './proposer.ts';

const now = Date.parse('2026-11-24T10:00:00Z');
const secondsAgo = fc.integer({ min: -5, max: 7200 }).map((s) => now - s * 1000);
const someLevel = fc.integer({ min: -2, max: 14 });

// Mostly the usual case, sometimes the other: uniform choices would make a roaster that can act so rare
// that no command is ever allowed and the properties say nothing.
const usually = <T>(usual: fc.Arbitrary<T>, other: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: usual, weight: 5 }, { arbitrary: other, weight: 1 });

// Limits anywhere around the model's range, even where admission would refuse them: the governor must hold.
const limit: fc.Arbitrary<LevelRange> = fc
  .tuple(someLevel, someLevel)
  .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }));

const roasterArb: fc.Arbitrary<GovernedRoaster> = fc.record({
  spec: fc.record({
    model: fc.constantFrom(...RoasterModel.options),
    autonomy: fc.record({ level: fc.constantFrom(...AutonomyLevel.options) }),
    limits: fc.option(
      fc.record(
        {
          heater: limit,
          fan: limit,
          drum: limit,
          temperatureCeilingsCelsius: fc.record(
            { preheating: fc.integer({ min: 50, max: 350 }), roasting: fc.integer({ min: 50, max: 350 }) },
            { requiredKeys: [] },
          ),
          minSecondsBetweenCommands: fc.integer({ min: 0, max: 60 }),
          maxCommandsPerSession: fc.integer({ min: 1, max: 20 }),
        },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    ),
    approvalPolicy: fc.record({
      timeoutSeconds: fc.integer({ min: 1, max: 300 }),
      allowSelfApprovalForHumans: fc.boolean(),
    }),
    circuitBreaker: fc.record({
      failureRateThreshold: fc.double({ min: 0.01, max: 1, noNaN: true }),
      windowSeconds: fc.integer({ min: 60, max: 3600 }),
      minCommands: fc.integer({ min: 1, max: 5 }),
      degradeTo: fc.constantFrom(...AutonomyLevel.options),
    }),
    emergencyStop: usually(fc.constant(false), fc.constant(true)),
  }),
  status: usually<GovernedRoaster['status']>(
    fc.record(
      {
        phase: usually(fc.constant('Roasting'), fc.constantFrom(...RoasterPhase.options)),
        latch: usually(
          fc.constant(undefined),
          fc.record({
            id: fc.constantFrom('latch-1', 'latch-2'),
            cause: fc.constantFrom('SpecEmergencyStop', 'EmergencyStopProposal', 'EdgeInterlock'),
            since: fc.constant('2026-11-24T09:00:00Z'),
          }),
        ),
        levels: fc.record({ heater: someLevel, fan: someLevel, drum: someLevel }, { requiredKeys: [] }),
        lastTelemetry: fc.record({
          time: fc.constant('2026-11-24T09:59:59Z'),
          beanTemperatureCelsius: fc.integer({ min: 20, max: 300 }),
        }),
      },
      { requiredKeys: ['phase'] },
    ),
    fc.constant(undefined),
  ),
  edgeInterlocksClear: fc.option(fc.boolean(), { nil: undefined }),
});

const commandArb: fc.Arbitrary<Command> = fc.record(
  {
    type: usually(fc.constantFrom(...SetCommand.options), fc.constantFrom(...CommandType.options)),
    target: fc.oneof(someLevel, fc.double({ min: -2, max: 14 })),
    fromState: fc.constantFrom(...DeviceState.options),
    latchId: fc.constantFrom('latch-1', 'latch-2'),
  },
  { requiredKeys: ['type'] },
);

const proposalArb: fc.Arbitrary<GovernedProposal> = fc.record({
  spec: fc.record({
    command: commandArb,
    proposedBy: fc.constantFrom('alice', 'bob', 'system:serviceaccount:roasting:advisor', 'system:admin'),
    ttlSeconds: fc.integer({ min: 1, max: 300 }),
  }),
  createdAt: usually(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 400 })).map(
    (s) => now - s * 1000,
  ),
});

const sessionArb: fc.Arbitrary<GovernedSession | undefined> = fc.option(
  fc.record({
    name: fc.constant('batch-1'),
    dispatched: fc.integer({ min: 0, max: 25 }),
    awaitingDispatch: fc.integer({ min: 0, max: 5 }),
  }),
  { nil: undefined },
);

const historyArb: fc.Arbitrary<History> = fc.record({
  commands: fc.array(
    fc.record(
      { command: commandArb, dispatchedAt: secondsAgo, finished: fc.boolean() },
      { requiredKeys: ['command', 'finished'] },
    ),
    { maxLength: 4 },
  ),
  results: fc.array(
    fc.record({
      at: secondsAgo,
      outcome: fc.constantFrom(...CommandOutcome.options),
      simulated: fc.boolean(),
    }),
    { maxLength: 12 },
  ),
});

const presenceArb: fc.Arbitrary<Presence> = fc.record(
  { lastHumanActionAt: secondsAgo },
  { requiredKeys: [] },
);

const inputs = fc.tuple(proposalArb, roasterArb, sessionArb, historyArb, presenceArb);

const isSet = (command: Command): command is Command & { type: SetCommand } =>
  (SetCommand.options as readonly string[]).includes(command.type);

function insideLimits(command: Command & { type: SetCommand }, roaster: GovernedRoaster): boolean {
  const actuator: Actuator = actuatorOf[command.type];
  const ranges = [modelFacts[roaster.spec.model].ranges[actuator], roaster.spec.limits?.[actuator]];
  const { target } = command;
  return target !== undefined && ranges.every((r) => r === undefined || (target >= r.min && target <= r.max));
}

describe('for any proposal, roaster, session, history and presence', () => {
  it('nothing outside the model’s range or the Roaster’s limits gets past Deny, at any level', () => {
    fc.assert(
      fc.property(inputs, ([proposal, roaster, session, history, presence]) => {
        const { command } = proposal.spec;
        fc.pre(isSet(command) && !insideLimits(command, roaster));
        expect(decide(proposal, roaster, session, history, presence, now).decision).toBe('Deny');
      }),
      { numRuns: 2000 },
    );
  });

  it('an Allow is inside the model’s range and the Roaster’s limits', () => {
    let allowed = 0;
    fc.assert(
      fc.property(inputs, ([proposal, roaster, session, history, presence]) => {
        const { command } = proposal.spec;
        const { decision } = decide(proposal, roaster, session, history, presence, now);
        if (decision === 'Allow' && isSet(command)) {
          allowed++;
          expect(insideLimits(command, roaster)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
    // The inputs must reach Allow often enough for the property to say something.
    expect(allowed).toBeGreaterThan(10);
  });

  it('EmergencyStop is always allowed and always dispatched', () => {
    fc.assert(
      fc.property(inputs, ([proposal, roaster, session, history, presence]) => {
        const stop = { ...proposal, spec: { ...proposal.spec, command: { type: 'EmergencyStop' as const } } };
        expect(decide(stop, roaster, session, history, presence, now).decision).toBe('Allow');
        expect(recheckBeforeDispatch(stop, roaster, session, history, now).action).toBe('Dispatch');
      }),
    );
  });

  it('a press is never allowed, and nothing but EmergencyStop and ResetLatch passes a roaster that cannot act', () => {
    fc.assert(
      fc.property(inputs, ([proposal, roaster, session, history, presence]) => {
        const { command, proposedBy } = proposal.spec;
        const { decision } = decide(proposal, roaster, session, history, presence, now);
        const phase = roaster.status?.phase;
        const cannotAct =
          phase === undefined ||
          phase === 'Disconnected' ||
          phase === 'Fault' ||
          roaster.status?.latch !== undefined ||
          roaster.spec.emergencyStop;
        if (isPress(command.type)) expect(decision).not.toBe('Allow');
        if (cannotAct && command.type !== 'EmergencyStop' && command.type !== 'ResetLatch') {
          expect(decision).toBe('Deny');
        }
        if (command.type === 'ResetLatch' && isAgent(proposedBy)) expect(decision).toBe('Deny');
      }),
      { numRuns: 2000 },
    );
  });

  it('fits the API: status.governor and status.effectiveAutonomy accept what the governor writes', () => {
    fc.assert(
      fc.property(inputs, ([proposal, roaster, session, history, presence]) => {
        const ruling = decide(proposal, roaster, session, history, presence, now);
        expect(CommandProposalStatus.safeParse({ governor: ruling }).error).toBeUndefined();
        const { level, reasons } = effectiveAutonomy(roaster, history, presence, now);
        expect(RoasterStatus.safeParse({ effectiveAutonomy: { level, reasons } }).error).toBeUndefined();
        expect(isBelow(roaster.spec.autonomy.level, level)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
