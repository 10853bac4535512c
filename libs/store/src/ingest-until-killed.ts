// A writer for the crash test (sqlite-store.test.ts): ingests deterministic batches for several roasters as
// fast as the store takes them and prints `ack <roaster> <seq>` once each append has resolved, until it is
// killed. stdout is a pipe, and pipe writes are synchronous on Linux: a printed ack was really given.
//
//   node ingest-until-killed.ts <database file> <roasters> <in-flight batches per roaster>
import { Logger } from '@roast-operator/log';
import { roasterUid, testBatch } from './fixtures.ts';
import { SqliteTelemetryStore } from './sqlite-store.ts';

const [path, roasters = '5', window = '8'] = process.argv.slice(2);
if (!path) throw new Error('usage: ingest-until-killed.ts <database file> [roasters] [in flight]');
const store = new SqliteTelemetryStore(path, { maxDelayMs: 2, log: new Logger({ level: 'error' }) });

/** One of `lanes` concurrent senders of a roaster's stream: seqs lane+1, lane+1+lanes, … */
async function lane(roaster: number, first: number, lanes: number): Promise<never> {
  for (let seq = first; ; seq += lanes) {
    await store.append(roasterUid(roaster), testBatch(roaster, seq));
    process.stdout.write(`ack ${roaster} ${seq}\n`);
  }
}

const lanes = Number(window);
for (let roaster = 0; roaster < Number(roasters); roaster++)
  for (let l = 0; l < lanes; l++) void lane(roaster, l + 1, lanes);
