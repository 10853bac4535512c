import { describe, expect, it } from 'vitest';
import { implausibility, type Temperatures } from './plausibility.ts';

const previous: Temperatures = { at: 1000, deviceAt: 1000, stateCode: 6, bt: 150, ibts: 140, exhaust: 160 };
const at = (ms: number, values: Partial<Temperatures>): Temperatures => ({
  ...previous,
  at: ms,
  deviceAt: ms,
  ...values,
});

describe('implausibility', () => {
  it.each<[string, Temperatures, Temperatures | undefined, string | undefined]>([
    ['an ordinary reading', at(1100, { bt: 150.4 }), previous, undefined],
    ['the first reading', at(1100, {}), undefined, undefined],
    ['a dropout', at(1100, { ibts: -1 }), previous, 'ibts reports no reading (−1)'],
    ['NaN', at(1100, { bt: Number.NaN }), previous, 'bt is NaN'],
    ['infinity', at(1100, { exhaust: Number.POSITIVE_INFINITY }), previous, 'exhaust is Infinity'],
    ['above 350 °C', at(1100, { bt: 351 }), previous, 'bt 351 °C is above 350 °C'],
    ['exactly 350 °C', at(1100, { bt: 180, exhaust: 350 }), undefined, undefined],
    ['a jump up', at(1100, { ibts: 171 }), previous, 'ibts jumped 31.0 °C in 0.1 s'],
    ['a rise of 30 °C is not a jump', at(1100, { ibts: 170 }), previous, undefined],
    ['a drop at charge is physics', at(1100, { bt: 40, ibts: 120 }), previous, undefined],
    ['a rise after a long gap', at(5000, { ibts: 200 }), previous, undefined],
    // A simulated roaster at time scale 20: 100 ms of the agent's clock is 2 s of the roaster's.
    [
      'a rise over 2 s of device time, 100 ms apart on the agent',
      at(1100, { deviceAt: 3000, ibts: 175 }),
      previous,
      undefined,
    ],
    [
      'a jump on device time, 2 s apart on the agent',
      at(3000, { deviceAt: 1100, ibts: 171 }),
      previous,
      'ibts jumped 31.0 °C in 0.1 s',
    ],
    ['a rise across a state change (the drop)', at(1100, { stateCode: 8, bt: 190 }), previous, undefined],
  ])('%s', (_, reading, prior, reason) => {
    expect(implausibility(reading, prior)).toBe(reason);
  });
});
