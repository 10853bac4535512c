// Existing binaries (ROAST_CONTROL_PLANE_BIN) are checked before use: the real ones the run's control plane
// uses pass; a directory with a wrong binary and a missing one is refused, each problem named.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Binaries, checkedBinaryDir, resolveBinaries } from './binaries.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, 'cli.ts');
let built: Binaries;
let dir: string;

beforeAll(async () => {
  built = await resolveBinaries();
  dir = await mkdtemp(join(tmpdir(), 'roast-bin-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A directory of links to the real binaries: `links` maps a binary's name to the real binary it is. */
async function binaryDir(name: string, links: Record<string, string>): Promise<string> {
  const path = join(dir, name);
  await mkdir(path);
  for (const [binary, real] of Object.entries(links)) await symlink(real, join(path, binary));
  return path;
}

describe('ROAST_CONTROL_PLANE_BIN', () => {
  it('accepts a directory with the four binaries of the pinned releases', async () => {
    const path = await binaryDir('right', {
      etcd: built.etcd,
      'kube-apiserver': built.kubeApiServer,
      'kube-controller-manager': built.kubeControllerManager,
      kubectl: built.kubectl,
    });
    expect(await checkedBinaryDir(path)).toBe(path);
  });

  it('refuses a wrong version and a missing binary, naming each and what to do', async () => {
    // etcd where kube-apiserver belongs: a real binary of another version.
    const path = await binaryDir('wrong', {
      etcd: built.etcd,
      'kube-apiserver': built.etcd,
      'kube-controller-manager': built.kubeControllerManager,
    });
    const refused = await run(process.execPath, [cli], {
      env: { ...process.env, ROAST_CONTROL_PLANE_BIN: path },
    }).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(refused?.code).toBe(1);
    const message = refused!.stderr;
    expect(message).toContain(
      `ROAST_CONTROL_PLANE_BIN=${path} does not hold the control plane this project runs on:`,
    );
    expect(message).toMatch(/^ {2}kube-apiserver: is v3\.6\.\d+; needs v1\.36\.x \(pinned v1\.36\.\d+\)$/m);
    expect(message).toMatch(/^ {2}kubectl: missing$/m);
    expect(message).not.toMatch(/^ {2}(etcd|kube-controller-manager):/m);
    expect(message).toContain('unset it to have them built once from the Go modules');
  });
});
