// Lints a file that reads the wall clock and sets timers directly, placed at product and non-product paths
// of a copy of the repository's Biome configuration, and checks that exactly the product paths fail.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const biome = join(repo, 'node_modules/@biomejs/biome/bin/biome');

const waits = `import { setTimeout as wait } from 'node:timers/promises';

export const started = Date.now();
export const today = new Date();
export const formatted = new Date(started).toISOString();
export const epoch = Date.UTC(2026, 0, 1);
setTimeout(() => {}, 5);
export const tick = setInterval;
await wait(1);
`;

/** What the lint says about `waits` in product code: line and rule. */
const flagged = [
  '1: lint/style/noRestrictedImports',
  '3: plugin',
  '4: plugin',
  '7: lint/style/noRestrictedGlobals',
  '8: lint/style/noRestrictedGlobals',
];

const root = mkdtempSync(join(tmpdir(), 'wall-clock-lint-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function place(file: string, content?: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  if (content === undefined) copyFileSync(join(repo, file), join(root, file));
  else writeFileSync(join(root, file), content);
}
// The configuration as it is, and the plugin it names.
place('biome.jsonc');
place('tools/lint/wall-clock.grit');

function lint(file: string): { failed: boolean; diagnostics: string[] } {
  place(file, waits);
  const run = spawnSync(
    process.execPath,
    [biome, 'lint', '--reporter=github', '--max-diagnostics=none', file],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  const diagnostics = [...run.stdout.matchAll(/^::error title=([^,]+),file=[^,]+,line=(\d+),/gm)].map(
    ([, rule, line]) => `${line}: ${rule}`,
  );
  return { failed: run.status !== 0, diagnostics };
}

describe('the wall-clock rule', () => {
  it.each([
    'libs/example/src/waits.ts',
    'libs/example/src/nested/deeper/waits.ts',
    'edge-node/src/link/waits.ts',
  ])('fails the lint of product code: %s', (file) => {
    expect(lint(file)).toEqual({ failed: true, diagnostics: flagged });
  });

  it.each([
    'libs/clock/src/waits.ts',
    'libs/example/src/waits.test.ts',
    'libs/example/testing/waits.ts',
    'libs/example/bench/waits.ts',
    'tools/example/src/waits.ts',
    'test/example/waits.ts',
  ])('leaves the clock itself, tests, test support, benchmarks and tools alone: %s', (file) => {
    expect(lint(file)).toEqual({ failed: false, diagnostics: [] });
  });
});
