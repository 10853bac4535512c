// The flood a stop must not wait behind, with the attacker's own credentials: the advisor (a proposer)
// creates many proposals on one roaster that all expire together, while alice (an attendant) stops that
// roaster. A stop is timed from its create being sent to its first byte at the roaster's played edge.
import { CommandProposal } from '@roast-operator/api';
import type { Arrivals } from './played-edge.ts';
import { namespace, type Roastery } from './roastery.ts';

/** Creates the advisor's proposals, `inFlight` at a time; resolves once all are created. */
export async function flood(
  roastery: Roastery,
  roaster: string,
  names: readonly string[],
  ttlSeconds: number,
  inFlight = 16,
): Promise<void> {
  let next = 0;
  const creator = async () => {
    for (let i = next++; i < names.length; i = next++) {
      await roastery.propose(
        'advisor',
        names[i]!,
        roaster,
        { type: 'SetFan', target: 1 + (i % 12) },
        {
          ttlSeconds,
          rationale: 'flood',
        },
      );
    }
  };
  await Promise.all(Array.from({ length: inFlight }, creator));
}

/** One stop: from its create being sent to its first byte at the edge, and the create's own round trip. */
export interface StopTiming {
  readonly total: number;
  readonly request: number;
}

/** alice's EmergencyStop, timed from its create being sent (the first byte may come before the response). */
export async function stopToFirstByte(
  roastery: Roastery,
  arrivals: Arrivals,
  roaster: string,
  name: string,
): Promise<StopTiming> {
  const sent = performance.now();
  const created = await roastery.propose('alice', name, roaster, { type: 'EmergencyStop' });
  const request = performance.now() - sent;
  return { total: (await arrivals.of(created.metadata.uid!)) - sent, request };
}

/** alice stops the roaster every `everyMs` while `busy()` holds (at least once). */
export async function stopsWhile(
  roastery: Roastery,
  arrivals: Arrivals,
  roaster: string,
  prefix: string,
  busy: () => boolean,
  everyMs: number,
): Promise<StopTiming[]> {
  const timings: StopTiming[] = [];
  do {
    const started = performance.now();
    timings.push(await stopToFirstByte(roastery, arrivals, roaster, `${prefix}-${timings.length}`));
    const rest = everyMs - (performance.now() - started);
    if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
  } while (busy());
  return timings;
}

/** The roaster's proposals whose names start with `prefix`, as the API server holds them now. */
export async function proposalsNamed(
  roastery: Roastery,
  roaster: string,
  prefix: string,
): Promise<CommandProposal[]> {
  const page = await roastery
    .api('proposal')
    .list({ namespace, fieldSelector: `spec.roasterRef.name=${roaster}` });
  return page.items.filter((p) => p.metadata.name?.startsWith(prefix)).map((p) => CommandProposal.parse(p));
}

/**
 * Waits until every proposal named with `prefix` is in one of `phases`, and returns them. Looks once a
 * second: listing a thousand proposals is itself load on the API server.
 */
export async function allIn(
  roastery: Roastery,
  roaster: string,
  prefix: string,
  count: { exactly: number } | { atMost: number },
  phases: readonly string[],
  timeoutMs: number,
): Promise<CommandProposal[]> {
  const deadline = performance.now() + timeoutMs;
  const counted = (n: number) => ('exactly' in count ? n === count.exactly : n <= count.atMost);
  for (;;) {
    const now = await proposalsNamed(roastery, roaster, prefix);
    const elsewhere = now.filter((p) => !phases.includes(p.status?.phase ?? 'Pending'));
    if (counted(now.length) && elsewhere.length === 0) return now;
    if (performance.now() > deadline) {
      const example = elsewhere[0] ? ` (${elsewhere[0].metadata.name} is ${elsewhere[0].status?.phase})` : '';
      throw new Error(
        `${now.length} ${prefix} proposals exist (${JSON.stringify(count)}), ${elsewhere.length} not ${phases.join(' or ')}${example}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** When the first of these proposals reaches its deadline (performance.now's clock). */
export function firstDeadline(proposals: readonly CommandProposal[], ttlSeconds: number): number {
  const created = Math.min(...proposals.map((p) => Date.parse(String(p.metadata.creationTimestamp))));
  return created + ttlSeconds * 1000 - performance.timeOrigin;
}
