export { type Binaries, resolveBinaries } from './binaries.ts';
export {
  ClusterClient,
  type CommandOptions,
  type CommandResult,
  PrivateControlPlane,
  startControlPlane,
} from './cluster-client.ts';
export {
  ControlPlane,
  type ControlPlaneInfo,
  type ControlPlaneOptions,
  freePort,
  loadKubeConfig,
  type TestUser,
  testUsers,
} from './control-plane.ts';
export { defaultNodePaths, NodeCluster, type NodeClusterInfo, type NodeClusterOptions } from './node.ts';
export { builtImageArchives, imageArchiveDir, type NodeBinaries } from './node-binaries.ts';
export { nodeNetwork } from './node-config.ts';
export { nodeLeftovers } from './node-host.ts';
export { type ContainerMemory, containerMemory, testNode, usePodNamespace } from './node-testing.ts';
export { eventually, testCluster, useTestNamespace } from './testing.ts';
