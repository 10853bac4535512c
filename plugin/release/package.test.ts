// Builds the krew release, unpacks it where krew would, and runs it as kubectl would: through the launcher,
// with nothing of the repository on the module path.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRelease, type Release } from './package.ts';

const run = promisify(execFile);
let dir: string;
let release: Release;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubectl-roast-release-'));
  release = await packageRelease(join(dir, 'out'), 'https://example.org/releases/download/v0.1.0/');
}, 120_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the krew release', () => {
  it('names its archive and checksum in the manifest for Linux and macOS', async () => {
    const manifest = parse(await readFile(release.manifest, 'utf8'));
    const sha256 = createHash('sha256')
      .update(await readFile(release.archive))
      .digest('hex');
    expect(manifest).toMatchObject({
      apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
      kind: 'Plugin',
      metadata: { name: 'roast' },
    });
    expect(manifest.spec.version).toBe(`v${release.version}`);
    expect(
      manifest.spec.platforms.map(
        (p: { selector: { matchLabels: { os: string } } }) => p.selector.matchLabels.os,
      ),
    ).toEqual(['linux', 'darwin']);
    for (const platform of manifest.spec.platforms) {
      expect(platform).toMatchObject({
        uri: `https://example.org/releases/download/v0.1.0/kubectl-roast-${release.version}.tar.gz`,
        sha256,
        bin: 'kubectl-roast',
      });
    }
  });

  it('runs unpacked, through a link as krew makes one, with only Node on PATH', async () => {
    const unpacked = join(dir, 'store');
    const bin = join(dir, 'bin');
    await run('mkdir', ['-p', unpacked, bin]);
    await run('tar', ['-xzf', release.archive, '-C', unpacked]);
    await symlink(join(unpacked, 'kubectl-roast'), join(bin, 'kubectl-roast'));
    await symlink(join(unpacked, 'kubectl_complete-roast'), join(bin, 'kubectl_complete-roast'));
    const env = { PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir };
    const help = await run('kubectl-roast', ['--help'], { env, cwd: dir });
    expect(help.stdout).toMatch(/^kubectl roast: work the roastery with your own Kubernetes identity\./);
    expect(help.stdout).toContain('export');
    const completion = await run('kubectl_complete-roast', ['st'], { env, cwd: dir });
    expect(completion.stdout).toBe('stop\n:4\n');
    const refused = await run('kubectl-roast', ['stop'], { env, cwd: dir }).catch(
      (err: { code: number; stderr: string }) => err,
    );
    expect(refused).toMatchObject({ code: 2, stderr: 'Name the roaster: kubectl roast stop ROASTER.\n' });
    // The console reads its page from beside the bundle.
    for (const file of ['index.html', 'app.js', 'chart.js', 'style.css'])
      expect((await readFile(join(unpacked, 'page', file))).length).toBeGreaterThan(0);
  });
});
