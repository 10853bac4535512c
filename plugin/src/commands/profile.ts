// profile import FILE.alog / profile from-session SESSION: a RoastProfile made from an Artisan recording or
// from a finished roast (its curve from the telemetry read API), printed as YAML for Git, or with --apply
// created or updated in the cluster as the user (which needs the roast-profile-editor role). What could
// not be taken over is said on stderr.
import { readFile } from 'node:fs/promises';
import { type MadeProfile, profileFromRoast } from '@roast-operator/profile';
import { stringify } from 'yaml';
import { type Context, step } from '../context.ts';
import { profileName, profileObject, roastOfArtisan, roastOfSession } from '../profile.ts';
import { parsePythonLiteral } from '../python-literal.ts';
import { Refusal, UsageError } from '../refusal.ts';
import { sessionTelemetry, telemetryServer } from '../telemetry.ts';
import { escapeText } from '../text.ts';

export const profileUsage =
  'profile import FILE.alog | profile from-session SESSION [--name NAME] [--apply] [--telemetry-server URL] [--token TOKEN]';

export async function profile(ctx: Context): Promise<void> {
  const [action, source, ...rest] = ctx.args;
  if (source === undefined || rest.length > 0) throw new UsageError(`kubectl roast ${profileUsage}`);
  if (action === 'import') return importFile(ctx, source);
  if (action === 'from-session') return fromSession(ctx, source);
  throw new UsageError(`kubectl roast ${profileUsage}`);
}

async function importFile(ctx: Context, file: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Refusal(`${escapeText(file)} could not be read (${err instanceof Error ? err.message : err})`);
  }
  let made: MadeProfile;
  try {
    made = profileFromRoast(roastOfArtisan(parsePythonLiteral(text), file));
  } catch (err) {
    throw new Refusal(
      `${escapeText(file)} was not imported: ${err instanceof Error ? err.message : err}; export it from Artisan as an .alog`,
    );
  }
  await deliver(ctx, ctx.flags.name ?? profileName(file), `the Artisan recording ${escapeText(file)}`, made);
}

async function fromSession(ctx: Context, name: string): Promise<void> {
  const conn = ctx.connection();
  const session = await step(`reading RoastSession ${name}`, () => conn.session(name));
  if (session.status?.phase !== 'Completed')
    ctx.io.err(
      `RoastSession ${name} is ${session.status?.phase ?? 'Pending'}, not Completed: the profile holds the roast so far.`,
    );
  const server = await telemetryServer(conn, ctx.flags);
  const telemetry = await sessionTelemetry(conn, server, name);
  let made: MadeProfile;
  try {
    made = profileFromRoast(roastOfSession(session, telemetry));
  } catch (err) {
    throw new Refusal(`RoastSession ${name} makes no profile: ${err instanceof Error ? err.message : err}`);
  }
  await deliver(ctx, ctx.flags.name ?? profileName(name), `the RoastSession ${conn.namespace}/${name}`, made);
}

/** YAML on stdout for Git, or with --apply the object created or updated (server-side apply) as the user. */
async function deliver(ctx: Context, name: string, from: string, made: MadeProfile): Promise<void> {
  for (const note of made.notes) ctx.io.err(note);
  if (!ctx.flags.apply) {
    ctx.io.write(`# A RoastProfile from ${from}\n${stringify(profileObject(name, made))}`);
    return;
  }
  const conn = ctx.connection();
  const object = profileObject(name, made, conn.namespace);
  await step(`applying RoastProfile ${name}`, () =>
    conn.resource('profile').apply(object, { fieldManager: 'kubectl-roast', force: true }),
  );
  ctx.io.out(
    `RoastProfile ${conn.namespace}/${name} applied from ${from} (${made.spec.curve.seconds.length} curve points). Plan a batch with it: kubectl roast plan ROASTER --profile ${name}`,
  );
}
