import type { AutonomyLevel, GovernorDecision } from '@roast-operator/api';
import { type EffectiveAutonomy, effectiveAutonomy } from './autonomy.ts';
import {
  type Check,
  deadline,
  disconnected,
  emergencyStopReason,
  faulted,
  firstFinding,
  killSwitch,
  latched,
  malformed,
  maxPerSession,
  minInterval,
  pressFromState,
  ranges,
  resetByHuman,
  resetInterlocksClear,
  resetKillSwitchOff,
  resetNamesLatch,
  type Situation,
  temperatureCeiling,
} from './checks.ts';
import { isPress } from './commands.ts';
import { checkL4Envelope } from './envelope.ts';
import {
  type GovernedProposal,
  type GovernedRoaster,
  type GovernedSession,
  type History,
  type Instant,
  type Presence,
  toMs,
} from './inputs.ts';
import { isStricter, levelNames } from './levels.ts';
import { isAgent } from './proposer.ts';
import { type RuleId, rules } from './rules.ts';

/** What the governor decided, in the shape of a CommandProposal's status.governor. */
export interface Ruling {
  decision: GovernorDecision;
  /** The rule that decided. */
  rule: RuleId;
  /** What the governor found, one sentence each. */
  reasons: string[];
  /** The effective autonomy level the decision was made at. */
  level: AutonomyLevel;
}

// Hard rules, in the order they are checked: the first one broken denies. A human approval never
// overrides them, at any level.
const commandRules: readonly Check[] = [
  deadline,
  malformed,
  disconnected,
  faulted,
  killSwitch,
  latched,
  ranges,
  pressFromState,
  temperatureCeiling,
  minInterval,
  maxPerSession,
];

// A reset actuates nothing, so ranges, pacing and levels do not apply; it must name the current latch
// and the causes of the latch must be gone.
const resetRules: readonly Check[] = [
  deadline,
  malformed,
  resetByHuman,
  resetNamesLatch,
  resetKillSwitchOff,
  disconnected,
  resetInterlocksClear,
];

type LevelOutcome = Omit<Ruling, 'level'>;

const outcome = (decision: GovernorDecision, rule: RuleId, ...reasons: string[]): LevelOutcome => ({
  decision,
  rule,
  reasons,
});

/** What a level makes of a proposal that keeps every hard rule. */
function atLevel(s: Situation, level: AutonomyLevel): LevelOutcome {
  const { command, proposedBy } = s.proposal.spec;
  const agent = isAgent(proposedBy);
  if (level === 'L1') {
    return outcome(
      'Deny',
      rules.observeOnly,
      `At ${levelNames.L1}, every command but EmergencyStop and ResetLatch is blocked.`,
    );
  }
  if (level === 'L2') {
    return agent
      ? outcome(
          'Deny',
          rules.adviceOnly,
          `At ${levelNames.L2}, an agent's proposals are advice only and blocked; a human may propose the same command.`,
        )
      : outcome(
          'RequireApproval',
          rules.humanNeedsApproval,
          `At ${levelNames.L2}, a human's proposal needs an approval from someone holding approve on the roaster.`,
        );
  }
  if (isPress(command.type)) {
    return outcome(
      'RequireApproval',
      rules.pressNeedsApproval,
      `${command.type} presses the roaster's PRS button: presses are never approved automatically, so it needs a human approval.`,
    );
  }
  if (!agent) {
    return outcome(
      'Allow',
      rules.humanDirect,
      `At ${levelNames[level]}, a human's own proposal inside the hard limits needs no further approval.`,
    );
  }
  if (level === 'L3') {
    return outcome(
      'RequireApproval',
      rules.agentNeedsApproval,
      `At ${levelNames.L3}, an agent's proposal needs a human approval.`,
    );
  }
  if (level === 'L4') {
    const envelope = checkL4Envelope(command, s.roaster, s.history);
    return envelope.inside
      ? outcome(
          'Allow',
          rules.envelope,
          envelope.reason,
          `At ${levelNames.L4}, such a step is approved automatically.`,
        )
      : outcome(
          'RequireApproval',
          rules.outsideEnvelope,
          envelope.reason,
          `At ${levelNames.L4}, anything more needs a human approval.`,
        );
  }
  return outcome(
    'Allow',
    rules.autonomous,
    `At ${levelNames.L5}, every command inside the hard limits is approved automatically; humans are notified.`,
  );
}

/**
 * The level stage. When a cap (circuit breaker, presence) is what made the outcome stricter than Git's
 * level would, the cap is the rule that fired: that is what a person has to fix.
 */
function byAutonomy(s: Situation, autonomy: EffectiveAutonomy): Ruling {
  const effective = atLevel(s, autonomy.level);
  const { loweredBy } = autonomy;
  const capped =
    loweredBy !== undefined &&
    isStricter(effective.decision, atLevel(s, s.roaster.spec.autonomy.level).decision);
  return {
    decision: effective.decision,
    rule: capped ? loweredBy : effective.rule,
    reasons: [...autonomy.reasons, ...effective.reasons],
    level: autonomy.level,
  };
}

/**
 * Governs one proposal: Allow (dispatch without a human), RequireApproval (wait for spec.approval) or Deny
 * (Blocked). In order: EmergencyStop is always allowed; then the hard rules, where the first broken one
 * denies; a valid ResetLatch is allowed at any level; everything else is decided by the effective level.
 */
export function decide(
  proposal: GovernedProposal,
  roaster: GovernedRoaster,
  session: GovernedSession | undefined,
  history: History,
  presence: Presence,
  now: Instant,
): Ruling {
  const { command, proposedBy } = proposal.spec;
  const autonomy = effectiveAutonomy(roaster, history, presence, now, command);
  const ruling = (decision: GovernorDecision, rule: RuleId, reason: string): Ruling => ({
    decision,
    rule,
    reasons: [reason],
    level: autonomy.level,
  });
  if (command.type === 'EmergencyStop')
    return ruling('Allow', rules.emergencyStopExempt, emergencyStopReason);

  const s: Situation = { proposal, roaster, session, history, now: toMs(now) };
  const reset = command.type === 'ResetLatch';
  const broken = firstFinding(s, reset ? resetRules : commandRules);
  if (broken) return ruling('Deny', broken.rule, broken.reason);
  if (reset) {
    return ruling(
      'Allow',
      rules.resetAllowed,
      `${proposedBy} holds reset and decides it: latch ${command.latchId} is cleared, as spec.emergencyStop is false and the edge agent reports its interlocks clear.`,
    );
  }
  return byAutonomy(s, autonomy);
}
