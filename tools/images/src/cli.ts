import { execFile } from 'node:child_process';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defaultNodePaths, imageArchiveDir, NodeCluster } from '@roast-operator/control-plane';
import { buildBase } from './base.ts';
import { buildah } from './buildah.ts';
import { archiveName, baseImage, type ImageTarget, productImages, productVersion } from './images.ts';

/**
 * `npm run images [-- --json]`: builds the local Node base and the product images from the Dockerfile with
 * buildah (no daemon, no registry, `--pull-never`), writes each as an OCI archive into the image directory
 * (a starting node imports them all), loads them into a node that is running now, and prints each image's
 * size. The Dockerfile's default base is the public node:24 image; here it is built on the local base.
 */
const execFileAsync = promisify(execFile);
const repository = join(import.meta.dirname, '..', '..', '..');
const json = process.argv.includes('--json');

interface Built {
  image: string;
  seconds: number;
  /** Unpacked size as buildah reports it (SI units), and the archive's (compressed layers, what a registry sends). */
  size: string;
  archiveBytes: number;
}

function say(line: string): void {
  if (!json) process.stdout.write(`${line}\n`);
}

async function revision(): Promise<string> {
  const { stdout } = await execFileAsync('git', ['rev-parse', '--short=12', 'HEAD'], {
    cwd: repository,
  }).catch(() => ({
    stdout: 'unknown',
  }));
  return stdout.trim();
}

async function npmCache(): Promise<string> {
  return (await execFileAsync('npm', ['config', 'get', 'cache'])).stdout.trim();
}

async function buildTarget(target: ImageTarget, rev: string): Promise<void> {
  await buildah(
    [
      'bud',
      '--isolation',
      'chroot',
      '--pull-never',
      '--quiet',
      '--target',
      target,
      '--build-arg',
      `BASE=${baseImage}`,
      '--build-arg',
      `VERSION=${productVersion}`,
      '--build-arg',
      `REVISION=${rev}`,
      // npm ci inside the build finds every package in the npm cache this repository was installed from.
      '--volume',
      `${await npmCache()}:/root/.npm`,
      '--tag',
      productImages[target],
      '--file',
      'Dockerfile',
      '.',
    ],
    { cwd: repository },
  );
}

async function archive(image: string, started: number): Promise<Built> {
  const dir = imageArchiveDir();
  await mkdir(dir, { recursive: true });
  const file = join(dir, archiveName(image));
  const partial = `${file}.partial`;
  await rm(partial, { force: true });
  await buildah(['push', '--quiet', image, `oci-archive:${partial}:${image}`]);
  await rename(partial, file);
  const listed = JSON.parse(await buildah(['images', '--json', image])) as { size: string }[];
  return {
    image,
    seconds: (Date.now() - started) / 1000,
    size: listed[0]?.size ?? 'unknown',
    archiveBytes: (await stat(file)).size,
  };
}

/** Loads the archives into the node when one is running now (its containerd socket is there). */
async function loadIntoRunningNode(images: string[]): Promise<boolean> {
  const paths = defaultNodePaths();
  if (!(await stat(paths.containerdSocket).catch(() => undefined))) return false;
  await NodeCluster.importInto(
    paths,
    images.map((image) => join(imageArchiveDir(), archiveName(image))),
  );
  return true;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

const started = Date.now();
const rev = await revision();
say(`building the node base ${baseImage}…`);
let t = Date.now();
const { nodeVersion } = await buildBase();
const built: Built[] = [await archive(baseImage, t)];
for (const target of Object.keys(productImages) as ImageTarget[]) {
  say(`building ${productImages[target]} (Dockerfile target ${target})…`);
  t = Date.now();
  await buildTarget(target, rev);
  built.push(await archive(productImages[target], t));
}
// vfs keeps every layer as a full copy: drop what no tagged image uses, so the store does not grow per build.
await buildah(['rmi', '--prune']);
const loaded = await loadIntoRunningNode(built.map((b) => b.image));
if (json) {
  process.stdout.write(
    `${JSON.stringify({ nodeVersion, revision: rev, dir: imageArchiveDir(), loadedIntoNode: loaded, seconds: (Date.now() - started) / 1000, images: built })}\n`,
  );
} else {
  say('');
  say('| image | size | archive (compressed) | built in |');
  say('|---|---|---|---|');
  for (const b of built)
    say(`| ${b.image} | ${b.size} | ${mib(b.archiveBytes)} | ${b.seconds.toFixed(0)} s |`);
  say('');
  say(
    `archives in ${imageArchiveDir()}${loaded ? '; loaded into the running node' : ' (a starting node imports them)'}`,
  );
}
