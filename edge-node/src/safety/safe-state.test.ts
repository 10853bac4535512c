import type { R1StateName } from '@roast-operator/r1';
import { describe, expect, it } from 'vitest';
import type { Reading } from '../driver/reading.ts';
import { safeStateReport } from './safe-state.ts';

const block = (state: R1StateName): Reading => ({
  seq: 1,
  at: 0,
  deviceAt: 0,
  bt: 180,
  btRor: 0,
  ibts: 170,
  exhaust: 150,
  heater: 0,
  fan: 12,
  drum: 5,
  stateCode: 0,
  state,
  preheatSetpoint: 239,
  roasterClockSeconds: 0,
});

describe('safeStateReport', () => {
  it.each<[string, Reading | undefined, boolean, boolean, RegExp]>([
    [
      'no block with heater 0',
      undefined,
      false,
      false,
      /^heater 0 not confirmed within 5\.0 s; still holding$/,
    ],
    ['roasting', block('roasting'), true, true, /^heater 0, fan 12$/],
    ['cooling', block('cooling'), true, true, /^heater 0, fan 12$/],
    ['off', block('off'), true, true, /^heater 0, fan 12$/],
    [
      'preheating',
      block('preheating'),
      true,
      false,
      /but the roaster is preheating and still heating: .*toward 239 °C.*Stop the preheat on the roaster itself/,
    ],
    [
      'holding for a charge',
      block('charge'),
      true,
      false,
      /holding its charge temperature and still heating: .*never presses PRS/,
    ],
  ])('%s', (_, shown, confirmed, safe, message) => {
    expect(safeStateReport(shown, 5000)).toEqual({
      confirmed,
      safe,
      message: expect.stringMatching(message),
    });
  });
});
