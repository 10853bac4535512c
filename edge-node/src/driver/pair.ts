import { decodeStatus1, decodeStatus2, R1ReplyBytes, r1StateName } from '@roast-operator/r1';
import type { Reading } from './reading.ts';

// When a pair of status blocks can be trusted, and the reading it carries. A block 2 with the validity
// marker is a block 1 answering the wrong request: the replies are out of step, so the driver drains and
// resyncs. (Block 2's byte 41 is the high byte of the preheat setpoint, 0 or 1.) A block 1 without the
// marker in an aligned pair is the message the R1 sends now and then outside a roast: skipped.

export type Pair = { readonly block1: Uint8Array; readonly block2: Uint8Array };

/** The reading's numbering and times, which the driver gives it. */
export type Stamp = Pick<Reading, 'seq' | 'at' | 'deviceAt'>;

const validityOffset = 41;
const validityMarker = 10;

/**
 * The reading a pair carries (`stamp` is asked only then), `out-of-step` when the replies are out of step,
 * or undefined for an aligned pair without a reading.
 */
export function readingOf({ block1, block2 }: Pair, stamp: () => Stamp): Reading | 'out-of-step' | undefined {
  const sized = block1.length === R1ReplyBytes.statusBlock && block2.length === R1ReplyBytes.statusBlock;
  if (!sized || block2[validityOffset] === validityMarker) return 'out-of-step';
  const status = decodeStatus1(block1);
  if (status === null) return undefined;
  const { preheatSetpoint } = decodeStatus2(block2);
  return {
    ...stamp(),
    bt: status.bt,
    btRor: status.btRor,
    ibts: status.dt,
    exhaust: status.exitTemp,
    heater: status.heater,
    fan: status.fan,
    drum: status.drum,
    stateCode: status.state,
    state: r1StateName(status.state),
    preheatSetpoint,
    roasterClockSeconds: status.clockMinutes * 60 + status.clockSeconds,
  };
}
