import { describe, expect, it } from 'vitest';
import { isLevel, R1Ranges, r1VariantOf } from './model.ts';

describe('R1 model facts', () => {
  it.each([
    [0x0483, 0x5741, 'r1'],
    [0x0483, 0xa27e, 'r1Ibts'],
    [0x0483, 0xa4cd, undefined], // the R2 speaks protocol 2
    [0x0484, 0x5741, undefined],
  ] as const)('identifies %i:%i as %s', (vendorId, productId, variant) => {
    expect(r1VariantOf(vendorId, productId)).toBe(variant);
  });

  it.each([
    ['heater', 0, 9],
    ['fan', 1, 12],
    ['drum', 1, 9],
  ] as const)('has %s levels %i–%i', (control, min, max) => {
    expect(R1Ranges[control]).toEqual({ min, max });
    expect(isLevel(control, min)).toBe(true);
    expect(isLevel(control, max)).toBe(true);
    expect(isLevel(control, min - 1)).toBe(false);
    expect(isLevel(control, max + 1)).toBe(false);
    expect(isLevel(control, min + 0.5)).toBe(false);
    expect(isLevel(control, Number.NaN)).toBe(false);
  });
});
