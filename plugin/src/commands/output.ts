import type { Context } from '../context.ts';
import { UsageError } from '../refusal.ts';

/** `-o json` or the default, readable text. */
export function outputFormat(ctx: Context): 'text' | 'json' {
  const o = ctx.flags.output;
  if (o === undefined) return 'text';
  if (o === 'json') return 'json';
  throw new UsageError(`-o ${o} is not an output this command has: leave it out for text, or -o json`);
}
