/** The unit a temperature (or a temperature difference) is expressed in. Analysis works in °C only. */
export type TemperatureUnit = 'C' | 'F';

/** Converts a temperature reading to °C. */
export function toCelsius(value: number, unit: TemperatureUnit): number {
  return unit === 'C' ? value : ((value - 32) * 5) / 9;
}

/** Converts a °C temperature reading to `unit`. */
export function fromCelsius(celsius: number, unit: TemperatureUnit): number {
  return unit === 'C' ? celsius : (celsius * 9) / 5 + 32;
}

/**
 * Converts a temperature difference or rate (e.g. a rate of rise in °F/min) to °C: a difference has no
 * offset, only the scale changes.
 */
export function deltaToCelsius(delta: number, unit: TemperatureUnit): number {
  return unit === 'C' ? delta : (delta * 5) / 9;
}
