export {
  type Dispatcher,
  type DispatchReceipt,
  type DispatchRequest,
  NotSent,
  type RoasterRef,
} from './dispatch.ts';
export {
  type Flags,
  loadKubeConfig,
  managerOptions,
  operatorOptions,
  parseDuration,
  parseFlags,
  UsageError,
  usage,
} from './flags.ts';
export { interlocksCondition } from './governing.ts';
export { GuardCanary, type GuardState, guardRefusal } from './guard/canary.ts';
export { announceInsecureDemo, insecureDemoConfirmation } from './insecure-demo.ts';
export { commandProposals, roasters, roastProfiles, roastSessions } from './objects.ts';
export { Operator, type OperatorOptions } from './operator.ts';
export type { ProposalHooks } from './proposals/controller.ts';
export { sessionOfAnotherRoaster, type WaitReason } from './proposals/plan.ts';
export { LeaderTelemetryStore } from './telemetry-store.ts';
