// progress.sh as build scripts use it: sourced by bash, real commands, stderr a pipe (CI) or a terminal.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const progress = join(import.meta.dirname, 'progress.sh');

/** A build of three components whose last one fails, as a build script writes it. */
const build = `
set -euo pipefail
source '${progress}'
progress_init 3
progress_run 'alpha v1' sleep 1
progress_run 'beta v2' bash -c 'echo quiet; echo also quiet >&2'
progress_run 'gamma v3' bash -c 'echo what went wrong >&2; exit 3'
echo never reached
`;

async function runBuild(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(args[0]!, args.slice(1)).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

describe('progress.sh', () => {
  it('in CI prints plain lines: each component starting and built, with elapsed times and what is left', async () => {
    const { code, stdout, stderr } = await runBuild(['bash', '-c', build]);
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([
      '[1/3] alpha v1: building (2 more after it; 0:00 so far)',
      expect.stringMatching(/^\[1\/3\] alpha v1: built in 0:0[1-9] \(2 left; total 0:0[1-9]\)$/),
      expect.stringMatching(/^\[2\/3\] beta v2: building \(1 more after it; 0:0\d so far\)$/),
      expect.stringMatching(/^\[2\/3\] beta v2: built in 0:0\d \(1 left; total 0:0\d\)$/),
      expect.stringMatching(/^\[3\/3\] gamma v3: building \(the last one; 0:0\d so far\)$/),
      // A failed command's own output, then the failure; the build stops with its status.
      'what went wrong',
      expect.stringMatching(/^\[3\/3\] gamma v3: failed after 0:0\d \(exit 3\)$/),
      '',
    ]);
  });

  it('on a terminal redraws one live line while a component builds, then leaves the plain result', async () => {
    // script(1) gives the build a terminal; what the terminal received comes back on stdout.
    const { stdout } = await runBuild([
      'script',
      '-qec',
      `bash -c "${build.replaceAll('"', '\\"')}"`,
      '/dev/null',
    ]);
    const redraws = stdout.split('\r\u001b[K').filter((line) => line.includes('alpha v1: building'));
    expect(redraws.length).toBeGreaterThanOrEqual(1);
    expect(redraws[0]).toMatch(
      /^[|/\\-] \[1\/3\] alpha v1: building 0:0\d \(2 more after it; total 0:0\d\)$/,
    );
    expect(stdout).toMatch(/\[1\/3\] alpha v1: built in 0:0[1-9] \(2 left; total 0:0[1-9]\)\r?\n/);
    expect(stdout).toMatch(/\[3\/3\] gamma v3: failed after 0:0\d \(exit 3\)/);
    expect(stdout).not.toContain('quiet');
  });
});
