// The release of kubectl roast for krew: the plugin and its completion bundled into two files Node runs
// (Node strips no types under node_modules, so a krew install cannot run the sources), each behind a small
// sh launcher, packed in one archive for Linux and macOS on any CPU, and the krew manifest naming that
// archive with its sha256.
//
//   node plugin/release/package.ts --out DIR --base-url https://…/releases/download/v0.1.0
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { build } from 'esbuild';
import { stringify } from 'yaml';

const run = promisify(execFile);
const src = join(import.meta.dirname, '../src');

/** The oldest Node the bundle runs on: client-node's HTTP library (undici) needs 22.19. */
export const minimumNode = [22, 19] as const;

// Runs before anything else in the bundle, so an old Node gets a sentence, not a stack trace.
const nodeCheck = `
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < ${minimumNode[0]} || (major === ${minimumNode[0]} && minor < ${minimumNode[1]})) {
  process.stderr.write('kubectl roast needs Node.js ${minimumNode.join('.')} or later on PATH; this is ' + process.version + '. Install a newer Node.js and try again.\\n');
  process.exit(1);
}
import { createRequire as __createRequire } from 'node:module';
const require = __createRequire(import.meta.url);
`;

const executables = { 'kubectl-roast': 'main.ts', 'kubectl_complete-roast': 'complete-main.ts' } as const;

const launcher = (name: string) => `#!/bin/sh
# ${name}: runs ${name}.mjs beside this file (krew links this file into its bin directory).
here=$(dirname "$(readlink -f "$0")")
exec node "$here/${name}.mjs" "$@"
`;

export interface Release {
  archive: string;
  manifest: string;
  sha256: string;
  version: string;
}

export async function packageRelease(out: string, baseUrl: string): Promise<Release> {
  const { version } = JSON.parse(await readFile(join(src, '../package.json'), 'utf8')) as { version: string };
  const stage = join(out, `kubectl-roast-${version}`);
  await mkdir(stage, { recursive: true });
  for (const [name, entry] of Object.entries(executables)) {
    await build({
      entryPoints: [join(src, entry)],
      outfile: join(stage, `${name}.mjs`),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: `node${minimumNode.join('.')}`,
      banner: { js: nodeCheck },
      logLevel: 'warning',
    });
    await writeFile(join(stage, name), launcher(name));
    await chmod(join(stage, name), 0o755);
  }
  // The console's page is read from beside the bundle at run time.
  await cp(join(src, 'console/page'), join(stage, 'page'), { recursive: true });
  const archive = join(out, `kubectl-roast-${version}.tar.gz`);
  await run('tar', ['-czf', archive, '-C', stage, '.']);
  const sha256 = createHash('sha256')
    .update(await readFile(archive))
    .digest('hex');
  const manifest = join(out, 'roast.yaml');
  await writeFile(
    manifest,
    stringify(krewManifest(version, `${baseUrl.replace(/\/$/, '')}/kubectl-roast-${version}.tar.gz`, sha256)),
  );
  return { archive, manifest, sha256, version };
}

export function krewManifest(version: string, uri: string, sha256: string) {
  return {
    apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
    kind: 'Plugin',
    metadata: { name: 'roast' },
    spec: {
      version: `v${version}`,
      shortDescription: 'Approve, stop, mark and export coffee roasts run by Roast Operator',
      description:
        'Works the roasters of a Roast Operator cluster with your own identity: approve or reject proposals after seeing what they do, stop a roaster and reset its latch, mark first crack, propose commands, list history with filters, summarize success rates, and export a roast as CSV, JSON or an Artisan profile. Needs Node.js 22.19 or later on PATH.',
      caveats: 'kubectl roast runs on Node.js: install Node.js 22.19 or later and keep it on PATH.',
      platforms: ['linux', 'darwin'].map((os) => ({
        selector: { matchLabels: { os } },
        uri,
        sha256,
        files: [{ from: './*', to: '.' }],
        bin: 'kubectl-roast',
      })),
    },
  };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'base-url': { type: 'string' } } });
  if (!values.out || !values['base-url']) {
    process.stderr.write('Give --out DIR and --base-url URL (where the archive will be downloaded from).\n');
    process.exit(2);
  }
  const release = await packageRelease(values.out, values['base-url']);
  process.stdout.write(`${release.archive}\n${release.manifest}\nsha256 ${release.sha256}\n`);
}
