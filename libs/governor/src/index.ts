export { type EffectiveAutonomy, effectiveAutonomy } from './autonomy.ts';
export { type BreakerPolicy, type BreakerState, evaluateBreaker } from './breaker.ts';
export { proposalDeadline } from './checks.ts';
export { decide, type Ruling } from './decide.ts';
export { type DispatchAction, type DispatchCheck, recheckBeforeDispatch } from './dispatch.ts';
export { type EnergyEffect, energyEffect, type Levels } from './energy.ts';
export { checkL4Envelope, type EnvelopeCheck } from './envelope.ts';
export type {
  CommandResult,
  GovernedProposal,
  GovernedRoaster,
  GovernedSession,
  History,
  Instant,
  PastCommand,
  Presence,
} from './inputs.ts';
export {
  killSwitchLatchId,
  type Latch,
  type LatchFacts,
  nextLatch,
  type StopRequest,
  stopLatched,
  stopLatchId,
  unresolvedStops,
} from './latch.ts';
export { humanPresent, presenceWindowMs } from './presence.ts';
export { isAgent } from './proposer.ts';
export { limitsRule, modelRangeRule, type RuleId, rules } from './rules.ts';
