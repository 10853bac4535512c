import { z } from 'zod';
import {
  asciiIdRules,
  type CelRule,
  celList,
  celUnchanged,
  conditions,
  freeText,
  LocalObjectReference,
  observedGeneration,
  prose,
  resource,
  Timestamp,
  textRules,
  userName,
  userNameRules,
  validations,
} from './common.ts';
import { commandProposalNames } from './constants.ts';
import type { ResourceDefinition } from './crd.ts';
import { type Actuator, anyModelFromStates, anyModelRange, DeviceState, Press } from './models.ts';
import { AutonomyLevel } from './roaster.ts';

export const SetCommand = z.enum(['SetHeater', 'SetFan', 'SetDrum']);
export type SetCommand = z.infer<typeof SetCommand>;

export const actuatorOf: Readonly<Record<SetCommand, Actuator>> = {
  SetHeater: 'heater',
  SetFan: 'fan',
  SetDrum: 'drum',
};

export const CommandType = z.enum([...SetCommand.options, ...Press.options, 'EmergencyStop', 'ResetLatch']);
export type CommandType = z.infer<typeof CommandType>;

function targetInRange(type: SetCommand): CelRule {
  const actuator = actuatorOf[type];
  const { min, max } = anyModelRange(actuator);
  return {
    rule: `self.type != '${type}' || !has(self.target) || (self.target >= ${min} && self.target <= ${max})`,
    message: `${type} target must be between ${min} and ${max}, the ${actuator} levels a supported model accepts (the Roaster's own limits are checked when the proposal is governed)`,
    fieldPath: '.target',
  };
}

// A CEL map from each press to the states some model accepts it in.
const fromStatesByPress = `{${Press.options.map((p) => `'${p}': ${celList(anyModelFromStates(p))}`).join(', ')}}`;

export const commandRules = {
  targetShape: {
    rule: `(self.type in ${celList(SetCommand.options)}) == has(self.target)`,
    message: `target is required for ${prose(SetCommand.options)} and must be omitted for every other command type`,
    fieldPath: '.target',
  },
  fromStateShape: {
    rule: `(self.type in ${celList(Press.options)}) == has(self.fromState)`,
    message: `fromState is required for the PRS presses ${prose(Press.options)} and must be omitted for every other command type`,
    fieldPath: '.fromState',
  },
  latchIdShape: {
    rule: `(self.type == 'ResetLatch') == has(self.latchId)`,
    message:
      "latchId is required for ResetLatch (copy it from the Roaster's status.latch.id) and must be omitted for every other command type",
    fieldPath: '.latchId',
  },
  pressFromState: {
    rule: `!(self.type in ${celList(Press.options)}) || !has(self.fromState) || self.fromState in ${fromStatesByPress}[self.type]`,
    message: `fromState must be the state the press is made in: ${Press.options.map((p) => `${p} from ${prose(anyModelFromStates(p), 'or')}`).join(', ')}`,
    fieldPath: '.fromState',
  },
  targetInRange: {
    SetHeater: targetInRange('SetHeater'),
    SetFan: targetInRange('SetFan'),
    SetDrum: targetInRange('SetDrum'),
  } satisfies Record<SetCommand, CelRule>,
  latchIdAscii: asciiIdRules('latchId', "the Roaster's status.latch.id"),
} satisfies Record<string, CelRule | Record<string, CelRule>>;

/** The rules of the strings people write into a proposal: free text, and the names admission compares. */
export const proposalTextRules = {
  rationale: textRules('rationale', 4096),
  reason: textRules('approval.reason', 1024),
  proposedBy: userNameRules('proposedBy'),
  approver: userNameRules('approval.approver'),
};

const targetBounds = SetCommand.options.map((t) => anyModelRange(actuatorOf[t]));

export const Command = z
  .object({
    type: CommandType.describe(
      'What to do. SetHeater, SetFan and SetDrum set an absolute level (target). Preheat, Charge, Drop and Cool press the PRS button once, only in the state named by fromState: Preheat from Off starts preheating, Charge from ReadyToCharge starts the roast once the beans are in, Drop from Roasting drops the beans and starts cooling, Cool from Cooling ends cooling. EmergencyStop sets the heater to 0, raises the fan and latches the roaster; it takes no other field and never presses PRS. ResetLatch clears the latch named by latchId.',
    ),
    target: z
      .int()
      .min(Math.min(...targetBounds.map((r) => r.min)))
      .max(Math.max(...targetBounds.map((r) => r.max)))
      .optional()
      .describe(
        "For SetHeater, SetFan and SetDrum: the absolute level to reach (heater power, fan speed or drum speed). The edge agent steps toward it one level per cycle. It must lie inside the model's range (heater 0-9, fan 1-12, drum 1-9 on the R1) and the Roaster's spec.limits.",
      ),
    fromState: DeviceState.optional().describe(
      'For Preheat, Charge, Drop and Cool: the state the roaster must be in when the button is pressed. In any other state the command fails without pressing.',
    ),
    latchId: z
      .string()
      .min(1)
      .max(64)
      .meta(validations(commandRules.latchIdAscii))
      .optional()
      .describe(
        "For ResetLatch: the latch to clear, as in the Roaster's status.latch.id. A reset that names another latch fails.",
      ),
  })
  .meta(
    validations(
      commandRules.targetShape,
      commandRules.fromStateShape,
      commandRules.latchIdShape,
      commandRules.pressFromState,
      ...Object.values(commandRules.targetInRange),
    ),
  )
  .describe(
    'The command: one flat object whose other fields depend on type. Commands are absolute, so dispatching one twice does no harm.',
  );
export type Command = z.infer<typeof Command>;

export const ApprovalDecision = z.enum(['Approved', 'Rejected']);
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

export const Approval = z
  .object({
    decision: ApprovalDecision.describe(
      'Approved lets the command be dispatched; Rejected ends the proposal Rejected.',
    ),
    approver: userName(proposalTextRules.approver).describe(
      'Who decided: the name the API server authenticated for the request that sets the approval. The approver needs the approve verb on the Roaster and may not be the proposer unless the Roaster allows self-approval for humans.',
    ),
    reason: freeText(1024, proposalTextRules.reason)
      .optional()
      .describe('Why, in a sentence, for the audit log: one line of printable text, at most 1024 bytes.'),
  })
  .describe(
    "A human's decision, the only part of a proposal a human writes: set once (kubectl patch or the kubectl roast plugin) while status.phase is AwaitingApproval, and never changed or removed afterwards. An approval never overrides a governor Deny.",
  );
export type Approval = z.infer<typeof Approval>;

// Everything but the approval: fixed at create.
const ProposalRequest = z.object({
  roasterRef: LocalObjectReference.describe('The Roaster to command, in the same namespace.'),
  sessionRef: LocalObjectReference.optional().describe(
    'The RoastSession the command belongs to, if any; counts towards its limits.',
  ),
  command: Command,
  proposedBy: userName(proposalTextRules.proposedBy).describe(
    'Who proposes: the name the API server authenticated for the create request (checked by admission policy).',
  ),
  rationale: freeText(4096, proposalTextRules.rationale)
    .optional()
    .describe(
      'Why the command is proposed, for the approver and the audit log. Agents always give one. One line of printable text (no control characters, no line breaks), at most 4096 bytes of UTF-8.',
    ),
  ttlSeconds: z
    .int()
    .min(1)
    .max(300)
    .default(60)
    .describe(
      "How long the proposal stays valid after create, in seconds, 1-300. The deadline is the smaller of this and the Roaster's spec.approvalPolicy.timeoutSeconds; a proposal not dispatched by then ends Expired.",
    ),
});

export const proposalRules = {
  specImmutable: {
    rule: Object.keys(ProposalRequest.shape)
      .map((field) => `(${celUnchanged(field)})`)
      .join(' && '),
    message:
      'spec is immutable after create except for adding spec.approval; create a new CommandProposal instead',
    reason: 'FieldValueForbidden',
  },
  // On spec, not on approval: a rule on an optional field does not run when the field is removed.
  approvalWriteOnce: {
    rule: '!has(oldSelf.approval) || (has(self.approval) && self.approval == oldSelf.approval)',
    message:
      'spec.approval is write-once: it cannot be changed or removed; create a new CommandProposal to decide again',
    reason: 'FieldValueForbidden',
    fieldPath: '.approval',
  },
} satisfies Record<string, CelRule>;

export const CommandProposalSpec = ProposalRequest.extend({ approval: Approval.optional() })
  .meta(validations(proposalRules.specImmutable, proposalRules.approvalWriteOnce))
  .describe(
    'The requested command. Immutable after create, except that spec.approval may be added once. Admission policy checks that proposedBy is the creator, who holds the propose verb on the Roaster (stop for EmergencyStop, reset for ResetLatch).',
  );
export type CommandProposalSpec = z.infer<typeof CommandProposalSpec>;

export const ProposalPhase = z.enum([
  'Pending',
  'Blocked',
  'AwaitingApproval',
  'Approved',
  'Dispatched',
  'Succeeded',
  'Failed',
  'Rejected',
  'Expired',
  'Aborted',
]);
export type ProposalPhase = z.infer<typeof ProposalPhase>;

export const GovernorDecision = z.enum(['Allow', 'RequireApproval', 'Deny']);
export type GovernorDecision = z.infer<typeof GovernorDecision>;

export const CommandOutcome = z.enum(['Succeeded', 'Failed', 'Unknown']);
export type CommandOutcome = z.infer<typeof CommandOutcome>;

export const CommandProposalStatus = z
  .object({
    observedGeneration: observedGeneration.optional(),
    conditions: conditions(
      'Ready: True once the command succeeded on the roaster, False with the phase as reason when it ended any other way. Reconciling: True while the proposal is governed, awaits approval or is dispatched.',
    ).optional(),
    phase: ProposalPhase.optional().describe(
      'Pending, then Blocked (the governor denied it), AwaitingApproval or Approved; an approved command is Dispatched and ends Succeeded or Failed. A proposal can also end Rejected (by a human), Expired (deadline passed) or Aborted (pre-empted, e.g. by an emergency stop).',
    ),
    governor: z
      .object({
        decision: GovernorDecision.describe(
          'Allow (dispatch without a human), RequireApproval (wait for spec.approval) or Deny (Blocked).',
        ),
        rule: z
          .string()
          .max(128)
          .describe('The governor rule that decided, e.g. model-range or autonomy-level.'),
        reasons: z
          .array(z.string().max(512))
          .max(16)
          .optional()
          .describe('What the governor checked and found, one sentence each.'),
        level: AutonomyLevel.describe('The effective autonomy level the decision was made at.'),
      })
      .optional()
      .describe('What the governor decided, checked against the policy kept in Git.'),
    approvalPolicy: z
      .object({
        selfApprovalAllowed: z
          .boolean()
          .describe(
            'Whether the proposer, if human, may approve it: the Roaster’s allowSelfApprovalForHumans.',
          ),
      })
      .optional()
      .describe(
        'The Roaster’s approval policy, copied when the proposal started AwaitingApproval; admission policy reads it.',
      ),
    expiresAt: Timestamp.optional().describe(
      'The deadline: creation plus the smaller of spec.ttlSeconds and the Roaster’s approval timeout.',
    ),
    dispatch: z
      .object({
        time: Timestamp.describe('When the command was sent to the edge agent.'),
        node: z.string().max(253).optional().describe('The node of the edge agent it was sent to.'),
        pod: z.string().max(253).optional().describe('The edge agent pod it was sent to.'),
      })
      .optional()
      .describe(
        'Where and when the command was sent. The edge agent answers a repeat with its first result.',
      ),
    result: z
      .object({
        outcome: CommandOutcome.describe(
          'Succeeded, Failed, or Unknown when the edge agent could not confirm it (link lost after sending).',
        ),
        message: z.string().max(1024).optional().describe('What the edge agent reported.'),
        latencyMs: z
          .int()
          .min(0)
          .optional()
          .describe('Milliseconds from dispatch to the edge agent’s result.'),
        time: Timestamp.optional().describe('When the result arrived.'),
      })
      .optional()
      .describe('What happened on the roaster.'),
  })
  .describe('The observed state of the proposal, written only by the operator.');
export type CommandProposalStatus = z.infer<typeof CommandProposalStatus>;

export const CommandProposal = resource(
  commandProposalNames.kind,
  CommandProposalSpec,
  CommandProposalStatus,
);
export type CommandProposal = z.infer<typeof CommandProposal>;

export const commandProposalDefinition: ResourceDefinition = {
  names: commandProposalNames,
  description:
    'A CommandProposal asks for one command on one Roaster, from a human or an agent. The governor decides whether it may run on its own, needs a human approval (spec.approval, written once with kubectl) or is blocked; the operator dispatches approved commands to the edge agent and records the result. Everything in spec is fixed at create, except that spec.approval may be added once.',
  spec: CommandProposalSpec,
  status: CommandProposalStatus,
  printerColumns: [
    {
      name: 'Roaster',
      type: 'string',
      jsonPath: '.spec.roasterRef.name',
      description: 'The Roaster to command.',
    },
    { name: 'Command', type: 'string', jsonPath: '.spec.command.type', description: 'The command type.' },
    { name: 'Target', type: 'integer', jsonPath: '.spec.command.target', description: 'Level to set.' },
    {
      name: 'From',
      type: 'string',
      jsonPath: '.spec.command.fromState',
      description: 'State a press expects.',
      priority: 1,
    },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Where the proposal is.' },
    {
      name: 'Governor',
      type: 'string',
      jsonPath: '.status.governor.decision',
      description: "Governor's decision.",
    },
    {
      name: 'Decision',
      type: 'string',
      jsonPath: '.spec.approval.decision',
      description: "A human's decision.",
    },
    {
      name: 'Proposer',
      type: 'string',
      jsonPath: '.spec.proposedBy',
      description: 'Who proposed.',
      priority: 1,
    },
    {
      name: 'Approver',
      type: 'string',
      jsonPath: '.spec.approval.approver',
      description: 'Who decided.',
      priority: 1,
    },
  ],
  selectableFields: ['spec.roasterRef.name'],
};
