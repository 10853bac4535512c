import { expectLength, type Fields, readFields, writeFields } from './binary.ts';
import { R1ReplyBytes } from './model.ts';

// The two info replies, read once when the port opens (aillio-bullet-protocol.md §5, R1:L189-198).
// Unparsed bytes are unknown: decoding ignores them and encoding writes zeros there.

/** Reply to `30 02`, 32 bytes (R1:L189-194). */
const info1Layout = {
  /**
   * Bytes 0–1: the "serial number", a signed 16-bit value. It looks truncated, but it is all the
   * driver reads (the reference marks it ambiguous).
   */
  serial: { offset: 0, type: 'i16' },
  /** Bytes 24–25: firmware version, signed 16-bit. */
  firmware: { offset: 24, type: 'i16' },
} as const;

/** Reply to `89 01`, 36 bytes (R1:L195-198). */
const info2Layout = {
  /** Bytes 27–30: number of roasts (the roaster's batch counter), the one big-endian field. */
  roastCount: { offset: 27, type: 'u32be' },
} as const;

export type R1Info1 = Fields<typeof info1Layout>;
export type R1Info2 = Fields<typeof info2Layout>;

/** Throws a RangeError for a reply that is not 32 bytes. */
export function decodeInfo1(reply: Uint8Array): R1Info1 {
  expectLength(reply, R1ReplyBytes.info1, 'info 1 reply');
  return readFields(reply, info1Layout);
}

/** Throws a RangeError for a reply that is not 36 bytes. */
export function decodeInfo2(reply: Uint8Array): R1Info2 {
  expectLength(reply, R1ReplyBytes.info2, 'info 2 reply');
  return readFields(reply, info2Layout);
}

export function encodeInfo1(info: R1Info1): Uint8Array {
  const reply = new Uint8Array(R1ReplyBytes.info1);
  writeFields(reply, info1Layout, info);
  return reply;
}

export function encodeInfo2(info: R1Info2): Uint8Array {
  const reply = new Uint8Array(R1ReplyBytes.info2);
  writeFields(reply, info2Layout, info);
  return reply;
}
