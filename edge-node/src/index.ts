// What the link (the gRPC client to the gateway) and other edge processes use.
export {
  type AgentEvent,
  type AgentReading,
  type DeviceStatus,
  EdgeAgent,
  type EdgeLink,
  exitCodes,
  type Hello,
  type LimitsUpdate,
} from './agent/agent.ts';
export { type EdgeConfig, type RunningEdge, startEdge } from './agent/compose.ts';
export type {
  CommandResult,
  EdgeCommand,
  EmergencyStop,
  Outcome,
  Press,
  ResetLatch,
  SetLevel,
} from './commands.ts';
export type { R1Device, UsbIds } from './device/device.ts';
export { type EdgeModel, edgeModels } from './device/models.ts';
export type { DeviceInfo, Reading } from './driver/driver.ts';
export { prsTransitions } from './presses.ts';
export type { SafetyConfig } from './safety/config.ts';
export type { InterlockCause } from './safety/interlocks.ts';
export type { Latch, LatchCause } from './safety/latches.ts';
export type { PushedLimits, SafetyLimits } from './safety/limits.ts';
export { SimulatedR1 } from './sim/device.ts';
export { agentVersion } from './version.ts';
