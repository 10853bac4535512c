import {
  actuatorOf,
  type Command,
  type LevelRange,
  modelFacts,
  type RoasterPhase,
  type RoasterSpec,
} from '@roast-operator/api';
import { describeCommand, isPress, isSetCommand } from './commands.ts';
import { energyEffect } from './energy.ts';
import {
  type GovernedProposal,
  type GovernedRoaster,
  type GovernedSession,
  type History,
  toMs,
} from './inputs.ts';
import { isAgent } from './proposer.ts';
import { limitsRule, modelRangeRule, type RuleId, rules } from './rules.ts';

/** Everything one check may look at. */
export interface Situation {
  readonly proposal: GovernedProposal;
  readonly roaster: GovernedRoaster;
  readonly session?: GovernedSession;
  readonly history: History;
  /** Milliseconds since the epoch, on the operator's clock. */
  readonly now: number;
}

/** A rule that stops a proposal, and why, in a sentence a person can act on. */
export interface Finding {
  readonly rule: RuleId;
  readonly reason: string;
  /** For a rule that passes with time alone: when it will. */
  readonly notBefore?: number;
}

/** One hard rule: a finding when the proposal breaks it. */
export type Check = (s: Situation) => Finding | undefined;

/** The first rule, in order, that the proposal breaks. */
export function firstFinding(s: Situation, checks: readonly Check[]): Finding | undefined {
  for (const check of checks) {
    const finding = check(s);
    if (finding) return finding;
  }
  return undefined;
}

export const emergencyStopReason =
  'EmergencyStop is exempt from every rule and from approval: it only acts in the safe direction (heater 0, fan up, latch) and is sent at once.';

const seconds = (ms: number): number => Math.ceil(ms / 1000);

/** When the proposal expires: creation plus the smaller of its ttlSeconds and the Roaster's approval timeout. */
export function proposalDeadline(proposal: GovernedProposal, roaster: GovernedRoaster): number {
  const ttl = Math.min(proposal.spec.ttlSeconds, roaster.spec.approvalPolicy.timeoutSeconds);
  return toMs(proposal.createdAt) + ttl * 1000;
}

export const deadline: Check = ({ proposal, roaster, now }) => {
  const at = proposalDeadline(proposal, roaster);
  if (now < at) return undefined;
  return {
    rule: rules.deadline,
    reason: `The proposal expired ${seconds(now - at)} s ago: it is valid for the smaller of its ttlSeconds (${proposal.spec.ttlSeconds} s) and the Roaster's approval timeout (${roaster.spec.approvalPolicy.timeoutSeconds} s). Propose again if the command is still wanted.`,
  };
};

function missingField(command: Command): string | undefined {
  if (isSetCommand(command.type) && command.target === undefined) return 'target';
  if (isPress(command.type) && command.fromState === undefined) return 'fromState';
  if (command.type === 'ResetLatch' && command.latchId === undefined) return 'latchId';
  return undefined;
}

// Admission checks the shape already; the governor does not trust that it ran.
export const malformed: Check = ({ proposal }) => {
  const { command } = proposal.spec;
  const missing = missingField(command);
  if (missing === undefined) return undefined;
  return {
    rule: rules.malformed,
    reason: `${command.type} needs command.${missing}; propose it again with one.`,
  };
};

/** The link gateway's own word on why (a refused hello says what was refused), or where to look. */
function whyDisconnected(roaster: GovernedRoaster): string {
  const connected = roaster.status?.conditions?.find((c) => c.type === 'Connected' && c.status === 'False');
  return connected?.message || "no edge agent streams for it; check the edge agent on the roaster's node.";
}

// The phase is the link gateway's word on the connection: absent until it first reports.
export const disconnected: Check = ({ roaster }) => {
  const phase = roaster.status?.phase;
  if (phase !== undefined && phase !== 'Disconnected') return undefined;
  return {
    rule: rules.disconnected,
    reason: `The roaster is not connected to its edge agent, so no command can reach it: ${whyDisconnected(roaster)}`,
  };
};

export const faulted: Check = ({ roaster }) => {
  if (roaster.status?.phase !== 'Fault') return undefined;
  return {
    rule: rules.faulted,
    reason:
      'The roaster reports a fault: nothing but EmergencyStop is sent until the fault is cleared at the machine.',
  };
};

export const killSwitch: Check = ({ roaster }) => {
  if (!roaster.spec.emergencyStop) return undefined;
  return {
    rule: rules.killSwitch,
    reason:
      "The Roaster's spec.emergencyStop is true in Git: the roaster stays stopped until it is set to false and a human resets the latch.",
  };
};

export const latched: Check = ({ roaster }) => {
  const latch = roaster.status?.latch;
  if (latch === undefined) return undefined;
  return {
    rule: rules.latched,
    reason: `The roaster is latched by an emergency stop (latch ${latch.id}, ${latch.cause}): only EmergencyStop and ResetLatch are accepted until a human resets it.`,
  };
};

/** Model range first, then the Roaster's limits, for a SetHeater, SetFan or SetDrum target. */
export function rangeFinding(command: Command, roaster: GovernedRoaster): Finding | undefined {
  if (!isSetCommand(command.type) || command.target === undefined) return undefined;
  const { target } = command;
  const actuator = actuatorOf[command.type];
  const { model, limits } = roaster.spec;
  const modelRange = modelFacts[model].ranges[actuator];
  // Written so that NaN is outside every range.
  const within = (r: LevelRange) => target >= r.min && target <= r.max;
  if (!within(modelRange)) {
    return {
      rule: modelRangeRule[actuator],
      reason: `${describeCommand(command)} is outside the ${model}'s ${actuator} range ${modelRange.min}-${modelRange.max}.`,
    };
  }
  const limit = limits?.[actuator];
  if (limit === undefined || within(limit)) return undefined;
  return {
    rule: limitsRule[actuator],
    reason: `${describeCommand(command)} is outside this Roaster's ${actuator} limits ${limit.min}-${limit.max} (spec.limits.${actuator}); propose a level inside them, or change the limits in Git.`,
  };
}

export const ranges: Check = ({ proposal, roaster }) => rangeFinding(proposal.spec.command, roaster);

export const pressFromState: Check = ({ proposal, roaster }) => {
  const { command } = proposal.spec;
  if (!isPress(command.type)) return undefined;
  const { model } = roaster.spec;
  const expected = modelFacts[model].presses[command.type].from;
  const phase = roaster.status?.phase;
  if (command.fromState === expected && phase === expected) return undefined;
  const reason =
    command.fromState === expected
      ? `${command.type} expects the roaster in ${expected}, but it is ${phase ?? 'not reporting'}; in another state the PRS button does something else, so propose it again when the roaster is ${expected}.`
      : `On the ${model}, ${command.type} is pressed from ${expected}, not ${command.fromState}.`;
  return { rule: rules.pressFromState, reason };
};

type Ceilings = NonNullable<NonNullable<RoasterSpec['limits']>['temperatureCeilingsCelsius']>;

const ceilingOf: Partial<Record<RoasterPhase, keyof Ceilings>> = {
  Preheating: 'preheating',
  ReadyToCharge: 'readyToCharge',
  Roasting: 'roasting',
  Cooling: 'cooling',
};

// The hotter of the probe and the infrared sensor, as the edge's own ceilings read it.
function beanTemperature(roaster: GovernedRoaster): number | undefined {
  const telemetry = roaster.status?.lastTelemetry;
  const readings = [telemetry?.beanTemperatureCelsius, telemetry?.ibtsTemperatureCelsius].filter(
    (t): t is number => t !== undefined,
  );
  return readings.length === 0 ? undefined : Math.max(...readings);
}

// Without a reading there is nothing to compare: the edge's own ceilings still hold.
export const temperatureCeiling: Check = ({ proposal, roaster }) => {
  const phase = roaster.status?.phase;
  const key = phase === undefined ? undefined : ceilingOf[phase];
  const ceiling = key === undefined ? undefined : roaster.spec.limits?.temperatureCeilingsCelsius?.[key];
  const bean = beanTemperature(roaster);
  if (ceiling === undefined || bean === undefined || bean <= ceiling) return undefined;
  const { command } = proposal.spec;
  if (energyEffect(command, roaster.status?.levels) !== 'raises') return undefined;
  return {
    rule: rules.temperatureCeiling,
    reason: `The beans are at ${bean} °C, above the ${ceiling} °C ceiling while ${phase} (spec.limits.temperatureCeilingsCelsius.${key}): ${describeCommand(command)} would add energy; lower the heat first.`,
  };
};

function lastDispatch(history: History): number | undefined {
  const times = history.commands.flatMap((c) => (c.dispatchedAt === undefined ? [] : [toMs(c.dispatchedAt)]));
  return times.length === 0 ? undefined : Math.max(...times);
}

export const minInterval: Check = ({ roaster, history, now }) => {
  const min = roaster.spec.limits?.minSecondsBetweenCommands;
  const last = lastDispatch(history);
  if (!min || last === undefined) return undefined;
  const notBefore = last + min * 1000;
  if (now >= notBefore) return undefined;
  return {
    rule: rules.minInterval,
    reason: `Commands to this roaster go at least ${min} s apart (spec.limits.minSecondsBetweenCommands) and the last was dispatched ${Math.floor((now - last) / 1000)} s ago: the next may go in ${seconds(notBefore - now)} s.`,
    notBefore,
  };
};

function sessionFull(
  roaster: GovernedRoaster,
  session: GovernedSession | undefined,
  used: (s: GovernedSession) => number,
  describe: (s: GovernedSession, max: number) => string,
): Finding | undefined {
  const max = roaster.spec.limits?.maxCommandsPerSession;
  if (max === undefined || session === undefined || used(session) < max) return undefined;
  return {
    rule: rules.maxPerSession,
    reason: `${describe(session, max)} (spec.limits.maxCommandsPerSession counts every command sent to the roaster while a session runs); only EmergencyStop and ResetLatch are still accepted until the session ends.`,
  };
}

/** When governed: the commands sent in the session and those approved to be sent fill it. */
export const maxPerSession: Check = ({ roaster, session }) =>
  sessionFull(
    roaster,
    session,
    (s) => s.dispatched + s.awaitingDispatch,
    (s, max) =>
      `Session ${s.name} has used ${s.dispatched + s.awaitingDispatch} of its ${max} commands (${s.dispatched} sent, ${s.awaitingDispatch} approved and waiting to be sent)`,
  );

/** Just before sending: only what was sent counts, so of several approved commands the first ones still go. */
export const maxPerSessionAtDispatch: Check = ({ roaster, session }) =>
  sessionFull(
    roaster,
    session,
    (s) => s.dispatched,
    (s, max) =>
      `Session ${s.name} has already sent ${s.dispatched} of its ${max} commands: this one is not sent`,
  );

// A reset is a judgement about the machine that only a person at it can make.
export const resetByHuman: Check = ({ proposal }) => {
  const { proposedBy } = proposal.spec;
  if (!isAgent(proposedBy)) return undefined;
  return {
    rule: rules.resetHumanOnly,
    reason: `${proposedBy} is a service account: only a human holding reset on the roaster may clear a latch, after checking the machine.`,
  };
};

export const resetNamesLatch: Check = ({ proposal, roaster }) => {
  const latch = roaster.status?.latch;
  const { latchId } = proposal.spec.command;
  if (latch === undefined) {
    return { rule: rules.resetNoLatch, reason: 'The roaster is not latched: there is nothing to reset.' };
  }
  if (latch.id === latchId) return undefined;
  return {
    rule: rules.resetLatchMismatch,
    reason: `The roaster's latch is ${latch.id}, not ${latchId}: a reset names the current latch (status.latch.id), so one that was set after you looked is not cleared unseen.`,
  };
};

export const resetKillSwitchOff: Check = ({ roaster }) => {
  if (!roaster.spec.emergencyStop) return undefined;
  return {
    rule: rules.resetKillSwitchOn,
    reason:
      "The Roaster's spec.emergencyStop is true in Git: set it to false there before resetting the latch.",
  };
};

export const resetInterlocksClear: Check = ({ roaster }) => {
  if (roaster.edgeInterlocksClear === true) return undefined;
  return {
    rule: rules.resetInterlocksActive,
    reason:
      roaster.edgeInterlocksClear === false
        ? "The edge agent reports an interlock still tripped: the latch can be reset once the condition is gone (see the latch's message)."
        : 'The edge agent has not reported its interlocks: the latch can be reset once it reports them clear.',
  };
};
