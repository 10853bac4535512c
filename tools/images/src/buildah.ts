import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * Debian's buildah without a daemon or a registry: a private image store (vfs, which needs no kernel
 * support beyond plain directories) in the cache. vfs stores every layer as a full copy, so the store keeps
 * the built images only (no per-step layers between builds).
 */
export function buildahStore(): string {
  const cacheRoot = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cacheRoot, 'roast-operator', 'buildah');
}

export async function buildah(args: string[], options: { cwd?: string } = {}): Promise<string> {
  const store = buildahStore();
  const global = ['--root', join(store, 'root'), '--runroot', join(store, 'run'), '--storage-driver', 'vfs'];
  try {
    const { stdout } = await execFileAsync('buildah', [...global, ...args], {
      maxBuffer: 256 << 20,
      cwd: options.cwd,
    });
    return stdout.trim();
  } catch (error) {
    const e = error as Error & { stderr?: string; stdout?: string; code?: string | number };
    if (e.code === 'ENOENT') throw new Error('buildah is missing: apt-get install buildah');
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').slice(-40).join('\n');
    throw new Error(`buildah ${args.slice(0, 2).join(' ')} failed:\n${output}`);
  }
}

/** Whether the store holds an image by this name. */
export async function imageExists(image: string): Promise<boolean> {
  return buildah(['inspect', '--type', 'image', '--format', '{{.FromImageID}}', image]).then(
    () => true,
    () => false,
  );
}
