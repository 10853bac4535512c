import { z } from 'zod';
import {
  type CelRule,
  celList,
  conditions,
  freeText,
  LocalObjectReference,
  observedGeneration,
  resource,
  Timestamp,
  textRules,
  userName,
  userNameRules,
  validations,
} from './common.ts';
import { roastSessionNames } from './constants.ts';
import type { ResourceDefinition } from './crd.ts';

export const sessionRules = {
  roasterRefImmutable: {
    rule: 'self.roasterRef == oldSelf.roasterRef',
    message: 'roasterRef is immutable: a session runs on one roaster; create a new RoastSession instead',
    reason: 'FieldValueForbidden',
    fieldPath: '.roasterRef',
  },
  // On spec, not on marks: a rule on an optional field does not run when the field is removed.
  marksAppendOnly: {
    rule: '!has(oldSelf.marks) || (has(self.marks) && size(self.marks) >= size(oldSelf.marks) && self.marks.slice(0, size(oldSelf.marks)) == oldSelf.marks)',
    message:
      'marks are append-only: keep every existing mark unchanged and in order, and add new ones at the end',
    reason: 'FieldValueForbidden',
    fieldPath: '.marks',
  },
  weightLoss: {
    rule: '!has(self.weightOutGrams) || !has(self.profile) || !has(self.profile.batchGrams) || self.weightOutGrams < self.profile.batchGrams',
    message:
      'weightOutGrams must be less than profile.batchGrams: roasted coffee weighs less than the green coffee charged',
    fieldPath: '.weightOutGrams',
  },
} satisfies Record<string, CelRule>;

/** The rules of the strings people write into a session: free text, and the marker's name admission compares. */
export const sessionTextRules = {
  note: textRules("a mark's note", 512),
  coffee: textRules('profile.coffee', 256),
  by: userNameRules("a mark's by"),
};

/** The marks that record a roast event a person saw. */
export const roastEventMarks = ['dryEnd', 'firstCrack', 'firstCrackEnd', 'secondCrack'] as const;

export const MarkType = z.enum([...roastEventMarks, 'present', 'note']);
export type MarkType = z.infer<typeof MarkType>;

/**
 * How many marks of each type a session holds. Each type has a budget of its own, so no type can crowd out
 * another: however many notes or presence marks there are, first crack can still be marked. The list's
 * own bound is twice the budgets' sum, so an over-long list meets a budget's message (which says what to do)
 * rather than the API server's bare "Too many".
 */
export const markBudget = {
  eachRoastEvent: 4,
  present: 16,
  note: 32,
  /** Notes written by service accounts, all together (checked by admission policy, which knows who asks). */
  notesByServiceAccounts: 8,
} as const;
const marksBudgetTotal =
  markBudget.eachRoastEvent * roastEventMarks.length + markBudget.present + markBudget.note;

const countOf = (type: string) => `self.filter(m, m.type == '${type}').size()`;

export const markRules = {
  eachRoastEvent: {
    rule: `${celList(roastEventMarks)}.all(t, self.filter(m, m.type == t).size() <= ${markBudget.eachRoastEvent})`,
    message: `each roast event (${roastEventMarks.join(', ')}) is marked at most ${markBudget.eachRoastEvent} times per session; a later mark of a kind replaces the earlier one, so the last one you made stands`,
  },
  present: {
    rule: `${countOf('present')} <= ${markBudget.present}`,
    message: `present is marked at most ${markBudget.present} times per session (each counts for 5 minutes); propose or decide a command to show you are at the roaster instead`,
  },
  note: {
    rule: `${countOf('note')} <= ${markBudget.note}`,
    message: `a session holds at most ${markBudget.note} note marks: put more in one note (512 bytes), or keep a longer log elsewhere; roast event and present marks have room of their own`,
  },
} satisfies Record<string, CelRule>;

export const Mark = z
  .object({
    type: MarkType.describe(
      'What the human saw or did: dryEnd, firstCrack, firstCrackEnd or secondCrack mark a roast event the machine cannot see; present says a human is at the roaster (it enables automatic approval of energy-raising commands at L4 and L5 for 5 minutes); note only records the note.',
    ),
    by: userName(sessionTextRules.by).describe(
      'Who marks: the name the API server authenticated for the request that adds the mark (checked by admission policy, which also requires the mark verb on the Roaster).',
    ),
    note: freeText(512, sessionTextRules.note)
      .optional()
      .describe(
        'Free text, e.g. "rolling first crack, smoke rising": one line of printable text, at most 512 bytes.',
      ),
  })
  .describe('One human mark. The operator records when it observed the mark, on its own clock.');
export type Mark = z.infer<typeof Mark>;

export const BatchPlan = z
  .object({
    dropTemperatureCelsius: z
      .number()
      .min(150)
      .max(260)
      .optional()
      .describe('Target bean temperature at drop, °C (150-260; light roasts drop around 205-215).'),
    developmentRatioPercent: z
      .number()
      .min(5)
      .max(40)
      .optional()
      .describe('Target development time ratio: time from first crack to drop over total time, in % (5-40).'),
    totalSeconds: z
      .int()
      .min(180)
      .max(1800)
      .optional()
      .describe('Target time from charge to drop, in seconds (180-1800).'),
    batchGrams: z.number().min(50).max(1000).optional().describe('Green coffee charged, in grams (50-1000).'),
    coffee: freeText(256, sessionTextRules.coffee)
      .optional()
      .describe(
        'The coffee, e.g. "Ethiopia Guji, washed, lot 23-114": one line of printable text, at most 256 bytes.',
      ),
  })
  .describe('The plan for the batch. The advisor steers toward it; the metrics in status show how it went.');
export type BatchPlan = z.infer<typeof BatchPlan>;

export const RoastSessionSpec = z
  .object({
    roasterRef: LocalObjectReference.describe(
      'The Roaster the batch runs on, in the same namespace. Immutable.',
    ),
    profile: BatchPlan.optional(),
    profileRef: LocalObjectReference.optional().describe(
      'The RoastProfile the batch follows, in the same namespace: status.deviation compares the live roast with it, and the advisor steers toward it.',
    ),
    marks: z
      .array(Mark)
      .max(2 * marksBudgetTotal)
      .meta(validations(markRules.eachRoastEvent, markRules.present, markRules.note))
      .optional()
      .describe(
        `Human marks, in the order they were made. Append-only: add a mark with a JSON patch \`add\` at /spec/marks/-. Each type has its own budget per session: ${markBudget.eachRoastEvent} of each roast event, ${markBudget.present} present, ${markBudget.note} notes (at most ${markBudget.notesByServiceAccounts} of them by service accounts, which may add only notes).`,
      ),
    weightOutGrams: z
      .number()
      .gt(0)
      .max(1000)
      .optional()
      .describe(
        'Roasted coffee weighed after cooling, in grams; with profile.batchGrams it gives the weight loss.',
      ),
  })
  .meta(validations(sessionRules.roasterRefImmutable, sessionRules.marksAppendOnly, sessionRules.weightLoss))
  .describe(
    'The batch. Admission policy requires the propose verb on the Roaster to change profile or weightOutGrams and the mark verb to add a mark.',
  );
export type RoastSessionSpec = z.infer<typeof RoastSessionSpec>;

export const SessionPhase = z.enum([
  'Pending',
  'Preheating',
  'Charged',
  'Drying',
  'Maillard',
  'Development',
  'Dropped',
  'Cooling',
  'Completed',
  'Aborted',
  'Failed',
]);
export type SessionPhase = z.infer<typeof SessionPhase>;

/** The phases a session that goes well passes through, in order (it may skip some; it ends Completed). */
export const sessionLifecycle: readonly SessionPhase[] = SessionPhase.options.slice(
  0,
  SessionPhase.options.indexOf('Completed') + 1,
);

/** The phases a session ends in: Completed, and the ways it ends otherwise. */
export const endedSessionPhases: ReadonlySet<SessionPhase> = new Set(
  SessionPhase.options.slice(SessionPhase.options.indexOf('Completed')),
);

export const RoastEventSource = z.enum(['StateCode', 'Inferred', 'Mark']);
export type RoastEventSource = z.infer<typeof RoastEventSource>;

const RoastEvent = (what: string) =>
  z
    .object({
      time: Timestamp.describe('When it happened, on the edge agent’s clock.'),
      secondsSinceCharge: z.number().min(0).describe('Seconds from charge to the event.'),
      beanTemperatureCelsius: z.number().optional().describe('Bean temperature at the event, °C.'),
      source: RoastEventSource.describe(
        "How it was found: StateCode (the roaster's own state change), Inferred (from the temperature curve) or Mark (a human mark).",
      ),
    })
    .optional()
    .describe(what);

const sourceType = (model: string) =>
  z
    .literal(model)
    .describe(
      'Where the data came from: Device (a physical roaster), Simulated or Replay (neither counts towards the circuit breaker or fleet analytics).',
    );

// A union for TypeScript; the CRD gets one flat object with `type` deciding which fields are set.
export const SessionSource = z
  .discriminatedUnion('type', [
    z.object({
      type: sourceType('Device'),
      serial: z.string().max(64).describe('Device: serial number of the roaster.'),
      firmware: z.string().max(64).optional().describe('Device: firmware version of the roaster.'),
    }),
    z.object({
      type: sourceType('Simulated'),
      seed: z
        .int()
        .min(0)
        .max(2 ** 32 - 1)
        .describe('Simulated: the simulator seed; the same seed and commands give the same roast.'),
    }),
    z.object({
      type: sourceType('Replay'),
      file: z
        .string()
        .min(1)
        .max(1024)
        .describe('Replay: the recording replayed, as the edge agent names it.'),
    }),
  ])
  .describe('Where the telemetry came from.');
export type SessionSource = z.infer<typeof SessionSource>;

const count = (what: string) => z.int().min(0).optional().describe(what);

const EventProjection = (what: string) =>
  z
    .object({
      targetSeconds: z.number().min(0).describe("The profile's target, seconds since charge."),
      projectedSeconds: z
        .number()
        .min(0)
        .optional()
        .describe(
          'When it happened, once it has; until then when it is projected to happen (absent while no projection can be made, before the turning point).',
        ),
      offsetSeconds: z
        .number()
        .optional()
        .describe('projectedSeconds - targetSeconds: positive is late, negative early.'),
      reached: z.boolean().describe('The event has happened: projectedSeconds is when it did.'),
      onTarget: z
        .boolean()
        .optional()
        .describe("Whether |offsetSeconds| is within the target's toleranceSeconds."),
    })
    .optional()
    .describe(what);

export const ProfileDeviation = z
  .object({
    profile: z
      .string()
      .max(253)
      .describe('The RoastProfile compared with (spec.profileRef.name when the numbers were computed).'),
    secondsSinceCharge: z.number().min(0).describe('The roast time the numbers are for.'),
    beanCelsius: z.number().describe('Bean temperature now, °C.'),
    referenceBeanCelsius: z
      .number()
      .optional()
      .describe("The reference curve's bean temperature at the same time, °C (absent past its end)."),
    beanOffsetCelsius: z
      .number()
      .optional()
      .describe('beanCelsius - referenceBeanCelsius: positive runs hot, negative cold.'),
    lagSeconds: z
      .number()
      .optional()
      .describe(
        'How far behind the reference the roast runs: now minus when the reference reached the bean temperature of now, after the turning point. Positive is behind.',
      ),
    rateOfRiseCelsiusPerMinute: z.number().optional().describe('Smoothed bean rate of rise now, °C/min.'),
    referenceRateOfRiseCelsiusPerMinute: z
      .number()
      .optional()
      .describe("The reference curve's rate of rise at the same time, °C/min."),
    firstCrack: EventProjection('First crack: when it happened or is projected, against the target.'),
    drop: EventProjection('Drop: when it happened or is projected, against the target.'),
  })
  .describe(
    'The live roast against its RoastProfile, updated with the metrics (at most every 5 seconds while roasting). Projections shift the target by the lag behind the reference curve.',
  );
export type ProfileDeviation = z.infer<typeof ProfileDeviation>;

export const RoastSessionStatus = z
  .object({
    observedGeneration: observedGeneration.optional(),
    conditions: conditions(
      'Ready: True once the session Completed, False with the phase as reason while it runs or when it ended otherwise. Reconciling: True while the roast runs.',
    ).optional(),
    phase: SessionPhase.optional().describe(
      'Pending (not charged yet), Preheating, Charged, then the roast phases Drying, Maillard and Development, Dropped, Cooling, and finally Completed, Aborted (stopped early) or Failed.',
    ),
    events: z
      .object({
        charge: RoastEvent('Beans went in (the roast starts).'),
        turningPoint: RoastEvent('The bean temperature minimum after charge.'),
        dryEnd: RoastEvent('End of drying, marked or inferred.'),
        firstCrack: RoastEvent('First crack, marked or inferred.'),
        drop: RoastEvent('Beans went out (the roast ends).'),
      })
      .optional()
      .describe('Roast events, recorded as soon as they are found.'),
    metrics: z
      .object({
        totalSeconds: z
          .number()
          .min(0)
          .optional()
          .describe('Seconds from charge to drop (or to now, while roasting).'),
        developmentSeconds: z.number().min(0).optional().describe('Seconds from first crack to drop.'),
        developmentRatioPercent: z
          .number()
          .min(0)
          .max(100)
          .optional()
          .describe('Development time ratio: developmentSeconds over totalSeconds, in %.'),
        maxRateOfRiseCelsiusPerMinute: z
          .number()
          .optional()
          .describe('Highest smoothed bean-temperature rate of rise after the turning point, °C/min.'),
        finalBeanTemperatureCelsius: z.number().optional().describe('Bean temperature at drop, °C.'),
        weightLossPercent: z
          .number()
          .min(0)
          .max(100)
          .optional()
          .describe('1 - weightOutGrams / profile.batchGrams, in %.'),
        pointsStored: count('Telemetry points stored for the session.'),
        pointsDropped: count('Telemetry points lost (edge buffer overflow); 0 means the record is complete.'),
      })
      .optional()
      .describe('Summary numbers, updated at most every 5 seconds while roasting.'),
    commands: z
      .object({
        proposed: count('CommandProposals naming this session.'),
        succeeded: count('Of those, commands that succeeded on the roaster.'),
        failed: count('Of those, commands that failed or whose outcome is unknown.'),
        blocked: count('Of those, proposals the governor denied.'),
      })
      .optional()
      .describe('Counts of the commands of this session.'),
    source: SessionSource.optional(),
    deviation: ProfileDeviation.optional(),
  })
  .describe(
    'The observed state of the batch, written by the operator from the telemetry the edge agent streams.',
  );
export type RoastSessionStatus = z.infer<typeof RoastSessionStatus>;

export const RoastSession = resource(roastSessionNames.kind, RoastSessionSpec, RoastSessionStatus);
export type RoastSession = z.infer<typeof RoastSession>;

export const roastSessionDefinition: ResourceDefinition = {
  names: roastSessionNames,
  description:
    'A RoastSession is one batch on one Roaster, created by a person, an agent, or the operator when the roaster reports a charge with no session. Humans add marks for what the machine cannot see (first crack); the operator records events and metrics from telemetry in status. Simulated and replayed sessions are kept apart from real ones.',
  spec: RoastSessionSpec,
  status: RoastSessionStatus,
  printerColumns: [
    { name: 'Roaster', type: 'string', jsonPath: '.spec.roasterRef.name', description: 'The Roaster.' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Where the batch is.' },
    {
      name: 'Coffee',
      type: 'string',
      jsonPath: '.spec.profile.coffee',
      description: 'The coffee.',
      priority: 1,
    },
    {
      name: 'Batch',
      type: 'number',
      jsonPath: '.spec.profile.batchGrams',
      description: 'Green coffee, grams.',
      priority: 1,
    },
    {
      name: 'Time',
      type: 'number',
      jsonPath: '.status.metrics.totalSeconds',
      description: 'Seconds since charge.',
    },
    {
      name: 'DTR',
      type: 'number',
      jsonPath: '.status.metrics.developmentRatioPercent',
      description: 'Development time ratio, %.',
    },
  ],
  selectableFields: ['spec.roasterRef.name'],
};
