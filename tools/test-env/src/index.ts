export {
  type ChartRelease,
  chart,
  installChart,
  serviceAccountKubeconfig,
  serviceAccountToken,
  serviceAccountUser,
} from './chart.ts';
export { type LogLine, NodeProcess, type NodeProcessOptions } from './node-process.ts';
export { OperatorProcess, type OperatorProcessOptions } from './operator-process.ts';
export {
  type Actor,
  advisorAccount,
  approvalPatch,
  type BindingSubject,
  bindClusterRole,
  grants,
  markPatch,
  namespace,
  type OperatorLaunch,
  operatorAccount,
  operatorPod,
  operatorProcessOptions,
  type ProposalExtra,
  prepareRoastery,
  proposalObject,
  type RoasteryCredentials,
  release,
  releaseNamespace,
  userName,
} from './roastery.ts';
