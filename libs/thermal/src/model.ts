import type { ThermalParams } from './params.ts';
import { normal, uniform } from './random.ts';

// The recommended lumped model of roast-physics.md §4.1: drum, bean temperature, moisture and reaction
// extent as ODEs, the drum air as a quasi-steady mix, a lagged probe-like channel (sensor A) and a fast
// IR-like channel (sensor B). Time advances only by the dt a caller passes, so a simulator can run it on
// a virtual clock at any speed.

/** Control levels: heater 0–9, fan 1–12, drum 1–9 on the Bullet R1. */
export type Controls = { readonly heater: number; readonly fan: number; readonly drum: number };

/** The batch in the drum. */
export type Beans = {
  readonly greenKg: number;
  readonly dryKg: number;
  /** Bulk bean temperature, °C. */
  readonly tempC: number;
  /** Moisture, kg water per kg dry solid. */
  readonly moisture: number;
  /** Extent of the exothermic reactions, 0 … 1. */
  readonly extent: number;
};

/**
 * What the roaster's sensors show, °C, with noise and rounding. The two bean channels follow the two
 * behaviours of the public Bullet R1 V2 logs (roast-physics §2.4): `beanLagged` dips to a turning point
 * and is the channel Artisan labels IBTS (status bytes 8–11), on which first crack reads ≈186 °C;
 * `beanFast` reads the drum when empty and jumps up soon after charge (status bytes 0–3).
 */
export type Readings = {
  readonly beanLagged: number;
  readonly beanFast: number;
  /** Exhaust (exit) air, the ET proxy. */
  readonly exhaust: number;
  /** Drum wall, what the original R1's IR drum sensor reads. */
  readonly drum: number;
};

export type ThermalState = {
  readonly params: ThermalParams;
  /** Seconds since the state was created. */
  readonly time: number;
  /** The levels of the last step, which also set the exhaust reading. */
  readonly controls: Controls;
  readonly drumC: number;
  /** The noise-free value of the lagged channel: it has its own dynamics. */
  readonly laggedC: number;
  readonly beans: Beans | null;
  /** PRNG state for the next noise draw. */
  readonly seed: number;
  /** Noise on each channel for the current readings. */
  readonly noise: Readings;
};

/**
 * An empty drum held at `drumC` (the preheat temperature) long enough for the sensors to settle, as
 * when the roaster is ready for a charge.
 */
export function emptyDrum(
  params: ThermalParams,
  init: { readonly drumC: number; readonly controls: Controls; readonly seed: number },
): ThermalState {
  checkControls(params, init.controls);
  const drawn = drawNoise(params, init.seed >>> 0, 0);
  return {
    params,
    time: 0,
    controls: init.controls,
    drumC: init.drumC,
    laggedC: emptyLaggedTarget(params, init.drumC),
    beans: null,
    seed: drawn.seed,
    noise: drawn.noise,
  };
}

/** Loads green beans at room temperature into an empty drum. */
export function charge(
  state: ThermalState,
  batch: { readonly grams: number; readonly moisture?: number },
): ThermalState {
  if (state.beans !== null) throw new Error('the drum already holds beans');
  if (!(batch.grams > 0)) throw new RangeError(`batch of ${batch.grams} g`);
  const moisture = batch.moisture ?? state.params.greenMoisture;
  const greenKg = batch.grams / 1000;
  const beans = {
    greenKg,
    dryKg: greenKg / (1 + moisture),
    tempC: state.params.ambientC,
    moisture,
    extent: 0,
  };
  return { ...state, beans };
}

/** Empties the drum; the beans leave with their state, which the caller can read before dropping. */
export function drop(state: ThermalState): ThermalState {
  return { ...state, beans: null };
}

/**
 * Advances the model by `dt` seconds at the given levels and draws new sensor noise. RK4 steps of at most
 * `substepS` (half a second unless a caller that predicts many roasts asks for coarser ones: the sensor lag
 * (57 s), the beans (~100 s) and the drum (~10 min) are far slower: 5 s steps stay within half a degree of 0.5 s ones over a roast).
 */
export function step(
  state: ThermalState,
  controls: Controls,
  dt: number,
  substepS = maxSubstep,
): ThermalState {
  if (!(dt > 0 && Number.isFinite(dt))) throw new RangeError(`dt ${dt} s`);
  if (!(substepS > 0)) throw new RangeError(`substep ${substepS} s`);
  checkControls(state.params, controls);
  const substeps = Math.ceil(dt / substepS);
  let y = toVector(state);
  for (let i = 0; i < substeps; i++) y = rk4(state.params, controls, state.beans, y, dt / substeps);
  const drawn = drawNoise(state.params, state.seed, dt);
  return { ...fromVector(state, y), time: state.time + dt, controls, seed: drawn.seed, noise: drawn.noise };
}

/** The sensor readings of a state. Calling it twice gives the same values; each step draws new noise. */
export function read(state: ThermalState): Readings {
  const { params, beans, drumC, controls } = state;
  const fast = beans === null ? drumC : beans.tempC + params.fastDrumShare * (drumC - beans.tempC);
  const round = (value: number) => roundTo(value, params.readingDecimals);
  return {
    beanLagged: round(state.laggedC + state.noise.beanLagged),
    beanFast: round(fast + state.noise.beanFast),
    exhaust: round(airTemperature(params, controls, drumC, beans) + state.noise.exhaust),
    drum: round(drumC + state.noise.drum),
  };
}

/** Share of the green weight lost so far: water plus organic matter (§4.1 item 7). */
export function weightLoss(params: ThermalParams, beans: Beans): number {
  const roastedKg = beans.dryKg * (1 - params.organicLoss * beans.extent) * (1 + beans.moisture);
  return 1 - roastedKg / beans.greenKg;
}

const maxSubstep = 0.5;
const kelvin = 273.15;

/** [drum, bean, moisture, extent, lagged channel]; the bean entries stay put while the drum is empty. */
type Vector = readonly [number, number, number, number, number];

function toVector(state: ThermalState): Vector {
  const beans = state.beans;
  return [state.drumC, beans?.tempC ?? 0, beans?.moisture ?? 0, beans?.extent ?? 0, state.laggedC];
}

function fromVector(state: ThermalState, [drumC, tempC, moisture, extent, laggedC]: Vector): ThermalState {
  const beans = state.beans === null ? null : { ...state.beans, tempC, moisture, extent };
  return { ...state, drumC, beans, laggedC };
}

function rk4(params: ThermalParams, controls: Controls, beans: Beans | null, y: Vector, h: number): Vector {
  const f = (v: Vector) => derivatives(params, controls, beans, v);
  const k1 = f(y);
  const k2 = f(axpy(h / 2, k1, y));
  const k3 = f(axpy(h / 2, k2, y));
  const k4 = f(axpy(h, k3, y));
  return y.map(
    (value, i) => value + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!),
  ) as unknown as Vector;
}

/** y + a·x */
function axpy(a: number, x: Vector, y: Vector): Vector {
  return y.map((value, i) => value + a * x[i]!) as unknown as Vector;
}

/** Heat paths of §4.1, W/K. Bean paths are zero while the drum is empty. */
type Conductances = { drumToBeans: number; airToBeans: number; drumToAir: number; exhaust: number };

function conductances(params: ThermalParams, controls: Controls, beans: Beans | null): Conductances {
  // More air moves more heat between air and surfaces: +8 % per fan step (§4.1, scaling).
  const fanGain = 1 + 0.08 * (controls.fan - 1);
  const exhaust = (params.airflow.base + params.airflow.perStep * (controls.fan - 1)) * params.airCp;
  const drumToAir = params.drumToAir * fanGain;
  if (beans === null) return { drumToBeans: 0, airToBeans: 0, drumToAir, exhaust };
  const massRatio = beans.greenKg / 0.4;
  return {
    // Bed-to-drum contact grows slower than the mass; a faster drum renews the contact more often.
    drumToBeans:
      params.drumToBeans400g * massRatio ** 0.67 * (0.5 + (0.5 * controls.drum) / params.topLevel.drum),
    // Bean surface grows with the mass, air speed with the fan.
    airToBeans: params.airToBeans400g * massRatio * fanGain,
    drumToAir,
    exhaust,
  };
}

/** The drum air mixes in seconds, so it is the conductance-weighted mean of room air, drum and beans. */
function airTemperature(
  params: ThermalParams,
  controls: Controls,
  drumC: number,
  beans: Beans | null,
): number {
  return mixAir(params, conductances(params, controls, beans), drumC, beans?.tempC ?? 0);
}

function mixAir(params: ThermalParams, g: Conductances, drumC: number, beanC: number): number {
  const weighted = g.exhaust * params.ambientC + g.drumToAir * drumC + g.airToBeans * beanC;
  return weighted / (g.exhaust + g.drumToAir + g.airToBeans);
}

function derivatives(params: ThermalParams, controls: Controls, beans: Beans | null, y: Vector): Vector {
  const [drumC, beanC, moisture, extent, laggedC] = y;
  const g = conductances(params, controls, beans);
  const airC = mixAir(params, g, drumC, beanC);
  const heatW = (params.heaterEfficiency * params.heaterMaxW * controls.heater) / params.topLevel.heater;
  const drumToBeansW = g.drumToBeans * (drumC - beanC);
  const dDrum =
    (heatW - drumToBeansW - g.drumToAir * (drumC - airC) - params.shellLoss * (drumC - params.ambientC)) /
    params.drumHeatCapacity;
  if (beans === null)
    return [dDrum, 0, 0, 0, (emptyLaggedTarget(params, drumC) - laggedC) / params.laggedTau];

  const beanK = beanC + kelvin;
  const { drying, reaction } = params;
  const dMoisture =
    (-drying.k * moisture ** 2 * Math.exp(-drying.activationK / beanK)) / drying.beanDiameterMm ** 2;
  const dExtent = reaction.k * Math.exp(-reaction.activationK / beanK) * (1 - extent);
  const heatCapacity =
    beans.dryKg * (params.solidCp.a + params.solidCp.b * beanC + params.waterCp * moisture);
  const beanW =
    drumToBeansW +
    g.airToBeans * (airC - beanC) +
    beans.dryKg * (params.latentHeat * dMoisture + reaction.heat * dExtent);
  return [dDrum, beanW / heatCapacity, dMoisture, dExtent, (beanC - laggedC) / params.laggedTau];
}

/** Where the lagged channel settles with no beans to read. */
function emptyLaggedTarget(params: ThermalParams, drumC: number): number {
  return params.ambientC + params.laggedEmptyShare * (drumC - params.ambientC);
}

function drawNoise(params: ThermalParams, seed: number, dt: number): { noise: Readings; seed: number } {
  const lagged = normal(seed);
  const fast = normal(lagged.seed);
  const exhaust = normal(fast.seed);
  const drum = normal(exhaust.seed);
  const spikeChance = uniform(drum.seed);
  const spikeHeight = uniform(spikeChance.seed);
  const spike =
    spikeChance.value < (params.spikes.perMinute * dt) / 60 ? spikeHeight.value * params.spikes.maxC : 0;
  const sd = params.noiseC;
  return {
    noise: {
      beanLagged: sd * lagged.value,
      beanFast: sd * fast.value + spike,
      exhaust: sd * exhaust.value,
      drum: sd * drum.value,
    },
    seed: spikeHeight.seed,
  };
}

function roundTo(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

function checkControls(params: ThermalParams, { heater, fan, drum }: Controls): void {
  const ok =
    heater >= 0 && heater <= params.topLevel.heater && fan >= 1 && drum >= 1 && drum <= params.topLevel.drum;
  if (!ok) throw new RangeError(`controls heater ${heater}, fan ${fan}, drum ${drum}`);
}
