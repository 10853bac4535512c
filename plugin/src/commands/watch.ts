// watch SESSION: follows a roast by polling the telemetry read API (new points only, `since` the last one)
// and the API server (the roaster's latch, proposals awaiting approval) every --interval, until the
// session ends. On a terminal the view is redrawn in place and keys act on it — approve or reject the
// selected proposal, mark first crack — each after one more key; elsewhere (a pipe, a log) each change is
// printed once: new events and, at most every --interval, the latest reading.
import { wakeableSleep } from '@roast-operator/clock';
import { wholeNumber } from '../args.ts';
import type { Connection } from '../connection.ts';
import { type Context, step } from '../context.ts';
import { describeCommand } from '../proposals.ts';
import { refusalMessage, UsageError } from '../refusal.ts';
import { SessionFollower, telemetryServer } from '../telemetry.ts';
import { type KeyAction, type KeyState, onKey, promptLine } from '../watch-keys.ts';
import { eventLines, readingLine, renderWatch, type WatchState } from '../watch-view.ts';
import { checkDecidable, writeDecision } from './decide.ts';
import { appendMark } from './mark.ts';

const endedPhases = new Set(['Completed', 'Aborted', 'Failed']);

export async function watch(ctx: Context): Promise<void> {
  const [session] = ctx.args;
  if (session === undefined) throw new UsageError('name the session: kubectl roast watch SESSION');
  const intervalMs =
    ctx.flags.interval === undefined
      ? 2000
      : wholeNumber('--interval (seconds)', ctx.flags.interval, 1, 60) * 1000;
  // The clock's timers never keep a process alive on their own; between polls nothing else would.
  const alive = setInterval(() => {}, 60_000);
  const done = new AbortController();
  try {
    await follow(ctx, session, intervalMs, done.signal);
  } finally {
    done.abort();
    clearInterval(alive);
  }
}

async function follow(ctx: Context, session: string, intervalMs: number, done: AbortSignal): Promise<void> {
  const conn = ctx.connection();
  const server = await telemetryServer(conn, ctx.flags);
  const follower = new SessionFollower(conn, server, session);
  const view: WatchState = { telemetry: await follower.next(), roaster: undefined, pending: [] };
  const terminal = ctx.io.terminal;
  const keyPresses = terminal ? ctx.io.keys?.(done) : undefined;
  let keys: KeyState = { selected: 0 };
  let status: string | undefined;
  let quit = false;
  let nap: ReturnType<typeof wakeableSleep> | undefined;
  const describe = (name: string) => {
    const p = view.pending.find((q) => q.metadata.name === name);
    return p ? `${describeCommand(p.spec.command)} (${name}) on ${p.spec.roasterRef.name}` : name;
  };
  const draw = () => {
    if (!terminal) return;
    const line = keys.prompt ? promptLine(keys.prompt, describe, session) : status;
    ctx.io.redraw(
      renderWatch(
        { ...view, ...(keyPresses && { keys: { selected: keys.selected, status: line } }) },
        terminal.columns,
      ),
    );
  };
  // Keys are read beside the polling; `done` ends them when the watch ends.
  void (async () => {
    for await (const key of keyPresses ?? []) {
      const result = onKey(
        keys,
        key,
        view.pending.map((p) => p.metadata.name ?? ''),
      );
      keys = result.state;
      status = result.message;
      if (result.action?.kind === 'quit') {
        quit = true;
        nap?.wake();
        return;
      }
      if (result.action) {
        draw();
        status = await act(conn, session, result.action, describe);
        nap?.wake();
      }
      draw();
    }
  })().catch(() => undefined);
  const printed = new Set<string>();
  let lastReading = '';
  try {
    for (;;) {
      const roasterName = view.telemetry.session.roaster;
      view.roaster = await step(`reading Roaster ${roasterName}`, () => conn.roaster(roasterName));
      view.pending = (await step('listing proposals', () => conn.proposals(roasterName)))
        .filter((p) => p.status?.phase === 'AwaitingApproval')
        .reverse();
      if (terminal) draw();
      else {
        for (const line of [
          ...eventLines(view.telemetry),
          ...view.pending.map((p) => `awaiting approval: ${p.metadata.name}`),
        ])
          if (!printed.has(line)) {
            printed.add(line);
            ctx.io.out(line);
          }
        const reading = readingLine(view.telemetry.points.at(-1));
        if (reading !== lastReading) {
          ctx.io.out(reading);
          lastReading = reading;
        }
      }
      if (quit) {
        ctx.io.out(`Stopped watching RoastSession ${session}.`);
        return;
      }
      if (endedPhases.has(view.telemetry.session.phase)) {
        ctx.io.out(`RoastSession ${session} is ${view.telemetry.session.phase}.`);
        return;
      }
      nap = wakeableSleep(ctx.clock, intervalMs);
      await nap.done;
      view.telemetry = await follower.next();
    }
  } finally {
    nap?.wake();
  }
}

/** Does what the keys asked, as the user; returns the sentence for the status line. */
async function act(
  conn: Connection,
  session: string,
  action: Exclude<KeyAction, { kind: 'quit' }>,
  describe: (name: string) => string,
): Promise<string> {
  try {
    if (action.kind === 'mark') {
      const user = await appendMark(conn, session, 'firstCrack');
      return `Marked first crack on RoastSession ${session} as ${user}.`;
    }
    const decision = action.kind === 'approve' ? 'Approved' : 'Rejected';
    const proposal = await step(`reading CommandProposal ${action.proposal}`, () =>
      conn.proposal(action.proposal),
    );
    checkDecidable(proposal);
    const user = await step('asking the API server who you are', () => conn.user());
    const reason = action.kind === 'reject' ? action.reason : undefined;
    await writeDecision(conn, action.proposal, { decision, approver: user, reason });
    return `${decision} ${describe(action.proposal)} as ${user}.`;
  } catch (err) {
    const what = action.kind === 'mark' ? 'marking first crack' : `deciding ${action.proposal}`;
    return refusalMessage(what, err);
  }
}
