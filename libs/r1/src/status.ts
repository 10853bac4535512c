import { expectLength, type Fields, readFields, writeFields } from './binary.ts';
import { R1ReplyBytes } from './model.ts';

// The two 64-byte status blocks, answers to `30 01` and `30 03` (aillio-bullet-protocol.md §3.1,
// R1:L383-438). Offsets within block 2 are the reference's 64+n minus 64. Bytes the reference marks
// "not parsed" are unknown: decoding ignores them and encoding writes zeros there.

/** Block 1, the live readings. Field names follow Artisan's, since their meaning is partly ambiguous. */
const status1Layout = {
  /** Bytes 0–3, °C: the roaster's "BT" (R1:L393). Artisan rounds it to 0.1 °C for display. */
  bt: { offset: 0, type: 'f32' },
  /** Bytes 4–7, °C/min: the rate of rise of `bt` as the roaster computes it (R1:L394). */
  btRor: { offset: 4, type: 'f32' },
  /**
   * Bytes 8–11, °C: "DT", the drum temperature on the original R1; on the R1 V2 Artisan treats it as
   * the IBTS reading (R1:L395, COMM@72000 `R1_BTIBTS`). Which sensor it is per revision is ambiguous.
   */
  dt: { offset: 8, type: 'f32' },
  /** Bytes 16–19, °C: exit (exhaust) air temperature (R1:L396). */
  exitTemp: { offset: 16, type: 'f32' },
  /** Byte 24: the roaster's clock, minutes (R1:L397). */
  clockMinutes: { offset: 24, type: 'u8' },
  /** Byte 25: the roaster's clock, seconds (R1:L398). */
  clockSeconds: { offset: 25, type: 'u8' },
  /** Byte 26: fan level 1–12 (R1:L399). */
  fan: { offset: 26, type: 'u8' },
  /** Byte 27: heater level 0–9 (R1:L400). */
  heater: { offset: 27, type: 'u8' },
  /** Byte 28: drum speed level 1–9 (R1:L401). */
  drum: { offset: 28, type: 'u8' },
  /** Byte 29: state code, see `R1State` (R1:L402). */
  state: { offset: 29, type: 'u8' },
  /** Bytes 32–35, °C: Artisan's `irt`; its debug output calls it the PCB temperature (R1:L403, L412). */
  irt: { offset: 32, type: 'f32' },
  /** Bytes 36–39, °C: Artisan's `pcbt`; its debug output calls it the IR temperature (R1:L404, L413). */
  pcbt: { offset: 36, type: 'f32' },
  /** Bytes 44–45: fan RPM, signed (R1:L405). */
  fanRpm: { offset: 44, type: 'i16' },
  /** Bytes 48–49: mains voltage, V, signed (R1:L406). */
  voltage: { offset: 48, type: 'i16' },
  /** Bytes 52–55: induction-coil fan, unit not stated, probably RPM (R1:L407). */
  coilFan: { offset: 52, type: 'i32' },
} as const;

/** Block 2, parsed by Artisan whether or not block 1 is valid (R1:L421-428). */
const status2Layout = {
  /** Bytes 32–35 (snapshot 96–99): second induction-coil fan (R1:L421-422). */
  coilFan2: { offset: 32, type: 'i32' },
  /** Bytes 40–41 (snapshot 104–105): preheat setpoint, °C (R1:L423, L428). */
  preheatSetpoint: { offset: 40, type: 'u16' },
} as const;

export type R1Status1 = Fields<typeof status1Layout>;
export type R1Status2 = Fields<typeof status2Layout>;

/**
 * Byte 41 of block 1 is 10 in a block that carries readings. Artisan calls this a heuristic: outside a
 * roast the roaster seems to send a different message every 15 s (R1:L388-392).
 */
const validityOffset = 41;
const validityMarker = 10;

/** Whether a block-1 reply carries readings: 64 bytes long with byte 41 == 10. The driver resyncs on this. */
export function isValidStatus1(block: Uint8Array): boolean {
  return block.length === R1ReplyBytes.statusBlock && block[validityOffset] === validityMarker;
}

/**
 * Decodes a block-1 reply, or returns null when the validity byte says it carries no readings.
 * Throws a RangeError for a block that is not 64 bytes.
 */
export function decodeStatus1(block: Uint8Array): R1Status1 | null {
  expectLength(block, R1ReplyBytes.statusBlock, 'status block 1');
  return isValidStatus1(block) ? readFields(block, status1Layout) : null;
}

/** Decodes a block-2 reply. Throws a RangeError for a block that is not 64 bytes. */
export function decodeStatus2(block: Uint8Array): R1Status2 {
  expectLength(block, R1ReplyBytes.statusBlock, 'status block 2');
  return readFields(block, status2Layout);
}

/**
 * The block-1 reply for a status, or for null a block without readings (all zeros, so byte 41 is not
 * 10). Throws a RangeError for an integer field that does not fit its byte width.
 */
export function encodeStatus1(status: R1Status1 | null): Uint8Array {
  const block = new Uint8Array(R1ReplyBytes.statusBlock);
  if (status === null) return block;
  writeFields(block, status1Layout, status);
  block[validityOffset] = validityMarker;
  return block;
}

/** The block-2 reply for a status. Throws a RangeError for an integer field that does not fit. */
export function encodeStatus2(status: R1Status2): Uint8Array {
  const block = new Uint8Array(R1ReplyBytes.statusBlock);
  writeFields(block, status2Layout, status);
  return block;
}
