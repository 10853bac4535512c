import type { Clock } from '@roast-operator/clock';
import {
  type R1Command,
  type R1Control,
  R1Ranges,
  R1State,
  type R1StateName,
  type R1Status1,
  type R1Status2,
} from '@roast-operator/r1';
import {
  bulletR1Params,
  type Controls,
  type Plant,
  type PlantModel,
  plant,
  type Readings,
} from '@roast-operator/thermal';
import { prsTransitions } from '../presses.ts';

// The roaster behind the simulated R1: the R1's state machine, its control semantics and a thermal plant
// (the lumped model unless told the layered one), advanced in fixed 100 ms ticks of the clock it is given, so the same commands at the same
// times give the same roast on every run. Control semantics (roast-physics §4.6): heater and fan move one
// step per command after a short delay, the drum is set absolutely; the roaster holds the preheat
// temperature itself while preheating and waiting for a charge, whatever the heater level says.

export type SimStart = 'off' | 'charge' | 'roasting';

export type SimRoasterOptions = {
  readonly seed: number;
  /** The preheat temperature set on the roaster's panel, °C (the R1 has no command for it). */
  readonly preheatC: number;
  /** Green beans loaded when PRS is pressed in the charge state, g. */
  readonly batchGrams: number;
  /** How long the roaster takes to act on a command. */
  readonly commandDelayMs: number;
  /** How long the shutdown state runs the fan before the roaster is off. */
  readonly shutdownSeconds: number;
  /** `charge` starts preheated and settled; `roasting` has just been charged (to test a found roast). */
  readonly start: SimStart;
  readonly levels: Readonly<Record<R1Control, number>>;
  readonly plant: PlantModel;
};

export const defaultSimRoasterOptions: SimRoasterOptions = {
  seed: 1,
  // The preheat reading of the public Bullet logs the thermal model was fitted to (roast-physics §4.2).
  preheatC: 239,
  batchGrams: 400,
  commandDelayMs: 150,
  shutdownSeconds: 120,
  start: 'off',
  levels: { heater: 0, fan: 1, drum: 1 },
  plant: { kind: 'lumped', params: bulletR1Params },
};

export type SensorChannel = 'bt' | 'ibts' | 'exhaust';

const tickMs = 100;
/** The R1 cools with its fan at full speed. */
const coolingFan = R1Ranges.fan.max;
/** States in which the heater does not run and heater steps are ignored. */
const heaterOff: ReadonlySet<R1StateName> = new Set(['off', 'cooling', 'shutdown']);

export class SimRoaster {
  readonly #clock: Clock;
  readonly #options: SimRoasterOptions;
  readonly #origin: number;
  #ticks = 0;
  readonly #plant: Plant;
  #state: R1StateName;
  #stateSinceTick = 0;
  #chargedAtTick: number | undefined;
  #levels: Record<R1Control, number>;
  #preheatC: number;
  #batchGrams: number;
  /** The batch counter of info 2: a roaster with some history. */
  #roastCount = 41;
  /** Commands waiting for the roaster to act on them, by the tick they take effect. */
  #queued: { tick: number; command: R1Command }[] = [];
  /** The fast channel once a second, for the roaster's own rate of rise (bytes 4–7). */
  #btHistory: number[] = [];
  readonly #sensorOverrides = new Map<SensorChannel, number>();

  constructor(clock: Clock, options: Partial<SimRoasterOptions> = {}) {
    this.#clock = clock;
    this.#options = { ...defaultSimRoasterOptions, ...options };
    this.#origin = clock.now();
    const { preheatC, seed, start, levels, batchGrams } = this.#options;
    this.#levels = { ...levels };
    this.#preheatC = preheatC;
    this.#batchGrams = batchGrams;
    const controls = { heater: 0, fan: levels.fan, drum: levels.drum };
    const drumC = start === 'off' ? this.#options.plant.params.ambientC : preheatC;
    this.#plant = plant(this.#options.plant, { drumC, controls, seed });
    this.#state = start;
    if (start === 'roasting') this.#charge();
  }

  /** The state code and levels the roaster would report now. */
  get state(): R1StateName {
    this.#advance();
    return this.#state;
  }

  get levels(): Readonly<Record<R1Control, number>> {
    this.#advance();
    return { ...this.#levels };
  }

  /** Seconds of roaster time since the beans went in, while there are beans or they cool. */
  get roastSeconds(): number | undefined {
    this.#advance();
    return this.#chargedAtTick === undefined
      ? undefined
      : ((this.#ticks - this.#chargedAtTick) * tickMs) / 1000;
  }

  get roastCount(): number {
    return this.#roastCount;
  }

  /** Takes a command the way the roaster does: after its delay, and only where the roaster accepts it. */
  accept(command: R1Command): void {
    this.#advance();
    this.#queued.push({ tick: this.#ticks + Math.ceil(this.#options.commandDelayMs / tickMs), command });
  }

  /** Sets the panel's preheat temperature. */
  setPreheat(celsius: number): void {
    this.#advance();
    this.#preheatC = celsius;
  }

  /** Sets the batch loaded at the next charge. */
  setBatch(grams: number): void {
    this.#batchGrams = grams;
  }

  /** Makes a sensor report `value` (−1, NaN, a spike) until cleared with undefined. */
  overrideSensor(channel: SensorChannel, value: number | undefined): void {
    if (value === undefined) this.#sensorOverrides.delete(channel);
    else this.#sensorOverrides.set(channel, value);
  }

  /** Block 1 as the roaster would answer it now. */
  status1(): R1Status1 {
    this.#advance();
    const r = this.#plant.read();
    const bt = this.#sensor('bt', r.beanFast);
    const clock = Math.min(Math.floor(this.roastSeconds ?? 0), 255 * 60 + 59);
    const applied = this.#applied();
    return {
      bt,
      btRor: this.#btRor(),
      dt: this.#sensor('ibts', r.beanLagged),
      exitTemp: this.#sensor('exhaust', r.exhaust),
      clockMinutes: Math.floor(clock / 60),
      clockSeconds: clock % 60,
      fan: this.#levels.fan,
      heater: this.#levels.heater,
      drum: this.#levels.drum,
      state: R1State[this.#state],
      // Artisan's names for bytes 32–39 are swapped in its own debug output; what matters here is that
      // they carry plausible values: the drum seen by the IR sensor, and a warm control board.
      irt: r.drum,
      pcbt: 38,
      // Synthetic: no public R1 data gives fan RPM per level or the coil fan's unit.
      fanRpm: this.#state === 'off' ? 0 : 900 + 250 * applied.fan,
      voltage: 230,
      coilFan: applied.heater > 0 ? 3000 : 0,
    };
  }

  status2(): R1Status2 {
    this.#advance();
    return { coilFan2: this.#applied().heater > 0 ? 3000 : 0, preheatSetpoint: Math.round(this.#preheatC) };
  }

  /** What the model's sensors read, before any override: for tests that look at the physics. */
  readings(): Readings {
    this.#advance();
    return this.#plant.read();
  }

  #sensor(channel: SensorChannel, value: number): number {
    return this.#sensorOverrides.get(channel) ?? value;
  }

  #advance(): void {
    const due = Math.floor((this.#clock.now() - this.#origin) / tickMs);
    while (this.#ticks < due) this.#tick();
  }

  #tick(): void {
    this.#ticks++;
    const ready = this.#queued.filter((q) => q.tick <= this.#ticks);
    this.#queued = this.#queued.filter((q) => q.tick > this.#ticks);
    for (const { command } of ready) this.#act(command);
    this.#autoTransitions();
    this.#plant.step(this.#applied(), tickMs / 1000);
    if (this.#ticks % (1000 / tickMs) === 0) this.#recordBt();
  }

  #act(command: R1Command): void {
    switch (command.kind) {
      case 'prs':
        this.#press();
        return;
      case 'heater':
        if (!heaterOff.has(this.#state)) this.#nudge('heater', command.step);
        return;
      case 'fan':
        if (this.#state !== 'off') this.#nudge('fan', command.step);
        return;
      case 'drum':
        // The roaster ignores a drum level it does not have.
        if (
          this.#state !== 'off' &&
          command.level >= R1Ranges.drum.min &&
          command.level <= R1Ranges.drum.max
        ) {
          this.#levels.drum = command.level;
        }
        return;
      default:
        // Status and info requests are answered by the device, not acted on.
        return;
    }
  }

  #nudge(control: 'heater' | 'fan', by: 1 | -1): void {
    const { min, max } = R1Ranges[control];
    this.#levels[control] = Math.min(max, Math.max(min, this.#levels[control] + by));
  }

  #press(): void {
    // Like the R2's PRS sequence, a press while preheating skips to waiting for the charge.
    const next = this.#state === 'preheating' ? 'charge' : prsTransitions[this.#state];
    if (next === undefined) return;
    if (next === 'roasting') this.#charge();
    if (next === 'cooling') this.#drop();
    this.#enter(next);
  }

  #autoTransitions(): void {
    if (this.#state === 'preheating' && this.#plant.drumC >= this.#preheatC) this.#enter('charge');
    const inState = ((this.#ticks - this.#stateSinceTick) * tickMs) / 1000;
    if (this.#state === 'shutdown' && inState >= this.#options.shutdownSeconds) {
      this.#chargedAtTick = undefined;
      this.#enter('off');
    }
  }

  #enter(state: R1StateName): void {
    this.#state = state;
    this.#stateSinceTick = this.#ticks;
    if (heaterOff.has(state)) this.#levels.heater = 0;
    if (state === 'cooling' || state === 'shutdown') this.#levels.fan = coolingFan;
  }

  #charge(): void {
    this.#plant.charge({ grams: this.#batchGrams });
    this.#chargedAtTick = this.#ticks;
    this.#roastCount++;
  }

  /** The beans leave the drum for the cooling tray; the bean channels then read the empty drum. */
  #drop(): void {
    this.#plant.drop();
  }

  /** What actually drives the model: the preheat thermostat, the roaster's own cooling, or the levels. */
  #applied(): Controls {
    const { fan, drum } = this.#levels;
    switch (this.#state) {
      case 'off':
        return { heater: 0, fan: R1Ranges.fan.min, drum: R1Ranges.drum.min };
      case 'preheating':
      case 'charge':
        // Full power below the setpoint, none above: at 10 Hz the drum stays within a few hundredths.
        return { heater: this.#plant.drumC < this.#preheatC ? R1Ranges.heater.max : 0, fan, drum };
      case 'roasting':
        return { ...this.#levels };
      default:
        return { heater: 0, fan, drum };
    }
  }

  #recordBt(): void {
    this.#btHistory.push(this.#plant.read().beanFast);
    if (this.#btHistory.length > rorSpanSeconds + 1) this.#btHistory.shift();
  }

  /** The roaster's own BT rate of rise, °C/min, over the last 30 s. */
  #btRor(): number {
    const history = this.#btHistory;
    if (history.length < 2) return 0;
    const span = history.length - 1;
    return (60 * (history[span]! - history[0]!)) / span;
  }
}

const rorSpanSeconds = 30;
