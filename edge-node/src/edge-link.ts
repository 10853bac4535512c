import type { CommandResult, EdgeCommand } from './commands.ts';
import type { R1Device, UsbIds } from './device/device.ts';
import type { EdgeModel } from './device/models.ts';
import type { DeviceInfo, Reading, StateChange } from './driver/reading.ts';
import type { Condition } from './safety/interlocks.ts';
import type { LatchChange } from './safety/latch-book.ts';
import type { Latch } from './safety/latches.ts';
import type { PushedLimits, SafetyLimits } from './safety/limits.ts';
import type { Unsubscribe } from './topic.ts';

// The contract between the edge agent and the link (the gRPC client to the gateway, link/): what the
// agent offers — hello, readings, events, commands by UID, limits, resets, link up/down for the watchdog —
// and nothing else. The agent implements it; the link depends on it alone.

/** A reading as the link streams it: the driver's, plus why its temperatures are not believable, if so. */
export type AgentReading = Reading & { readonly issue: string | undefined };

export type DeviceStatus = 'connected' | 'missing' | 'refused' | 'lost' | 'failed';

export type AgentEvent =
  | StateChange
  | { readonly type: 'result'; readonly command: EdgeCommand; readonly result: CommandResult }
  | LatchChange
  | { readonly type: 'device'; readonly at: number; readonly status: DeviceStatus; readonly detail: string }
  | { readonly type: 'limits'; readonly limits: SafetyLimits; readonly ignored: readonly string[] };

export type Hello = {
  readonly model: EdgeModel;
  readonly device:
    | (DeviceInfo & {
        readonly kind: R1Device['kind'];
        readonly ids: UsbIds;
        readonly usbSerial: string | undefined;
      })
    | undefined;
  /** New for every agent process: with a reading's seq it names each reading once. */
  readonly bootEpoch: string;
  readonly agentVersion: string;
  readonly nodeName: string | undefined;
  readonly podName: string | undefined;
  /** Whether the roaster answers now; `device` describes the last one that did. */
  readonly connected: boolean;
  readonly latches: readonly Latch[];
  readonly limits: SafetyLimits;
};

export type LimitsUpdate =
  | { readonly ok: true; readonly limits: SafetyLimits; readonly ignored: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** What the link uses. */
export interface EdgeLink {
  /** The agent's clock, epoch milliseconds: command deadlines are on it. */
  now(): number;
  hello(): Hello;
  onReading(listener: (reading: AgentReading) => void): Unsubscribe;
  onEvent(listener: (event: AgentEvent) => void): Unsubscribe;
  /** Runs a command once per UID; a repeated UID gets the first result. */
  submit(command: EdgeCommand): Promise<CommandResult>;
  /** The first result of a finished command, from the store; undefined for a UID never seen or running. */
  result(uid: string): CommandResult | undefined;
  latches(): readonly Latch[];
  /** The interlock conditions present now: a latch with one of their causes cannot be reset yet. */
  conditions(): readonly Condition[];
  /** Replaces the pushed limits; they only ever tighten the local ones. */
  updateLimits(pushed: PushedLimits): LimitsUpdate;
  linkUp(): void;
  linkDown(): void;
  /** The session the roaster works for (from hello's answer and session updates), or undefined. */
  setSession(name: string | undefined): void;
}
