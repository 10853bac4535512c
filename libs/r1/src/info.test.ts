import { describe, expect, it } from 'vitest';
import { hex, toHex } from './hex.test-helper.ts';
import { decodeInfo1, decodeInfo2, encodeInfo1, encodeInfo2 } from './info.ts';

// aillio-bullet-protocol.md §5: info 1 is 32 bytes (serial at 0–1, firmware at 24–25, both signed
// native 16-bit); info 2 is 36 bytes (roast count at 27–30, big-endian).
const info1 = hex(
  '39 30 00 00 00 00 00 00 00 00 00 00 00 00 00 00', //  0–15  serial 12345
  '00 00 00 00 00 00 00 00 D2 04 00 00 00 00 00 00', // 16–31  firmware 1234 at 24–25
);

const info2 = hex(
  '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00', //  0–15
  '00 00 00 00 00 00 00 00 00 00 00 00 00 03 FC 00', // 16–31  roast count 00 00 03 FC at 27–30
  '00 00 00 00', //                                     32–35
);

describe('info replies', () => {
  it('decodes info 1', () => {
    expect(decodeInfo1(info1)).toEqual({ serial: 12345, firmware: 1234 });
  });

  it('decodes info 2 big-endian', () => {
    // 00 00 03 FC is 1020; read little-endian it would be 0xFC030000.
    expect(decodeInfo2(info2)).toEqual({ roastCount: 1020 });
  });

  it('reads the serial as signed, as the driver does', () => {
    const reply = new Uint8Array(32);
    reply.set(hex('FF FF'), 0);
    expect(decodeInfo1(reply).serial).toBe(-1);
  });

  it.each([
    ['info 1', () => toHex(encodeInfo1(decodeInfo1(info1))), toHex(info1)],
    ['info 2', () => toHex(encodeInfo2(decodeInfo2(info2))), toHex(info2)],
  ])('encodes %s to the bytes it decodes from', (_, encode, expected) => {
    expect(encode()).toBe(expected);
  });

  it.each([
    ['info 1 of 36 bytes', () => decodeInfo1(new Uint8Array(36))],
    ['info 2 of 32 bytes', () => decodeInfo2(new Uint8Array(32))],
    ['a serial beyond 16 bits', () => encodeInfo1({ serial: 40000, firmware: 1 })],
    ['a negative roast count', () => encodeInfo2({ roastCount: -1 })],
  ])('refuses %s', (_, action) => {
    expect(action).toThrow(RangeError);
  });
});
