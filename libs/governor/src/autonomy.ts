import type { AutonomyLevel, Command } from '@roast-operator/api';
import { breakerReason, evaluateBreaker } from './breaker.ts';
import { energyEffect } from './energy.ts';
import type { GovernedRoaster, History, Instant, Presence } from './inputs.ts';
import { isBelow } from './levels.ts';
import { humanPresent } from './presence.ts';
import { rules } from './rules.ts';

type CapRule = typeof rules.breakerOpen | typeof rules.presenceRequired;

/** Something that holds the effective level below what Git allows. */
interface Cap {
  readonly rule: CapRule;
  readonly level: AutonomyLevel;
  readonly reason: string;
}

export interface EffectiveAutonomy {
  readonly level: AutonomyLevel;
  /** Why the level is below spec.autonomy.level, one sentence per cap that lowers it; empty when it is not. */
  readonly reasons: string[];
  /** The cap that set the level, when it is below spec.autonomy.level. */
  readonly loweredBy?: CapRule;
}

function breakerCap(roaster: GovernedRoaster, history: History, now: Instant): Cap | undefined {
  const policy = roaster.spec.circuitBreaker;
  const state = evaluateBreaker(policy, history.results, now);
  return state.open
    ? { rule: rules.breakerOpen, level: policy.degradeTo, reason: breakerReason(state, policy) }
    : undefined;
}

// Applies to commands that raise energy; without a command, to the case that matters most, so the Roaster
// status shows the level an energy-raising command would get.
function presenceCap(
  roaster: GovernedRoaster,
  presence: Presence,
  now: Instant,
  command: Command | undefined,
): Cap | undefined {
  const raises = command === undefined || energyEffect(command, roaster.status?.levels) === 'raises';
  if (!raises || humanPresent(presence, now)) return undefined;
  return {
    rule: rules.presenceRequired,
    level: 'L3',
    reason:
      'No human was seen at this roaster in the last 5 minutes, so commands that raise energy need a human approval (at most L3); a human proposal, decision or present mark restores it.',
  };
}

/**
 * The autonomy level in force: the lowest of spec.autonomy.level, the circuit breaker and the presence rule.
 * The evaluation gate will be one more cap; it does not exist yet, so it caps nothing.
 *
 * With a command, the presence rule applies only if that command raises energy; without one (the Roaster
 * status), it applies as for a command that does.
 */
export function effectiveAutonomy(
  roaster: GovernedRoaster,
  history: History,
  presence: Presence,
  now: Instant,
  command?: Command,
): EffectiveAutonomy {
  const configured = roaster.spec.autonomy.level;
  const caps = [breakerCap(roaster, history, now), presenceCap(roaster, presence, now, command)].filter(
    (cap): cap is Cap => cap !== undefined && isBelow(cap.level, configured),
  );
  let level = configured;
  let loweredBy: CapRule | undefined;
  for (const cap of caps) {
    if (isBelow(cap.level, level)) {
      level = cap.level;
      loweredBy = cap.rule;
    }
  }
  return { level, reasons: caps.map((cap) => cap.reason), loweredBy };
}
