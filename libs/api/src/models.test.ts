import { describe, expect, it } from 'vitest';
import {
  type Actuator,
  anyModelFromStates,
  anyModelRange,
  modelFacts,
  type Press,
  physicalModels,
} from './models.ts';

describe('model facts', () => {
  it.each([
    ['heater', { min: 0, max: 9 }],
    ['fan', { min: 1, max: 12 }],
    ['drum', { min: 1, max: 9 }],
  ] satisfies [Actuator, unknown][])(
    'admission accepts the R1 %s range, the union of every model',
    (a, range) => {
      expect(anyModelRange(a)).toEqual(range);
      expect(modelFacts.AillioBulletR1.ranges[a]).toEqual(range);
    },
  );

  it.each([
    ['Preheat', ['Off']],
    ['Charge', ['ReadyToCharge']],
    ['Drop', ['Roasting']],
    ['Cool', ['Cooling']],
  ] satisfies [Press, string[]][])('%s is pressed from %j', (press, states) => {
    expect(anyModelFromStates(press)).toEqual(states);
  });

  it('has serial numbers only for the USB models', () => {
    expect(physicalModels).toEqual(['AillioBulletR1', 'AillioBulletR1V2']);
    for (const model of physicalModels) expect(modelFacts[model].usb?.vendorId).toBe(0x0483);
  });
});
