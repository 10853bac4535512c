// plan ROASTER [--name SESSION] [--profile PROFILE]: a RoastSession for the next batch on a roaster, as the
// user, following a RoastProfile of the namespace (spec.profileRef) with the batch plan it gives.
import { apiVersion, RoastSession, roastSessionNames } from '@roast-operator/api';
import { type Context, step } from '../context.ts';
import { batchPlanOf } from '../profile.ts';
import { UsageError } from '../refusal.ts';

export async function plan(ctx: Context): Promise<void> {
  const [roaster, ...rest] = ctx.args;
  if (roaster === undefined || rest.length > 0)
    throw new UsageError('kubectl roast plan ROASTER [--name SESSION] [--profile PROFILE]');
  const conn = ctx.connection();
  const ref = ctx.flags.profile;
  const followed =
    ref === undefined ? undefined : await step(`reading RoastProfile ${ref}`, () => conn.roastProfile(ref));
  const batch = followed && batchPlanOf(followed.spec);
  for (const note of batch?.notes ?? []) ctx.io.err(note);
  const profile = batch?.plan;
  const name = ctx.flags.name;
  const body = {
    apiVersion,
    kind: roastSessionNames.kind,
    metadata: {
      namespace: conn.namespace,
      ...(name ? { name } : { generateName: `${roaster.slice(0, 200)}-` }),
    },
    spec: {
      roasterRef: { name: roaster },
      ...(profile && Object.keys(profile).length > 0 && { profile }),
      ...(ref && { profileRef: { name: ref } }),
    },
  };
  const created = RoastSession.parse(
    await step(`planning a RoastSession on Roaster ${roaster}`, () => conn.resource('session').create(body)),
  );
  ctx.io.out(
    `Planned RoastSession ${created.metadata.name} on Roaster ${roaster}${profile?.coffee ? ` for ${profile.coffee}` : ''}${ref ? ` following RoastProfile ${ref}` : ''}. Mark it with kubectl roast mark ${created.metadata.name} …`,
  );
}
