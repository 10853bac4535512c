// The autonomy side of a Roaster's status, owned by field manager roast-autonomy: the effective autonomy
// level and why it is lower, the emergency-stop latch, and the conditions AutonomyDegraded,
// EmergencyStopLatched and Ready. Pure: computed from the Roaster, its proposals and sessions, presence and
// the operator's own health.
import type { CommandProposal, Roaster, RoasterStatus, RoastSession } from '@roast-operator/api';
import {
  type CommandResult,
  effectiveAutonomy,
  humanPresent,
  type Latch,
  nextLatch,
  type Presence,
  presenceWindowMs,
  rules,
} from '@roast-operator/governor';
import {
  type Condition,
  type ConditionUpdate,
  type EventInput,
  setStatusCondition,
} from '@roast-operator/kube';
import { history, latchFacts } from '../governing.ts';

export interface AutonomySituation {
  readonly now: number;
  readonly roaster: Roaster;
  readonly proposals: readonly CommandProposal[];
  readonly session: (name: string) => RoastSession | undefined;
  readonly presence: Presence;
  /** The admission guard is proven live: without it nothing is dispatched. */
  readonly guardLive: boolean;
  /** A link to edge agents runs in this operator: without one nothing is dispatched. */
  readonly linkConfigured: boolean;
}

/** The status fields roast-autonomy owns; a server-side apply of exactly these. */
export interface AutonomyStatus {
  observedGeneration?: number;
  effectiveAutonomy: NonNullable<RoasterStatus['effectiveAutonomy']>;
  latch?: Latch;
  conditions: Condition[];
}

export const ownedConditions = ['Ready', 'AutonomyDegraded', 'EmergencyStopLatched'] as const;
type Owned = (typeof ownedConditions)[number];

const capReason: Readonly<Record<string, string>> = {
  [rules.breakerOpen]: 'CircuitBreakerOpen',
  [rules.presenceRequired]: 'NoHumanPresent',
};

function degraded(roaster: Roaster, autonomy: ReturnType<typeof effectiveAutonomy>): ConditionUpdate {
  const configured = roaster.spec.autonomy.level;
  if (autonomy.loweredBy === undefined) {
    return {
      type: 'AutonomyDegraded',
      status: 'False',
      reason: 'AtConfiguredLevel',
      message: `Effective autonomy is ${configured}, as spec.autonomy.level allows.`,
    };
  }
  return {
    type: 'AutonomyDegraded',
    status: 'True',
    reason: capReason[autonomy.loweredBy] ?? 'Degraded',
    message: `Effective autonomy is ${autonomy.level}, below ${configured}: ${autonomy.reasons.join(' ')}`,
  };
}

function latched(latch: Latch | undefined): ConditionUpdate {
  if (latch === undefined) {
    return {
      type: 'EmergencyStopLatched',
      status: 'False',
      reason: 'NotLatched',
      message: 'No latch is set.',
    };
  }
  return {
    type: 'EmergencyStopLatched',
    status: 'True',
    reason: latch.cause,
    message: `Latch ${latch.id} (${latch.message ?? latch.cause}) since ${latch.since}: only EmergencyStop and ResetLatch are accepted. Clear it with a ResetLatch proposal naming ${latch.id}, once spec.emergencyStop is false and the edge reports its interlocks clear.`,
  };
}

function ready(s: AutonomySituation, latch: Latch | undefined): ConditionUpdate {
  const phase = s.roaster.status?.phase;
  const no = (reason: string, message: string): ConditionUpdate => ({
    type: 'Ready',
    status: 'False',
    reason,
    message,
  });
  if (phase === undefined || phase === 'Disconnected')
    return no('Disconnected', 'The roaster is not connected to its edge agent.');
  if (phase === 'Fault') return no('Faulted', 'The roaster reports a fault.');
  if (latch !== undefined) return no('Latched', `Emergency-stop latch ${latch.id} is set.`);
  if (!s.guardLive)
    return no(
      'AdmissionGuardNotLive',
      'The operator cannot prove the admission guard is live, so it dispatches nothing.',
    );
  if (!s.linkConfigured)
    return no('NoLink', 'No link to edge agents runs in the operator, so no command can be sent.');
  return {
    type: 'Ready',
    status: 'True',
    reason: 'Ready',
    message: `Connected and ${phase}; commands are accepted.`,
  };
}

/** When the level may change with no event: the presence window lapses, or a result leaves the breaker's window. */
function nextChange(s: AutonomySituation, results: readonly CommandResult[]): number | undefined {
  const times: number[] = [];
  const seen = s.presence.lastHumanActionAt;
  if (seen !== undefined && humanPresent(s.presence, s.now)) times.push(Number(seen) + presenceWindowMs + 1);
  const windowMs = s.roaster.spec.circuitBreaker.windowSeconds * 1000;
  for (const r of results) {
    const leaves = Number(r.at) + windowMs;
    if (!r.simulated && leaves > s.now) times.push(leaves + 1);
  }
  return times.length === 0 ? undefined : Math.min(...times);
}

// The API bounds: at most 8 reasons of 256 characters.
const bounded = (reasons: readonly string[]) => reasons.slice(0, 8).map((r) => r.slice(0, 256));

/** The status roast-autonomy should hold now, and when to look again even if nothing changes. */
export function autonomyStatus(s: AutonomySituation): { status: AutonomyStatus; wakeAt?: number } {
  const { roaster } = s;
  const facts = latchFacts(roaster, s.proposals);
  const latch = nextLatch(roaster.status?.latch, facts, s.now);
  const past = history(roaster, s.proposals, s.session);
  const governed = { spec: roaster.spec, status: { ...roaster.status, latch } };
  const autonomy = effectiveAutonomy(governed, past, s.presence, s.now);
  let conditions = roaster.status?.conditions ?? [];
  for (const update of [ready(s, latch), degraded(roaster, autonomy), latched(latch)]) {
    const generation = roaster.metadata.generation;
    const withGeneration = generation === undefined ? update : { ...update, observedGeneration: generation };
    conditions = setStatusCondition(conditions, withGeneration, new Date(s.now)).conditions;
  }
  const status: AutonomyStatus = {
    ...(roaster.metadata.generation !== undefined && { observedGeneration: roaster.metadata.generation }),
    effectiveAutonomy: { level: autonomy.level, reasons: bounded(autonomy.reasons) },
    ...(latch && { latch }),
    conditions: conditions.filter((c) => (ownedConditions as readonly string[]).includes(c.type)),
  };
  const wakeAt = nextChange(s, past.results);
  return { status, ...(wakeAt !== undefined && { wakeAt }) };
}

const sameCondition = (a: Condition | undefined, b: Condition | undefined) =>
  a?.status === b?.status &&
  a?.reason === b?.reason &&
  a?.message === b?.message &&
  a?.observedGeneration === b?.observedGeneration;

const find = (list: readonly Condition[] | undefined, type: string) => list?.find((c) => c.type === type);

/** Whether the Roaster's status differs from what roast-autonomy wants it to hold. */
export function differs(current: RoasterStatus | undefined, desired: AutonomyStatus): boolean {
  return (
    current?.observedGeneration !== desired.observedGeneration ||
    JSON.stringify(current?.effectiveAutonomy) !== JSON.stringify(desired.effectiveAutonomy) ||
    JSON.stringify(current?.latch) !== JSON.stringify(desired.latch) ||
    ownedConditions.some(
      (type) => !sameCondition(find(current?.conditions, type), find(desired.conditions, type)),
    )
  );
}

const events: Readonly<Record<Owned, { bad: 'True' | 'False'; onBad: string; onGood: string }>> = {
  EmergencyStopLatched: { bad: 'True', onBad: 'EmergencyStopLatched', onGood: 'LatchCleared' },
  AutonomyDegraded: { bad: 'True', onBad: 'AutonomyDegraded', onGood: 'AutonomyRestored' },
  Ready: { bad: 'False', onBad: 'NotReady', onGood: 'Ready' },
};

/**
 * Events for the Roaster's owned conditions that changed: a status or reason that moved, or a latch that
 * was replaced. A condition seen for the first time is news only when it is bad.
 */
export function conditionEvents(
  before: readonly Condition[] | undefined,
  after: readonly Condition[],
): EventInput[] {
  return ownedConditions.flatMap((type) => {
    const was = find(before, type);
    const now = find(after, type);
    if (now === undefined) return [];
    const { bad, onBad, onGood } = events[type];
    const isBad = now.status === bad;
    const moved =
      was === undefined
        ? isBad
        : was.status !== now.status || was.reason !== now.reason || (isBad && was.message !== now.message);
    if (!moved) return [];
    return [
      {
        type: isBad ? 'Warning' : 'Normal',
        reason: isBad ? onBad : onGood,
        action: 'Reconcile',
        note: now.message,
      },
    ];
  });
}
