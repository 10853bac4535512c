// What every command gets: the terminal, the flags, the clock and the user's connection; and the two habits
// they share — each API call is a step whose failure becomes a sentence, and what changes a roaster is
// confirmed first unless --yes.
import type { Clock } from '@roast-operator/clock';
import type { Flags } from './args.ts';
import type { Connection } from './connection.ts';
import { Refusal, refusalMessage } from './refusal.ts';

export interface Io {
  /** One line (or lines) of output. */
  out(text: string): void;
  /** Text as it is, e.g. a file's content. */
  write(text: string): void;
  err(text: string): void;
  /** Set when stdout is a terminal: its width, for views redrawn in place. */
  readonly terminal?: { readonly columns: number } | undefined;
  /** Replaces what the terminal shows with `text`. */
  redraw(text: string): void;
  /** Prints `question` and reads one line of answer; undefined at end of input. */
  ask(question: string): Promise<string | undefined>;
  /** Key presses, one string each, while the input is a terminal; undefined when it is not. */
  keys?(signal: AbortSignal): AsyncIterable<string> | undefined;
  /** Resolves when the user interrupts (Ctrl-C, SIGTERM), for commands that run until then. */
  interrupted?(): Promise<void>;
}

export interface Context {
  readonly io: Io;
  readonly flags: Flags;
  readonly args: readonly string[];
  readonly clock: Clock;
  /** The user's connection, opened on first use. */
  connection(): Connection;
}

/** Runs `fn`; a failure becomes a Refusal saying that `action` failed, by whom, and what to do. */
export async function step<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new Refusal(refusalMessage(action, err), { cause: err });
  }
}

/** Asks `question` (y/N) unless --yes; anything but y or yes does nothing and says so. */
export async function confirm(ctx: Context, question: string, what: string): Promise<void> {
  if (ctx.flags.yes) return;
  const answer = (await ctx.io.ask(`${question} [y/N] `))?.trim().toLowerCase();
  if (answer !== 'y' && answer !== 'yes')
    throw new Refusal(
      answer === undefined
        ? `Nothing was done: ${what} needs a yes, and the input ended before one; answer y, or pass --yes`
        : `Nothing was done: ${what} was not confirmed`,
    );
}
