import {
  type LayeredParams,
  type LayeredState,
  layeredCharge,
  layeredDrop,
  layeredEmptyDrum,
  layeredStep,
} from './layered.ts';
import {
  type Controls,
  charge,
  drop,
  emptyDrum,
  type Readings,
  read,
  step,
  type ThermalState,
} from './model.ts';
import type { ThermalParams } from './params.ts';

// Either model behind the one face a simulated roaster drives: load beans, drop them, step, read the
// sensors, and the drum's temperature for its preheat thermostat.

/** Which model a plant runs, with its parameters. */
export type PlantModel =
  | { readonly kind: 'lumped'; readonly params: ThermalParams }
  | { readonly kind: 'layered'; readonly params: LayeredParams };

export interface Plant {
  readonly drumC: number;
  readonly ambientC: number;
  charge(batch: { readonly grams: number }): void;
  drop(): void;
  step(controls: Controls, dt: number): void;
  /** The sensors as the lumped model names them (see `Readings`). */
  read(): Readings;
}

/** A plant with an empty drum at `drumC`, settled. */
export function plant(
  model: PlantModel,
  init: { readonly drumC: number; readonly controls: Controls; readonly seed: number },
): Plant {
  return model.kind === 'lumped'
    ? lumped(emptyDrum(model.params, init))
    : layered(layeredEmptyDrum(model.params, init));
}

function lumped(initial: ThermalState): Plant {
  let state = initial;
  return {
    get drumC() {
      return state.drumC;
    },
    ambientC: initial.params.ambientC,
    charge: (batch) => {
      state = charge(state, batch);
    },
    drop: () => {
      state = drop(state);
    },
    step: (controls, dt) => {
      state = step(state, controls, dt);
    },
    read: () => read(state),
  };
}

function layered(initial: LayeredState): Plant {
  let state = initial;
  return {
    get drumC() {
      return state.shellC;
    },
    ambientC: initial.params.ambientC,
    charge: (batch) => {
      state = layeredCharge(state, batch);
    },
    drop: () => {
      state = layeredDrop(state);
    },
    step: (controls, dt) => {
      state = layeredStep(state, controls, dt);
    },
    read: () => layeredReadings(state),
  };
}

// What an IR-like fast channel sees besides the bed surface (the lumped model's sensor B share).
const fastDrumShare = 0.096;

/** The layered plant's sensors under the lumped model's names: the probe is the lagged channel. */
function layeredReadings(state: LayeredState): Readings {
  const round = (v: number) => Math.round(v * 10) / 10;
  const surface = state.beans?.tempC[0];
  const fast = surface === undefined ? state.shellC : surface + fastDrumShare * (state.shellC - surface);
  return {
    beanLagged: round(state.probeC + state.noise.probe),
    beanFast: round(fast + state.noise.probe),
    exhaust: round(state.airC + state.noise.exhaust),
    drum: round(state.shellC),
  };
}
