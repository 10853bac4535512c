export {
  ApiError,
  type DeleteOptions,
  isConflict,
  isGone,
  isNotFound,
  KubeClient,
  type KubeClientOptions,
  type ListOptions,
  type ListPage,
  type NewObject,
  type PatchOptions,
  type PatchType,
  ResourceClient,
} from './client.ts';
export {
  type Condition,
  type ConditionUpdate,
  findStatusCondition,
  metaTime,
  type ReadyAndReconciling,
  readyAndReconciling,
  setStatusCondition,
} from './conditions.ts';
export {
  Controller,
  type ControllerOptions,
  generationChanged,
  type ReconcileContext,
  type ReconcileResult,
  type Reconciler,
  type Runnable,
  TerminalError,
  type WatchSource,
  watch,
} from './controller.ts';
export { type EventInput, EventRecorder, type EventRecorderOptions } from './events.ts';
export {
  Informer,
  type InformerEvent,
  type InformerHandler,
  type InformerOptions,
  type InformerStats,
} from './informer.ts';
export {
  ConfigMap,
  configMaps,
  Event,
  events,
  hasMetadata,
  type Kind,
  kind,
  Lease,
  leases,
  looseKind,
  MalformedObject,
  Node,
  nodes,
  objectMeta,
  Pod,
  parseObject,
  pods,
  type Schema,
} from './kinds.ts';
export { type LeaderElectionOptions, LeaderElector, LeadershipLost } from './leader.ts';
export { Manager, type ManagerOptions } from './manager.ts';
export { type ControllerObserver, type ReconcileResultLabel, RuntimeMetrics } from './metrics.ts';
export { type FieldPath, PreconditionFailed, patchStatusIf, updateStatusIf } from './patch-if.ts';
export type { Check } from './probes.ts';
export {
  apiVersionOf,
  collectionPath,
  groupOf,
  type KubeObject,
  keyOf,
  type LooseObject,
  type ObjectMeta,
  type OwnerReference,
  objectKey,
  objectPath,
  parseKey,
  type ResourceDescriptor,
} from './resource.ts';
export {
  type AccessReviewStatus,
  type ResourceAttributes,
  type ReviewedUser,
  reviewAccess,
  reviewToken,
  type TokenReviewStatus,
} from './reviews.ts';
export { type IndexFunc, type ReplaceDiff, Store } from './store.ts';
export { type QueueObserver, WorkQueue, type WorkQueueOptions } from './workqueue.ts';
export { AlreadyOwnedError, setControllerReference } from './writes.ts';
