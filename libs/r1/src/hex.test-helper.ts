/** Bytes from hex pairs separated by spaces, as the reference writes them: `hex('30 01', '00 00')`. */
export function hex(...parts: string[]): Uint8Array {
  const text = parts.join(' ').trim();
  const pairs = text === '' ? [] : text.split(/\s+/);
  return Uint8Array.from(pairs, (pair) => {
    if (!/^[0-9a-f]{2}$/i.test(pair)) throw new Error(`not a hex byte: ${pair}`);
    return Number.parseInt(pair, 16);
  });
}

/** Hex pairs of some bytes, upper case, for readable assertions. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}
