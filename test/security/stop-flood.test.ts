// An EmergencyStop never waits behind its roaster's other work, on a real API server with the attacker's
// own credentials: the advisor (a proposer) piles 1,000 proposals on a roaster that all expire together,
// and alice's stops, sent as they expire, still reach the roaster's edge within a second each; the flood
// ends at once, in bulk, all but the newest 200 of it are deleted, and the proposer's next open proposal
// is refused. The operator is main.ts with its
// gateway; the roaster's edge is played by a grpc-js client that answers every command at once. The
// operator runs with the open bound raised to the flood's size, so that all 1,000 are open and expire
// together — at the default bound (50) all but 50 would be refused as they are governed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { LinkServiceClient } from '@roast-operator/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayArgs, operatorMain } from '../support/link.ts';
import { playedEdge } from '../support/played-edge.ts';
import { Roastery } from '../support/roastery.ts';
import { allIn, firstDeadline, flood, stopsWhile } from '../support/stop-flood.ts';

const count = 1000;
/** Long enough for the operator to govern the whole flood before the first of it expires. */
const ttlSeconds = 45;
/** Stop → first byte at the edge, for every stop: the ordinary path takes tens of milliseconds. */
const boundMs = 1000;
/** How long alice keeps stopping once the flood starts to expire. */
const stoppingMs = 3000;

let dir: string;
let roastery: Roastery;
let client: LinkServiceClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roast-stop-flood-'));
  roastery = await Roastery.start({
    name: 'stop-flood',
    script: operatorMain,
    operatorArgs: [...gatewayArgs(0, dir), `--open-proposals-per-proposer=${count}`],
  });
  const serving = await roastery.operator.logged((l) => l.msg.startsWith('link gateway serving'));
  client = new LinkServiceClient(`127.0.0.1:${serving.port}`, credentials.createInsecure());
}, 240_000);

afterAll(async () => {
  client?.close();
  await roastery?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a flood of proposals expiring together', () => {
  it('never delays an EmergencyStop, ends in bulk, and the proposer’s next proposal is refused', async () => {
    const played = await playedEdge(roastery, client, 'flooded');
    try {
      const names = Array.from({ length: count }, (_, i) => `flood-${i}`);
      await flood(roastery, 'flooded', names, ttlSeconds);
      // All 1,000 are open: the next is refused, at once, whatever is still being governed ahead of it.
      await roastery.propose('advisor', 'one-too-many', 'flooded', { type: 'SetFan', target: 4 });
      const refused = await roastery.phase('one-too-many', 'Blocked');
      expect(refused.status?.governor?.rule).toBe('proposer.tooManyOpen');
      expect(refused.status?.conditions?.find((c) => c.type === 'Ready')?.message).toMatch(
        /already has 1000 open proposals for Roaster flooded.*wait until some are decided/,
      );
      // Governed one after another; on a loaded machine the last may be governed after the first expired.
      const waiting = await allIn(
        roastery,
        'flooded',
        'flood-',
        { exactly: count },
        ['AwaitingApproval', 'Expired'],
        (ttlSeconds + 30) * 1000,
      );
      const expiring = firstDeadline(waiting, ttlSeconds);
      await new Promise((resolve) => setTimeout(resolve, expiring + 200 - performance.now()));
      const until = performance.now() + stoppingMs;
      const stops = await stopsWhile(
        roastery,
        played.arrivals,
        'flooded',
        'stop',
        () => performance.now() < until,
        200,
      );
      const firstBytes = stops.map((s) => Math.round(s.total));
      expect(stops.length).toBeGreaterThan(5);
      expect(Math.max(...firstBytes), `stop → first byte, ms: ${firstBytes.join(', ')}`).toBeLessThan(
        boundMs,
      );
      // The flood ended in bulk — expired, or aborted once the first stop latched the roaster — and of what
      // was never sent, the roaster keeps the newest 200 (the default bound); the rest are deleted. Two
      // thousand writes: a second or two on a quiet machine, half a minute on a loaded one.
      await allIn(roastery, 'flooded', 'flood-', { atMost: 200 }, ['Expired', 'Aborted'], 60_000);
      for (let i = 0; i < stops.length; i++) await roastery.phase(`stop-${i}`, ['Dispatched', 'Succeeded']);
    } finally {
      played.close();
    }
  }, 180_000);
});
