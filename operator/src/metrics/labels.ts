// What the fleet's metrics say about one object or one change of it, as bounded label values: every value
// comes from a closed list (a kind's enum, the governor's rules, the edge's interlocks), and anything else
// is counted as `other`, so no user's, proposal's or session's name ever becomes a series. Pure.
import type {
  CommandProposal,
  ProposalPhase,
  Roaster,
  RoastSession,
  SessionPhase,
} from '@roast-operator/api';
import { isAgent, rules } from '@roast-operator/governor';
import { findStatusCondition } from '@roast-operator/kube';
import { isTerminalProposal, phaseOf } from '../objects.ts';

export const other = 'other';

export const origins = ['human', 'agent'] as const;
export type Origin = (typeof origins)[number];
export const origin = (p: CommandProposal): Origin => (isAgent(p.spec.proposedBy) ? 'agent' : 'human');

const knownRules: ReadonlySet<string> = new Set(Object.values(rules));
/** Every value `ruleLabel` gives. */
export const ruleLabels: readonly string[] = [...knownRules, 'none', other];

/** The governor rule that decided, `none` before the governor ruled (e.g. expired first). */
export function ruleLabel(p: CommandProposal): string {
  const rule = p.status?.governor?.rule;
  if (rule === undefined) return 'none';
  return knownRules.has(rule) ? rule : other;
}

/** How a proposal left waiting: a rule, a person, or its deadline. */
export const decisions = ['Allowed', 'Approved', 'Blocked', 'Rejected', 'Expired', 'Aborted'] as const;
export type Decision = (typeof decisions)[number];

const undecided: ReadonlySet<ProposalPhase> = new Set(['Pending', 'AwaitingApproval']);

/** The decision `next` records, when `previous` was still undecided and `next` is not; else undefined. */
export function decisionBetween(previous: CommandProposal, next: CommandProposal): Decision | undefined {
  if (!undecided.has(phaseOf(previous)) || undecided.has(phaseOf(next))) return undefined;
  switch (phaseOf(next)) {
    case 'Blocked':
    case 'Rejected':
    case 'Expired':
    case 'Aborted':
      return phaseOf(next) as Decision;
    default:
      return next.spec.approval?.decision === 'Approved' ? 'Approved' : 'Allowed';
  }
}

/** The terminal phase `next` reached, when `previous` had not; else undefined. */
export function terminalBetween(previous: CommandProposal, next: CommandProposal): ProposalPhase | undefined {
  return !isTerminalProposal(previous) && isTerminalProposal(next) ? phaseOf(next) : undefined;
}

/** When the command was sent, if `next` is the version that first records it. */
export function dispatchedBetween(previous: CommandProposal, next: CommandProposal): number | undefined {
  const time = next.status?.dispatch?.time;
  return previous.status?.dispatch === undefined && time !== undefined ? Date.parse(time) : undefined;
}

const levels = { L1: 1, L2: 2, L3: 3, L4: 4, L5: 5 } as const;

export interface AutonomyFigures {
  readonly effective: number;
  readonly configured: number;
  /** The AutonomyDegraded condition's reason: AtConfiguredLevel, CircuitBreakerOpen, NoHumanPresent, Degraded. */
  readonly reason: string;
}

const autonomyReasons: ReadonlySet<string> = new Set([
  'AtConfiguredLevel',
  'CircuitBreakerOpen',
  'NoHumanPresent',
  'Degraded',
]);

/** The Roaster's autonomy as the operator last wrote it; undefined until it has. */
export function autonomy(r: Roaster): AutonomyFigures | undefined {
  const effective = r.status?.effectiveAutonomy?.level;
  if (effective === undefined) return undefined;
  const reason = findStatusCondition(r.status?.conditions, 'AutonomyDegraded')?.reason ?? 'Unknown';
  return {
    effective: levels[effective],
    configured: levels[r.spec.autonomy.level],
    reason: autonomyReasons.has(reason) ? reason : other,
  };
}

export const connected = (r: Roaster): boolean =>
  findStatusCondition(r.status?.conditions, 'Connected')?.status === 'True';

/** The interlocks an edge agent reports (its latches' causes), as the Roaster's status spells them. */
export const interlocks = [
  'emergencyStop',
  'overTemperature',
  'exhaustOverTemperature',
  'riseRate',
  'staleData',
  'implausibleData',
  'linkLost',
  'unknownRoastAtStart',
  'deviceMismatch',
  'preStop',
  'operator',
] as const;
const knownInterlocks: ReadonlySet<string> = new Set(interlocks);

/** The edge's latches by interlock: how many of each the roaster holds. */
export function edgeLatchesByInterlock(r: Roaster): Map<string, number> {
  const counts = new Map<string, number>();
  for (const latch of r.status?.edgeLatches ?? []) {
    const interlock = knownInterlocks.has(latch.cause) ? latch.cause : other;
    counts.set(interlock, (counts.get(interlock) ?? 0) + 1);
  }
  return counts;
}

/** Session phases in which beans are in the drum: a lost link then loses a roast. */
export const roastingPhases: ReadonlySet<SessionPhase> = new Set([
  'Charged',
  'Drying',
  'Maillard',
  'Development',
]);

const endedSession: ReadonlySet<SessionPhase> = new Set(['Completed', 'Aborted', 'Failed']);

/** The sources a completed roast is counted under from the start (Unknown appears only if it occurs). */
export const sessionSources = ['Device', 'Simulated', 'Replay'] as const;

/** Where the telemetry came from: Device, Simulated, Replay, or Unknown before the operator knows. */
export const sessionSource = (s: RoastSession): string => s.status?.source?.type ?? 'Unknown';

export interface RoastFigures {
  readonly totalSeconds: number;
  /** Development time ratio as a fraction (0-1). */
  readonly developmentRatio?: number;
  /** First crack's time minus the time the profile implies for it, in seconds; only with such a profile. */
  readonly firstCrackErrorSeconds?: number;
}

/**
 * The figures of a roast that `next` completes (`previous` had not ended); undefined otherwise or without a
 * total time. The profile implies first crack at totalSeconds × (1 − developmentRatioPercent / 100): the
 * planned development is the end of the planned roast.
 */
export function completedRoast(previous: RoastSession, next: RoastSession): RoastFigures | undefined {
  if (endedSession.has(previous.status?.phase ?? 'Pending') || next.status?.phase !== 'Completed')
    return undefined;
  const metrics = next.status.metrics;
  if (metrics?.totalSeconds === undefined) return undefined;
  const figures: { -readonly [K in keyof RoastFigures]: RoastFigures[K] } = {
    totalSeconds: metrics.totalSeconds,
  };
  if (metrics.developmentRatioPercent !== undefined)
    figures.developmentRatio = metrics.developmentRatioPercent / 100;
  const crack = next.status.events?.firstCrack?.secondsSinceCharge;
  const { totalSeconds: plannedTotal, developmentRatioPercent: plannedRatio } = next.spec.profile ?? {};
  if (crack !== undefined && plannedTotal !== undefined && plannedRatio !== undefined)
    figures.firstCrackErrorSeconds = crack - plannedTotal * (1 - plannedRatio / 100);
  return figures;
}
