#!/usr/bin/env node
// `npm run soak [-- --seed N --minutes M --flood MIN-MAX --time-scale X --json]`: the operator under a seeded
// mix of its users' attacks beside ordinary roasting (soak.ts), then the bounds it must hold (report.ts): a
// table, or with --json one JSON object. Exit 1 when a bound is missed.
import { parseArgs } from 'node:util';
import { type Bounds, summary, table, verdict } from './report.ts';
import { chartMemoryLimit } from './roastery.ts';
import { Soak } from './soak.ts';

const usage =
  'usage: npm run soak -- [--seed N] [--minutes M (default 10)] [--flood MIN-MAX (default 100-400)] [--time-scale X (default 30)] [--stop-p99-ms B (default 100)] [--json]';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    minutes: { type: 'string', default: '10' },
    flood: { type: 'string', default: '100-400' },
    'stop-p99-ms': { type: 'string', default: '100' },
    'time-scale': { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
  },
});

function number(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) {
    process.stderr.write(`--${flag} ${text} is not a number of at least ${min}\n${usage}\n`);
    process.exit(2);
  }
  return n;
}

const [low = '', high = ''] = values.flood.split('-');
const flood = [number('flood', low, 1), number('flood', high, 1)] as const;
if (flood[0] > flood[1]) {
  process.stderr.write(`--flood ${values.flood}: the first number is the smaller\n${usage}\n`);
  process.exit(2);
}
const bounds: Bounds = {
  stopP99Ms: number('stop-p99-ms', values['stop-p99-ms'], 1),
  deadlineLateMs: 1000,
  memoryBytes: await chartMemoryLimit(),
};
// Progress goes to stderr, so --json leaves stdout one object.
const soak = new Soak({
  seed: number('seed', values.seed, 0),
  seconds: number('minutes', values.minutes, 0.1) * 60,
  timeScale: number('time-scale', values['time-scale'], 1),
  flood,
  out: (text) => process.stderr.write(`${text}\n`),
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void soak.stop().then(() => process.exit(130));
  });
}
try {
  const measured = await soak.run();
  const checks = verdict(measured, bounds);
  process.stdout.write(
    values.json ? `${JSON.stringify(summary(measured, bounds, checks))}\n` : `${table(measured, checks)}\n`,
  );
  await soak.stop();
  process.exit(checks.every((c) => c.ok) ? 0 : 1);
} catch (err) {
  process.stderr.write(`soak failed: ${(err as Error).stack ?? err}\n`);
  await soak.stop();
  process.exit(1);
}
