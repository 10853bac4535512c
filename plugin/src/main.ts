#!/usr/bin/env node
// kubectl-roast on a terminal: kubectl finds it on PATH and runs it as `kubectl roast`.
import { on, once } from 'node:events';
import { createInterface } from 'node:readline/promises';
import { systemClock } from '@roast-operator/clock';
import { run } from './cli.ts';
import type { Io } from './context.ts';

const io: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  write: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(`${text}\n`),
  terminal: process.stdout.isTTY ? { columns: process.stdout.columns } : undefined,
  // Home, clear to the end: one frame replaces the last without scrolling.
  redraw: (text) => process.stdout.write(`\u001b[H\u001b[J${text}\n`),
  // Questions go to stderr, so stdout stays what a script may read. End of input answers nothing.
  async ask(question) {
    const lines = createInterface({
      input: process.stdin,
      output: process.stderr,
      terminal: process.stdin.isTTY,
    });
    const ended = new Promise<undefined>((resolve) => lines.once('close', () => resolve(undefined)));
    try {
      return await Promise.race([lines.question(question), ended]);
    } finally {
      lines.close();
    }
  },
  keys(signal) {
    if (!process.stdin.isTTY) return undefined;
    return (async function* () {
      // Raw: each key as it is pressed, Ctrl-C included (the command decides what it means).
      process.stdin.setRawMode(true);
      process.stdin.setEncoding('utf8');
      try {
        for await (const [key] of on(process.stdin, 'data', { signal })) yield key as string;
      } catch (err) {
        if (!signal.aborted) throw err;
      } finally {
        process.stdin.setRawMode(false);
        process.stdin.pause();
      }
    })();
  },
  interrupted: () => Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]).then(() => undefined),
};

process.exitCode = await run(process.argv.slice(2), io, systemClock);
