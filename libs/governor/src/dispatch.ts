import {
  type Check,
  deadline,
  disconnected,
  emergencyStopReason,
  faulted,
  firstFinding,
  killSwitch,
  latched,
  maxPerSessionAtDispatch,
  minInterval,
  pressFromState,
  ranges,
  resetInterlocksClear,
  resetKillSwitchOff,
  resetNamesLatch,
  temperatureCeiling,
} from './checks.ts';
import {
  type GovernedProposal,
  type GovernedRoaster,
  type GovernedSession,
  type History,
  type Instant,
  toMs,
} from './inputs.ts';
import { type RuleId, rules } from './rules.ts';

/**
 * What the dispatcher does with an approved proposal: send it; wait (the rule passes with time or a
 * reconnect) and look again, until the deadline; end it Expired; or end it Aborted (the roaster moved on:
 * latched, faulted, another state for a press, too hot, or Git narrowed the limits).
 */
export type DispatchAction = 'Dispatch' | 'Wait' | 'Expire' | 'Abort';

export interface DispatchCheck {
  readonly action: DispatchAction;
  readonly rule: RuleId;
  readonly reasons: string[];
  /** For Wait on the minimum interval: the earliest time, in ms since the epoch, to look again. */
  readonly notBefore?: number;
}

// The rules whose facts change while a proposal waits for approval or dispatch. The limits are here too:
// Git may narrow them meanwhile, and an approval never overrides them. A full session comes before the
// pacing: waiting for the next slot is pointless when the session has no command left.
const commandRechecks: readonly Check[] = [
  deadline,
  disconnected,
  faulted,
  killSwitch,
  latched,
  ranges,
  pressFromState,
  temperatureCeiling,
  maxPerSessionAtDispatch,
  minInterval,
];

const resetRechecks: readonly Check[] = [
  deadline,
  disconnected,
  resetNamesLatch,
  resetKillSwitchOff,
  resetInterlocksClear,
];

function actionFor(rule: RuleId): Exclude<DispatchAction, 'Dispatch'> {
  if (rule === rules.deadline) return 'Expire';
  // A dropped link and the pacing between commands pass on their own; everything else means the
  // roaster is no longer where the proposal was decided.
  return rule === rules.disconnected || rule === rules.minInterval ? 'Wait' : 'Abort';
}

/**
 * Re-checks the state-dependent rules just before an approved proposal is sent: deadline, connection,
 * fault, kill switch and latch, the model's range and the Roaster's limits, the state a press expects, the
 * temperature ceiling, the session's maximum (counting the commands already sent, so approvals beyond it never
 * go) and the minimum interval since the last dispatch. The level is not re-checked: the approval (a
 * human's, or the governor's own Allow) stands. EmergencyStop always goes, and a ResetLatch never meets the
 * session's maximum. `history` and `session` must not count this proposal.
 */
export function recheckBeforeDispatch(
  proposal: GovernedProposal,
  roaster: GovernedRoaster,
  session: GovernedSession | undefined,
  history: History,
  now: Instant,
): DispatchCheck {
  const { command } = proposal.spec;
  if (command.type === 'EmergencyStop') {
    return { action: 'Dispatch', rule: rules.emergencyStopExempt, reasons: [emergencyStopReason] };
  }
  const s = { proposal, roaster, session, history, now: toMs(now) };
  const broken = firstFinding(s, command.type === 'ResetLatch' ? resetRechecks : commandRechecks);
  if (broken === undefined) {
    return {
      action: 'Dispatch',
      rule: rules.dispatchReady,
      reasons: [
        'The roaster is still in the state the proposal was decided in, and the deadline has not passed.',
      ],
    };
  }
  return {
    action: actionFor(broken.rule),
    rule: broken.rule,
    reasons: [broken.reason],
    notBefore: broken.notBefore,
  };
}
