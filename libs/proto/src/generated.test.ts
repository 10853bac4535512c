import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

// The generated TypeScript is committed; this fails when it no longer matches proto/ and buf.gen.yaml.
const pkg = join(import.meta.dirname, '..');
const buf = join(pkg, '../../node_modules/.bin/buf');
let scratch = '';

afterAll(() => rm(scratch, { recursive: true, force: true }));

it('src/generated is what buf generate writes from proto/', async () => {
  scratch = await mkdtemp(join(tmpdir(), 'proto-gen-'));
  await promisify(execFile)(buf, ['generate', '--output', scratch], { cwd: pkg });
  const fresh = await files(join(scratch, 'src/generated'));
  const committed = await files(join(pkg, 'src/generated'));
  expect(Object.keys(committed)).toEqual(Object.keys(fresh));
  for (const [path, text] of Object.entries(fresh)) {
    expect(committed[path], `${path} is stale: run npm run proto`).toBe(text);
  }
});

async function files(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: Record<string, string> = {};
  for (const entry of entries.filter((e) => e.isFile()).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(entry.parentPath, entry.name);
    out[relative(dir, path)] = await readFile(path, 'utf8');
  }
  return out;
}
