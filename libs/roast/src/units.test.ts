import { describe, expect, it } from 'vitest';
import { deltaToCelsius, fromCelsius, type TemperatureUnit, toCelsius } from './units.ts';

describe('temperature units', () => {
  it.each<[number, TemperatureUnit, number]>([
    [212, 'F', 100],
    [32, 'F', 0],
    [-40, 'F', -40],
    [400, 'F', 204.444],
    [186, 'C', 186],
  ])('%d °%s is %d °C', (value, unit, celsius) => {
    expect(toCelsius(value, unit)).toBeCloseTo(celsius, 3);
    expect(fromCelsius(toCelsius(value, unit), unit)).toBeCloseTo(value, 9);
  });

  it.each<[number, TemperatureUnit, number]>([
    [18, 'F', 10],
    [-9, 'F', -5],
    [12, 'C', 12],
  ])('a difference or rate of %d °%s is %d °C (no offset)', (delta, unit, celsius) => {
    expect(deltaToCelsius(delta, unit)).toBeCloseTo(celsius, 9);
  });
});
