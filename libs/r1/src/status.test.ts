import { describe, expect, it } from 'vitest';
import { hex, toHex } from './hex.test-helper.ts';
import { R1State } from './state.ts';
import {
  decodeStatus1,
  decodeStatus2,
  encodeStatus1,
  encodeStatus2,
  isValidStatus1,
  type R1Status1,
  type R1Status2,
} from './status.ts';

// Block vectors laid out from the table of aillio-bullet-protocol.md §3.1, 4 bytes a line.
// Floats are little-endian float32; unparsed bytes are zero.

/** Near first crack: BT 187.3, RoR 9.5, DT 181.4, exit 142.6 at 6:57, F4 P4 D9, roasting. */
const roastingBlock1 = hex(
  'CD 4C 3B 43', //  0–3   BT 187.3
  '00 00 18 41', //  4–7   BT RoR 9.5
  '66 66 35 43', //  8–11  DT 181.4
  '00 00 00 00', // 12–15  not parsed
  '9A 99 0E 43', // 16–19  exit 142.6
  '00 00 00 00', // 20–23  not parsed
  '06 39 04 04', // 24–27  clock 6 min 57 s, fan 4, heater 4
  '09 06 00 00', // 28–31  drum 9, state 6 (roasting), not parsed
  'CD CC 24 42', // 32–35  irt 41.2
  '00 00 1A 42', // 36–39  pcbt 38.5
  '00 0A 00 00', // 40–43  not parsed, validity 10, not parsed
  '66 08 00 00', // 44–47  fan RPM 2150, not parsed
  'CA 00 00 00', // 48–51  voltage 202 V, not parsed
  '30 0C 00 00', // 52–55  coil fan 3120
  '00 00 00 00', // 56–59  not parsed
  '00 00 00 00', // 60–63  not parsed
);

const roastingStatus1: R1Status1 = {
  bt: Math.fround(187.3),
  btRor: 9.5,
  dt: Math.fround(181.4),
  exitTemp: Math.fround(142.6),
  clockMinutes: 6,
  clockSeconds: 57,
  fan: 4,
  heater: 4,
  drum: 9,
  state: R1State.roasting,
  irt: Math.fround(41.2),
  pcbt: 38.5,
  fanRpm: 2150,
  voltage: 202,
  coilFan: 3120,
};

/**
 * Preheating with a sensor dropout: BT −1 (the value Artisan uses for "no reading"), RoR −0.25,
 * DT 239.0, exit NaN, and negative fan RPM and voltage to show the 16-bit fields are signed.
 */
const dropoutBlock1 = hex(
  '00 00 80 BF', //  0–3   BT −1
  '00 00 80 BE', //  4–7   BT RoR −0.25
  '00 00 6F 43', //  8–11  DT 239
  '00 00 00 00', // 12–15
  '00 00 C0 7F', // 16–19  exit NaN
  '00 00 00 00', // 20–23
  '00 00 01 09', // 24–27  clock 0:00, fan 1, heater 9
  '05 02 00 00', // 28–31  drum 5, state 2 (preheating)
  '66 66 34 42', // 32–35  irt 45.1
  '33 33 17 43', // 36–39  pcbt 151.2
  '00 0A 00 00', // 40–43  validity 10
  'FF FF 00 00', // 44–47  fan RPM −1
  '00 80 00 00', // 48–51  voltage −32768
  'FE FF FF FF', // 52–55  coil fan −2
  '00 00 00 00', // 56–59
  '00 00 00 00', // 60–63
);

const dropoutStatus1: R1Status1 = {
  bt: -1,
  btRor: -0.25,
  dt: 239,
  exitTemp: Number.NaN,
  clockMinutes: 0,
  clockSeconds: 0,
  fan: 1,
  heater: 9,
  drum: 5,
  state: R1State.preheating,
  irt: Math.fround(45.1),
  pcbt: Math.fround(151.2),
  fanRpm: -1,
  voltage: -32768,
  coilFan: -2,
};

/** Block 2: second coil fan 2980 at 32–35 (snapshot 96–99), preheat setpoint 240 °C at 40–41 (104–105). */
const block2 = hex(
  '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00', //  0–15  not parsed
  '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00', // 16–31  not parsed
  'A4 0B 00 00 00 00 00 00 F0 00 00 00 00 00 00 00', // 32–47  coil fan 2 = 2980, preheat 240
  '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00', // 48–63  not parsed
);

const status2: R1Status2 = { coilFan2: 2980, preheatSetpoint: 240 };

const block1Vectors = [
  ['roasting', roastingBlock1, roastingStatus1],
  ['preheating with a dropout', dropoutBlock1, dropoutStatus1],
] as const;

describe('status block 1', () => {
  it.each(block1Vectors)('decodes every field of the %s vector', (_, block, status) => {
    expect(decodeStatus1(block)).toEqual(status);
  });

  it.each(block1Vectors)('re-encodes the %s vector to the same bytes', (_, block) => {
    const decoded = decodeStatus1(block);
    expect(decoded).not.toBeNull();
    expect(toHex(encodeStatus1(decoded))).toBe(toHex(block));
  });

  // One field at a time over a zero status, so each offset and width is checked on its own.
  const zero: R1Status1 = Object.fromEntries(Object.keys(roastingStatus1).map((k) => [k, 0])) as R1Status1;
  it.each([
    ['bt', 0, 'CD 4C 3B 43', Math.fround(187.3)],
    ['btRor', 4, '00 00 18 41', 9.5],
    ['dt', 8, '66 66 35 43', Math.fround(181.4)],
    ['exitTemp', 16, '9A 99 0E 43', Math.fround(142.6)],
    ['clockMinutes', 24, '0C', 12],
    ['clockSeconds', 25, '3B', 59],
    ['fan', 26, '0C', 12],
    ['heater', 27, '09', 9],
    ['drum', 28, '07', 7],
    ['state', 29, '08', R1State.cooling],
    ['irt', 32, 'CD CC 24 42', Math.fround(41.2)],
    ['pcbt', 36, '00 00 1A 42', 38.5],
    ['fanRpm', 44, '34 12', 0x1234],
    ['voltage', 48, 'E6 00', 230],
    ['coilFan', 52, '78 56 34 12', 0x12345678],
  ] as const)('places %s at byte %i as %s', (field, offset, bytes, value) => {
    const expected = new Uint8Array(64);
    expected.set(hex(bytes), offset);
    expected[41] = 10;
    expect(toHex(encodeStatus1({ ...zero, [field]: value }))).toBe(toHex(expected));
    expect(decodeStatus1(expected)?.[field]).toBe(value);
  });

  it('ignores the bytes it does not parse', () => {
    const block = roastingBlock1.slice();
    for (const offset of [12, 15, 20, 23, 30, 31, 40, 42, 43, 46, 47, 50, 51, 56, 63]) block[offset] = 0x55;
    expect(decodeStatus1(block)).toEqual(roastingStatus1);
  });

  it('marks an encoded block valid with byte 41 = 10', () => {
    const block = encodeStatus1(roastingStatus1);
    expect(block[41]).toBe(10);
    expect(isValidStatus1(block)).toBe(true);
  });

  it.each([
    ['byte 41 zero', 0x00],
    ['byte 41 eleven', 0x0b],
    ['byte 41 0xFF', 0xff],
  ])('treats a block with %s as carrying no readings', (_, marker) => {
    const block = roastingBlock1.slice();
    block[41] = marker;
    expect(isValidStatus1(block)).toBe(false);
    expect(decodeStatus1(block)).toBeNull();
  });

  it('encodes "no readings" as a block that decodes to null', () => {
    const block = encodeStatus1(null);
    expect(block).toHaveLength(64);
    expect(isValidStatus1(block)).toBe(false);
    expect(decodeStatus1(block)).toBeNull();
  });

  it.each([63, 65, 0])('refuses a block of %i bytes', (length) => {
    const block = new Uint8Array(length);
    if (length > 41) block[41] = 10;
    expect(isValidStatus1(block)).toBe(false);
    expect(() => decodeStatus1(block)).toThrow(RangeError);
  });

  it('reads a block that sits inside a larger buffer', () => {
    const snapshot = new Uint8Array(128);
    snapshot.set(roastingBlock1, 0);
    snapshot.set(block2, 64);
    expect(decodeStatus1(snapshot.subarray(0, 64))).toEqual(roastingStatus1);
    expect(decodeStatus2(snapshot.subarray(64))).toEqual(status2);
  });

  it.each([
    ['heater', 256],
    ['state', -1],
    ['clockSeconds', 1.5],
    ['fanRpm', 0x8000],
    ['voltage', -0x8001],
    ['coilFan', 2 ** 31],
  ] as const)('refuses to encode %s = %s, which does not fit its bytes', (field, value) => {
    expect(() => encodeStatus1({ ...roastingStatus1, [field]: value })).toThrow(RangeError);
  });
});

describe('status block 2', () => {
  it('decodes the coil fan and the preheat setpoint', () => {
    expect(decodeStatus2(block2)).toEqual(status2);
  });

  it('re-encodes to the same bytes', () => {
    expect(toHex(encodeStatus2(decodeStatus2(block2)))).toBe(toHex(block2));
  });

  it('ignores the bytes it does not parse', () => {
    const block = block2.slice();
    for (const offset of [0, 31, 36, 39, 42, 63]) block[offset] = 0x55;
    expect(decodeStatus2(block)).toEqual(status2);
  });

  it.each([
    ['coilFan2', 0x7fffffff, 32, 'FF FF FF 7F'],
    ['coilFan2', -1, 32, 'FF FF FF FF'],
    ['preheatSetpoint', 0xffff, 40, 'FF FF'],
    ['preheatSetpoint', 300, 40, '2C 01'],
  ] as const)('places %s = %s at byte %i as %s', (field, value, offset, bytes) => {
    const expected = new Uint8Array(64);
    expected.set(hex(bytes), offset);
    const status = { coilFan2: 0, preheatSetpoint: 0, [field]: value };
    expect(toHex(encodeStatus2(status))).toBe(toHex(expected));
    expect(decodeStatus2(expected)).toEqual(status);
  });

  it.each([
    ['preheatSetpoint', -1],
    ['preheatSetpoint', 0x10000],
    ['coilFan2', 2 ** 31],
  ] as const)('refuses to encode %s = %s', (field, value) => {
    expect(() => encodeStatus2({ ...status2, [field]: value })).toThrow(RangeError);
  });

  it('refuses a block that is not 64 bytes', () => {
    expect(() => decodeStatus2(new Uint8Array(36))).toThrow(RangeError);
  });
});
