// The governor's inputs, built from the objects of one roaster: its proposals (history, session counts, the
// latch they set or clear), its sessions (which results are simulated) and what the link reports.
import { type CommandProposal, modelFacts, type Roaster, type RoastSession } from '@roast-operator/api';
import {
  type CommandResult,
  type GovernedProposal,
  type GovernedRoaster,
  type GovernedSession,
  type History,
  type Latch,
  type LatchFacts,
  nextLatch,
  type PastCommand,
  rules,
  type StopRequest,
} from '@roast-operator/governor';
import { findStatusCondition } from '@roast-operator/kube';
import { approvedPhases, createdAt, endedAt, isStop, isTerminalProposal, phaseOf } from './objects.ts';

/**
 * The link's word on the edge agent's interlocks: condition InterlocksClear, owned by roast-link. Unknown
 * until the link reports it, which the governor treats as not clear.
 */
export const interlocksCondition = 'InterlocksClear';

export function edgeInterlocksClear(roaster: Roaster): boolean | undefined {
  const condition = findStatusCondition(roaster.status?.conditions, interlocksCondition);
  if (condition === undefined || condition.status === 'Unknown') return undefined;
  return condition.status === 'True';
}

export function governedProposal(p: CommandProposal): GovernedProposal {
  return { spec: p.spec, createdAt: createdAt(p) };
}

export function stopRequest(p: CommandProposal): StopRequest {
  return {
    uid: p.metadata.uid ?? '',
    name: p.metadata.name ?? '',
    proposedBy: p.spec.proposedBy,
    createdAt: createdAt(p),
  };
}

/** What sets and clears the roaster's latch, from its spec, status and proposals. */
export function latchFacts(roaster: Roaster, proposals: readonly CommandProposal[]): LatchFacts {
  const resets = proposals.filter(
    (p) =>
      p.spec.command.type === 'ResetLatch' &&
      p.status?.governor?.rule === rules.resetAllowed &&
      phaseOf(p) !== 'Aborted',
  );
  return {
    roaster: roaster.metadata,
    killSwitch: roaster.spec.emergencyStop,
    stops: proposals.filter((p) => isStop(p.spec.command) && !isTerminalProposal(p)).map(stopRequest),
    resets: resets.flatMap((p) => (p.spec.command.latchId ? [p.spec.command.latchId] : [])),
    edgeInterlocksClear: edgeInterlocksClear(roaster),
  };
}

/**
 * The latch as it is about to be, not as status last recorded it: the Roaster controller writes the latch,
 * but a proposal governed before that write must already meet it, or a step could slip in right after a stop.
 */
export function projectedLatch(
  roaster: Roaster,
  proposals: readonly CommandProposal[],
  now: number,
): Latch | undefined {
  return nextLatch(roaster.status?.latch, latchFacts(roaster, proposals), now);
}

/**
 * The roaster as the governor sees it for one proposal: with the latch projected from every other proposal.
 * Not from this one: a ResetLatch rechecked before its dispatch must still find the latch it clears.
 */
export function governedRoaster(
  roaster: Roaster,
  proposals: readonly CommandProposal[],
  now: number,
  leaveOut: CommandProposal,
): GovernedRoaster {
  const others = proposals.filter((p) => p.metadata.uid !== leaveOut.metadata.uid);
  return {
    spec: roaster.spec,
    status: { ...roaster.status, latch: projectedLatch(roaster, others, now) },
    edgeInterlocksClear: edgeInterlocksClear(roaster),
  };
}

function pastCommand(p: CommandProposal): PastCommand {
  const dispatchedAt = p.status?.dispatch?.time;
  return {
    command: p.spec.command,
    ...(dispatchedAt !== undefined && { dispatchedAt: Date.parse(dispatchedAt) }),
    finished: p.status?.result !== undefined || phaseOf(p) === 'Succeeded' || phaseOf(p) === 'Failed',
  };
}

/**
 * Simulated and replayed sessions never count towards the circuit breaker. The session's source says which
 * it is; without one (no session, or none reported yet) the roaster's model does.
 */
function simulated(
  p: CommandProposal,
  roaster: Roaster,
  session: (name: string) => RoastSession | undefined,
) {
  const name = p.spec.sessionRef?.name;
  const source = name === undefined ? undefined : session(name)?.status?.source;
  return source === undefined ? !modelFacts[roaster.spec.model].physical : source.type !== 'Device';
}

export function commandResult(
  p: CommandProposal,
  roaster: Roaster,
  session: (name: string) => RoastSession | undefined,
): CommandResult | undefined {
  const result = p.status?.result;
  if (result === undefined) return undefined;
  // The link stamps its results; an older writer may not have, and dispatch time is the next best.
  const at = result.time ?? p.status?.dispatch?.time;
  return {
    at: at === undefined ? createdAt(p) : Date.parse(at),
    outcome: result.outcome,
    simulated: simulated(p, roaster, session),
  };
}

/** The roaster's approved commands and results, leaving out the proposal being governed. */
export function history(
  roaster: Roaster,
  proposals: readonly CommandProposal[],
  session: (name: string) => RoastSession | undefined,
  leaveOut?: CommandProposal,
): History {
  const others = proposals.filter((p) => p.metadata.uid !== leaveOut?.metadata.uid);
  return {
    commands: others.filter((p) => approvedPhases.has(phaseOf(p))).map(pastCommand),
    results: others.flatMap((p) => commandResult(p, roaster, session) ?? []),
  };
}

const countsTowardsSession = (p: CommandProposal) =>
  approvedPhases.has(phaseOf(p)) && !['EmergencyStop', 'ResetLatch'].includes(p.spec.command.type);

/** When a command left for the roaster: its dispatch record, or its creation for an older writer's record. */
function sentAt(p: CommandProposal): number | undefined {
  if (phaseOf(p) === 'Approved') return undefined;
  const time = p.status?.dispatch?.time;
  return time === undefined ? createdAt(p) : Date.parse(time);
}

/**
 * Whether `p` is a command the running session's maximum counts as sent (see `governedSession`): retention
 * keeps those, whatever their number, so deleting history never frees a session's budget.
 */
export function sentDuringSession(
  p: CommandProposal,
  running: { readonly since: number } | undefined,
): boolean {
  const at = countsTowardsSession(p) ? sentAt(p) : undefined;
  return running !== undefined && at !== undefined && at >= running.since;
}

/**
 * The roaster's running session and when it began: not before it was created, nor before the roaster's
 * previous session ended (one session runs at a time, so one planned early waits for that end). A session
 * not in the cache yet begins where the last one ended.
 */
export function runningSession(
  roaster: Roaster,
  sessions: readonly RoastSession[],
): { readonly name: string; readonly since: number } | undefined {
  const name = roaster.status?.activeSession?.name;
  if (name === undefined) return undefined;
  const active = sessions.find((s) => s.metadata.name === name);
  const ends = sessions.flatMap((s) => (s === active ? [] : (endedAt(s) ?? [])));
  return { name, since: Math.max(active ? createdAt(active) : 0, ...ends) };
}

/**
 * The session a command counts against: the roaster's running one, whatever the proposal names (none, a
 * session that does not exist, a session planned for later), so no name dodges the per-session maximum.
 * Every command sent to the roaster since the session began counts, and every approved one not sent yet.
 */
export function governedSession(
  p: CommandProposal,
  roaster: Roaster,
  proposals: readonly CommandProposal[],
  sessions: readonly RoastSession[],
): GovernedSession | undefined {
  const running = runningSession(roaster, sessions);
  if (running === undefined) return undefined;
  const sent = proposals
    .filter((o) => o.metadata.uid !== p.metadata.uid && countsTowardsSession(o))
    .map(sentAt);
  return {
    name: running.name,
    dispatched: sent.filter((t) => t !== undefined && t >= running.since).length,
    awaitingDispatch: sent.filter((t) => t === undefined).length,
  };
}
