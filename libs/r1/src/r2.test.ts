import { describe, expect, it } from 'vitest';
import { hex, toHex } from './hex.test-helper.ts';
import { frameR2Command, r2Crc } from './r2.ts';

// The vectors of aillio-bullet-protocol.md §2.3, computed with Artisan's own prepare_command.
describe('R2 command framing', () => {
  it.each([
    ['PRS', '30 01 00 00', '30 01 00 00 AE 1A 21 DB'],
    ['heater +1', '34 01 AA AA', '34 01 AA AA 90 E5 E4 F1'],
    ['heater -1', '34 02 AA AA', '34 02 AA AA 19 10 8D F3'],
    ['fan +1', '31 01 AA AA', '31 01 AA AA 22 33 7C 51'],
    ['fan -1', '31 02 AA AA', '31 02 AA AA AB C6 15 53'],
    ['drum +1', '32 01 AA AA', '32 01 AA AA 4C 81 0B 31'],
    ['drum -1', '32 02 AA AA', '32 02 AA AA C5 74 62 33'],
    ['preheat 200 °C', '35 00 00 C8', '35 00 00 C8 BA 1D E3 01'],
    ['preheat 250 °C', '35 00 00 FA', '35 00 00 FA 44 4B 53 DC'],
    ['preheat 300 °C', '35 00 01 2C', '35 00 01 2C C3 8C 57 05'],
  ])('frames %s', (_, command, wire) => {
    expect(toHex(frameR2Command(hex(command)))).toBe(wire);
  });

  it('is not the standard 8-nibble CRC-32/MPEG-2 (0xD4FB26A2 for PRS)', () => {
    expect(r2Crc(hex('30 01 00 00 00 00 00 00'))).toBe(0xdb211aae);
  });

  it.each([
    ['a 2-byte command', () => frameR2Command(hex('30 01'))],
    ['CRC data of 6 bytes', () => r2Crc(hex('30 01 00 00 00 00'))],
  ])('refuses %s', (_, action) => {
    expect(action).toThrow(RangeError);
  });
});
