// watch SESSION: follows a roast by polling the telemetry read API (new points only, `since` the last one)
// and the API server (the roaster's latch, proposals awaiting approval) every --interval, until the
// session ends. On a terminal the view is redrawn in place; elsewhere (a pipe, a log) each change is
// printed once: new events and, at most every --interval, the latest reading.
import { sleep } from '@roast-operator/clock';
import { wholeNumber } from '../args.ts';
import { type Context, step } from '../context.ts';
import { UsageError } from '../refusal.ts';
import { SessionFollower, telemetryServer } from '../telemetry.ts';
import { eventLines, readingLine, renderWatch } from '../watch-view.ts';

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
  try {
    await follow(ctx, session, intervalMs);
  } finally {
    clearInterval(alive);
  }
}

async function follow(ctx: Context, session: string, intervalMs: number): Promise<void> {
  const conn = ctx.connection();
  const server = await telemetryServer(conn, ctx.flags);
  const follower = new SessionFollower(conn, server, session);
  let telemetry = await follower.next();
  const printed = new Set<string>();
  let lastReading = '';
  for (;;) {
    const roaster = await step(`reading Roaster ${telemetry.session.roaster}`, () =>
      conn.roaster(telemetry.session.roaster),
    );
    const pending = (await step('listing proposals', () => conn.proposals(telemetry.session.roaster))).filter(
      (p) => p.status?.phase === 'AwaitingApproval',
    );
    if (ctx.io.terminal) ctx.io.redraw(renderWatch({ telemetry, roaster, pending }, ctx.io.terminal.columns));
    else {
      for (const line of [
        ...eventLines(telemetry),
        ...pending.map((p) => `awaiting approval: ${p.metadata.name}`),
      ])
        if (!printed.has(line)) {
          printed.add(line);
          ctx.io.out(line);
        }
      const reading = readingLine(telemetry.points.at(-1));
      if (reading !== lastReading) {
        ctx.io.out(reading);
        lastReading = reading;
      }
    }
    if (endedPhases.has(telemetry.session.phase)) {
      ctx.io.out(`RoastSession ${session} is ${telemetry.session.phase}.`);
      return;
    }
    await sleep(ctx.clock, intervalMs);
    telemetry = await follower.next();
  }
}
