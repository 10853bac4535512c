import type { Actuator } from '@roast-operator/api';

/**
 * Every rule the governor can name in a decision, by stable identifier: status.governor.rule, Events and
 * tests use these strings. docs/governor.md explains each one.
 */
export const rules = {
  emergencyStopExempt: 'emergencyStop.exempt',

  deadline: 'hard.deadline',
  malformed: 'hard.malformed',
  disconnected: 'hard.disconnected',
  faulted: 'hard.faulted',
  killSwitch: 'hard.killSwitch',
  latched: 'hard.latched',
  modelRangeHeater: 'hard.modelRange.heater',
  modelRangeFan: 'hard.modelRange.fan',
  modelRangeDrum: 'hard.modelRange.drum',
  limitsHeater: 'hard.limits.heater',
  limitsFan: 'hard.limits.fan',
  limitsDrum: 'hard.limits.drum',
  pressFromState: 'prs.fromState',
  temperatureCeiling: 'hard.temperatureCeiling',
  minInterval: 'hard.minInterval',
  maxPerSession: 'hard.maxPerSession',

  resetHumanOnly: 'reset.humanOnly',
  resetNoLatch: 'reset.noLatch',
  resetLatchMismatch: 'reset.latchMismatch',
  resetKillSwitchOn: 'reset.killSwitchOn',
  resetInterlocksActive: 'reset.interlocksActive',
  resetAllowed: 'reset.allowed',

  observeOnly: 'level.L1.observeOnly',
  adviceOnly: 'level.L2.adviceOnly',
  humanNeedsApproval: 'level.L2.humanNeedsApproval',
  agentNeedsApproval: 'level.L3.agentNeedsApproval',
  humanDirect: 'level.humanDirect',
  envelope: 'l4.envelope',
  outsideEnvelope: 'l4.outsideEnvelope',
  autonomous: 'level.L5.autonomous',
  pressNeedsApproval: 'prs.neverAutomatic',

  breakerOpen: 'breaker.open',
  presenceRequired: 'presence.required',

  dispatchReady: 'dispatch.ready',
} as const;

export type RuleId = (typeof rules)[keyof typeof rules];

export const modelRangeRule: Readonly<Record<Actuator, RuleId>> = {
  heater: rules.modelRangeHeater,
  fan: rules.modelRangeFan,
  drum: rules.modelRangeDrum,
};

export const limitsRule: Readonly<Record<Actuator, RuleId>> = {
  heater: rules.limitsHeater,
  fan: rules.limitsFan,
  drum: rules.limitsDrum,
};
