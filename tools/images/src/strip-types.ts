// Turns the installed workspace tree into what an image ships: JavaScript with the types stripped (Node's
// own stripper, the one that runs the sources in development), relative `.ts` import specifiers rewritten to
// `.js`, package.json entry points pointing at the `.js` files, and no tests, benchmarks or TypeScript.
// Runs inside the image build with nothing but Node: `node strip-types.ts <from> <to> <workspace>...`.
// Only Node built-ins here: it runs before (and without) the project's dependencies.
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { stripTypeScriptTypes } from 'node:module';
import { dirname, join, relative } from 'node:path';

/** Rewrites relative `.ts` specifiers (static imports and exports, dynamic imports) to `.js`. */
export function rewriteSpecifiers(source: string): string {
  return source.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\.ts\2/g,
    (_, lead: string, quote: string, path: string) => `${lead}${quote}${path}.js${quote}`,
  );
}

/** JavaScript for one TypeScript module. */
export function stripModule(source: string): string {
  return rewriteSpecifiers(stripTypeScriptTypes(source, { mode: 'strip' }));
}

/** A package.json whose entry points (bin, main, exports) name the stripped `.js` files. */
export function rewriteManifest(manifest: Record<string, unknown>): Record<string, unknown> {
  const toJs = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(/\.ts$/, '.js');
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toJs(inner)]));
    }
    return value;
  };
  const { devDependencies: _dev, scripts: _scripts, ...rest } = manifest;
  for (const key of ['bin', 'main', 'exports']) if (key in rest) rest[key] = toJs(rest[key]);
  return rest;
}

// Tests, test helpers and benchmarks stay out of images.
const shipped = (file: string) => !/\.test\.ts$|(^|\/)(testing|bench)\/|(^|\/)test-[^/]*\.ts$/.test(file);

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

/** Strips one workspace package (its package.json and src/) from `from` into `to`. */
async function stripWorkspace(from: string, to: string): Promise<void> {
  const manifest = JSON.parse(await readFile(join(from, 'package.json'), 'utf8')) as Record<string, unknown>;
  await mkdir(to, { recursive: true });
  await writeFile(join(to, 'package.json'), `${JSON.stringify(rewriteManifest(manifest), null, 2)}\n`);
  for (const file of (await files(join(from, 'src'))).filter(shipped)) {
    const typescript = file.endsWith('.ts') && !file.endsWith('.d.ts');
    const out = join(to, 'src', typescript ? file.replace(/\.ts$/, '.js') : file);
    await mkdir(dirname(out), { recursive: true });
    if (typescript) await writeFile(out, stripModule(await readFile(join(from, 'src', file), 'utf8')));
    else await cp(join(from, 'src', file), out);
  }
}

/** Workspace links (node_modules/@scope/name -> ../../dir) whose package the image does not ship. */
async function dropDanglingLinks(nodeModules: string): Promise<void> {
  for (const entry of await readdir(nodeModules, { recursive: true, withFileTypes: true })) {
    if (!entry.isSymbolicLink()) continue;
    const link = join(entry.parentPath, entry.name);
    if (!(await stat(link).catch(() => undefined))) await rm(link);
  }
}

/**
 * `from` is an installed tree (npm ci --omit=dev); `to` gets the root package.json, node_modules (workspace
 * links kept as links) and the stripped workspaces: the named ones and every libs/* package they link.
 */
async function main(from: string, to: string, workspaces: string[]): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await mkdir(to, { recursive: true });
  await cp(join(from, 'package.json'), join(to, 'package.json'));
  await cp(join(from, 'node_modules'), join(to, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  const libs = (await readdir(join(from, 'libs'))).map((name) => join('libs', name));
  for (const workspace of [...workspaces, ...libs])
    await stripWorkspace(join(from, workspace), join(to, workspace));
  await dropDanglingLinks(join(to, 'node_modules'));
}

if (import.meta.main) {
  const [from, to, ...workspaces] = process.argv.slice(2);
  if (!from || !to || workspaces.length === 0) {
    process.stderr.write('usage: node strip-types.ts <installed tree> <output dir> <workspace>...\n');
    process.exit(2);
  }
  await main(from, to, workspaces);
}
