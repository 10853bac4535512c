// stop ROASTER: an EmergencyStop proposal at once, no question asked (the governor never blocks one).
// reset ROASTER: shows what latched and the edge's interlocks, then a ResetLatch naming that latch.
import type { Connection } from '../connection.ts';
import { type Context, confirm, step } from '../context.ts';
import { interlocksClear, latchPanel } from '../panels.ts';
import { proposalBody } from '../proposals.ts';
import { Refusal, UsageError } from '../refusal.ts';

export async function stop(ctx: Context): Promise<void> {
  const [roaster] = ctx.args;
  if (roaster === undefined) throw new UsageError('name the roaster: kubectl roast stop ROASTER');
  const { name, user } = await proposeStop(ctx.connection(), roaster, ctx.flags.rationale);
  ctx.io.out(
    `Emergency stop of Roaster ${roaster} proposed as ${user}: ${name}. The roaster stays latched until kubectl roast reset ${roaster}.`,
  );
}

/** An EmergencyStop proposal as the user, at once; returns its name. */
export async function proposeStop(
  conn: Connection,
  roaster: string,
  rationale?: string,
): Promise<{ name: string; user: string }> {
  const user = await step('asking the API server who you are', () => conn.user());
  const body = proposalBody({
    namespace: conn.namespace,
    roaster,
    command: { type: 'EmergencyStop' },
    proposedBy: user,
    rationale: rationale ?? `emergency stop by ${user} with kubectl roast`,
  });
  const created = await step(`stopping Roaster ${roaster}`, () => conn.resource('proposal').create(body));
  return { name: created.metadata.name ?? '', user };
}

export async function reset(ctx: Context): Promise<void> {
  const [roaster] = ctx.args;
  if (roaster === undefined) throw new UsageError('name the roaster: kubectl roast reset ROASTER');
  const conn = ctx.connection();
  const current = await step(`reading Roaster ${roaster}`, () => conn.roaster(roaster));
  ctx.io.out(latchPanel(current));
  const latch = current.status?.latch;
  if (latch === undefined) throw new Refusal(`Roaster ${roaster} is not latched: there is nothing to reset`);
  if (!interlocksClear(current))
    throw new Refusal(
      `Nothing was done: the edge's interlocks on Roaster ${roaster} are not clear, and the governor blocks a reset until they are; find out what tripped (above), make it safe, and reset again`,
    );
  const user = await step('asking the API server who you are', () => conn.user());
  await confirm(
    ctx,
    `Reset latch ${latch.id} (${latch.cause}) on Roaster ${roaster} as ${user}?`,
    `resetting ${roaster}`,
  );
  const body = proposalBody({
    namespace: conn.namespace,
    roaster,
    command: { type: 'ResetLatch', latchId: latch.id },
    proposedBy: user,
    rationale: ctx.flags.rationale ?? `latch ${latch.id} reset by ${user} with kubectl roast`,
  });
  const created = await step(`resetting latch ${latch.id} on Roaster ${roaster}`, () =>
    conn.resource('proposal').create(body),
  );
  ctx.io.out(
    `Reset of latch ${latch.id} on Roaster ${roaster} proposed as ${user}: ${created.metadata.name}.`,
  );
}
