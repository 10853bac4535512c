// The operator's memory and a command's dispatch latency with a week of a busy roastery's history retained:
// 2,600 ended proposals on one roaster, sent and Succeeded, spread over the last seven days (written while
// no operator runs: alice creates them, the link's credentials write their status). This operator runs
// first before there is any history (the floor), then each operator named — `--before PATH` (another
// checkout's operator main.ts), then this one — on that history, in turn, with its gateway: after it has
// settled and after the samples, its resident memory and heap in use (its /metrics), and alice's SetFan
// create sent → first byte at the roaster's played edge (30, one after another), beside the same figure on
// a roaster with no history. Prints a table (one JSON object with --json).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { LinkServiceClient } from '@roast-operator/proto';
import type { OperatorProcess } from '@roast-operator/test-env';
import { gatewayArgs, operatorMain } from '../support/link.ts';
import { percentiles, playedEdge } from '../support/played-edge.ts';
import { namespace, Roastery } from '../support/roastery.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    before: { type: 'string' },
    history: { type: 'string', default: '2600' },
    samples: { type: 'string', default: '30' },
  },
});
const history = Number(values.history);
const weekMs = 7 * 86_400_000;
const settleMs = 20_000;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'roast-bench-retention-'));
  const roastery = await Roastery.start({
    name: 'bench-retention',
    script: operatorMain,
    operatorArgs: gatewayArgs(0, dir),
  });
  try {
    await roastery.operator.stop();
    const busy = await roastery.roaster('busy', { model: 'Simulated', autonomy: { level: 'L3' } });
    const quiet = await roastery.roaster('quiet', { model: 'Simulated', autonomy: { level: 'L3' } });
    const run = async (name: string, script: string) => {
      const operator = roastery.spawnOperator([], script);
      try {
        await operator.waitUntilReady();
        return { name, ...(await measure(roastery, operator, { busy, quiet })) };
      } finally {
        await operator.stop();
      }
    };
    // The floor: this operator before there is any history.
    const runs = [await run('no history', operatorMain)];
    await writeHistory(roastery, 'busy');
    if (values.before) runs.push(await run('before', values.before));
    runs.push(await run('after', operatorMain));
    const figures = { history, runs };
    if (values.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
    else print(figures);
  } finally {
    await roastery.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** `history` proposals by alice, ended Succeeded at even steps over the last week, newest last. */
async function writeHistory(roastery: Roastery, roaster: string): Promise<void> {
  const now = Date.now();
  let next = 0;
  const writer = async () => {
    for (let i = next++; i < history; i = next++) {
      const name = `week-${i}`;
      await roastery.propose('alice', name, roaster, { type: 'SetFan', target: 1 + (i % 12) });
      const ended = new Date(now - weekMs + (i * weekMs) / history).toISOString().replace(/\.\d+Z$/, 'Z');
      const condition = (type: string, status: 'True' | 'False') => ({
        type,
        status,
        reason: 'Succeeded',
        message: 'Succeeded on the roaster: history',
        lastTransitionTime: ended,
        observedGeneration: 1,
      });
      const status = {
        phase: 'Succeeded',
        observedGeneration: 1,
        dispatch: { time: ended, node: 'roast-node-1', pod: 'roast-edge-history' },
        result: { outcome: 'Succeeded', message: 'history', latencyMs: 40, time: ended },
        conditions: [condition('Ready', 'True'), condition('Reconciling', 'False')],
      };
      await roastery
        .api('proposal', 'link')
        .patch(namespace, name, { status }, { type: 'merge', subresource: 'status' });
    }
  };
  await Promise.all(Array.from({ length: 16 }, writer));
}

interface Roasters {
  busy: Awaited<ReturnType<Roastery['roaster']>>;
  quiet: Awaited<ReturnType<Roastery['roaster']>>;
}

let round = 0;

async function measure(roastery: Roastery, operator: OperatorProcess, roasters: Roasters) {
  const serving = await operator.logged((l) => l.msg.startsWith('link gateway serving'));
  const client = new LinkServiceClient(`127.0.0.1:${serving.port}`, credentials.createInsecure());
  const edges = [
    await playedEdge(roastery, client, 'busy', roasters.busy),
    await playedEdge(roastery, client, 'quiet', roasters.quiet),
  ];
  try {
    // Whatever the operator does with the history on start (deleting beyond its bounds) happens first.
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const retained = (
      await roastery.api('proposal').list({ namespace, fieldSelector: 'spec.roasterRef.name=busy' })
    ).items.length;
    const settled = await memory(operator);
    const dispatch = { busy: [] as number[], quiet: [] as number[] };
    round++;
    for (let i = 0; i < Number(values.samples); i++) {
      for (const [k, edge] of [
        ['busy', edges[0]!],
        ['quiet', edges[1]!],
      ] as const) {
        const sent = performance.now();
        const created = await roastery.propose('alice', `${k}-${round}-${i}`, k, {
          type: 'SetFan',
          target: 1 + (i % 12),
        });
        dispatch[k].push((await edge.arrivals.of(created.metadata.uid!)) - sent);
        await roastery.phase(`${k}-${round}-${i}`, 'Succeeded');
      }
    }
    const after = await memory(operator);
    return {
      retained,
      rssSettledMb: settled.rss,
      heapSettledMb: settled.heap,
      rssAfterMb: after.rss,
      heapAfterMb: after.heap,
      ...percentiles('busyDispatch', dispatch.busy),
      ...percentiles('quietDispatch', dispatch.quiet),
    };
  } finally {
    for (const e of edges) e.close();
    client.close();
  }
}

/** Resident memory and heap in use, MB, from the operator's /metrics. */
async function memory(operator: OperatorProcess): Promise<{ rss: number; heap: number }> {
  const { body } = await operator.probe('/metrics');
  const sample = (name: string) => Number(body.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? Number.NaN);
  const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
  return {
    rss: mb(sample('process_resident_memory_bytes')),
    heap: mb(sample('nodejs_heap_size_used_bytes')),
  };
}

function print(figures: { history: number; runs: Record<string, unknown>[] }): void {
  const lines = figures.runs.map(
    (r) =>
      `  ${String(r.name).padEnd(10)} kept ${String(r.retained).padStart(5)}  rss ${r.rssSettledMb} → ${r.rssAfterMb} MB, heap ${r.heapSettledMb} → ${r.heapAfterMb} MB  ` +
      `create sent → first byte: with history p50 ${r.busyDispatchP50Ms} / p99 ${r.busyDispatchP99Ms} ms, ` +
      `without p50 ${r.quietDispatchP50Ms} / p99 ${r.quietDispatchP99Ms} ms`,
  );
  process.stdout.write(
    `retention benchmark (${figures.history} ended proposals over a week)\n${lines.join('\n')}\n`,
  );
}

await main();
