import * as proto from '@roast-operator/proto';
import type { R1Control, R1StateName } from '@roast-operator/r1';
import type {
  CommandResult,
  EdgeCommand,
  EmergencyStop,
  Outcome,
  Press,
  ResetLatch,
  SetLevel,
} from '../commands.ts';
import type { AgentReading, Hello } from '../edge-link.ts';
import type { Condition } from '../safety/interlocks.ts';
import type { Latch, LatchCause } from '../safety/latches.ts';
import type { PushedLimits } from '../safety/limits.ts';
import { plausibility } from '../safety/plausibility.ts';

// Between the link's messages and the agent's types. Commands arrive in the API's words (SetHeater,
// Charge from ReadyToCharge, …); the agent speaks the R1's (heater, a press from charge). Anything the
// edge cannot read exactly is refused here, before it reaches the agent.

export type RoasterRef = { readonly namespace: string; readonly name: string; readonly uid: string };

/** A command as received: its deadlines are set when it starts (see CommandRunner). */
export type CommandDraft =
  | Omit<SetLevel, 'deadline' | 'startBy'>
  | Omit<Press, 'deadline' | 'startBy'>
  | EmergencyStop
  | ResetLatch;

export type Parsed =
  | { readonly ok: true; readonly draft: CommandDraft }
  | { readonly ok: false; readonly reason: string };

const levelCommands: Readonly<Record<string, R1Control>> = {
  SetHeater: 'heater',
  SetFan: 'fan',
  SetDrum: 'drum',
};

/** Each press, and the state (in the API's words, then the R1's) it is made in. */
const pressCommands: Readonly<Record<string, { readonly api: string; readonly r1: R1StateName }>> = {
  Preheat: { api: 'Off', r1: 'off' },
  Charge: { api: 'ReadyToCharge', r1: 'charge' },
  Drop: { api: 'Roasting', r1: 'roasting' },
  Cool: { api: 'Cooling', r1: 'cooling' },
};

/** A gateway command as the agent's command, or why the edge refuses it unread. */
export function parseCommand(command: proto.Command): Parsed {
  const uid = command.proposalUid;
  if (uid === '') return refuse('proposal_uid is empty');
  if (command.type === 'EmergencyStop') {
    return { ok: true, draft: { uid, kind: 'emergency-stop', latchId: command.latchId || undefined } };
  }
  if (command.type === 'ResetLatch') {
    if (!command.latchId) return refuse('ResetLatch needs a latch_id');
    return { ok: true, draft: { uid, kind: 'reset', latchId: command.latchId } };
  }
  // Actuations need time bounds: without one the edge cannot tell a fresh command from a stale one.
  if (command.deadlineMs <= 0) return refuse(`${command.type} needs a deadline_ms above 0`);
  const control = levelCommands[command.type];
  if (control !== undefined) {
    if (command.target === undefined) return refuse(`${command.type} needs a target`);
    return { ok: true, draft: { uid, kind: 'set', control, target: command.target } };
  }
  const press = pressCommands[command.type];
  if (press !== undefined) {
    // The button does whatever the state makes it do: a press named for another state is refused.
    if (command.fromState !== press.api) {
      return refuse(`${command.type} is pressed from ${press.api}, not ${command.fromState ?? 'no state'}`);
    }
    return { ok: true, draft: { uid, kind: 'press', fromState: press.r1 } };
  }
  return refuse(`unknown command type ${JSON.stringify(command.type)}`);
}

function refuse(reason: string): Parsed {
  return { ok: false, reason };
}

const outcomes: Readonly<Record<Outcome, proto.Outcome>> = {
  succeeded: proto.Outcome.OUTCOME_SUCCEEDED,
  failed: proto.Outcome.OUTCOME_FAILED,
  refused: proto.Outcome.OUTCOME_REFUSED,
  expired: proto.Outcome.OUTCOME_EXPIRED,
  // Stopped part-way (pre-empted, the link went down): the target was not reached.
  aborted: proto.Outcome.OUTCOME_FAILED,
  // The agent stopped while executing it: whether it acted is not known.
  unknown: proto.Outcome.OUTCOME_UNSPECIFIED,
};

export function resultMessage(result: CommandResult, alreadyDone: boolean): proto.CommandResult {
  return {
    proposalUid: result.uid,
    outcome: outcomes[result.outcome],
    message: result.outcome === 'aborted' ? `aborted: ${result.message}` : result.message,
    latencyMs: Math.max(0, Math.round(result.latencyMs)),
    alreadyDone,
  };
}

/** A refusal the link makes itself, for a command it could not read. */
export function refusal(uid: string, reason: string): CommandResult {
  return { uid, outcome: 'refused', message: reason, latencyMs: 0 };
}

/** The protocol's cause names. */
const causes: Readonly<Record<LatchCause, string>> = {
  'emergency-stop': 'emergencyStop',
  'over-temperature': 'overTemperature',
  'exhaust-over-temperature': 'exhaustOverTemperature',
  'rise-rate': 'riseRate',
  'stale-readings': 'staleData',
  'implausible-readings': 'implausibleData',
  'link-lost': 'linkLost',
  'found-roasting': 'unknownRoastAtStart',
  'pre-stop': 'preStop',
};

export function latchMessages(latches: readonly Latch[], conditions: readonly Condition[]): proto.Latch[] {
  return latches.map((latch) => ({
    id: latch.id,
    cause: causes[latch.cause],
    message: latch.detail,
    // int64 on the wire: a scaled simulator clock yields fractional milliseconds, which would not encode.
    sinceMs: Math.round(latch.since),
    conditionActive: conditions.some((c) => c.cause === latch.cause),
  }));
}

/** Hello for a stream, once the agent knows its device; undefined before. */
export function helloMessage(
  hello: Hello,
  roaster: RoasterRef | undefined,
  sourceDetail: string,
  conditions: readonly Condition[],
): proto.Hello | undefined {
  const { device } = hello;
  if (!device) return undefined;
  return {
    // Without one the gateway resolves the Roaster bound to this node and device.
    ...(roaster && { roaster: { ...roaster } }),
    device: {
      vendorId: device.ids.vendorId,
      productId: device.ids.productId,
      serial: String(device.serial),
      firmware: String(device.firmware),
      model: hello.model,
      sourceDetail,
    },
    bootEpoch: hello.bootEpoch,
    agentVersion: hello.agentVersion,
    nodeName: hello.nodeName ?? '',
    podName: hello.podName ?? '',
    latches: latchMessages(hello.latches, conditions),
  };
}

/** What names the physical device a stream's hello described: a different one needs a new hello. */
export function deviceKey(hello: Hello): string | undefined {
  const { device } = hello;
  return device && `${device.ids.vendorId}:${device.ids.productId}/${device.serial}`;
}

/** No reading (the R1's −1, or not a number) is absent, never a temperature. */
function temperature(value: number): number | undefined {
  return Number.isFinite(value) && value !== plausibility.dropoutC ? value : undefined;
}

/** A sample is stamped on the device's time base: what analyses it (RoR, events, phases) sees the roast's time. */
export function sample(reading: AgentReading): proto.Sample {
  return {
    timeMs: Math.round(reading.deviceAt),
    beanTemp: temperature(reading.bt),
    ibtsTemp: temperature(reading.ibts),
    exhaustTemp: temperature(reading.exhaust),
    beanRor: Number.isFinite(reading.btRor) ? reading.btRor : undefined,
    heater: reading.heater,
    fan: reading.fan,
    drum: reading.drum,
    stateCode: reading.stateCode,
  };
}

/** The gateway's limits in the agent's terms; the agent only ever tightens its own with them. */
export function pushedLimits(limits: proto.Limits): PushedLimits {
  return {
    heater: limits.heater,
    fan: limits.fan,
    drum: limits.drum,
    temperatureCeilingsCelsius:
      limits.maxBeanTemp === undefined ? undefined : { roasting: limits.maxBeanTemp },
    exhaustCeilingCelsius: limits.maxExhaustTemp,
  };
}

/** The agent's command for a draft that starts now. */
export function startCommand(
  draft: CommandDraft,
  times: { readonly startBy: number; readonly deadline: number },
): EdgeCommand {
  return draft.kind === 'set' || draft.kind === 'press' ? { ...draft, ...times } : draft;
}
