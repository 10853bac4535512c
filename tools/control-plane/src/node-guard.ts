import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodePaths } from './node-config.ts';
import { cleanUpNode } from './node-host.ts';

/**
 * A node's guard: a detached process (its own session, so a terminal's Ctrl-C does not reach it) that
 * outlives whoever started the node. When that process dies without stopping the node — a test runner that
 * exits at once on Ctrl-C, a SIGKILL — the guard removes everything the node left on the host. A node that
 * stops normally ends its guard first. The guard cleans up only the run it guards (the owner file in the
 * node's directory names the owner's PID), never a node started after it.
 */
const cli = join(import.meta.dirname, 'cli.ts');
const ownerFile = (paths: NodePaths) => join(paths.dir, 'owner.pid');

export async function startNodeGuard(paths: NodePaths): Promise<{ stop(): void }> {
  await writeFile(ownerFile(paths), String(process.pid));
  const guard = spawn(process.execPath, [cli, '--node-guard', String(process.pid)], {
    detached: true,
    stdio: 'ignore',
  });
  guard.unref();
  return {
    stop() {
      if (guard.exitCode === null) guard.kill('SIGTERM');
    },
  };
}

/** The guard's loop: waits for the owner to die, then cleans up if the node is still the owner's. */
export async function guardNode(paths: NodePaths, owner: number): Promise<void> {
  for (;;) {
    await sleep(500);
    try {
      process.kill(owner, 0);
    } catch {
      const current = await readFile(ownerFile(paths), 'utf8').catch(() => '');
      if (current === String(owner)) await cleanUpNode(paths);
      return;
    }
  }
}
