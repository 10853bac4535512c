import type { Roaster, RoasterStatus } from '@roast-operator/api';
import { type Instant, toMs } from './inputs.ts';

/** The emergency-stop latch as a Roaster's status.latch holds it. */
export type Latch = NonNullable<RoasterStatus['latch']>;

/** An EmergencyStop proposal the operator has not finished with (its phase is not final yet). */
export interface StopRequest {
  readonly uid: string;
  readonly name: string;
  readonly proposedBy: string;
  /** metadata.creationTimestamp: stops are ordered by it. */
  readonly createdAt: Instant;
}

/** Everything that sets or clears a roaster's latch. */
export interface LatchFacts {
  /** The Roaster's metadata.uid and generation: they name the latch Git's kill switch sets. */
  readonly roaster: Pick<Roaster['metadata'], 'uid' | 'generation'>;
  /** spec.emergencyStop. */
  readonly killSwitch: boolean;
  /** EmergencyStop proposals of the roaster that have not ended. */
  readonly stops: readonly StopRequest[];
  /** Latch ids named by the roaster's ResetLatch proposals that the governor allowed and were not aborted. */
  readonly resets: readonly string[];
  /** Whether the edge agent reports its interlocks clear; unknown is not clear. */
  readonly edgeInterlocksClear?: boolean;
}

/** The latch an EmergencyStop proposal sets, named by its UID so the operator recomputes the same id. */
export function stopLatchId(proposalUid: string): string {
  return `stop-${proposalUid.slice(0, 8)}`;
}

/**
 * The latch Git's kill switch sets. The Roaster's UID keeps a reset of a deleted and recreated Roaster of
 * the same name from clearing it; the generation makes each time the switch is turned on a new latch.
 */
export function killSwitchLatchId(roaster: LatchFacts['roaster']): string {
  return `git-${(roaster.uid ?? '').slice(0, 8)}-${roaster.generation ?? 0}`;
}

const byCreation = (a: StopRequest, b: StopRequest) =>
  toMs(a.createdAt) - toMs(b.createdAt) || a.uid.localeCompare(b.uid);

/**
 * Stops not yet dealt with, oldest first: a reset that names a stop's latch deals with that stop and every
 * older one, since the person resetting saw a latch at least as new as them.
 */
export function unresolvedStops(facts: LatchFacts): StopRequest[] {
  const stops = [...facts.stops].sort(byCreation);
  const named = new Set(facts.resets);
  const lastNamed = stops.findLastIndex((s) => named.has(stopLatchId(s.uid)));
  return stops.slice(lastNamed + 1);
}

function clears(latch: Latch, facts: LatchFacts): boolean {
  return facts.resets.includes(latch.id) && !facts.killSwitch && facts.edgeInterlocksClear === true;
}

function stopLatch(stop: StopRequest, now: Instant): Latch {
  return {
    id: stopLatchId(stop.uid),
    cause: 'EmergencyStopProposal',
    message: `EmergencyStop proposal ${stop.name} by ${stop.proposedBy}`,
    since: new Date(toMs(now)).toISOString(),
  };
}

/**
 * The roaster's latch after what happened since `current`:
 * - a latch clears only through an allowed ResetLatch naming it, and only while spec.emergencyStop is false
 *   and the edge reports its interlocks clear;
 * - the newest unresolved EmergencyStop proposal latches under its own id, replacing an older latch: a
 *   reset names the latch it saw, so one set after that is never cleared unseen;
 * - with no latch and no stop, Git's kill switch latches.
 */
export function nextLatch(current: Latch | undefined, facts: LatchFacts, now: Instant): Latch | undefined {
  const kept = current !== undefined && !clears(current, facts) ? current : undefined;
  const newest = unresolvedStops(facts).at(-1);
  if (newest !== undefined && kept?.id !== stopLatchId(newest.uid)) return stopLatch(newest, now);
  if (kept !== undefined || !facts.killSwitch) return kept;
  return {
    id: killSwitchLatchId(facts.roaster),
    cause: 'SpecEmergencyStop',
    message: "spec.emergencyStop is true in the Roaster's spec (Git's kill switch)",
    since: new Date(toMs(now)).toISOString(),
  };
}

/**
 * Whether an EmergencyStop proposal has been taken into the roaster's latch, so it may end: the latch in
 * status is its own or a newer stop's, or a reset already dealt with it.
 */
export function stopLatched(stop: StopRequest, status: Latch | undefined, facts: LatchFacts): boolean {
  if (!unresolvedStops(facts).some((s) => s.uid === stop.uid)) return true;
  if (status === undefined) return false;
  const stops = [...facts.stops].sort(byCreation);
  const latchedBy = stops.findIndex((s) => stopLatchId(s.uid) === status.id);
  return latchedBy >= 0 && latchedBy >= stops.findIndex((s) => s.uid === stop.uid);
}
