// propose ROASTER heater 7 | fan N | drum N | preheat | charge | drop | cool [--rationale] [--session] [--ttl]:
// a CommandProposal as the user, for the session running on the roaster unless --session names another. The
// governor decides what happens next; the plugin says where the proposal went.

import { wholeNumber } from '../args.ts';
import { type Context, step } from '../context.ts';
import { commandFromWords, commandWords, describeCommand, proposalBody } from '../proposals.ts';
import { UsageError } from '../refusal.ts';

export async function propose(ctx: Context): Promise<void> {
  const [roaster, ...words] = ctx.args;
  if (roaster === undefined || words.length === 0)
    throw new UsageError(`kubectl roast propose ROASTER ${commandWords.join('|')} [LEVEL] --rationale "…"`);
  const conn = ctx.connection();
  const current = await step(`reading Roaster ${roaster}`, () => conn.roaster(roaster));
  const command = commandFromWords(words, current.spec.model);
  const user = await step('asking the API server who you are', () => conn.user());
  const body = proposalBody({
    namespace: conn.namespace,
    roaster,
    command,
    proposedBy: user,
    rationale: ctx.flags.rationale,
    session: ctx.flags.session ?? current.status?.activeSession?.name,
    ttlSeconds: ctx.flags.ttl === undefined ? undefined : wholeNumber('--ttl', ctx.flags.ttl, 1, 300),
  });
  const what = `${describeCommand(command)} on Roaster ${roaster}`;
  const created = await step(`proposing ${what}`, () => conn.resource('proposal').create(body));
  ctx.io.out(
    `Proposed ${what} as ${user}: ${created.metadata.name}. See where it goes with kubectl roast get ${created.metadata.name}.`,
  );
}
