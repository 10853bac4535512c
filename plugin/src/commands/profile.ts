// profile import FILE / profile from-session SESSION: an Artisan profile (.alog), or how a finished roast
// went, as the `profile` of a RoastSession, in YAML for Git. What could not be taken over is said on stderr.
import { readFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { type Context, step } from '../context.ts';
import { type ImportedProfile, profileFromArtisan, profileFromSession } from '../profile.ts';
import { parsePythonLiteral } from '../python-literal.ts';
import { Refusal, UsageError } from '../refusal.ts';
import { escapeText } from '../text.ts';

const usage = 'kubectl roast profile import FILE.alog, or kubectl roast profile from-session SESSION';

export async function profile(ctx: Context): Promise<void> {
  const [action, source, ...rest] = ctx.args;
  if (source === undefined || rest.length > 0) throw new UsageError(usage);
  if (action === 'import') return importFile(ctx, source);
  if (action === 'from-session') return fromSession(ctx, source);
  throw new UsageError(usage);
}

async function fromSession(ctx: Context, name: string): Promise<void> {
  const conn = ctx.connection();
  const session = await step(`reading RoastSession ${name}`, () => conn.session(name));
  print(ctx, `the RoastSession ${conn.namespace}/${name}`, profileFromSession(session));
}

function print(ctx: Context, from: string, imported: ImportedProfile): void {
  ctx.io.write(
    `# The plan of a RoastSession (spec.profile), from ${from}\n${stringify({ profile: imported.profile })}`,
  );
  for (const note of imported.notes) ctx.io.err(note);
}

async function importFile(ctx: Context, file: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Refusal(`${file} could not be read (${err instanceof Error ? err.message : err})`);
  }
  let imported: ImportedProfile;
  try {
    imported = profileFromArtisan(parsePythonLiteral(text));
  } catch (err) {
    throw new Refusal(
      `${file} was not imported: ${err instanceof Error ? err.message : err}; export it from Artisan as an .alog`,
    );
  }
  print(ctx, `the Artisan profile ${escapeText(file)}`, imported);
}
