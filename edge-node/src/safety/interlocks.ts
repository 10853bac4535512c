import type { R1StateName } from '@roast-operator/r1';
import type { SafetyConfig } from './config.ts';
import { ceilingFor } from './limits.ts';
import type { Temperatures } from './plausibility.ts';

// The interlock conditions, as one pure function of what the agent observed. Each active condition takes
// the roaster to the safe state and latches; the latch clears only by a reset once the condition is gone.

export const interlockCauses = [
  'over-temperature',
  'exhaust-over-temperature',
  'rise-rate',
  'stale-readings',
  'implausible-readings',
  'link-lost',
  'found-roasting',
] as const;

export type InterlockCause = (typeof interlockCauses)[number];

export type Condition = { readonly cause: InterlockCause; readonly detail: string };

export type Observation = {
  readonly now: number;
  /** State and heater level of the last valid block; undefined before the first one. */
  readonly state: R1StateName | undefined;
  readonly heater: number | undefined;
  /** The last believable reading. */
  readonly trusted: Temperatures | undefined;
  /** Why the newest valid block was not believable, when it was not. */
  readonly latestIssue: string | undefined;
  /** When watching began (device connected): staleness counts from here until a reading arrives. */
  readonly watchingSince: number;
  /** Rate of rise of max(BT, IBTS) over the alarm's window, °C/min, when there are enough readings. */
  readonly riseCPerMin: number | undefined;
  readonly linkDownSince: number | undefined;
  /** The first block after start showed a roast that no session accounts for, and it still does. */
  readonly roastingWithoutSession: boolean;
  /**
   * Causes already latched. Heating decides whether a condition trips; once it has, it lasts while its
   * own fault does — a stale link or sensor is not fixed by the heater going off.
   */
  readonly latched: ReadonlySet<InterlockCause>;
};

/**
 * Whether the roaster is adding heat: it heats itself while preheating and holding for a charge, and
 * otherwise whenever its heater level is above 0. Before any block, it may be: assume so.
 */
export function isHeating(state: R1StateName | undefined, heater: number | undefined): boolean {
  if (state === undefined || heater === undefined) return true;
  return selfHeating(state) || heater > 0;
}

/** The states in which the R1's own thermostat heats, toward its preheat setpoint, whatever the heater level. */
export function selfHeating(state: R1StateName | undefined): boolean {
  return state === 'preheating' || state === 'charge';
}

export function activeConditions(o: Observation, config: SafetyConfig): Condition[] {
  const heating = isHeating(o.state, o.heater);
  const gated = (cause: InterlockCause) => heating || o.latched.has(cause);
  // Staleness counts from the last believable reading, or from when watching began until there is one.
  const silentSince = o.trusted?.at ?? o.watchingSince;
  const fresh = o.now - silentSince < config.staleSeconds * 1000;
  const stale = fresh ? undefined : staleness(o, silentSince);
  const silentMs = o.linkDownSince === undefined ? 0 : o.now - o.linkDownSince;
  return [
    ...(fresh && o.trusted ? temperatureConditions(o, o.trusted, config, gated('rise-rate')) : []),
    ...(stale && gated(stale.cause) ? [stale] : []),
    ...(silentMs >= config.linkTimeoutSeconds * 1000 && gated('link-lost')
      ? [{ cause: 'link-lost' as const, detail: `no link for ${Math.round(silentMs / 1000)} s` }]
      : []),
    ...(o.roastingWithoutSession
      ? [{ cause: 'found-roasting' as const, detail: 'roasting at start with no session to account for it' }]
      : []),
  ];
}

function temperatureConditions(
  o: Observation,
  reading: Temperatures,
  config: SafetyConfig,
  watchRise: boolean,
): Condition[] {
  const { limits, riseRate } = config;
  const bean = Math.max(reading.bt, reading.ibts);
  const ceiling = ceilingFor(limits, o.state);
  const found: Condition[] = [];
  if (bean > ceiling) {
    found.push({
      cause: 'over-temperature',
      detail: `max(BT, IBTS) ${bean.toFixed(1)} °C is above the ${o.state ?? 'unknown-state'} ceiling ${ceiling} °C`,
    });
  }
  if (reading.exhaust > limits.exhaustCeilingC) {
    found.push({
      cause: 'exhaust-over-temperature',
      detail: `exhaust ${reading.exhaust.toFixed(1)} °C is above the ceiling ${limits.exhaustCeilingC} °C`,
    });
  }
  const rise = o.riseCPerMin;
  if (watchRise && rise !== undefined && bean >= riseRate.aboveC && rise > riseRate.maxCPerMin) {
    found.push({
      cause: 'rise-rate',
      detail: `rising ${rise.toFixed(1)} °C/min at ${bean.toFixed(1)} °C, above ${riseRate.maxCPerMin} °C/min`,
    });
  }
  return found;
}

function staleness(o: Observation, since: number): Condition {
  const seconds = Math.round((o.now - since) / 1000);
  return o.latestIssue !== undefined
    ? { cause: 'implausible-readings', detail: `no believable reading for ${seconds} s: ${o.latestIssue}` }
    : { cause: 'stale-readings', detail: `no valid status block for ${seconds} s while heating` };
}

/** Least-squares slope of `points` in °C/min; undefined for fewer than two distinct times. */
export function riseRate(
  points: readonly { readonly at: number; readonly value: number }[],
): number | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  // Centred on the mean time so epoch milliseconds lose no precision.
  const meanT = points.reduce((sum, p) => sum + p.at, 0) / n;
  const meanV = points.reduce((sum, p) => sum + p.value, 0) / n;
  let stt = 0;
  let stv = 0;
  for (const p of points) {
    stt += (p.at - meanT) ** 2;
    stv += (p.at - meanT) * (p.value - meanV);
  }
  return stt > 0 ? (stv / stt) * 60_000 : undefined;
}

/**
 * The rise-rate alarm's window: max(BT, IBTS) of the believable readings over the last `windowSeconds`, on
 * the device's time base — a roaster simulated faster than real time rises no faster for it.
 */
export class RiseWindow {
  readonly #windowMs: number;
  #points: { at: number; value: number }[] = [];

  constructor(windowSeconds: number) {
    this.#windowMs = windowSeconds * 1000;
  }

  add(at: number, value: number): void {
    this.#points.push({ at, value });
    const from = at - this.#windowMs;
    while ((this.#points[0]?.at ?? from) < from) this.#points.shift();
  }

  /** °C/min, once the points span most of the window: a rate fitted to a few noisy readings is noise. */
  rate(): number | undefined {
    const span = (this.#points.at(-1)?.at ?? 0) - (this.#points[0]?.at ?? 0);
    return span >= this.#windowMs * 0.8 ? riseRate(this.#points) : undefined;
  }
}
