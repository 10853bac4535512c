// watch SESSION: follows a roast through the telemetry read API's live follow (points and events as they are
// stored) and reads the API server (the roaster's latch, proposals awaiting approval, the session's deviation
// from its profile) every --interval, until the session ends. On a terminal the view is redrawn in place
// whenever something arrives and keys act on it — approve or reject the selected proposal, mark first
// crack — each after one more key; elsewhere (a pipe, a log) each change is printed once: new events, the
// deviation from the profile and, at most every --interval, the latest reading.
import { wakeableSleep } from '@roast-operator/clock';
import { wholeNumber } from '../args.ts';
import type { Connection } from '../connection.ts';
import { type Context, step } from '../context.ts';
import { deviationLines } from '../deviation.ts';
import { SessionFollower } from '../follow.ts';
import { describeCommand } from '../proposals.ts';
import { refusalMessage, UsageError } from '../refusal.ts';
import { telemetryServer } from '../telemetry.ts';
import { type KeyAction, type KeyState, onKey, promptLine } from '../watch-keys.ts';
import { eventLines, readingLine, renderWatch, type WatchState } from '../watch-view.ts';
import { checkDecidable, writeDecision } from './decide.ts';
import { appendMark } from './mark.ts';

export async function watch(ctx: Context): Promise<void> {
  const [session] = ctx.args;
  if (session === undefined) throw new UsageError('name the session: kubectl roast watch SESSION');
  const intervalMs =
    ctx.flags.interval === undefined
      ? 2000
      : wholeNumber('--interval (seconds)', ctx.flags.interval, 1, 60) * 1000;
  // The clock's timers never keep a process alive on their own; between readings nothing else would.
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
  const follower = new SessionFollower(server, conn.namespace, session, ctx.clock);
  try {
    await watchFollowed(ctx, follower, intervalMs, done);
  } finally {
    follower.close();
  }
}

async function watchFollowed(
  ctx: Context,
  follower: SessionFollower,
  intervalMs: number,
  done: AbortSignal,
): Promise<void> {
  const { session } = follower;
  const conn = ctx.connection();
  const view: WatchState = { telemetry: await follower.start(), roaster: undefined, pending: [] };
  const terminal = ctx.io.terminal;
  const keyPresses = terminal ? ctx.io.keys?.(done) : undefined;
  let keys: KeyState = { selected: 0 };
  let status: string | undefined;
  let quit = false;
  let nap: ReturnType<typeof wakeableSleep> | undefined;
  /** When the API server is read next: every interval, and at once after a key acted. */
  let readAt = ctx.clock.now();
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
  // Keys are read beside the follow; `done` ends them when the watch ends.
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
        readAt = ctx.clock.now();
        nap?.wake();
      }
      draw();
    }
  })().catch(() => undefined);
  const stopListening = follower.onChange(() => nap?.wake());
  const printed = new Set<string>();
  let lastReading = '';
  try {
    for (;;) {
      const due = ctx.clock.now() >= readAt;
      if (due) {
        await readCluster(conn, view, session);
        readAt = ctx.clock.now() + intervalMs;
      }
      // Taken after the API server's answers: from here to the nap nothing waits, so no change is missed.
      if (follower.failure) throw follower.failure;
      view.telemetry = follower.telemetry ?? view.telemetry;
      view.reconnecting = follower.reconnecting;
      if (terminal) draw();
      else {
        for (const line of [
          ...eventLines(view.telemetry),
          ...view.pending.map((p) => `awaiting approval: ${p.metadata.name}`),
          ...(view.profile ?? []),
          ...(view.reconnecting ? [view.reconnecting] : []),
        ])
          if (!printed.has(line)) {
            printed.add(line);
            ctx.io.out(line);
          }
        const reading = readingLine(view.telemetry.points.at(-1));
        if ((due || follower.ended) && reading !== lastReading) {
          ctx.io.out(reading);
          lastReading = reading;
        }
      }
      if (quit) {
        ctx.io.out(`Stopped watching RoastSession ${session}.`);
        return;
      }
      if (follower.ended) {
        ctx.io.out(`RoastSession ${session} is ${view.telemetry.session.phase}.`);
        return;
      }
      nap = wakeableSleep(ctx.clock, Math.max(1, readAt - ctx.clock.now()));
      await nap.done;
    }
  } finally {
    stopListening();
    nap?.wake();
  }
}

/** What the API server says beside the curve: the roaster's latch, the proposals awaiting approval, and the deviation. */
async function readCluster(conn: Connection, view: WatchState, session: string): Promise<void> {
  const roasterName = view.telemetry.session.roaster;
  const [roaster, proposals, object] = await Promise.all([
    step(`reading Roaster ${roasterName}`, () => conn.roaster(roasterName)),
    step('listing proposals', () => conn.proposals(roasterName)),
    step(`reading RoastSession ${session}`, () => conn.session(session)),
  ]);
  view.roaster = roaster;
  view.pending = proposals.filter((p) => p.status?.phase === 'AwaitingApproval').reverse();
  view.profile = deviationLines(object);
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
