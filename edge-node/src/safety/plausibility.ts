import { seconds } from '../durations.ts';

// Whether a block's temperatures can be believed. A reading that cannot is not used for ceilings or the
// rise rate; if none can be believed for long enough while heating, staleness takes the roaster to the
// safe state.

export const plausibility = {
  /** What Artisan and the R1 use for "no reading". */
  dropoutC: -1,
  /** Above this a bean or air sensor is broken, not reporting a roast. */
  maxC: 350,
  /**
   * A rise larger than this between readings less than `jumpWithinMs` apart on the device's time base, in
   * the same roaster state, is a sensor fault: the drum heats at most about 0.4 °C/s. Only rises count, and a state change resets
   * the comparison: charging cold beans drops the bean channels by ~200 °C from one block to the next, and
   * after a drop the bean sensor sees the hot empty drum — that is physics.
   */
  maxJumpC: 30,
  jumpWithinMs: 2000,
} as const;

export type Temperatures = {
  /** The agent's clock: how fresh the reading is. */
  readonly at: number;
  /** The device's time base: how fast the roaster's temperatures move. */
  readonly deviceAt: number;
  /** The roaster's state code in the same block. */
  readonly stateCode: number;
  /** Status bytes 0–3. */
  readonly bt: number;
  /** Status bytes 8–11, the IBTS bean sensor on the R1 V2. */
  readonly ibts: number;
  readonly exhaust: number;
};

const channels = ['bt', 'ibts', 'exhaust'] as const;

/**
 * Why `reading` is not believable, or undefined when it is. `previous` is the last believable reading,
 * against which jumps are judged.
 */
export function implausibility(
  reading: Temperatures,
  previous: Temperatures | undefined,
): string | undefined {
  for (const channel of channels) {
    const value = reading[channel];
    if (!Number.isFinite(value)) return `${channel} is ${value}`;
    if (value === plausibility.dropoutC) return `${channel} reports no reading (−1)`;
    if (value > plausibility.maxC) return `${channel} ${value} °C is above ${plausibility.maxC} °C`;
    if (
      previous &&
      previous.stateCode === reading.stateCode &&
      reading.deviceAt - previous.deviceAt < plausibility.jumpWithinMs
    ) {
      const rise = value - previous[channel];
      if (rise > plausibility.maxJumpC) {
        return `${channel} jumped ${rise.toFixed(1)} °C in ${seconds(reading.deviceAt - previous.deviceAt)}`;
      }
    }
  }
  return undefined;
}
