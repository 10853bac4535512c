import { type LevelRange, R1Ranges, type R1StateName } from '@roast-operator/r1';
import { type SafetyLimits, stateNames } from './limits.ts';
import { plausibility } from './plausibility.ts';

// The edge-local safety configuration: a JSON file on the host or in a ConfigMap. Everything is optional;
// what is left out takes the defaults below. It is read at start, and an invalid file stops the agent:
// running with silently defaulted limits would hide the mistake. Checked by hand rather than with a
// schema library: the agent runs on small nodes, and the library would cost it about 17 MB of memory.

export type RiseRateAlarm = {
  /** Above this rate of rise of max(BT, IBTS), °C/min, the edge goes to the safe state. */
  readonly maxCPerMin: number;
  /** The alarm only looks above this temperature: the bean channels rise fast just after a charge. */
  readonly aboveC: number;
  /** Seconds of readings the rate is fitted over. */
  readonly windowSeconds: number;
};

export type SafetyConfig = {
  readonly limits: SafetyLimits;
  readonly riseRate: RiseRateAlarm;
  /** No trusted reading for this long while heating → safe state. */
  readonly staleSeconds: number;
  /** Link silent this long while heating → safe state. Real seconds: never scaled for faster tests. */
  readonly linkTimeoutSeconds: number;
  /** The fan level of the safe state; a higher current level is kept. */
  readonly safeFan: number;
};

/**
 * Defaults. Ceilings: the drum of a preheated R1 reads 239 °C on the fast channel; dark roasts drop around
 * 240 °C; the drum is hottest just after a drop, when the fast channel reads the empty drum.
 */
export const defaultSafetyConfig: SafetyConfig = {
  limits: {
    levels: R1Ranges,
    ceilingsC: { off: 320, preheating: 320, charge: 320, roasting: 260, cooling: 300, shutdown: 320 },
    exhaustCeilingC: 280,
  },
  riseRate: { maxCPerMin: 40, aboveC: 150, windowSeconds: 30 },
  staleSeconds: 5,
  linkTimeoutSeconds: 60,
  safeFan: R1Ranges.fan.max,
};

type Check = (value: unknown, path: string, problems: string[]) => void;

function numberIn(min: number, max: number, integer = false): Check {
  return (value, path, problems) => {
    const ok =
      typeof value === 'number' && value >= min && value <= max && (!integer || Number.isInteger(value));
    if (!ok)
      problems.push(
        `${path}: ${integer ? 'a whole number' : 'a number'} in ${min}–${max}, not ${JSON.stringify(value)}`,
      );
  };
}

function object(
  fields: Readonly<Record<string, Check>>,
  refine?: (value: Record<string, unknown>) => string | undefined,
): Check {
  return (value, path, problems) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${path || 'the document'}: an object, not ${JSON.stringify(value)}`);
      return;
    }
    for (const [key, field] of Object.entries(value)) {
      const check = Object.hasOwn(fields, key) ? fields[key] : undefined;
      if (check === undefined) problems.push(`${path}${path ? '.' : ''}${key}: not a setting`);
      else if (field !== undefined) check(field, `${path}${path ? '.' : ''}${key}`, problems);
    }
    const refined = refine?.(value as Record<string, unknown>);
    if (refined !== undefined) problems.push(`${path}: ${refined}`);
  };
}

function levelRange(control: keyof typeof R1Ranges): Check {
  const { min, max } = R1Ranges[control];
  const bound = numberIn(min, max, true);
  return object({ min: bound, max: bound }, (r) =>
    typeof r.min === 'number' && typeof r.max === 'number' && r.min > r.max
      ? 'min must not exceed max'
      : undefined,
  );
}

const ceiling = numberIn(50, plausibility.maxC);

const document = object({
  heater: levelRange('heater'),
  fan: levelRange('fan'),
  drum: levelRange('drum'),
  ceilingsC: object(Object.fromEntries(stateNames.map((state) => [state, ceiling]))),
  exhaustCeilingC: ceiling,
  riseRate: object({
    maxCPerMin: numberIn(1, 1000),
    aboveC: numberIn(0, plausibility.maxC),
    windowSeconds: numberIn(5, 120),
  }),
  staleSeconds: numberIn(1, 60),
  linkTimeoutSeconds: numberIn(1, 3600),
  safeFan: numberIn(R1Ranges.fan.min, R1Ranges.fan.max, true),
});

/** The document's shape once checked; a range given must be whole (min and max). */
type Given = {
  heater?: LevelRange;
  fan?: LevelRange;
  drum?: LevelRange;
  ceilingsC?: Partial<Record<R1StateName, number>>;
  exhaustCeilingC?: number;
  riseRate?: Partial<RiseRateAlarm>;
  staleSeconds?: number;
  linkTimeoutSeconds?: number;
  safeFan?: number;
};

/** The configuration a parsed JSON document describes. Throws with every problem listed. */
export function safetyConfig(input: unknown): SafetyConfig {
  const problems: string[] = [];
  document(input, '', problems);
  for (const control of ['heater', 'fan', 'drum'] as const) {
    const range = (input as Given | null)?.[control];
    if (range !== undefined && (range.min === undefined || range.max === undefined)) {
      problems.push(`${control}: needs both min and max`);
    }
  }
  if (problems.length > 0) throw new Error(`invalid edge safety configuration: ${problems.join('; ')}`);
  const given = input as Given;
  const defaults = defaultSafetyConfig;
  return {
    limits: {
      levels: {
        heater: given.heater ?? defaults.limits.levels.heater,
        fan: given.fan ?? defaults.limits.levels.fan,
        drum: given.drum ?? defaults.limits.levels.drum,
      },
      ceilingsC: { ...defaults.limits.ceilingsC, ...definedOnly(given.ceilingsC ?? {}) },
      exhaustCeilingC: given.exhaustCeilingC ?? defaults.limits.exhaustCeilingC,
    },
    riseRate: { ...defaults.riseRate, ...definedOnly(given.riseRate ?? {}) },
    staleSeconds: given.staleSeconds ?? defaults.staleSeconds,
    linkTimeoutSeconds: given.linkTimeoutSeconds ?? defaults.linkTimeoutSeconds,
    safeFan: given.safeFan ?? defaults.safeFan,
  };
}

function definedOnly<T extends object>(value: T): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<{
    [K in keyof T]: Exclude<T[K], undefined>;
  }>;
}
