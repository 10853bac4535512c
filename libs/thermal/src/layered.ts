import type { Controls } from './model.ts';
import { normal } from './random.ts';

// A second roaster model, built differently from the lumped one on purpose (roast-physics.md §1), so a
// controller that predicts with the lumped model can be tried on a plant it does not know:
// - the drum is two metal stores: the induction-heated shell and the heavy frame behind it (the lumped
//   model has one);
// - the drum air is a store of its own with a small heat capacity (the lumped model mixes it at once);
// - each bean is three shells of equal volume (surface, middle, core) that conduct into one another, each
//   with its own moisture drying at its own temperature (the lumped model has one bean temperature);
// - the exotherm switches on smoothly around 165 °C (the DSC view of §1.8) instead of Schwartzberg's
//   first-order term, and first crack releases a burst of steam (§4.4), which gives crash and flick;
// - the bean probe reads the bed surface mixed with the air it sits in, through its own lag.
// Time advances only by the dt a caller passes.

export type LayeredParams = {
  readonly ambientC: number;
  readonly heaterMaxW: number;
  readonly heaterEfficiency: number;
  /** Drum shell and frame heat capacities, J/K, and the conductance between them, W/K. */
  readonly shellHeatCapacity: number;
  readonly frameHeatCapacity: number;
  readonly shellToFrame: number;
  /** Frame-to-room loss, W/K. */
  readonly frameLoss: number;
  /** Heat capacity of the air in the drum, J/K. */
  readonly airHeatCapacity: number;
  /** Shell-to-air conductance at fan 1, W/K (+8 % per fan step). */
  readonly shellToAir: number;
  /** Exhaust mass flow `base + perStep·(fan − 1)`, kg/s, and the air's specific heat, J/kg·K. */
  readonly airflow: { readonly base: number; readonly perStep: number };
  readonly airCp: number;
  /** Shell-to-bed contact conductance for 400 g at drum 9, W/K. */
  readonly shellToBeans400g: number;
  /** Air-to-bean conductance for 400 g at fan 1, W/K. */
  readonly airToBeans400g: number;
  /** Bean: mass of one bean, kg; radius, m; thermal conductivity, W/m·K. */
  readonly beanKg: number;
  readonly beanRadiusM: number;
  readonly beanConductivity: number;
  /** Dry-solid specific heat a + b·T, J/kg·K; water contribution, J/kg·K per kg/kg. */
  readonly solidCp: { readonly a: number; readonly b: number };
  readonly waterCp: number;
  /** Drying `k·X²/dp²·exp(−E/T)` per shell (dp in mm), and the heat to drive off 1 kg water, J/kg. */
  readonly drying: { readonly k: number; readonly activationK: number };
  readonly latentHeat: number;
  readonly greenMoisture: number;
  /** Exotherm: `heat` J/kg dry released at `rate`·(1 − ξ) per s once past `onsetC` (logistic, `widthC`). */
  readonly exotherm: {
    readonly heat: number;
    readonly rate: number;
    readonly onsetC: number;
    readonly widthC: number;
  };
  /** First crack: at `atC` (core) a burst of `moisture` kg/kg escapes with time constant `tauS`. */
  readonly crack: { readonly atC: number; readonly moisture: number; readonly tauS: number };
  /** Probe: share of the bed it reads (the beans' mean temperature; the rest is air), time constant, s. */
  readonly probeBeanShare: number;
  readonly probeTau: number;
  /** Share of the shell's rise above room the probe settles at in an empty drum. */
  readonly probeEmptyShare: number;
  readonly topLevel: { readonly heater: number; readonly drum: number };
  readonly noiseC: number;
};

/** Constants from roast-physics.md §1–§4 where it gives them; the drum's split and the probe are set to reproduce the §2.4 figures. */
export const layeredBulletR1Params: LayeredParams = {
  ambientC: 25,
  heaterMaxW: 1550,
  // Set with the shell-to-bed contact so the median schedule gives TP 68 s, RoR peak 21 °C/min at 2:45,
  // first crack (186 °C on the probe) at 6:40 — §2.4's medians are 60 s, 22 at 2:30–3:00 and ~7:00.
  heaterEfficiency: 0.93,
  shellHeatCapacity: 1400,
  frameHeatCapacity: 2600,
  shellToFrame: 9,
  frameLoss: 0.4,
  airHeatCapacity: 40,
  shellToAir: 4.0,
  airflow: { base: 2.0e-3, perStep: 1.2e-3 },
  airCp: 1005,
  shellToBeans400g: 6.0,
  airToBeans400g: 2.0,
  beanKg: 0.15e-3,
  beanRadiusM: 3.25e-3,
  // Bustos-Vanegas et al. (§1.7).
  beanConductivity: 0.11,
  solidCp: { a: 1099, b: 7.0 },
  waterCp: 5000,
  drying: { k: 4.32e9, activationK: 9889 },
  latentHeat: 2.4e6,
  greenMoisture: 0.11,
  exotherm: { heat: 120e3, rate: 0.004, onsetC: 170, widthC: 6 },
  crack: { atC: 192, moisture: 0.008, tauS: 40 },
  probeBeanShare: 0.95,
  probeTau: 65,
  probeEmptyShare: (159 - 25) / (239 - 25),
  topLevel: { heater: 9, drum: 9 },
  noiseC: 0.2,
};

const shells = 3;

export type LayeredBeans = {
  readonly greenKg: number;
  readonly dryKg: number;
  /** Surface, middle, core, °C. */
  readonly tempC: readonly number[];
  /** kg water per kg dry solid, per shell. */
  readonly moisture: readonly number[];
  readonly extent: number;
  /** Seconds since the core reached first crack; undefined before. */
  readonly crackS: number | undefined;
};

export type LayeredState = {
  readonly params: LayeredParams;
  readonly time: number;
  readonly shellC: number;
  readonly frameC: number;
  readonly airC: number;
  readonly probeC: number;
  readonly beans: LayeredBeans | null;
  readonly seed: number;
  readonly noise: { readonly probe: number; readonly exhaust: number };
};

/** An empty drum settled at `drumC`, the frame a little cooler than the shell, as after a preheat. */
export function layeredEmptyDrum(
  params: LayeredParams,
  init: { readonly drumC: number; readonly seed: number },
): LayeredState {
  const frameC = params.ambientC + 0.9 * (init.drumC - params.ambientC);
  return {
    params,
    time: 0,
    shellC: init.drumC,
    frameC,
    airC: (init.drumC + params.ambientC) / 2,
    probeC: params.ambientC + params.probeEmptyShare * (init.drumC - params.ambientC),
    beans: null,
    seed: init.seed >>> 0,
    noise: { probe: 0, exhaust: 0 },
  };
}

export function layeredCharge(
  state: LayeredState,
  batch: { readonly grams: number; readonly moisture?: number },
): LayeredState {
  if (state.beans !== null) throw new Error('the drum already holds beans');
  if (!(batch.grams > 0)) throw new RangeError(`batch of ${batch.grams} g`);
  const moisture = batch.moisture ?? state.params.greenMoisture;
  const greenKg = batch.grams / 1000;
  const beans: LayeredBeans = {
    greenKg,
    dryKg: greenKg / (1 + moisture),
    tempC: Array(shells).fill(state.params.ambientC),
    moisture: Array(shells).fill(moisture),
    extent: 0,
    crackS: undefined,
  };
  return { ...state, beans };
}

export function layeredDrop(state: LayeredState): LayeredState {
  return { ...state, beans: null };
}

/** Bean probe (the IBTS-like channel a profile is written on) and exhaust air, °C, with noise, 0.1 °C. */
export function layeredRead(state: LayeredState): { readonly beanProbe: number; readonly exhaust: number } {
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    beanProbe: round(state.probeC + state.noise.probe),
    exhaust: round(state.airC + state.noise.exhaust),
  };
}

/** Mean bean temperature, °C (mass-weighted: the shells have equal volume). */
export function layeredBeanC(state: LayeredState): number | undefined {
  return state.beans === null ? undefined : state.beans.tempC.reduce((a, b) => a + b, 0) / shells;
}

const maxSubstep = 0.25;
const kelvin = 273.15;

export function layeredStep(state: LayeredState, controls: Controls, dt: number): LayeredState {
  if (!(dt > 0 && Number.isFinite(dt))) throw new RangeError(`dt ${dt} s`);
  const substeps = Math.ceil(dt / maxSubstep);
  let s = state;
  for (let i = 0; i < substeps; i++) s = euler(s, controls, dt / substeps);
  const probe = normal(s.seed);
  const exhaust = normal(probe.seed);
  const sd = s.params.noiseC;
  return {
    ...s,
    time: state.time + dt,
    seed: exhaust.seed,
    noise: { probe: sd * probe.value, exhaust: sd * exhaust.value },
  };
}

/**
 * Conductance between neighbouring shells of all beans, W/K: a spherical shell between the node radii
 * conducts 4πk·r₁r₂/(r₂ − r₁), times the number of beans.
 */
function shellConductances(params: LayeredParams, greenKg: number): readonly number[] {
  const r = params.beanRadiusM;
  // Node radii at the middle of three equal-volume shells.
  const bounds = [0, r * (1 / 3) ** (1 / 3), r * (2 / 3) ** (1 / 3), r];
  const nodes = [0, 1, 2].map((i) => (bounds[3 - i]! + bounds[2 - i]!) / 2);
  const beans = greenKg / params.beanKg;
  return [0, 1].map((i) => {
    const outer = nodes[i]!;
    const inner = nodes[i + 1]!;
    return (beans * 4 * Math.PI * params.beanConductivity * outer * inner) / (outer - inner);
  });
}

// Explicit Euler on small substeps: the air store (τ of a few seconds) is the fastest.
function euler(state: LayeredState, controls: Controls, h: number): LayeredState {
  const p = state.params;
  const fanGain = 1 + 0.08 * (controls.fan - 1);
  const exhaustG = (p.airflow.base + p.airflow.perStep * (controls.fan - 1)) * p.airCp;
  const shellToAir = p.shellToAir * fanGain;
  const heatW = (p.heaterEfficiency * p.heaterMaxW * controls.heater) / p.topLevel.heater;
  const shellToFrameW = p.shellToFrame * (state.shellC - state.frameC);
  const frameLossW = p.frameLoss * (state.frameC - p.ambientC);
  const shellToAirW = shellToAir * (state.shellC - state.airC);
  const beans = state.beans;
  if (beans === null) {
    const probeTarget = p.ambientC + p.probeEmptyShare * (state.shellC - p.ambientC);
    return {
      ...state,
      shellC: state.shellC + (h * (heatW - shellToFrameW - shellToAirW)) / p.shellHeatCapacity,
      frameC: state.frameC + (h * (shellToFrameW - frameLossW)) / p.frameHeatCapacity,
      airC: state.airC + (h * (shellToAirW - exhaustG * (state.airC - p.ambientC))) / p.airHeatCapacity,
      probeC: state.probeC + (h * (probeTarget - state.probeC)) / p.probeTau,
    };
  }
  const massRatio = beans.greenKg / 0.4;
  const contact = p.shellToBeans400g * massRatio ** 0.67 * (0.5 + (0.5 * controls.drum) / p.topLevel.drum);
  const airToBeans = p.airToBeans400g * massRatio * fanGain;
  const [surface, middle, core] = beans.tempC as [number, number, number];
  const [g01, g12] = shellConductances(p, beans.greenKg) as [number, number];
  const shellToBeansW = contact * (state.shellC - surface);
  const airToBeansW = airToBeans * (state.airC - surface);
  const crackRate =
    beans.crackS === undefined
      ? 0
      : (p.crack.moisture / p.crack.tauS) * Math.exp(-beans.crackS / p.crack.tauS);
  const dryPerShell = beans.dryKg / shells;
  const next = beans.tempC.map((tempC, i) => {
    const x = beans.moisture[i]!;
    const dX =
      (-p.drying.k * x * x * Math.exp(-p.drying.activationK / (tempC + kelvin))) /
      (2 * p.beanRadiusM * 1000) ** 2;
    const crack = i === 2 ? -crackRate * shells : 0;
    const exo =
      (p.exotherm.rate * (1 - beans.extent)) /
      (1 + Math.exp(-(tempC - p.exotherm.onsetC) / p.exotherm.widthC));
    const inW =
      (i === 0 ? shellToBeansW + airToBeansW - g01 * (surface - middle) : 0) +
      (i === 1 ? g01 * (surface - middle) - g12 * (middle - core) : 0) +
      (i === 2 ? g12 * (middle - core) : 0) +
      dryPerShell * (p.latentHeat * (dX + crack) + p.exotherm.heat * exo);
    const capacity = dryPerShell * (p.solidCp.a + p.solidCp.b * tempC + p.waterCp * x);
    return { tempC: tempC + (h * inW) / capacity, moisture: Math.max(0, x + h * (dX + crack)), exo };
  });
  const meanExo = next.reduce((sum, n) => sum + n.exo, 0) / shells;
  const crackS = beans.crackS !== undefined ? beans.crackS + h : core >= p.crack.atC ? 0 : undefined;
  const meanBeanC = (surface + middle + core) / shells;
  const probeTarget = p.probeBeanShare * meanBeanC + (1 - p.probeBeanShare) * state.airC;
  return {
    ...state,
    shellC: state.shellC + (h * (heatW - shellToFrameW - shellToAirW - shellToBeansW)) / p.shellHeatCapacity,
    frameC: state.frameC + (h * (shellToFrameW - frameLossW)) / p.frameHeatCapacity,
    airC:
      state.airC +
      (h * (shellToAirW - airToBeansW - exhaustG * (state.airC - p.ambientC))) / p.airHeatCapacity,
    probeC: state.probeC + (h * (probeTarget - state.probeC)) / p.probeTau,
    beans: {
      ...beans,
      tempC: next.map((n) => n.tempC),
      moisture: next.map((n) => n.moisture),
      extent: Math.min(1, beans.extent + h * meanExo),
      crackS,
    },
  };
}
