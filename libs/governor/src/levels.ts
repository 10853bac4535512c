import { AutonomyLevel, type GovernorDecision } from '@roast-operator/api';

/** What each level means, for sentences a person reads. */
export const levelNames: Readonly<Record<AutonomyLevel, string>> = {
  L1: 'L1, observe only',
  L2: 'L2, assisted',
  L3: 'L3, supervised',
  L4: 'L4, conditional',
  L5: 'L5, autonomous',
};

const rank = (level: AutonomyLevel): number => AutonomyLevel.options.indexOf(level);

export function isBelow(level: AutonomyLevel, than: AutonomyLevel): boolean {
  return rank(level) < rank(than);
}

const strictness: Readonly<Record<GovernorDecision, number>> = { Allow: 0, RequireApproval: 1, Deny: 2 };

export function isStricter(a: GovernorDecision, than: GovernorDecision): boolean {
  return strictness[a] > strictness[than];
}
