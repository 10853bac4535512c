// plan ROASTER [--name SESSION] [--profile FILE]: a RoastSession for the next batch on a roaster, as the
// user, planned with the `profile` block `profile import` or `profile from-session` printed (or none).
import { readFile } from 'node:fs/promises';
import { apiVersion, BatchPlan, RoastSession, roastSessionNames } from '@roast-operator/api';
import { parse } from 'yaml';
import { z } from 'zod';
import { type Context, step } from '../context.ts';
import { Refusal, UsageError } from '../refusal.ts';
import { escapeText } from '../text.ts';

const PlanFile = z.object({ profile: BatchPlan });

async function readPlan(file: string): Promise<BatchPlan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Refusal(`${escapeText(file)} could not be read (${err instanceof Error ? err.message : err})`);
  }
  const plan = PlanFile.safeParse(parse(text));
  if (!plan.success)
    throw new Refusal(
      `${escapeText(file)} is not a plan: ${plan.error.issues.map((i) => `${i.path.join('.') || 'the file'}: ${i.message}`).join('; ')}; write it with kubectl roast profile import or profile from-session`,
    );
  return plan.data.profile;
}

export async function plan(ctx: Context): Promise<void> {
  const [roaster, ...rest] = ctx.args;
  if (roaster === undefined || rest.length > 0)
    throw new UsageError('kubectl roast plan ROASTER [--name SESSION] [--profile FILE]');
  const profile = ctx.flags.profile === undefined ? undefined : await readPlan(ctx.flags.profile);
  const conn = ctx.connection();
  const name = ctx.flags.name;
  const body = {
    apiVersion,
    kind: roastSessionNames.kind,
    metadata: {
      namespace: conn.namespace,
      ...(name ? { name } : { generateName: `${roaster.slice(0, 200)}-` }),
    },
    spec: { roasterRef: { name: roaster }, ...(profile && { profile }) },
  };
  const created = RoastSession.parse(
    await step(`planning a RoastSession on Roaster ${roaster}`, () => conn.resource('session').create(body)),
  );
  ctx.io.out(
    `Planned RoastSession ${created.metadata.name} on Roaster ${roaster}${profile?.coffee ? ` for ${profile.coffee}` : ''}. Mark it with kubectl roast mark ${created.metadata.name} …`,
  );
}
