import { type LevelRange, type R1Control, R1Ranges, R1State, type R1StateName } from '@roast-operator/r1';

// Limits the edge enforces on its own. The local ceiling (a host file or ConfigMap) sits inside the
// model's ranges; limits the gateway pushes are intersected with it, so they can only tighten: a pushed
// value looser than the local one is ignored and reported, never applied.

export type StateCeilings = Readonly<Record<R1StateName, number>>;

export type SafetyLimits = {
  /** Ranges a level command must fall in. The safe state itself (heater 0, fan up) is exempt. */
  readonly levels: Readonly<Record<R1Control, LevelRange>>;
  /** Highest max(BT, IBTS) per roaster state, °C. */
  readonly ceilingsC: StateCeilings;
  /** Highest exhaust (exit air) temperature in any state, °C. */
  readonly exhaustCeilingC: number;
};

/** The limits the gateway pushes: the Roaster's `spec.limits`, in its field names. */
export type PushedLimits = {
  readonly heater?: LevelRange;
  readonly fan?: LevelRange;
  readonly drum?: LevelRange;
  readonly temperatureCeilingsCelsius?: {
    readonly preheating?: number;
    readonly readyToCharge?: number;
    readonly roasting?: number;
    readonly cooling?: number;
  };
  /** The link's exhaust ceiling (proto `Limits.max_exhaust_temp`); the Roaster API has none yet. */
  readonly exhaustCeilingCelsius?: number;
};

/** The Roaster API's ceiling names for the R1 states they cover. */
const pushedCeilingStates = {
  preheating: 'preheating',
  readyToCharge: 'charge',
  roasting: 'roasting',
  cooling: 'cooling',
} as const satisfies Record<keyof NonNullable<PushedLimits['temperatureCeilingsCelsius']>, R1StateName>;

export const controls = Object.keys(R1Ranges) as R1Control[];

export type Tightened =
  | { readonly ok: true; readonly limits: SafetyLimits; readonly ignored: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** `local` narrowed by `pushed`; looser pushed values are listed in `ignored`. An empty range is refused. */
export function tighten(local: SafetyLimits, pushed: PushedLimits): Tightened {
  const ignored: string[] = [];
  const levels = { ...local.levels };
  for (const control of controls) {
    const range = pushed[control];
    if (range === undefined) continue;
    const own = local.levels[control];
    if (range.min < own.min) ignored.push(`${control}.min ${range.min} is below the local ${own.min}`);
    if (range.max > own.max) ignored.push(`${control}.max ${range.max} is above the local ${own.max}`);
    const narrowed = { min: Math.max(own.min, range.min), max: Math.min(own.max, range.max) };
    if (narrowed.min > narrowed.max) {
      return {
        ok: false,
        reason: `${control} ${range.min}–${range.max} leaves nothing inside the local ${own.min}–${own.max}`,
      };
    }
    levels[control] = narrowed;
  }
  const ceilingsC = { ...local.ceilingsC };
  for (const [name, state] of Object.entries(pushedCeilingStates)) {
    const ceiling = pushed.temperatureCeilingsCelsius?.[name as keyof typeof pushedCeilingStates];
    if (ceiling === undefined) continue;
    if (ceiling > local.ceilingsC[state]) {
      ignored.push(`${name} ceiling ${ceiling} °C is above the local ${local.ceilingsC[state]} °C`);
    }
    ceilingsC[state] = Math.min(ceiling, local.ceilingsC[state]);
  }
  const exhaust = pushed.exhaustCeilingCelsius ?? local.exhaustCeilingC;
  if (exhaust > local.exhaustCeilingC) {
    ignored.push(`exhaust ceiling ${exhaust} °C is above the local ${local.exhaustCeilingC} °C`);
  }
  const exhaustCeilingC = Math.min(exhaust, local.exhaustCeilingC);
  return { ok: true, limits: { ...local, levels, ceilingsC, exhaustCeilingC }, ignored };
}

/** Why a level target is refused, or undefined when it is inside the limits. */
export function levelRefusal(limits: SafetyLimits, control: R1Control, target: number): string | undefined {
  const { min, max } = limits.levels[control];
  if (!Number.isInteger(target)) return `${control} target ${target} is not a whole level`;
  if (target < min || target > max) return `${control} target ${target} is outside the limits ${min}–${max}`;
  return undefined;
}

/** The ceiling for a state; for a code the R1 driver does not know, the strictest of them all. */
export function ceilingFor(limits: SafetyLimits, state: R1StateName | undefined): number {
  return state === undefined ? Math.min(...Object.values(limits.ceilingsC)) : limits.ceilingsC[state];
}

export const stateNames = Object.keys(R1State) as R1StateName[];
