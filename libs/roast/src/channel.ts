import { type CurvePoint, Despiker, type DespikeSettings } from './curve.ts';
import { DEFAULT_ROR_SETTINGS, RorCalculator, type RorPoint, type RorSettings } from './ror.ts';

export interface ChannelSettings {
  ror: RorSettings;
  despike: DespikeSettings;
}

export const DEFAULT_CHANNEL_SETTINGS: ChannelSettings = {
  ror: DEFAULT_ROR_SETTINGS,
  despike: { halfWindowS: 1, thresholdC: 1 },
};

// Artisan's reading plausibility filter (0–700 °C). It also rejects Artisan's −1 "no reading" in either unit.
const MIN_PLAUSIBLE_C = 0;
const MAX_PLAUSIBLE_C = 700;

/** Whether a °C value is a reading at all: not a dropout (−1, NaN) and physically plausible. */
export function isReading(celsius: number): boolean {
  return Number.isFinite(celsius) && celsius > MIN_PLAUSIBLE_C && celsius <= MAX_PLAUSIBLE_C;
}

/** A cleaned reading released by a channel, with the rate of rise at its time when there is one. */
export interface ChannelStep {
  readonly point: CurvePoint;
  readonly ror: number | undefined;
}

/**
 * One temperature channel (bean or environment): drops non-readings, removes spikes, computes the rate of
 * rise, and keeps the cleaned curve and its rates.
 */
export class TemperatureChannel {
  readonly #despiker: Despiker;
  readonly #ror: RorCalculator;
  readonly #curve: CurvePoint[] = [];
  readonly #rates: RorPoint[] = [];

  constructor(settings: ChannelSettings) {
    this.#despiker = new Despiker(settings.despike);
    this.#ror = new RorCalculator(settings.ror);
  }

  get curve(): readonly CurvePoint[] {
    return this.#curve;
  }

  get rates(): readonly RorPoint[] {
    return this.#rates;
  }

  /** Adds a reading in °C (non-readings are ignored); returns the cleaned readings it releases. */
  push(t: number, celsius: number): ChannelStep[] {
    return isReading(celsius) ? this.#record(this.#despiker.push({ t, value: celsius })) : [];
  }

  /** Releases the readings still held back by the spike filter (end of stream). */
  flush(): ChannelStep[] {
    return this.#record(this.#despiker.flush());
  }

  #record(points: readonly CurvePoint[]): ChannelStep[] {
    return points.map((point) => {
      this.#curve.push(point);
      const rate = this.#ror.push(point);
      if (rate !== undefined) this.#rates.push(rate);
      return { point, ror: rate?.ror };
    });
  }
}

/** Whole-curve rate of rise of one channel's readings (°C), through the same cleaning as the analyzer. */
export function rateOfRise(
  readings: Iterable<{ readonly t: number; readonly value: number }>,
  settings: ChannelSettings = DEFAULT_CHANNEL_SETTINGS,
): RorPoint[] {
  const channel = new TemperatureChannel(settings);
  for (const r of readings) channel.push(r.t, r.value);
  channel.flush();
  return [...channel.rates];
}
