// EmergencyStop → first byte at the roaster's edge while a proposer floods the roaster, through the whole
// operator (main.ts as its own process with its gateway, the chart's RBAC and admission policies, people and
// the advisor with their own credentials), each roaster's edge played by a grpc-js client:
// - quiet: alice stops a roaster with nothing else going on; her create's own round trip is the floor;
// - while created: the advisor creates 1,000 proposals on a roaster (16 at a time) while alice stops it
//   every 200 ms (the first stop latches it, so the rest of the flood is governed Blocked);
// - while expiring: the advisor's 1,000 proposals wait for approval and expire together; alice stops the
//   roaster every 200 ms for 3 s from the first deadline on (one fresh roaster per round).
// The operator runs with the open bound raised to the flood's size, so all of it is open and expires
// together (the default bound refuses all but 50 as they are governed). Every clock starts just before the
// create is sent. Prints a table (one JSON object with --json) and exits non-zero above the target.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { LinkServiceClient } from '@roast-operator/proto';
import { gatewayArgs, operatorMain } from '../support/link.ts';
import { percentiles, playedEdge } from '../support/played-edge.ts';
import { Roastery } from '../support/roastery.ts';
import {
  allIn,
  firstDeadline,
  flood,
  type StopTiming,
  stopsWhile,
  stopToFirstByte,
} from '../support/stop-flood.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    quiet: { type: 'string', default: '50' },
  },
});
const floodSize = 1000;
/** Under the Roaster's approval timeout (120 s), long enough to govern the flood on a loaded machine. */
const ttlSeconds = 100;
const everyMs = 200;
const stoppingMs = 3000;
const targetP99Ms = 100;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'roast-bench-stop-flood-'));
  const roastery = await Roastery.start({
    name: 'bench-stop-flood',
    script: operatorMain,
    operatorArgs: [...gatewayArgs(0, dir), `--open-proposals-per-proposer=${floodSize}`],
  });
  const serving = await roastery.operator.logged((l) => l.msg.startsWith('link gateway serving'));
  const client = new LinkServiceClient(`127.0.0.1:${serving.port}`, credentials.createInsecure());
  try {
    const quiet = await quietStops(roastery, client, Number(values.quiet));
    const created = await stopsWhileCreated(roastery, client);
    const expiring = { stops: [] as StopTiming[], endedAfterMs: [] as number[] };
    for (let round = 0; round < Number(values.rounds); round++) {
      const r = await stopsWhileExpiring(roastery, client, round);
      expiring.stops.push(...r.stops);
      expiring.endedAfterMs.push(r.endedAfterMs);
    }
    const legs = (name: string, timings: StopTiming[]) => ({
      ...percentiles(
        `${name}StopFirstByte`,
        timings.map((t) => t.total),
      ),
      ...percentiles(
        `${name}StopCreateRoundTrip`,
        timings.map((t) => t.request),
      ),
    });
    const figures = {
      floodSize,
      quietStops: quiet.length,
      ...legs('quiet', quiet),
      createdStops: created.length,
      ...legs('created', created),
      expiringStops: expiring.stops.length,
      ...legs('expiring', expiring.stops),
      floodEndedAfterMs: expiring.endedAfterMs.map(Math.round),
      targetP99Ms,
    };
    if (values.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
    else print(figures);
    const p99 = (timings: StopTiming[]) =>
      percentiles(
        'stop',
        timings.map((t) => t.total),
      ).stopP99Ms;
    const worst = Math.max(p99(created), p99(expiring.stops));
    process.exitCode = worst > targetP99Ms ? 1 : 0;
  } finally {
    client.close();
    await roastery.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** alice's stops one after another on a roaster with nothing else going on. */
async function quietStops(roastery: Roastery, client: LinkServiceClient, n: number): Promise<StopTiming[]> {
  const played = await playedEdge(roastery, client, 'quiet');
  const timings: StopTiming[] = [];
  try {
    for (let i = 0; i < n; i++)
      timings.push(await stopToFirstByte(roastery, played.arrivals, 'quiet', `quiet-${i}`));
  } finally {
    played.close();
  }
  return timings;
}

/** alice stops the roaster every 200 ms while the advisor's 1,000 creates are under way. */
async function stopsWhileCreated(roastery: Roastery, client: LinkServiceClient): Promise<StopTiming[]> {
  const played = await playedEdge(roastery, client, 'created');
  try {
    const names = Array.from({ length: floodSize }, (_, i) => `created-flood-${i}`);
    let creating = true;
    const flooding = flood(roastery, 'created', names, ttlSeconds).finally(() => {
      creating = false;
    });
    // A first stop without the flood would say nothing: wait until it is under way.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stops = await stopsWhile(
      roastery,
      played.arrivals,
      'created',
      'created-stop',
      () => creating,
      everyMs,
    );
    await flooding;
    return stops;
  } finally {
    played.close();
  }
}

/** One round: 1,000 proposals wait for approval and expire together while alice stops the roaster. */
async function stopsWhileExpiring(roastery: Roastery, client: LinkServiceClient, round: number) {
  const roaster = `expiring-${round}`;
  const played = await playedEdge(roastery, client, roaster);
  try {
    const prefix = `${roaster}-flood-`;
    const names = Array.from({ length: floodSize }, (_, i) => `${prefix}${i}`);
    await flood(roastery, roaster, names, ttlSeconds);
    const waiting = await allIn(
      roastery,
      roaster,
      prefix,
      { exactly: floodSize },
      // Governed one after another: on a loaded machine the last may be governed after the first expired.
      ['AwaitingApproval', 'Expired'],
      (ttlSeconds + 30) * 1000,
    );
    const deadline = firstDeadline(waiting, ttlSeconds);
    await new Promise((resolve) => setTimeout(resolve, deadline - performance.now()));
    const until = performance.now() + stoppingMs;
    const busy = () => performance.now() < until;
    const stops = await stopsWhile(roastery, played.arrivals, roaster, `${roaster}-stop`, busy, everyMs);
    // Ended, and all but the newest of what was never sent deleted (the retained bound).
    await allIn(roastery, roaster, prefix, { atMost: 200 }, ['Expired', 'Aborted'], 60_000);
    return { stops, endedAfterMs: performance.now() - deadline };
  } finally {
    played.close();
  }
}

const rows: [label: string, key: string, bound?: string][] = [
  ['quiet: EmergencyStop create sent → first byte at the edge', 'quietStopFirstByte'],
  ["  floor: the create's own round trip", 'quietStopCreateRoundTrip'],
  ['while 1,000 proposals are created: → first byte', 'createdStopFirstByte', `target p99 ≤ ${targetP99Ms}`],
  ["  the create's own round trip", 'createdStopCreateRoundTrip'],
  [
    'while 1,000 proposals expire together: → first byte',
    'expiringStopFirstByte',
    `target p99 ≤ ${targetP99Ms}`,
  ],
  ["  the create's own round trip", 'expiringStopCreateRoundTrip'],
];

function print(figures: Record<string, unknown>): void {
  const cell = (key: string) => `p50 ${figures[`${key}P50Ms`]} ms, p99 ${figures[`${key}P99Ms`]} ms`;
  const lines = rows.map(
    ([label, key, bound]) => `  ${label.padEnd(58)} ${cell(key).padEnd(28)} ${bound ?? ''}`,
  );
  const samples = `${figures.quietStops} quiet stops, ${figures.createdStops} while created, ${figures.expiringStops} while expiring`;
  const ended = `the flood ended ${(figures.floodEndedAfterMs as number[]).join(' / ')} ms after its first deadline`;
  process.stdout.write(`stop-flood benchmark (${samples})\n${lines.join('\n')}\n  ${ended}\n`);
}

await main();
