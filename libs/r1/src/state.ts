// The R1's state codes, reported in status byte 29 (aillio-bullet-protocol.md §4, R1:L77-82).
// The R2 adds 0x03 (stabilizing), 0x07 (cooldown) and 0x0B (power-on reset); the R1 driver maps none
// of them, so they are not R1 states here and decode as unknown codes.

export const R1State = {
  off: 0x00,
  /** Heating the empty drum to the preheat setpoint (status block 2, bytes 104–105). */
  preheating: 0x02,
  /** Preheated and waiting for beans ("charge"; the R2 calls it READY_TO_ROAST). */
  charge: 0x04,
  roasting: 0x06,
  cooling: 0x08,
  shutdown: 0x09,
} as const;

export type R1StateName = keyof typeof R1State;
export type R1StateCode = (typeof R1State)[R1StateName];

const namesByCode = new Map<number, R1StateName>(
  Object.entries(R1State).map(([name, code]) => [code, name as R1StateName]),
);

/** The name of a state code, or undefined for a code the R1 driver does not know. */
export function r1StateName(code: number): R1StateName | undefined {
  return namesByCode.get(code);
}

export function isR1StateCode(code: number): code is R1StateCode {
  return namesByCode.has(code);
}
