import { z } from 'zod';
import {
  type CelRule,
  conditions,
  freeText,
  ObjectName,
  observedGeneration,
  resource,
  textRules,
  validations,
} from './common.ts';
import { roastProfileNames } from './constants.ts';
import type { ResourceDefinition } from './crd.ts';
import { anyModelRange } from './models.ts';

/** How many points a reference curve holds: a 30-minute roast sampled every 2 s, or 17 minutes at 1 s. */
export const maxCurvePoints = 1024;
/** Control changes a recipe holds, in each of its two lists. */
export const maxRecipeSteps = 64;
/** The longest roast a profile describes, charge to drop (and the last curve point), in seconds. */
export const maxProfileSeconds = 3600;

// Temperatures a probe in a roaster reports (a cold drum to far past a dark roast), in °C.
const celsius = (what: string) => z.number().min(-50).max(500).describe(what);
const seconds = (what: string) => z.number().min(0).max(maxProfileSeconds).describe(what);

/** A list whose items increase strictly, checked in one pass (CEL's two-variable comprehension). */
const strictlyIncreasing = (list: string, field: string, message: string): CelRule => ({
  rule: `${list}.all(i, x, i == 0 || ${list}[i - 1]${field} < x${field})`,
  message,
});

const sameLength = (column: string): CelRule => ({
  rule: `!has(self.${column}) || size(self.${column}) == size(self.seconds)`,
  message: `curve.${column} must have one value per time in curve.seconds (the same number of entries)`,
  fieldPath: `.${column}`,
});

/** The target events, in the order a roast reaches them. */
export const targetOrder = ['turningPoint', 'dryEnd', 'firstCrack', 'drop'] as const;

const setsAControl = (list: string): CelRule => ({
  rule: 'has(self.heater) || has(self.fan) || has(self.drum)',
  message: `each step of ${list} sets at least one of heater, fan and drum`,
});

/** Per target event: a temperature tolerance needs the temperature it is around. */
export const toleranceRules = Object.fromEntries(
  targetOrder.map((event) => [
    event,
    {
      rule: '!has(self.toleranceCelsius) || has(self.beanCelsius)',
      message: `targets.${event}.toleranceCelsius needs targets.${event}.beanCelsius: a tolerance is around a temperature`,
      fieldPath: '.toleranceCelsius',
    },
  ]),
) as Record<(typeof targetOrder)[number], CelRule>;

export const profileRules = {
  curveTimes: strictlyIncreasing(
    'self',
    '',
    'curve.seconds must increase strictly: each time comes after the one before it (sort the points by time and drop repeated times)',
  ),
  beanColumn: {
    rule: 'size(self.beanCelsius) == size(self.seconds)',
    message: 'curve.beanCelsius must have one value per time in curve.seconds (the same number of entries)',
    fieldPath: '.beanCelsius',
  },
  environmentColumn: sameLength('environmentCelsius'),
  ibtsColumn: sameLength('ibtsCelsius'),
  rateOfRiseColumn: sameLength('rateOfRiseCelsiusPerMinute'),
  targetsInOrder: {
    rule: targetOrder
      .flatMap((a, i) =>
        targetOrder
          .slice(i + 1)
          .map((b) => `(!has(self.${a}) || !has(self.${b}) || self.${a}.seconds < self.${b}.seconds)`),
      )
      .join(' && '),
    message:
      'the target events must come in roast order, each strictly later than the one before: turning point, dry end, first crack, drop',
  },
  byTimeIncreasing: strictlyIncreasing(
    'self',
    '.seconds',
    'recipe.byTime must be in time order, each step strictly later than the one before',
  ),
  byBeanIncreasing: strictlyIncreasing(
    'self',
    '.beanCelsius',
    'recipe.byBeanTemperature must be in order of rising bean temperature, each step strictly hotter than the one before',
  ),
  byTimeStepSetsAControl: setsAControl('recipe.byTime'),
  byBeanStepSetsAControl: setsAControl('recipe.byBeanTemperature'),
  derivedFromOne: {
    rule: 'has(self.session) != has(self.recording)',
    message: 'derivedFrom names exactly one of session and recording: the one the profile was made from',
  },
} satisfies Record<string, CelRule>;

export const profileTextRules = {
  coffee: textRules('a profile’s coffee', 256),
  description: textRules('a profile’s description', 1024),
  recording: textRules('derivedFrom.recording', 1024),
};

const column = (item: z.ZodNumber, what: string) => z.array(item).min(2).max(maxCurvePoints).describe(what);

export const ReferenceCurve = z
  .object({
    seconds: column(
      seconds('Seconds since charge.'),
      'Seconds since charge of each point, strictly increasing (at most 1024 points).',
    ).meta(validations(profileRules.curveTimes)),
    beanCelsius: column(celsius('°C'), 'Bean temperature (BT) at each time, °C.'),
    environmentCelsius: column(
      celsius('°C'),
      'Environment or exhaust temperature (ET) at each time, °C.',
    ).optional(),
    ibtsCelsius: column(
      celsius('°C'),
      'The Bullet’s infrared bean-temperature sensor (IBTS) at each time, °C.',
    ).optional(),
    rateOfRiseCelsiusPerMinute: column(
      z.number().min(-200).max(200).describe('°C/min'),
      'Bean temperature rate of rise at each time, °C/min.',
    ).optional(),
  })
  .meta(
    validations(
      profileRules.beanColumn,
      profileRules.environmentColumn,
      profileRules.ibtsColumn,
      profileRules.rateOfRiseColumn,
    ),
  )
  .describe(
    'The curve the roast should follow, charge (0 s) to drop, as columns of one value per time: between two times the curve is the straight line through them.',
  );
export type ReferenceCurve = z.infer<typeof ReferenceCurve>;

const TargetEvent = (event: (typeof targetOrder)[number], what: string) =>
  z
    .object({
      seconds: seconds('When it should happen, in seconds since charge.'),
      toleranceSeconds: z
        .number()
        .gt(0)
        .max(600)
        .describe('How far from `seconds` it may fall and still be on target, in seconds (> 0).'),
      beanCelsius: celsius('The bean temperature it should happen at, °C.').optional(),
      toleranceCelsius: z
        .number()
        .gt(0)
        .max(100)
        .optional()
        .describe('How far from `beanCelsius` it may be and still be on target, °C (> 0).'),
    })
    .meta(validations(toleranceRules[event]))
    .optional()
    .describe(what);

export const TargetEvents = z
  .object({
    turningPoint: TargetEvent('turningPoint', 'The bean temperature minimum after charge.'),
    dryEnd: TargetEvent('dryEnd', 'End of drying (the beans turn yellow).'),
    firstCrack: TargetEvent('firstCrack', 'First crack starts.'),
    drop: TargetEvent('drop', 'The beans go out: the end of the roast.'),
  })
  .meta(validations(profileRules.targetsInOrder))
  .describe('The roast events the profile aims at, each with tolerances; in roast order.');
export type TargetEvents = z.infer<typeof TargetEvents>;

const level = (actuator: 'heater' | 'fan' | 'drum', what: string) => {
  const { min, max } = anyModelRange(actuator);
  return z.int().min(min).max(max).optional().describe(`${what} level to set (${min}-${max}).`);
};

const controls = {
  heater: level('heater', 'Heater power'),
  fan: level('fan', 'Fan'),
  drum: level('drum', 'Drum speed'),
};

const RecipeByTime = z
  .object({ seconds: seconds('When to make the change, in seconds since charge.'), ...controls })
  .meta(validations(profileRules.byTimeStepSetsAControl))
  .describe('Control levels to set at a time.');

const RecipeByBean = z
  .object({ beanCelsius: celsius('The bean temperature at which to make the change, °C.'), ...controls })
  .meta(validations(profileRules.byBeanStepSetsAControl))
  .describe('Control levels to set when the bean temperature first reaches a value.');

export const Recipe = z
  .object({
    byTime: z
      .array(RecipeByTime)
      .max(maxRecipeSteps)
      .meta(validations(profileRules.byTimeIncreasing))
      .optional()
      .describe('Changes made at times since charge, in time order (at most 64).'),
    byBeanTemperature: z
      .array(RecipeByBean)
      .max(maxRecipeSteps)
      .meta(validations(profileRules.byBeanIncreasing))
      .optional()
      .describe('Changes made as the bean temperature rises through values, in rising order (at most 64).'),
  })
  .describe(
    'How the roast was or should be driven: control changes by time or by bean temperature (what Artisan calls background events). Playing it back blindly is the open-loop baseline; the advisor steers toward the curve instead.',
  );
export type Recipe = z.infer<typeof Recipe>;

export const RoastProfileSpec = z
  .object({
    description: freeText(1024, profileTextRules.description)
      .optional()
      .describe(
        'What the profile is for, e.g. "light filter roast, 2024 Guji lots": one line of printable text.',
      ),
    coffee: freeText(256, profileTextRules.coffee)
      .optional()
      .describe('The coffee it was made for: one line of printable text, at most 256 bytes.'),
    batchGrams: z.number().min(50).max(1000).optional().describe('Green coffee charged, in grams (50-1000).'),
    curve: ReferenceCurve,
    targets: TargetEvents.optional(),
    recipe: Recipe.optional(),
    derivedFrom: z
      .object({
        session: ObjectName.optional().describe('The RoastSession it was made from, in the same namespace.'),
        recording: freeText(1024, profileTextRules.recording)
          .optional()
          .describe('The Artisan recording (.alog) it was made from, as its file name.'),
      })
      .meta(validations(profileRules.derivedFromOne))
      .optional()
      .describe('Where the profile came from, when it was not written by hand.'),
  })
  .describe(
    'What a roast should look like. Managed from Git and by people holding the roast-profile-editor role; agents and the operator only read it.',
  );
export type RoastProfileSpec = z.infer<typeof RoastProfileSpec>;

export const RoastProfileStatus = z
  .object({
    observedGeneration: observedGeneration.optional(),
    conditions: conditions('None is written yet: a profile is data that sessions name.').optional(),
  })
  .describe('Reserved for the operator; a profile has no state of its own today.');
export type RoastProfileStatus = z.infer<typeof RoastProfileStatus>;

export const RoastProfile = resource(roastProfileNames.kind, RoastProfileSpec, RoastProfileStatus);
export type RoastProfile = z.infer<typeof RoastProfile>;

export const roastProfileDefinition: ResourceDefinition = {
  names: roastProfileNames,
  description:
    'A RoastProfile is what a roast should look like: a reference curve from charge to drop, the target events with tolerances, and optionally the recipe that drives it. RoastSessions name one in spec.profileRef; the operator shows each live roast’s deviation from it and the advisor steers toward it. Kept in Git like Roasters.',
  spec: RoastProfileSpec,
  status: RoastProfileStatus,
  printerColumns: [
    { name: 'Coffee', type: 'string', jsonPath: '.spec.coffee', description: 'The coffee.' },
    {
      name: 'Batch',
      type: 'number',
      jsonPath: '.spec.batchGrams',
      description: 'Green coffee, grams.',
    },
    {
      name: 'FirstCrack',
      type: 'number',
      jsonPath: '.spec.targets.firstCrack.seconds',
      description: 'Target first crack, seconds since charge.',
    },
    {
      name: 'Drop',
      type: 'number',
      jsonPath: '.spec.targets.drop.seconds',
      description: 'Target drop, seconds since charge.',
    },
    {
      name: 'DropBT',
      type: 'number',
      jsonPath: '.spec.targets.drop.beanCelsius',
      description: 'Target bean temperature at drop, °C.',
      priority: 1,
    },
  ],
  selectableFields: [],
};
