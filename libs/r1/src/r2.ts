// R2 command framing (aillio-bullet-protocol.md §2.3, R2:L625-674): 4 command bytes followed by a
// 4-byte little-endian CRC computed over the command plus 4 zero bytes.

/** Polynomial of the CRC, MSB first, no reflection, no final XOR. */
const polynomial = 0x04c11db7;

/** Remainder of each 4-bit value shifted to the top of the register, for a nibble-at-a-time CRC. */
const nibbleTable = Uint32Array.from({ length: 16 }, (_, nibble) => {
  let register = nibble << 28;
  for (let bit = 0; bit < 4; bit++) {
    register = register & 0x80000000 ? (register << 1) ^ polynomial : register << 1;
  }
  return register >>> 0;
});

/**
 * Artisan's R2 CRC. It reads the data as big-endian 32-bit words from 0xFFFFFFFF, but each word gets
 * only 4 nibble steps (16 bits), not 8, so it is not CRC-32/MPEG-2: the roaster accepts this one, as
 * Artisan ships it (§2.3, "Quirk").
 */
export function r2Crc(data: Uint8Array): number {
  if (data.length % 4 !== 0)
    throw new RangeError(`CRC data must be whole 32-bit words, got ${data.length} bytes`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let register = 0xffffffff;
  for (let offset = 0; offset < data.length; offset += 4) {
    register = (register ^ view.getUint32(offset, false)) >>> 0;
    for (let step = 0; step < 4; step++) {
      register = ((register << 4) ^ nibbleTable[register >>> 28]!) >>> 0;
    }
  }
  return register;
}

/** The 8 bytes on the wire for a 4-byte R2 command (`prepare_command`, R2:L667-674). */
export function frameR2Command(command: Uint8Array): Uint8Array {
  if (command.length !== 4) throw new RangeError(`an R2 command is 4 bytes, got ${command.length}`);
  const frame = new Uint8Array(8);
  frame.set(command);
  new DataView(frame.buffer).setUint32(4, r2Crc(frame), true);
  return frame;
}
