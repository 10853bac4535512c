import { z } from 'zod';
import {
  boundedRecord,
  type CelRule,
  celList,
  conditions,
  LocalObjectReference,
  ObjectName,
  observedGeneration,
  prose,
  resource,
  Timestamp,
  validations,
} from './common.ts';
import { roasterNames } from './constants.ts';
import type { ResourceDefinition } from './crd.ts';
import {
  type Actuator,
  anyModelRange,
  DeviceState,
  modelFacts,
  RoasterModel,
  serialModels,
} from './models.ts';

export const AutonomyLevel = z.enum(['L1', 'L2', 'L3', 'L4', 'L5']);
export type AutonomyLevel = z.infer<typeof AutonomyLevel>;

const autonomyLevels =
  'L1 observe only: every command is Blocked. L2 assisted: agent proposals are advice only (Blocked), human ones need an approval. L3 supervised: agent proposals need a human approval. L4 conditional: small agent steps inside the limits are approved automatically while a human has been present in the last 5 minutes; everything else needs a human. L5 autonomous: everything inside the hard limits is approved automatically and humans are notified.';

/** The CEL rules of a Roaster, by name. Those that need the model sit on the spec, the rest on the binding. */
export const roasterRules = {
  serialOnlyDevices: {
    rule: `!has(self.binding.serial) || self.model in ${celList(serialModels)}`,
    message: `binding.serial names a device: only ${prose(serialModels)} roasters report one; remove it for ${prose(RoasterModel.options.filter((m) => !serialModels.includes(m)))}`,
    reason: 'FieldValueForbidden',
    fieldPath: '.binding.serial',
  },
  bindingExactlyOne: {
    rule: 'has(self.nodeName) != has(self.nodeSelector)',
    message: 'binding needs exactly one of nodeName (one node) or nodeSelector (with serial)',
  },
  selectorNeedsSerial: {
    rule: '!has(self.nodeSelector) || has(self.serial)',
    message:
      'a nodeSelector binding needs serial: the selector may match several nodes and the serial picks the device',
    reason: 'FieldValueRequired',
    fieldPath: '.serial',
  },
  limitsInModelRange: {
    heater: limitInModelRange('heater'),
    fan: limitInModelRange('fan'),
    drum: limitInModelRange('drum'),
  } satisfies Record<Actuator, CelRule>,
} satisfies Record<string, CelRule | Record<string, CelRule>>;

/** CEL map literal from model to one number of its facts, indexed by the Roaster's model. */
function byModel(value: (model: RoasterModel) => number): string {
  return `{${RoasterModel.options.map((m) => `'${m}': ${value(m)}`).join(', ')}}[self.model]`;
}

function rangesOfModels(actuator: Actuator): string {
  const byRange = Map.groupBy(RoasterModel.options, (m) => {
    const { min, max } = modelFacts[m].ranges[actuator];
    return `${min}-${max}`;
  });
  if (byRange.size === 1) return `${[...byRange.keys()][0]} on every model`;
  return [...byRange].map(([range, models]) => `${prose(models)}: ${range}`).join('; ');
}

function limitInModelRange(actuator: Actuator): CelRule {
  const limit = `self.limits.${actuator}`;
  const min = byModel((m) => modelFacts[m].ranges[actuator].min);
  const max = byModel((m) => modelFacts[m].ranges[actuator].max);
  return {
    rule: `!has(self.limits) || !has(${limit}) || (${limit}.min >= ${min} && ${limit}.min <= ${limit}.max && ${limit}.max <= ${max})`,
    message: `limits.${actuator} needs min <= max, both inside the model's ${actuator} range (${rangesOfModels(actuator)})`,
    fieldPath: `.limits.${actuator}`,
  };
}

function levelRange(actuator: Actuator, unit: string) {
  const { min, max } = anyModelRange(actuator);
  const level = z.int().min(min).max(max);
  return z
    .object({
      min: level.describe(`Lowest ${actuator} ${unit} a command may set.`),
      max: level.describe(`Highest ${actuator} ${unit} a command may set.`),
    })
    .optional()
    .describe(
      `The ${actuator} ${unit}s commands may set, inclusive; inside the model's own range. Unset: the model's range.`,
    );
}

const celsiusCeiling = (state: string) =>
  z
    .int()
    .min(50)
    .max(350)
    .optional()
    .describe(`Highest bean temperature (the larger of BT and IBTS, °C) allowed while ${state}.`);

export const RoasterLimits = z
  .object({
    heater: levelRange('heater', 'power level'),
    fan: levelRange('fan', 'speed level'),
    drum: levelRange('drum', 'speed level'),
    temperatureCeilingsCelsius: z
      .object({
        preheating: celsiusCeiling('preheating'),
        readyToCharge: celsiusCeiling('ready to charge'),
        roasting: celsiusCeiling('roasting'),
        cooling: celsiusCeiling('cooling'),
      })
      .optional()
      .describe(
        'Temperature ceilings per roaster state. Above one, the governor denies commands that add energy and the edge agent steps the heater down on its own. Unset: the edge agent’s local ceilings only.',
      ),
    minSecondsBetweenCommands: z
      .int()
      .min(0)
      .max(3600)
      .optional()
      .describe(
        'Least time between two dispatched commands to this roaster, in seconds. EmergencyStop is exempt. Unset: no minimum.',
      ),
    maxCommandsPerSession: z
      .int()
      .min(1)
      .max(10000)
      .optional()
      .describe('Most commands one RoastSession may dispatch. EmergencyStop is exempt. Unset: no maximum.'),
  })
  .describe(
    'Hard limits the governor applies to every command at every autonomy level; a human approval never overrides them. They may only narrow what the model accepts.',
  );
export type RoasterLimits = z.infer<typeof RoasterLimits>;

export const RoasterBinding = z
  .object({
    nodeName: ObjectName.optional().describe('The node the roaster is attached to over USB.'),
    nodeSelector: boundedRecord(z.string().min(1).max(317), z.string().max(63), 8)
      .optional()
      .describe(
        'Labels of the nodes the roaster may be attached to, for a roaster that moves between hosts. Requires serial.',
      ),
    serial: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe(
        "The device's serial number. The link gateway gives an edge agent this Roaster only for the device with this serial; R1 and Simulated models (a simulated roaster's serial lets several share a node).",
      ),
  })
  .meta(validations(roasterRules.bindingExactlyOne, roasterRules.selectorNeedsSerial))
  .describe(
    "Where the roaster is: exactly one of nodeName or nodeSelector, and optionally the device serial. The link gateway gives an edge agent the one Roaster bound to its node and device, among the Roasters of the namespace its Node's label roasting.simcorp.io/roaster-namespace names.",
  );
export type RoasterBinding = z.infer<typeof RoasterBinding>;

export const RoasterSpec = z
  .object({
    model: RoasterModel.describe(
      'The machine: AillioBulletR1 (USB 0483:5741) or AillioBulletR1V2 (the R1 with the IBTS infrared bean sensor, USB 0483:a27e), a Simulated R1, or a Replay of a recorded roast. The model fixes the ranges commands may use (heater 0-9, fan 1-12, drum 1-9 on the R1).',
    ),
    binding: RoasterBinding,
    autonomy: z
      .object({
        level: AutonomyLevel.default('L1').describe(`The highest autonomy allowed. ${autonomyLevels}`),
      })
      .prefault({})
      .describe(
        'How much the operator may do without a human. The effective level (status.effectiveAutonomy) can be lower: the circuit breaker and the presence rule lower it.',
      ),
    limits: RoasterLimits.optional(),
    approvalPolicy: z
      .object({
        timeoutSeconds: z
          .int()
          .min(1)
          .max(300)
          .default(120)
          .describe(
            "How long a proposal may wait for a human decision, in seconds. A proposal's deadline is the smaller of this and its own ttlSeconds; then it ends Expired.",
          ),
        allowSelfApprovalForHumans: z
          .boolean()
          .default(false)
          .describe(
            "Whether a human may approve a proposal they created. Service accounts never may. Copied into a proposal's status.approvalPolicy when it starts waiting, so a change applies to later proposals only.",
          ),
      })
      .prefault({})
      .describe('How proposals that need a human decision are approved.'),
    circuitBreaker: z
      .object({
        failureRateThreshold: z
          .number()
          .gt(0)
          .lte(1)
          .default(0.5)
          .describe(
            'Fraction of dispatched commands that failed within the window at which the breaker opens, greater than 0 and at most 1.',
          ),
        windowSeconds: z
          .int()
          .min(60)
          .max(86400)
          .default(3600)
          .describe('The sliding window over which the failure rate is measured, in seconds.'),
        minCommands: z
          .int()
          .min(1)
          .max(1000)
          .default(5)
          .describe(
            'Fewest commands in the window before the breaker judges the rate, so one early failure does not open it.',
          ),
        degradeTo: AutonomyLevel.default('L2').describe(
          'The effective autonomy level while the breaker is open (never above spec.autonomy.level). Simulated and replayed sessions do not count.',
        ),
      })
      .prefault({})
      .describe(
        'Lowers the effective autonomy when too many commands fail, until the failure rate falls again.',
      ),
    emergencyStop: z
      .boolean()
      .default(false)
      .describe(
        "Git's kill switch. True latches an emergency stop (heater 0, fan up) and keeps it latched; the latch clears only through a ResetLatch proposal once this is false again. A convenience, not a safety function: the roaster's own controls and power switch are.",
      ),
  })
  .meta(validations(roasterRules.serialOnlyDevices, ...Object.values(roasterRules.limitsInModelRange)))
  .describe('The desired state of the roaster, managed from Git. The operator never writes it.');
export type RoasterSpec = z.infer<typeof RoasterSpec>;

export const RoasterPhase = z.enum(['Disconnected', ...DeviceState.options, 'Fault']);
export type RoasterPhase = z.infer<typeof RoasterPhase>;

export const LatchCause = z.enum(['SpecEmergencyStop', 'EmergencyStopProposal', 'EdgeInterlock']);
export type LatchCause = z.infer<typeof LatchCause>;

const level = (actuator: Actuator) =>
  z.int().min(0).max(255).optional().describe(`The ${actuator} level the roaster last reported.`);

const temperature = (what: string) => z.number().optional().describe(`${what}, °C.`);

export const RoasterStatus = z
  .object({
    observedGeneration: observedGeneration.optional(),
    conditions: conditions(
      'Ready: True when the roaster is connected, not latched and takes commands. Connected: the edge agent link is up. AutonomyDegraded: True when the effective autonomy is below spec.autonomy.level. EmergencyStopLatched: True while a latch is set. Reconciling and Stalled as kstatus defines them.',
    ).optional(),
    phase: RoasterPhase.optional().describe(
      'Where the roaster is: Disconnected (no edge agent link), one of the states the roaster reports (Off, Preheating, ReadyToCharge, Roasting, Cooling, Shutdown), or Fault.',
    ),
    effectiveAutonomy: z
      .object({
        level: AutonomyLevel.describe(
          'The level the governor applies now: the lowest of spec.autonomy.level, the circuit breaker and the presence rule.',
        ),
        reasons: z
          .array(z.string().max(256))
          .max(8)
          .optional()
          .describe('Why the level is below spec.autonomy.level, one sentence each. Empty when it is not.'),
      })
      .optional()
      .describe('The autonomy level in force and why.'),
    latch: z
      .object({
        id: z
          .string()
          .min(1)
          .max(64)
          .describe('Identifies this latch. A ResetLatch proposal must name it in command.latchId.'),
        cause: LatchCause.describe(
          'What latched: SpecEmergencyStop (spec.emergencyStop is true), EmergencyStopProposal, or EdgeInterlock (the edge agent made the roaster safe on its own).',
        ),
        message: z
          .string()
          .max(1024)
          .optional()
          .describe(
            'Details: the proposal that stopped the roaster, or the interlock that tripped and its reading.',
          ),
        since: Timestamp.describe('When the latch was set.'),
      })
      .optional()
      .describe(
        'The emergency-stop latch, absent when clear. While set, nothing but EmergencyStop and ResetLatch is dispatched.',
      ),
    edgeLatches: z
      .array(
        z.object({
          id: z.string().min(1).max(64).describe('The latch id the edge agent gave it.'),
          cause: z
            .string()
            .min(1)
            .max(64)
            .describe(
              'Why the edge latched: emergencyStop, overTemperature, exhaustOverTemperature, riseRate, staleData, implausibleData, linkLost, unknownRoastAtStart, deviceMismatch or operator (the operator’s latch, re-pushed on connect).',
            ),
          message: z
            .string()
            .max(1024)
            .optional()
            .describe('The edge agent’s detail: what tripped and its reading.'),
          since: Timestamp.describe('When the edge agent latched.'),
          conditionActive: z
            .boolean()
            .describe(
              'Whether the condition that tripped it is still there. A ResetLatch clears the latch only once it is gone.',
            ),
        }),
      )
      .max(32)
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'] })
      .optional()
      .describe(
        'The latches the edge agent holds, as it last reported them (kept while it is disconnected); absent or empty when it holds none. The InterlocksClear condition sums them up.',
      ),
    device: z
      .object({
        serial: z.string().max(64).optional().describe('Serial number the device reports.'),
        firmware: z.string().max(64).optional().describe('Firmware version the device reports.'),
        node: z.string().max(253).optional().describe('The node of the edge agent that serves the device.'),
        pod: z.string().max(253).optional().describe('The edge agent pod connected to the link gateway.'),
      })
      .optional()
      .describe('The device behind the link, as the edge agent reported it on connecting.'),
    levels: z
      .object({ heater: level('heater'), fan: level('fan'), drum: level('drum') })
      .optional()
      .describe('Control levels the roaster last reported.'),
    lastTelemetry: z
      .object({
        time: Timestamp.describe('When the reading was taken, on the edge agent.'),
        beanTemperatureCelsius: temperature('Bean temperature (the bean probe, BT)'),
        ibtsTemperatureCelsius: temperature(
          'Bean surface temperature from the infrared sensor (IBTS; R1V2 only)',
        ),
        exhaustTemperatureCelsius: temperature('Exhaust temperature'),
      })
      .optional()
      .describe(
        'The latest valid reading, updated at most every few seconds. The full series is in the telemetry store.',
      ),
    activeSession: LocalObjectReference.optional().describe(
      'The RoastSession currently running on this roaster: of those that have not ended, one whose roast began, else the oldest a person claimed with a present mark, else the oldest. Absent while none runs.',
    ),
  })
  .describe(
    'The observed state of the roaster. The link gateway (field manager roast-link) owns connection, device, phase, levels, telemetry and the edge’s latches; the autonomy controller (roast-autonomy) owns effectiveAutonomy, the latch, AutonomyDegraded and Ready; the session controller (roast-session) owns activeSession.',
  );
export type RoasterStatus = z.infer<typeof RoasterStatus>;

export const Roaster = resource(roasterNames.kind, RoasterSpec, RoasterStatus);
export type Roaster = z.infer<typeof Roaster>;

export const roasterDefinition: ResourceDefinition = {
  names: roasterNames,
  description:
    'A Roaster is one coffee roaster the operator runs: a physical machine on a node, a simulated one, or a replayed recording. Its spec comes from Git (autonomy level, limits, approval policy, circuit breaker, emergency stop) and only users holding the configure verb on it may change it. Its status is what the roaster and the operator report. Commands reach it only through CommandProposals.',
  spec: RoasterSpec,
  status: RoasterStatus,
  printerColumns: [
    { name: 'Model', type: 'string', jsonPath: '.spec.model', description: 'The machine.', priority: 1 },
    {
      name: 'Node',
      type: 'string',
      jsonPath: '.status.device.node',
      description: 'Node serving the device.',
      priority: 1,
    },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Where the roaster is.' },
    {
      name: 'Autonomy',
      type: 'string',
      jsonPath: '.spec.autonomy.level',
      description: 'Highest level allowed.',
    },
    {
      name: 'Effective',
      type: 'string',
      jsonPath: '.status.effectiveAutonomy.level',
      description: 'Autonomy level in force.',
    },
    {
      name: 'Latched',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="EmergencyStopLatched")].status',
      description: 'Whether an emergency stop is latched.',
    },
    {
      name: 'Session',
      type: 'string',
      jsonPath: '.status.activeSession.name',
      description: 'Running session.',
    },
  ],
  selectableFields: ['spec.binding.nodeName'],
};
