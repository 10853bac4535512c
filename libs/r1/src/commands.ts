import { isLevel } from './model.ts';

// R1 commands are raw 2- or 4-byte writes with no framing and no checksum (aillio-bullet-protocol.md
// §2.1). A typed command lets the driver build frames and the simulated device parse them with the
// same table.

export type R1Command =
  | { readonly kind: 'info1' }
  | { readonly kind: 'info2' }
  | { readonly kind: 'status1' }
  | { readonly kind: 'status2' }
  | { readonly kind: 'prs' }
  | { readonly kind: 'heater'; readonly step: 1 | -1 }
  | { readonly kind: 'fan'; readonly step: 1 | -1 }
  | { readonly kind: 'drum'; readonly level: number };

/** The fixed frames, each with its line in Artisan's driver. */
const fixedFrames = [
  { command: { kind: 'info1' }, bytes: [0x30, 0x02] }, // AILLIO_CMD_INFO1, R1:L68
  { command: { kind: 'info2' }, bytes: [0x89, 0x01] }, // AILLIO_CMD_INFO2, R1:L69
  { command: { kind: 'status1' }, bytes: [0x30, 0x01] }, // AILLIO_CMD_STATUS1, R1:L70
  { command: { kind: 'status2' }, bytes: [0x30, 0x03] }, // AILLIO_CMD_STATUS2, R1:L71
  // PRS shares its first two bytes with STATUS1: only the length tells them apart (R1:L72).
  { command: { kind: 'prs' }, bytes: [0x30, 0x01, 0x00, 0x00] },
  { command: { kind: 'heater', step: 1 }, bytes: [0x34, 0x01, 0xaa, 0xaa] }, // HEATER_INCR, R1:L73
  { command: { kind: 'heater', step: -1 }, bytes: [0x34, 0x02, 0xaa, 0xaa] }, // HEATER_DECR, R1:L74
  { command: { kind: 'fan', step: 1 }, bytes: [0x31, 0x01, 0xaa, 0xaa] }, // FAN_INCR, R1:L75
  { command: { kind: 'fan', step: -1 }, bytes: [0x31, 0x02, 0xaa, 0xaa] }, // FAN_DECR, R1:L76
] as const satisfies readonly { command: R1Command; bytes: readonly number[] }[];

/** Drum speed is set absolutely with `32 01 vv 00` (R1:L322-331). */
const drumPrefix = [0x32, 0x01] as const;

/** The bytes to write for a command. Throws a RangeError for a drum level outside 1–9. */
export function encodeCommand(command: R1Command): Uint8Array {
  if (command.kind === 'drum') {
    if (!isLevel('drum', command.level)) throw new RangeError(`drum level ${command.level} is not in 1–9`);
    return Uint8Array.of(...drumPrefix, command.level, 0x00);
  }
  const frame = fixedFrames.find((f) => sameCommand(f.command, command));
  // Every non-drum command is in the table; the guard only narrows the type.
  if (frame === undefined) throw new TypeError(`unknown R1 command ${JSON.stringify(command)}`);
  return Uint8Array.from(frame.bytes);
}

/**
 * The command a written frame carries, or undefined for bytes an R1 driver never sends. A drum frame
 * is returned with whatever level it holds, in range or not: what the roaster does with it is the
 * device's business.
 */
export function decodeCommand(bytes: Uint8Array): R1Command | undefined {
  if (bytes.length === 4 && bytes[0] === drumPrefix[0] && bytes[1] === drumPrefix[1] && bytes[3] === 0x00) {
    return { kind: 'drum', level: bytes[2]! };
  }
  return fixedFrames.find((f) => sameBytes(f.bytes, bytes))?.command;
}

function sameCommand(a: R1Command, b: R1Command): boolean {
  return a.kind === b.kind && ('step' in a ? 'step' in b && a.step === b.step : true);
}

function sameBytes(a: readonly number[], b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
