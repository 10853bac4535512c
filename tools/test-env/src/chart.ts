// The chart on a control plane, as a platform team installs it, and identities of the service accounts it
// creates: what the demo and the end-to-end suites share.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { ClusterClient } from '@roast-operator/control-plane';

export const chart = join(import.meta.dirname, '../../../charts/roast-operator');

export interface ChartRelease {
  readonly release: string;
  readonly namespace: string;
  /** `--set` values. */
  readonly set?: Readonly<Record<string, string | boolean>>;
  /** `--set-json` values. */
  readonly setJson?: Readonly<Record<string, unknown>>;
  /** Take back fields someone changed by hand since the last install (server-side apply conflicts). */
  readonly forceConflicts?: boolean;
}

/** Installs or upgrades the chart with helm, as a platform team would. */
export async function installChart(cluster: ClusterClient, r: ChartRelease): Promise<void> {
  await cluster.helm([
    'upgrade',
    '--install',
    r.release,
    chart,
    `--namespace=${r.namespace}`,
    ...Object.entries(r.set ?? {}).map(([key, value]) => `--set=${key}=${value}`),
    ...Object.entries(r.setJson ?? {}).map(([key, value]) => `--set-json=${key}=${JSON.stringify(value)}`),
    ...(r.forceConflicts ? ['--force-conflicts'] : []),
  ]);
}

export const serviceAccountUser = (namespace: string, name: string): string =>
  `system:serviceaccount:${namespace}:${name}`;

/** A token from the TokenRequest API for a service account, for the API server's own audiences unless named. */
export async function serviceAccountToken(
  cluster: ClusterClient,
  account: { readonly namespace: string; readonly name: string },
  { audiences = [], expirationSeconds = 3600 }: { audiences?: string[]; expirationSeconds?: number } = {},
): Promise<string> {
  const minted = await cluster
    .kubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespacedServiceAccountToken({ ...account, body: { spec: { audiences, expirationSeconds } } });
  const token = minted.status?.token;
  if (!token) throw new Error(`no token for ${account.namespace}/${account.name}`);
  return token;
}

/**
 * A kubeconfig file for a service account, holding a token from the TokenRequest API, as its pod would get:
 * requests made with it are that service account's, so its RBAC and the admission policies are what it meets.
 */
export async function serviceAccountKubeconfig(
  cluster: ClusterClient,
  account: { readonly namespace: string; readonly name: string },
  dir: string,
  expirationSeconds = 3600,
): Promise<string> {
  const admin = cluster.kubeConfig();
  const token = await serviceAccountToken(cluster, account, { expirationSeconds });
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'roast-local', server: cluster.server, caData: admin.getCurrentCluster()!.caData! }],
    users: [{ name: account.name, token }],
    contexts: [{ name: account.name, cluster: 'roast-local', user: account.name }],
    currentContext: account.name,
  });
  const path = join(dir, `${account.namespace}-${account.name}.kubeconfig`);
  await writeFile(path, config.exportConfig(), { mode: 0o600 });
  return path;
}
