import type { RoastSample } from './types.ts';

/**
 * A synthetic roast for tests, in °C with known answers: a probe pre-heated to 200 °C; at CHARGE_T beans at
 * 25 °C go in and the probe relaxes towards them (time constant 30 s) while they heat towards 260 °C (time
 * constant 450 s); at DROP_T the beans leave and the probe cools towards 60 °C (time constant 40 s).
 * A probe "pre-heated" to 25 °C gives a roast whose beans were loaded cold: no dip.
 */
export const CHARGE_T = 60;
export const DROP_T = CHARGE_T + 660;
const PREHEAT_C = 200;

function beans(sinceCharge: number): number {
  return 260 - 235 * Math.exp(-sinceCharge / 450);
}

function probeInDrum(sinceCharge: number, preheatC: number): number {
  return beans(sinceCharge) + (preheatC - beans(0)) * Math.exp(-sinceCharge / 30);
}

/** The noise-free bean temperature at time t. */
export function syntheticBt(t: number, preheatC = PREHEAT_C): number {
  if (t < CHARGE_T) return preheatC;
  if (t < DROP_T) return probeInDrum(t - CHARGE_T, preheatC);
  const atDrop = probeInDrum(DROP_T - CHARGE_T, preheatC);
  return 60 + (atDrop - 60) * Math.exp(-(t - DROP_T) / 40);
}

/** Time of the lowest bean temperature after charge (the true turning point), to 0.01 s. */
export function syntheticTurningPoint(): number {
  let best = CHARGE_T;
  for (let t = CHARGE_T; t < CHARGE_T + 300; t += 0.01) if (syntheticBt(t) < syntheticBt(best)) best = t;
  return best;
}

/** Time, after the turning point, at which the bean temperature rises through `celsius`, to 0.01 s. */
export function syntheticCrossing(celsius: number): number {
  let t = syntheticTurningPoint();
  while (syntheticBt(t) < celsius) t += 0.01;
  return t;
}

/** Deterministic pseudo-random numbers in [0, 1) (a linear congruential generator), for repeatable noise. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export interface SyntheticOptions {
  /** Seconds between samples. */
  readonly intervalS: number;
  readonly endT?: number;
  /** Uniform noise amplitude, °C. */
  readonly noiseC?: number;
  /** Fraction of samples replaced by a +25 °C spike. */
  readonly spikeRate?: number;
  /** Fraction of samples replaced by a dropout (alternately −1 and NaN). */
  readonly dropoutRate?: number;
  readonly seed?: number;
  readonly preheatC?: number;
}

export function syntheticRoast({
  intervalS,
  endT = DROP_T + 60,
  noiseC = 0,
  spikeRate = 0,
  dropoutRate = 0,
  seed = 1,
  preheatC = PREHEAT_C,
}: SyntheticOptions): RoastSample[] {
  const next = random(seed);
  const samples: RoastSample[] = [];
  for (let i = 0; i * intervalS <= endT; i++) {
    const t = i * intervalS;
    const roll = next();
    const noise = (next() - 0.5) * 2 * noiseC;
    const clean = syntheticBt(t, preheatC) + noise;
    const bt =
      roll < dropoutRate
        ? i % 2 === 0
          ? -1
          : Number.NaN
        : roll < dropoutRate + spikeRate
          ? clean + 25
          : clean;
    samples.push({ t, bt });
  }
  return samples;
}
