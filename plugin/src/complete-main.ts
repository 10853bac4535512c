#!/usr/bin/env node
import { parseInvocation } from './args.ts';
// kubectl_complete-roast: kubectl runs it to complete `kubectl roast …` (see complete.ts). A lookup that
// fails completes nothing: a completion must never print an error into the user's command line.
import { commands } from './cli.ts';
import { completionTarget, noFileCompletion, type Target } from './complete.ts';
import { Connection } from './connection.ts';

async function candidates(target: Target, before: readonly string[]): Promise<readonly string[]> {
  if (target.kind === 'none') return [];
  if (target.kind === 'words') return target.words;
  const conn = Connection.open(parseInvocation(before).flags);
  try {
    if (target.kind === 'roasters') return (await conn.roasters()).map((r) => r.metadata.name ?? '');
    if (target.kind === 'sessions') return (await conn.sessions()).map((s) => s.metadata.name ?? '');
    return (await conn.proposals())
      .filter((p) => !target.awaitingApproval || p.status?.phase === 'AwaitingApproval')
      .map((p) => p.metadata.name ?? '');
  } finally {
    await conn.close();
  }
}

const words = process.argv.slice(2);
const typing = words.at(-1) ?? '';
const before = words.slice(0, -1);
const found = await candidates(completionTarget(Object.keys(commands), before), before).catch(() => []);
for (const c of found) if (c.startsWith(typing)) process.stdout.write(`${c}\n`);
process.stdout.write(`${noFileCompletion}\n`);
