// The admission table: objects and changes the API server must admit or reject, one or more per CEL rule
// of the CRDs, plus the OpenAPI checks (ranges, enums) a person most often meets. Unit tests check that
// every rule of the generated CRDs has cases; the cluster test runs them against a real API server.
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { commandRules, proposalRules, proposalTextRules } from './command-proposal.ts';
import type { CelRule, TextRules, UserNameRules } from './common.ts';
import {
  apiVersion,
  commandProposalNames,
  roasterNames,
  roastProfileNames,
  roastSessionNames,
} from './constants.ts';
import { crdsDirectory } from './crd.ts';
import { celRules, type OpenApiSchema } from './openapi.ts';
import { profileRules, profileTextRules, targetOrder, toleranceRules } from './roast-profile.ts';
import { markBudget, markRules, roastEventMarks, sessionRules, sessionTextRules } from './roast-session.ts';
import { roasterRules } from './roaster.ts';

type Fields = Record<string, unknown>;

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: Fields;
  readonly spec: Fields;
}

interface JsonPatchOperation {
  readonly op: 'add' | 'remove' | 'replace';
  readonly path: string;
  readonly value?: unknown;
}

/** An update: a JSON merge patch or a JSON patch. */
export type Change = { readonly merge: unknown } | { readonly json: readonly JsonPatchOperation[] };

export interface AdmissionCase {
  readonly name: string;
  /** Created first; without a change, the object under test. */
  readonly object: Manifest;
  /** Applied to the created object: the update under test. */
  readonly change?: Change;
  /** The CEL rule the case exercises; absent for a check of the OpenAPI schema. */
  readonly rule?: CelRule;
  /** Text the API server's error must contain; absent when the object or change is admitted. */
  readonly rejectedWith?: string;
}

const manifest = (kind: string, spec: Fields): Manifest => ({ apiVersion, kind, metadata: {}, spec });

const roaster = (spec: Fields = {}) =>
  manifest(roasterNames.kind, { model: 'AillioBulletR1', binding: { nodeName: 'roast-node-1' }, ...spec });

const session = (spec: Fields = {}) =>
  manifest(roastSessionNames.kind, { roasterRef: { name: 'bullet-1' }, ...spec });

// A short curve, charge to drop: the smallest profile admission takes.
const curve = { seconds: [0, 60, 120], beanCelsius: [200, 110, 150] };
const profile = (spec: Fields = {}) => manifest(roastProfileNames.kind, { curve, ...spec });
const withCurve = (columns: Fields) => profile({ curve: { ...curve, ...columns } });
const target = (seconds: number, more: Fields = {}) => ({ seconds, toleranceSeconds: 15, ...more });

const proposal = (command: Fields, spec: Fields = {}) =>
  manifest(commandProposalNames.kind, {
    roasterRef: { name: 'bullet-1' },
    command,
    proposedBy: 'alice',
    ...spec,
  });

const rejects = (rule: CelRule, name: string, object: Manifest, change?: Change): AdmissionCase => ({
  name,
  object,
  rule,
  rejectedWith: rule.message,
  ...(change ? { change } : {}),
});

const admits = (rule: CelRule, name: string, object: Manifest, change?: Change): AdmissionCase => ({
  name,
  object,
  rule,
  ...(change ? { change } : {}),
});

const schemaRejects = (name: string, object: Manifest, rejectedWith: string): AdmissionCase => ({
  name,
  object,
  rejectedWith,
});

const heaterUp = proposal(
  { type: 'SetHeater', target: 6 },
  { sessionRef: { name: 'batch-7' }, rationale: 'RoR falls' },
);
const approval = { decision: 'Approved', approver: 'bob', reason: 'looks right' };
const approved = proposal({ type: 'SetHeater', target: 6 }, { approval });
const marked = session({
  marks: [
    { type: 'present', by: 'alice' },
    { type: 'firstCrack', by: 'alice', note: 'rolling' },
  ],
});
const weighed = (weightOutGrams: number) => session({ profile: { batchGrams: 350 }, weightOutGrams });
const limited = (limits: Fields) => roaster({ limits });

const { targetInRange } = commandRules;
const { limitsInModelRange } = roasterRules;

// Free text and names: what a terminal would act on instead of show is refused, limits are in bytes.
const escapes: readonly [string, string][] = [
  ['an ANSI sequence that clears the screen and paints red', '\u001b[2J\u001b[31mAPPROVED BY bob\u001b[0m'],
  ['a NUL', 'heater up\u0000'],
  ['a line break', 'heater up\nApproval: Approved'],
  ['a carriage return', 'heater down\rheater up'],
  ['a tab', 'heater\tup'],
  ['a C1 control sequence introducer', '\u009b31mred'],
  ['a right-to-left override', 'heater \u202e9 ot'],
];
const accented = (bytes: number) => 'é'.repeat(bytes / 2);

function textCases(field: string, rules: TextRules, maxBytes: number, object: (text: string) => Manifest) {
  return [
    ...escapes.map(([what, text]) => rejects(rules.printable, `${field} with ${what}`, object(text))),
    admits(
      rules.printable,
      `${field} in accented letters and emoji`,
      object('Café de Guji ☕, 23 °C — “rolling”'),
    ),
    rejects(rules.bytes, `${field} one byte of é too long`, object(`${accented(maxBytes)}é`)),
    admits(rules.bytes, `${field} of exactly ${maxBytes} bytes of é`, object(accented(maxBytes))),
  ];
}

function nameCases(field: string, rules: UserNameRules, object: (name: string) => Manifest) {
  return [
    rejects(rules.visible, `${field} with a zero-width space`, object('alice\u200b')),
    rejects(rules.visible, `${field} with an ANSI escape`, object('\u001b[2Jbob')),
    rejects(rules.visible, `${field} with a right-to-left mark`, object('bob\u200f')),
    admits(rules.visible, `${field} with accented letters`, object('josé')),
    admits(
      rules.visible,
      `${field} naming a service account`,
      object('system:serviceaccount:roastery:advisor'),
    ),
    rejects(rules.bytes, `${field} of 514 bytes`, object(accented(514))),
    admits(rules.bytes, `${field} of 512 bytes`, object(accented(512))),
  ];
}

const stop = (spec: Fields) => proposal({ type: 'EmergencyStop' }, spec);
const decided = (fields: Fields) => stop({ approval: { ...approval, ...fields } });
const marks = (type: string, count: number, by = 'alice') =>
  Array.from({ length: count }, () => ({ type, by }));
const append = (...added: Fields[]): Change => ({
  json: added.map((value) => ({ op: 'add', path: '/spec/marks/-', value })),
});
const fullOfNotes = session({
  marks: marks('note', markBudget.note, 'system:serviceaccount:roastery:advisor'),
});

const textAndNameCases: readonly AdmissionCase[] = [
  ...textCases('rationale', proposalTextRules.rationale, 4096, (rationale) => stop({ rationale })),
  ...textCases('approval.reason', proposalTextRules.reason, 1024, (reason) => decided({ reason })),
  ...textCases("a mark's note", sessionTextRules.note, 512, (note) =>
    session({ marks: [{ type: 'note', by: 'alice', note }] }),
  ),
  ...textCases('profile.coffee', sessionTextRules.coffee, 256, (coffee) => session({ profile: { coffee } })),
  ...nameCases('proposedBy', proposalTextRules.proposedBy, (proposedBy) => stop({ proposedBy })),
  ...nameCases('approval.approver', proposalTextRules.approver, (approver) => decided({ approver })),
  ...nameCases("a mark's by", sessionTextRules.by, (by) => session({ marks: [{ type: 'present', by }] })),
  rejects(
    commandRules.latchIdAscii,
    'a latchId with a Cyrillic look-alike',
    proposal({ type: 'ResetLatch', latchId: 'l\u0430tch-7f3a' }),
  ),
  rejects(
    commandRules.latchIdAscii,
    'a latchId with a space',
    proposal({ type: 'ResetLatch', latchId: 'latch 7f3a' }),
  ),
  admits(
    commandRules.latchIdAscii,
    'a latchId copied from status',
    proposal({ type: 'ResetLatch', latchId: '3f0c9a52-1b7e-4d0a-9c1e-5a8b2f6d7e10' }),
  ),
];

// Marks: each type has its own budget, so no type crowds out another.
const markBudgetCases: readonly AdmissionCase[] = [
  ...roastEventMarks.map((type) =>
    rejects(
      markRules.eachRoastEvent,
      `${type} marked once too often`,
      session({ marks: marks(type, markBudget.eachRoastEvent + 1) }),
    ),
  ),
  admits(
    markRules.eachRoastEvent,
    'every roast event marked as often as allowed',
    session({ marks: roastEventMarks.flatMap((type) => marks(type, markBudget.eachRoastEvent)) }),
  ),
  rejects(
    markRules.present,
    'present once too often',
    session({ marks: marks('present', markBudget.present + 1) }),
  ),
  admits(
    markRules.present,
    'present as often as allowed',
    session({ marks: marks('present', markBudget.present) }),
  ),
  rejects(markRules.note, 'a note once too many', fullOfNotes, append({ type: 'note', by: 'alice' })),
  rejects(markRules.note, 'a patch of 64 notes', session({ marks: [] }), append(...marks('note', 64))),
  admits(markRules.note, 'notes as many as allowed', session({ marks: marks('note', markBudget.note) })),
  admits(
    markRules.note,
    'first crack after the notes are full',
    fullOfNotes,
    append({ type: 'firstCrack', by: 'alice' }),
  ),
];

const profileCases: readonly AdmissionCase[] = [
  ...textCases('a profile’s coffee', profileTextRules.coffee, 256, (coffee) => profile({ coffee })),
  ...textCases('a profile’s description', profileTextRules.description, 1024, (description) =>
    profile({ description }),
  ),
  ...textCases('derivedFrom.recording', profileTextRules.recording, 1024, (recording) =>
    profile({ derivedFrom: { recording } }),
  ),
  rejects(profileRules.curveTimes, 'times going backwards', withCurve({ seconds: [0, 120, 60] })),
  rejects(profileRules.curveTimes, 'a repeated time', withCurve({ seconds: [0, 60, 60] })),
  admits(profileRules.curveTimes, 'times in fractions of a second', withCurve({ seconds: [0, 1.5, 3] })),
  rejects(profileRules.beanColumn, 'a bean temperature short', withCurve({ beanCelsius: [200, 110] })),
  admits(profileRules.beanColumn, 'a bean temperature per time', profile()),
  rejects(profileRules.environmentColumn, 'an ET too many', withCurve({ environmentCelsius: [1, 2, 3, 4] })),
  admits(
    profileRules.environmentColumn,
    'an ET per time',
    withCurve({ environmentCelsius: [250, 240, 245] }),
  ),
  rejects(profileRules.ibtsColumn, 'an IBTS short', withCurve({ ibtsCelsius: [200] })),
  admits(profileRules.ibtsColumn, 'an IBTS per time', withCurve({ ibtsCelsius: [210, 120, 160] })),
  rejects(
    profileRules.rateOfRiseColumn,
    'a rate of rise short',
    withCurve({ rateOfRiseCelsiusPerMinute: [0, 1] }),
  ),
  admits(
    profileRules.rateOfRiseColumn,
    'a rate of rise per time',
    withCurve({ rateOfRiseCelsiusPerMinute: [0, -40, 20] }),
  ),
  rejects(
    profileRules.targetsInOrder,
    'first crack after drop',
    profile({ targets: { firstCrack: target(600), drop: target(540) } }),
  ),
  rejects(
    profileRules.targetsInOrder,
    'dry end at the turning point',
    profile({ targets: { turningPoint: target(90), dryEnd: target(90) } }),
  ),
  rejects(
    profileRules.targetsInOrder,
    'a turning point after drop, dry end left out',
    profile({ targets: { turningPoint: target(700), firstCrack: target(480), drop: target(600) } }),
  ),
  admits(
    profileRules.targetsInOrder,
    'all four events in order',
    profile({
      targets: {
        turningPoint: target(80, { beanCelsius: 95, toleranceCelsius: 5 }),
        dryEnd: target(240, { beanCelsius: 155 }),
        firstCrack: target(480, { beanCelsius: 196, toleranceCelsius: 3 }),
        drop: target(590, { beanCelsius: 210, toleranceCelsius: 2 }),
      },
    }),
  ),
  ...targetOrder.flatMap((event) => [
    rejects(
      toleranceRules[event],
      `${event} with a temperature tolerance and no temperature`,
      profile({ targets: { [event]: target(100, { toleranceCelsius: 2 }) } }),
    ),
    admits(toleranceRules[event], `${event} by time only`, profile({ targets: { [event]: target(100) } })),
  ]),
  rejects(
    profileRules.byTimeIncreasing,
    'recipe steps out of time order',
    profile({
      recipe: {
        byTime: [
          { seconds: 120, heater: 6 },
          { seconds: 60, fan: 3 },
        ],
      },
    }),
  ),
  admits(
    profileRules.byTimeIncreasing,
    'recipe steps in time order',
    profile({
      recipe: {
        byTime: [
          { seconds: 0, heater: 9 },
          { seconds: 240, heater: 7, fan: 4 },
        ],
      },
    }),
  ),
  rejects(
    profileRules.byBeanIncreasing,
    'two recipe steps at one bean temperature',
    profile({
      recipe: {
        byBeanTemperature: [
          { beanCelsius: 150, heater: 6 },
          { beanCelsius: 150, fan: 5 },
        ],
      },
    }),
  ),
  admits(
    profileRules.byBeanIncreasing,
    'recipe steps by rising bean temperature',
    profile({
      recipe: {
        byBeanTemperature: [
          { beanCelsius: 150, heater: 6 },
          { beanCelsius: 190, heater: 4 },
        ],
      },
    }),
  ),
  rejects(
    profileRules.byTimeStepSetsAControl,
    'a step by time that sets nothing',
    profile({ recipe: { byTime: [{ seconds: 30 }] } }),
  ),
  admits(
    profileRules.byTimeStepSetsAControl,
    'a step by time that sets the drum',
    profile({ recipe: { byTime: [{ seconds: 30, drum: 6 }] } }),
  ),
  rejects(
    profileRules.byBeanStepSetsAControl,
    'a step by bean temperature that sets nothing',
    profile({ recipe: { byBeanTemperature: [{ beanCelsius: 150 }] } }),
  ),
  admits(
    profileRules.byBeanStepSetsAControl,
    'a step by bean temperature that sets the fan',
    profile({ recipe: { byBeanTemperature: [{ beanCelsius: 150, fan: 8 }] } }),
  ),
  rejects(
    profileRules.derivedFromOne,
    'derived from a session and a recording',
    profile({ derivedFrom: { session: 'batch-7', recording: 'roast.alog' } }),
  ),
  rejects(profileRules.derivedFromOne, 'derived from nothing named', profile({ derivedFrom: {} })),
  admits(
    profileRules.derivedFromOne,
    'derived from a session',
    profile({ derivedFrom: { session: 'batch-7' } }),
  ),
  schemaRejects(
    'a curve longer than the bound',
    withCurve({
      seconds: Array.from({ length: 1025 }, (_, i) => i),
      beanCelsius: Array.from({ length: 1025 }, () => 150),
    }),
    'spec.curve.seconds: Too many: 1025: must have at most 1024 items',
  ),
  schemaRejects(
    'a zero time tolerance',
    profile({ targets: { drop: { seconds: 600, toleranceSeconds: 0 } } }),
    'spec.targets.drop.toleranceSeconds in body should be greater than 0',
  ),
  schemaRejects(
    'a heater level no model has',
    profile({ recipe: { byTime: [{ seconds: 0, heater: 10 }] } }),
    'spec.recipe.byTime[0].heater in body should be less than or equal to 9',
  ),
];

export const admissionCases: readonly AdmissionCase[] = [
  ...profileCases,
  // CommandProposal: the command's shape per type.
  rejects(commandRules.targetShape, 'SetHeater without target', proposal({ type: 'SetHeater' })),
  rejects(
    commandRules.targetShape,
    'EmergencyStop with a target',
    proposal({ type: 'EmergencyStop', target: 0 }),
  ),
  rejects(
    commandRules.targetShape,
    'a press with a target',
    proposal({ type: 'Drop', fromState: 'Roasting', target: 1 }),
  ),
  admits(commandRules.targetShape, 'SetFan with target', proposal({ type: 'SetFan', target: 6 })),
  admits(commandRules.targetShape, 'EmergencyStop alone', proposal({ type: 'EmergencyStop' })),
  rejects(commandRules.fromStateShape, 'Charge without fromState', proposal({ type: 'Charge' })),
  rejects(
    commandRules.fromStateShape,
    'SetDrum with fromState',
    proposal({ type: 'SetDrum', target: 5, fromState: 'Roasting' }),
  ),
  rejects(
    commandRules.fromStateShape,
    'EmergencyStop with fromState',
    proposal({ type: 'EmergencyStop', fromState: 'Off' }),
  ),
  admits(
    commandRules.fromStateShape,
    'Charge from ReadyToCharge',
    proposal({ type: 'Charge', fromState: 'ReadyToCharge' }),
  ),
  rejects(commandRules.latchIdShape, 'ResetLatch without latchId', proposal({ type: 'ResetLatch' })),
  rejects(
    commandRules.latchIdShape,
    'EmergencyStop with latchId',
    proposal({ type: 'EmergencyStop', latchId: 'l-1' }),
  ),
  admits(
    commandRules.latchIdShape,
    'ResetLatch with latchId',
    proposal({ type: 'ResetLatch', latchId: '7f3a9c' }),
  ),
  rejects(
    commandRules.pressFromState,
    'Drop while Cooling',
    proposal({ type: 'Drop', fromState: 'Cooling' }),
  ),
  rejects(
    commandRules.pressFromState,
    'Preheat while Roasting',
    proposal({ type: 'Preheat', fromState: 'Roasting' }),
  ),
  admits(commandRules.pressFromState, 'Preheat from Off', proposal({ type: 'Preheat', fromState: 'Off' })),
  admits(commandRules.pressFromState, 'Cool from Cooling', proposal({ type: 'Cool', fromState: 'Cooling' })),

  // CommandProposal: targets inside the union of the models' ranges.
  rejects(targetInRange.SetHeater, 'heater 10', proposal({ type: 'SetHeater', target: 10 })),
  admits(targetInRange.SetHeater, 'heater 0', proposal({ type: 'SetHeater', target: 0 })),
  admits(targetInRange.SetHeater, 'heater 9', proposal({ type: 'SetHeater', target: 9 })),
  rejects(targetInRange.SetFan, 'fan 0', proposal({ type: 'SetFan', target: 0 })),
  admits(targetInRange.SetFan, 'fan 12', proposal({ type: 'SetFan', target: 12 })),
  rejects(targetInRange.SetDrum, 'drum 0', proposal({ type: 'SetDrum', target: 0 })),
  rejects(targetInRange.SetDrum, 'drum 10', proposal({ type: 'SetDrum', target: 10 })),
  admits(targetInRange.SetDrum, 'drum 1', proposal({ type: 'SetDrum', target: 1 })),

  // CommandProposal: spec immutable after create, approval write-once.
  rejects(proposalRules.specImmutable, 'change command.target', heaterUp, {
    merge: { spec: { command: { target: 7 } } },
  }),
  rejects(proposalRules.specImmutable, 'change the rationale', heaterUp, {
    merge: { spec: { rationale: 'edited' } },
  }),
  rejects(proposalRules.specImmutable, 'remove sessionRef', heaterUp, {
    json: [{ op: 'remove', path: '/spec/sessionRef' }],
  }),
  rejects(proposalRules.specImmutable, 'change ttlSeconds', heaterUp, {
    merge: { spec: { ttlSeconds: 300 } },
  }),
  rejects(proposalRules.specImmutable, 'change proposedBy', heaterUp, {
    json: [{ op: 'replace', path: '/spec/proposedBy', value: 'mallory' }],
  }),
  admits(proposalRules.specImmutable, 'add the approval', heaterUp, { merge: { spec: { approval } } }),
  admits(proposalRules.specImmutable, 'label the proposal', heaterUp, {
    merge: { metadata: { labels: { 'roasting.simcorp.io/reviewed': 'true' } } },
  }),
  rejects(proposalRules.approvalWriteOnce, 'remove approval by merge patch', approved, {
    merge: { spec: { approval: null } },
  }),
  rejects(proposalRules.approvalWriteOnce, 'remove approval by JSON patch', approved, {
    json: [{ op: 'remove', path: '/spec/approval' }],
  }),
  rejects(proposalRules.approvalWriteOnce, 'edit only approval.reason', approved, {
    merge: { spec: { approval: { reason: 'second thoughts' } } },
  }),
  rejects(proposalRules.approvalWriteOnce, 'turn Approved into Rejected', approved, {
    json: [{ op: 'replace', path: '/spec/approval/decision', value: 'Rejected' }],
  }),
  admits(proposalRules.approvalWriteOnce, 'set the approval once', heaterUp, {
    merge: { spec: { approval: { decision: 'Rejected', approver: 'bob' } } },
  }),
  admits(proposalRules.approvalWriteOnce, 'repeat the same approval', approved, {
    merge: { spec: { approval } },
  }),

  // CommandProposal: OpenAPI checks.
  schemaRejects(
    'ttlSeconds above 300',
    proposal({ type: 'EmergencyStop' }, { ttlSeconds: 301 }),
    'spec.ttlSeconds in body should be less than or equal to 300',
  ),
  schemaRejects(
    'ttlSeconds 0',
    proposal({ type: 'EmergencyStop' }, { ttlSeconds: 0 }),
    'spec.ttlSeconds in body should be greater than or equal to 1',
  ),
  schemaRejects(
    'an unknown decision',
    proposal({ type: 'EmergencyStop' }, { approval: { decision: 'Maybe', approver: 'bob' } }),
    'spec.approval.decision: Unsupported value: "Maybe"',
  ),
  schemaRejects(
    'no proposedBy',
    manifest(commandProposalNames.kind, { roasterRef: { name: 'b' }, command: { type: 'EmergencyStop' } }),
    'spec.proposedBy: Required value',
  ),

  // Roaster: binding.
  admits(
    roasterRules.serialOnlyDevices,
    'a Simulated roaster with a serial',
    roaster({ model: 'Simulated', binding: { nodeName: 'roast-node-1', serial: '21547' } }),
  ),
  rejects(
    roasterRules.serialOnlyDevices,
    'a Replay roaster with a serial',
    roaster({ model: 'Replay', binding: { nodeName: 'roast-node-1', serial: '21547' } }),
  ),
  admits(
    roasterRules.serialOnlyDevices,
    'an R1 with a serial',
    roaster({ binding: { nodeName: 'roast-node-1', serial: '21547' } }),
  ),
  admits(roasterRules.serialOnlyDevices, 'a Simulated roaster on a node', roaster({ model: 'Simulated' })),
  rejects(roasterRules.bindingExactlyOne, 'a binding with neither', roaster({ binding: {} })),
  rejects(
    roasterRules.bindingExactlyOne,
    'a binding with both',
    roaster({
      binding: { nodeName: 'roast-node-1', nodeSelector: { 'roasting.simcorp.io/r1': 'true' }, serial: '1' },
    }),
  ),
  admits(
    roasterRules.bindingExactlyOne,
    'a binding by node name',
    roaster({ binding: { nodeName: 'roast-node-1' } }),
  ),
  rejects(
    roasterRules.selectorNeedsSerial,
    'a node selector without serial',
    roaster({ binding: { nodeSelector: { 'roasting.simcorp.io/r1': 'true' } } }),
  ),
  admits(
    roasterRules.selectorNeedsSerial,
    'a node selector with serial',
    roaster({ binding: { nodeSelector: { 'roasting.simcorp.io/r1': 'true' }, serial: '21547' } }),
  ),

  // Roaster: limits inside the model's ranges, min <= max.
  rejects(limitsInModelRange.heater, 'heater min above max', limited({ heater: { min: 5, max: 3 } })),
  admits(limitsInModelRange.heater, 'the whole heater range', limited({ heater: { min: 0, max: 9 } })),
  admits(limitsInModelRange.heater, 'one heater level', limited({ heater: { min: 4, max: 4 } })),
  rejects(limitsInModelRange.fan, 'fan min above max', limited({ fan: { min: 8, max: 2 } })),
  admits(limitsInModelRange.fan, 'the whole fan range', limited({ fan: { min: 1, max: 12 } })),
  rejects(limitsInModelRange.drum, 'drum min above max', limited({ drum: { min: 9, max: 1 } })),
  rejects(
    limitsInModelRange.drum,
    'a drum limit lowered below min later',
    limited({ drum: { min: 3, max: 9 } }),
    {
      merge: { spec: { limits: { drum: { max: 2 } } } },
    },
  ),
  admits(limitsInModelRange.drum, 'the whole drum range', limited({ drum: { min: 1, max: 9 } })),

  // Roaster: OpenAPI checks.
  schemaRejects(
    'an unknown autonomy level',
    roaster({ autonomy: { level: 'L6' } }),
    'spec.autonomy.level: Unsupported value: "L6"',
  ),
  schemaRejects(
    'a breaker threshold of 0',
    roaster({ circuitBreaker: { failureRateThreshold: 0 } }),
    'spec.circuitBreaker.failureRateThreshold in body should be greater than 0',
  ),
  schemaRejects(
    'a breaker threshold above 1',
    roaster({ circuitBreaker: { failureRateThreshold: 1.5 } }),
    'spec.circuitBreaker.failureRateThreshold in body should be less than or equal to 1',
  ),
  schemaRejects(
    'a heater limit beyond every model',
    limited({ heater: { min: 0, max: 10 } }),
    'spec.limits.heater.max in body should be less than or equal to 9',
  ),

  // RoastSession: roasterRef, marks, weight.
  rejects(sessionRules.roasterRefImmutable, 'move to another roaster', session(), {
    merge: { spec: { roasterRef: { name: 'bullet-2' } } },
  }),
  admits(sessionRules.roasterRefImmutable, 'change the profile', session(), {
    merge: { spec: { profile: { coffee: 'Kenya Nyeri AA' } } },
  }),
  rejects(sessionRules.marksAppendOnly, 'remove a mark', marked, {
    json: [{ op: 'remove', path: '/spec/marks/0' }],
  }),
  rejects(sessionRules.marksAppendOnly, 'remove every mark', marked, { merge: { spec: { marks: null } } }),
  rejects(sessionRules.marksAppendOnly, 'edit a mark', marked, {
    json: [{ op: 'replace', path: '/spec/marks/1/note', value: 'first crack was later' }],
  }),
  rejects(sessionRules.marksAppendOnly, 'insert a mark before others', marked, {
    json: [{ op: 'add', path: '/spec/marks/0', value: { type: 'dryEnd', by: 'bob' } }],
  }),
  admits(sessionRules.marksAppendOnly, 'append a mark', marked, {
    json: [{ op: 'add', path: '/spec/marks/-', value: { type: 'secondCrack', by: 'bob' } }],
  }),
  admits(sessionRules.marksAppendOnly, 'add the first mark', session(), {
    merge: { spec: { marks: [{ type: 'present', by: 'bob' }] } },
  }),
  rejects(sessionRules.weightLoss, 'more coffee out than in', weighed(400)),
  rejects(sessionRules.weightLoss, 'no weight lost', weighed(350)),
  rejects(sessionRules.weightLoss, 'weighed heavier later', weighed(300), {
    merge: { spec: { weightOutGrams: 351 } },
  }),
  admits(sessionRules.weightLoss, 'a 15 % loss', weighed(297.5)),
  admits(sessionRules.weightLoss, 'a weight without a batch size', session({ weightOutGrams: 297.5 })),

  // RoastSession: OpenAPI checks.
  schemaRejects(
    'a drop temperature beyond any roast',
    session({ profile: { dropTemperatureCelsius: 300 } }),
    'spec.profile.dropTemperatureCelsius in body should be less than or equal to 260',
  ),
  ...textAndNameCases,
  ...markBudgetCases,
  schemaRejects(
    'an unknown mark',
    session({ marks: [{ type: 'crack', by: 'alice' }] }),
    'spec.marks[0].type: Unsupported value: "crack"',
  ),
];

/** A CEL rule of an installed CRD, found by walking its schema. */
export interface CrdRule {
  readonly kind: string;
  readonly path: string;
  readonly rule: CelRule;
}

/** The CEL rules in the generated manifests under `crds/`. */
export function rulesInCrdFiles(): CrdRule[] {
  return readdirSync(crdsDirectory)
    .filter((name) => name.endsWith('.yaml'))
    .flatMap((name) => {
      const crd = parse(readFileSync(new URL(name, crdsDirectory), 'utf8'), { version: '1.1' });
      const [served] = crd.spec.versions as { schema: { openAPIV3Schema: OpenApiSchema } }[];
      const schema = served?.schema.openAPIV3Schema ?? {};
      return celRules(schema).map(({ path, rule }) => ({ kind: crd.spec.names.kind as string, path, rule }));
    });
}

/** The cases of a rule: matched by kind and message (messages are unique across the API). */
export function casesOf(rule: CrdRule, cases: readonly AdmissionCase[] = admissionCases): AdmissionCase[] {
  return cases.filter((c) => c.object.kind === rule.kind && c.rule?.message === rule.rule.message);
}

/** Why the table falls short of the CRDs: rules without a rejecting and an admitted case, cases of no rule. */
export function coverageProblems(rules: readonly CrdRule[], cases: readonly AdmissionCase[]): string[] {
  const missing = rules.flatMap((rule) => {
    const own = casesOf(rule, cases);
    const where = `${rule.kind}${rule.path}: "${rule.rule.message}"`;
    return [
      ...(own.some((c) => c.rejectedWith) ? [] : [`${where} has no case it rejects`]),
      ...(own.some((c) => !c.rejectedWith) ? [] : [`${where} has no case it admits`]),
    ];
  });
  const orphans = cases
    .filter(
      (c) => c.rule && !rules.some((r) => r.kind === c.object.kind && r.rule.message === c.rule?.message),
    )
    .map((c) => `case "${c.name}" names a rule no ${c.object.kind} CRD has`);
  return [...missing, ...orphans];
}
