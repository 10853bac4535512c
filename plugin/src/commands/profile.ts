// profile import FILE: an Artisan profile (.alog) as the `profile` of a RoastSession, in YAML for Git. What
// could not be taken over is said on stderr.
import { readFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { Context } from '../context.ts';
import { profileFromArtisan } from '../profile.ts';
import { parsePythonLiteral } from '../python-literal.ts';
import { Refusal, UsageError } from '../refusal.ts';

export async function profile(ctx: Context): Promise<void> {
  const [action, file, ...rest] = ctx.args;
  if (action !== 'import' || file === undefined || rest.length > 0)
    throw new UsageError('kubectl roast profile import FILE.alog');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Refusal(`${file} could not be read (${err instanceof Error ? err.message : err})`);
  }
  let imported: ReturnType<typeof profileFromArtisan>;
  try {
    imported = profileFromArtisan(parsePythonLiteral(text));
  } catch (err) {
    throw new Refusal(
      `${file} was not imported: ${err instanceof Error ? err.message : err}; export it from Artisan as an .alog`,
    );
  }
  ctx.io.write(
    `# The plan of a RoastSession (spec.profile), from the Artisan profile ${file}\n${stringify({ profile: imported.profile })}`,
  );
  for (const note of imported.notes) ctx.io.err(note);
}
