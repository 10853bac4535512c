import { describe, expect, it } from 'vitest';
import {
  type Actuator,
  anyModelFromStates,
  anyModelRange,
  modelFacts,
  type Press,
  physicalModels,
  serialModels,
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

  it('has USB ids for the USB models only', () => {
    expect(physicalModels).toEqual(['AillioBulletR1', 'AillioBulletR1V2']);
    for (const model of physicalModels) expect(modelFacts[model].usb?.vendorId).toBe(0x0483);
  });

  it('lets a binding name the serial of an R1 or a simulated roaster, not of a replay', () => {
    expect(serialModels).toEqual(['AillioBulletR1', 'AillioBulletR1V2', 'Simulated']);
  });
});
