// What the link (the gRPC client to the gateway, link/) and other edge processes use.
export { EdgeAgent, exitCodes } from './agent/agent.ts';
export type {
  CommandResult,
  EdgeCommand,
  EmergencyStop,
  Outcome,
  Press,
  ResetLatch,
  SetLevel,
} from './commands.ts';
export { type EdgeConfig, type LinkConfig, type RunningEdge, startEdge } from './compose.ts';
export type { R1Device, UsbIds } from './device/device.ts';
export { type EdgeModel, edgeModels } from './device/models.ts';
export type { DeviceInfo, Reading } from './driver/reading.ts';
export type {
  AgentEvent,
  AgentReading,
  DeviceStatus,
  EdgeLink,
  Hello,
  LimitsUpdate,
} from './edge-link.ts';
export { LinkClient } from './link/client.ts';
export type { RoasterRef } from './link/convert.ts';
export type { LinkState } from './link/metrics.ts';
export { defaultLinkTuning, type LinkOptions, type LinkStatus, type LinkTuning } from './link/options.ts';
export { prsTransitions } from './presses.ts';
export type { SafetyConfig } from './safety/config.ts';
export type { InterlockCause } from './safety/interlocks.ts';
export type { Latch, LatchCause } from './safety/latches.ts';
export type { PushedLimits, SafetyLimits } from './safety/limits.ts';
export { SimulatedR1 } from './sim/device.ts';
export { agentVersion } from './version.ts';
