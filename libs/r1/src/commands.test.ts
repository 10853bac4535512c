import { describe, expect, it } from 'vitest';
import { decodeCommand, encodeCommand, type R1Command } from './commands.ts';
import { hex, toHex } from './hex.test-helper.ts';

// aillio-bullet-protocol.md §2.1, one row per command.
const frames: readonly [string, R1Command, string][] = [
  ['info 1 (R1:L68)', { kind: 'info1' }, '30 02'],
  ['info 2 (R1:L69)', { kind: 'info2' }, '89 01'],
  ['status 1 (R1:L70)', { kind: 'status1' }, '30 01'],
  ['status 2 (R1:L71)', { kind: 'status2' }, '30 03'],
  ['PRS (R1:L72)', { kind: 'prs' }, '30 01 00 00'],
  ['heater +1 (R1:L73)', { kind: 'heater', step: 1 }, '34 01 AA AA'],
  ['heater -1 (R1:L74)', { kind: 'heater', step: -1 }, '34 02 AA AA'],
  ['fan +1 (R1:L75)', { kind: 'fan', step: 1 }, '31 01 AA AA'],
  ['fan -1 (R1:L76)', { kind: 'fan', step: -1 }, '31 02 AA AA'],
  ['drum 1 (R1:L322-331)', { kind: 'drum', level: 1 }, '32 01 01 00'],
  ['drum 5', { kind: 'drum', level: 5 }, '32 01 05 00'],
  ['drum 9', { kind: 'drum', level: 9 }, '32 01 09 00'],
];

describe('R1 command frames', () => {
  it.each(frames)('encodes %s', (_, command, bytes) => {
    expect(toHex(encodeCommand(command))).toBe(bytes);
  });

  it.each(frames)('decodes %s', (_, command, bytes) => {
    expect(decodeCommand(hex(bytes))).toEqual(command);
  });

  it('returns a fresh buffer each time, so a caller cannot corrupt the table', () => {
    const first = encodeCommand({ kind: 'prs' });
    first.fill(0xff);
    expect(toHex(encodeCommand({ kind: 'prs' }))).toBe('30 01 00 00');
  });

  it.each([0, 10, 2.5, -1])('refuses to encode drum level %s', (level) => {
    expect(() => encodeCommand({ kind: 'drum', level })).toThrow(RangeError);
  });

  it('decodes a drum frame with an out-of-range level as sent', () => {
    expect(decodeCommand(hex('32 01 0C 00'))).toEqual({ kind: 'drum', level: 12 });
  });

  it.each([
    ['empty', ''],
    ['one byte of status 1', '30'],
    ['status 1 with a third byte', '30 01 00'],
    ['heater with the wrong filler', '34 01 00 00'],
    ['heater step 3', '34 03 AA AA'],
    ['drum with a non-zero last byte', '32 01 05 01'],
    ['drum relative step (R2 only)', '32 02 AA AA'],
    ['R2 preheat setpoint', '35 00 00 C8'],
    ['PRS with an R2 CRC', '30 01 00 00 AE 1A 21 DB'],
  ])('does not recognise %s', (_, bytes) => {
    expect(decodeCommand(hex(bytes))).toBeUndefined();
  });
});
