// The command line, as kubectl plugins take it: a command word, its arguments and flags in any order. Pure:
// it turns argv into an invocation or a UsageError that says what to type instead.
import { parseArgs } from 'node:util';
import { UsageError } from './refusal.ts';

const options = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  yes: { type: 'boolean', short: 'y' },
  help: { type: 'boolean', short: 'h' },
  output: { type: 'string', short: 'o' },
  reason: { type: 'string' },
  rationale: { type: 'string' },
  note: { type: 'string' },
  session: { type: 'string' },
  ttl: { type: 'string' },
  status: { type: 'string' },
  roaster: { type: 'string' },
  type: { type: 'string' },
  limit: { type: 'string' },
  format: { type: 'string' },
  'telemetry-server': { type: 'string' },
  token: { type: 'string' },
  'output-file': { type: 'string' },
  interval: { type: 'string' },
  name: { type: 'string' },
  profile: { type: 'string' },
  address: { type: 'string' },
  port: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  apply: { type: 'boolean' },
} as const;

export type Flag = keyof typeof options;
export type Flags = { [F in Flag]?: (typeof options)[F]['type'] extends 'boolean' ? boolean : string };

/** Flags every command takes. */
export const connectionFlags: readonly Flag[] = ['kubeconfig', 'context', 'namespace', 'help'];

export interface Invocation {
  command: string | undefined;
  args: string[];
  flags: Flags;
}

export function parseInvocation(argv: readonly string[]): Invocation {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs explains at length how to pass a positional starting with '-'; its first sentence is enough.
    const first = (err instanceof Error ? err.message : String(err)).split('. ')[0];
    throw new UsageError(`${first}: see kubectl roast --help`);
  }
  const [command, ...args] = parsed.positionals;
  return { command, args, flags: parsed.values };
}

/** Refuses flags the command does not take, naming them and the ones it does. */
export function checkFlags(command: string, flags: Flags, allowed: readonly Flag[]): void {
  const extra = (Object.keys(flags) as Flag[]).filter(
    (f) => !allowed.includes(f) && !connectionFlags.includes(f),
  );
  if (extra.length > 0)
    throw new UsageError(
      `kubectl roast ${command} does not take ${extra.map((f) => `--${f}`).join(', ')}; it takes ${
        allowed.map((f) => `--${f}`).join(', ') || 'no flags of its own'
      }`,
    );
}

/** A whole number from `min` to `max`, or a UsageError naming the flag or argument. */
export function wholeNumber(what: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max))
    throw new UsageError(`${what} must be a whole number from ${min} to ${max}, not ${text}`);
  return n;
}
