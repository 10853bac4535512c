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
export { eventually, testCluster, useTestNamespace } from './testing.ts';
