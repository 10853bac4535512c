import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { runBuildScript } from './binaries.ts';

/** Paths of what a node runs: built by build-node.sh, except runc and the CNI plugins (distribution packages). */
export interface NodeBinaries {
  dir: string;
  kubelet: string;
  kubeScheduler: string;
  kubeProxy: string;
  containerd: string;
  ctr: string;
  coredns: string;
  /** The pod sandbox image, an OCI archive. */
  pauseArchive: string;
  runc: string;
  cniBinDir: string;
}

/** What the node takes from Debian packages (runc, containernetworking-plugins). */
export const distributionTools = { runc: '/usr/sbin/runc', cniBinDir: '/usr/lib/cni' } as const;

/** Builds the node's binaries once (cached like the control plane's) and returns their paths. */
export async function resolveNodeBinaries(): Promise<NodeBinaries> {
  const dir = await runBuildScript('build-node.sh', 'the node');
  return {
    dir,
    kubelet: join(dir, 'kubelet'),
    kubeScheduler: join(dir, 'kube-scheduler'),
    kubeProxy: join(dir, 'kube-proxy'),
    containerd: join(dir, 'containerd'),
    ctr: join(dir, 'ctr'),
    coredns: join(dir, 'coredns'),
    pauseArchive: join(dir, 'pause.oci.tar'),
    ...distributionTools,
  };
}

/** Where `npm run images` leaves the product images (OCI archives); a starting node imports them all. */
export function imageArchiveDir(): string {
  const cacheRoot = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return process.env.ROAST_IMAGES_DIR ?? join(cacheRoot, 'roast-operator', 'images');
}

export async function builtImageArchives(): Promise<string[]> {
  const dir = imageArchiveDir();
  const files = await readdir(dir).catch(() => [] as string[]);
  return files.filter((file) => file.endsWith('.oci.tar')).map((file) => join(dir, file));
}
