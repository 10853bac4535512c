#!/usr/bin/env node
// `npm start`: the whole demo — a local control plane, the chart, the operator and a simulated roaster's edge
// agent, one roast through the real API — then the cluster stays up for exploring until Ctrl-C. Ctrl-C or
// SIGTERM at any moment stops every process it started and removes its files.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { RoastDemo, Stopped } from './demo.ts';

const usage = `usage: npm start [-- options]

  --exit            exit after the summary instead of staying up for exploring
                    (the default when stdin is not a terminal)
  --stay            stay up for exploring even when stdin is not a terminal
  --time-scale N    simulated seconds per real second (default 20)
  --help
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${usage}`);
  process.exit(2);
}

let values: { exit: boolean; stay: boolean; 'time-scale': string; help: boolean };
try {
  ({ values } = parseArgs({
    options: {
      exit: { type: 'boolean', default: false },
      stay: { type: 'boolean', default: false },
      'time-scale': { type: 'string', default: '20' },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (err) {
  fail((err as Error).message);
}
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
if (values.exit && values.stay) fail('--exit and --stay contradict each other');
const timeScale = Number(values['time-scale']);
if (!(timeScale >= 1 && timeScale <= 50))
  fail(`--time-scale is a number from 1 to 50, not ${values['time-scale']}`);
// Nobody at a keyboard (CI, a pipe, a service) could press Ctrl-C to end the exploring.
const exitAfter = values.exit || (!values.stay && !process.stdin.isTTY);

const out = (text: string) => {
  process.stdout.write(text);
};
// A closed pipe (`npm start | head`) must not crash the demo before it cleans up.
process.stdout.on('error', () => undefined);

out(
  [
    `Roast demo: a simulated Bullet R1 roasts one batch through Kubernetes, at ${timeScale}× speed.`,
    'Columns: time since start · roast time (simulated, from charge) · what happened. BT is the bean',
    "temperature the roaster reports (IBTS). Ctrl-C stops everything at any moment and removes the demo's files.",
    '',
  ].join('\n'),
);

const demo = new RoastDemo({ timeScale, out, stayUp: !exitAfter });
let roasted = false;
let signalled: NodeJS.Signals | undefined;

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (signalled) {
    // A second Ctrl-C: exit now; the kernel kills what is left (every child runs under pdeathsig).
    process.exit(130);
  }
  signalled = signal;
  out(
    `\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping the edge agent, the operator and the control plane…\n`,
  );
  await demo.stop();
  out('Stopped; nothing is left running.\n');
  process.exit(roasted ? 0 : signal === 'SIGINT' ? 130 : 143);
}
process.on('SIGINT', (s) => void shutdown(s));
process.on('SIGTERM', (s) => void shutdown(s));

try {
  await demo.run();
  roasted = true;
} catch (err) {
  if (signalled || err instanceof Stopped) {
    // The signal handler stops and exits.
    await new Promise(() => undefined);
  }
  process.stderr.write(`\nThe demo failed: ${(err as Error).stack ?? err}\n`);
  const log = demo.paths?.logFile;
  // The log goes with the demo's directory: show its end first.
  const tail = log ? await readFile(log, 'utf8').catch(() => '') : '';
  if (tail)
    process.stderr.write(`Last lines of ${log}:\n${tail.trimEnd().split('\n').slice(-20).join('\n')}\n`);
  await demo.stop();
  process.exit(1);
}

if (exitAfter) {
  out(`Stopping (${values.exit ? '--exit' : '--exit: stdin is not a terminal'})…\n`);
  await demo.stop();
  out('Stopped; nothing is left running.\n');
  process.exit(0);
}
