import { z } from 'zod';

/** Kinds of machine a Roaster can stand for. */
export const RoasterModel = z.enum(['AillioBulletR1', 'AillioBulletR1V2', 'Simulated', 'Replay']);
export type RoasterModel = z.infer<typeof RoasterModel>;

/** States the roaster itself reports (the R1's state codes); the Roaster phase adds Disconnected and Fault. */
export const DeviceState = z.enum(['Off', 'Preheating', 'ReadyToCharge', 'Roasting', 'Cooling', 'Shutdown']);
export type DeviceState = z.infer<typeof DeviceState>;

/** Controls that take an absolute level. */
export const Actuator = z.enum(['heater', 'fan', 'drum']);
export type Actuator = z.infer<typeof Actuator>;

/** Commands that press the roaster's PRS button, each valid in one state. */
export const Press = z.enum(['Preheat', 'Charge', 'Drop', 'Cool']);
export type Press = z.infer<typeof Press>;

export interface LevelRange {
  readonly min: number;
  readonly max: number;
}

export interface PressTransition {
  readonly from: DeviceState;
  readonly to: DeviceState;
}

export interface ModelFacts {
  /** A machine on USB rather than software. */
  readonly physical: boolean;
  /**
   * Its device reports a serial a Roaster's binding may name: every R1, and the simulated one (so several
   * can share a node); a replay plays someone else's recording and is no device of its own.
   */
  readonly serial: boolean;
  /** USB ids the edge agent requires before it talks to a device as this model. */
  readonly usb?: { readonly vendorId: number; readonly productId: number };
  readonly ranges: Readonly<Record<Actuator, LevelRange>>;
  readonly presses: Readonly<Record<Press, PressTransition>>;
}

// Artisan's R1 driver clamps to these; the R2's heater goes to 14 but the R2 is not supported.
const r1Ranges: ModelFacts['ranges'] = {
  heater: { min: 0, max: 9 },
  fan: { min: 1, max: 12 },
  drum: { min: 1, max: 9 },
};

// The R1 steps CHARGE → ROASTING → COOLING → SHUTDOWN on PRS; from OFF a press starts preheating.
const r1Presses: ModelFacts['presses'] = {
  Preheat: { from: 'Off', to: 'Preheating' },
  Charge: { from: 'ReadyToCharge', to: 'Roasting' },
  Drop: { from: 'Roasting', to: 'Cooling' },
  Cool: { from: 'Cooling', to: 'Shutdown' },
};

const stMicroVendorId = 0x0483;

/** What each model accepts. The simulator and replayed recordings speak the R1's protocol byte for byte. */
export const modelFacts: Readonly<Record<RoasterModel, ModelFacts>> = {
  AillioBulletR1: {
    physical: true,
    serial: true,
    usb: { vendorId: stMicroVendorId, productId: 0x5741 },
    ranges: r1Ranges,
    presses: r1Presses,
  },
  AillioBulletR1V2: {
    physical: true,
    serial: true,
    usb: { vendorId: stMicroVendorId, productId: 0xa27e },
    ranges: r1Ranges,
    presses: r1Presses,
  },
  Simulated: { physical: false, serial: true, ranges: r1Ranges, presses: r1Presses },
  Replay: { physical: false, serial: false, ranges: r1Ranges, presses: r1Presses },
};

/** The state byte of an R1 status block, by value. */
export const r1StateCodes: ReadonlyMap<number, DeviceState> = new Map([
  [0x00, 'Off'],
  [0x02, 'Preheating'],
  [0x04, 'ReadyToCharge'],
  [0x06, 'Roasting'],
  [0x08, 'Cooling'],
  [0x09, 'Shutdown'],
]);

export const physicalModels: readonly RoasterModel[] = RoasterModel.options.filter(
  (m) => modelFacts[m].physical,
);

/** The models whose binding may name a device serial. */
export const serialModels: readonly RoasterModel[] = RoasterModel.options.filter((m) => modelFacts[m].serial);

/** The smallest range that holds every model's range: what admission can check without knowing the model. */
export function anyModelRange(actuator: Actuator): LevelRange {
  const ranges = RoasterModel.options.map((m) => modelFacts[m].ranges[actuator]);
  return { min: Math.min(...ranges.map((r) => r.min)), max: Math.max(...ranges.map((r) => r.max)) };
}

/** States some model accepts the press in. */
export function anyModelFromStates(press: Press): DeviceState[] {
  return [...new Set(RoasterModel.options.map((m) => modelFacts[m].presses[press].from))];
}
