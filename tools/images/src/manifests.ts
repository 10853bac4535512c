// Copies only what `npm ci` reads — the root manifest, the lock file and every workspace's package.json — so
// the image build's dependency install is reused while they are unchanged, whatever else changed.
// Runs inside the image build with nothing but Node: `node manifests.ts <from> <to>`.
import { cp, glob, readFile } from 'node:fs/promises';
import { join } from 'node:path';

async function main(from: string, to: string): Promise<void> {
  const root = JSON.parse(await readFile(join(from, 'package.json'), 'utf8')) as { workspaces?: string[] };
  const files = ['package.json', 'package-lock.json'];
  for (const pattern of root.workspaces ?? []) {
    for await (const manifest of glob(`${pattern}/package.json`, { cwd: from })) files.push(manifest);
  }
  for (const file of files) await cp(join(from, file), join(to, file));
}

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  process.stderr.write('usage: node manifests.ts <source tree> <output dir>\n');
  process.exit(2);
}
await main(from, to);
