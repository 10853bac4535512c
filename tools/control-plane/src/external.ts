import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VersionApi } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { resolveBinaries } from './binaries.ts';
import { type ControlPlaneInfo, loadKubeConfig, type TestUser, testUsers } from './control-plane.ts';

/**
 * Connection details for an existing cluster. The kubeconfig's user is the admin; the human test users
 * are the same credentials impersonating them (kubeconfig `as`/`as-groups`), so the admin needs the
 * `impersonate` verb. Clients that ignore impersonation act as the admin: RBAC refusal tests then fail
 * loudly rather than pass.
 */
export async function externalCluster(kubeconfigPath: string): Promise<ControlPlaneInfo> {
  const admin = loadKubeConfig(kubeconfigPath);
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error(`${kubeconfigPath} has no current cluster`);
  const version = await admin.makeApiClient(VersionApi).getCode();
  const dir = await mkdtemp(join(tmpdir(), 'roast-external-'));
  const kubeconfigs = { admin: kubeconfigPath } as Record<TestUser, string>;
  for (const [user, { groups }] of Object.entries(testUsers) as [TestUser, { groups: readonly string[] }][]) {
    if (user === 'admin') continue;
    const config = JSON.parse(admin.exportConfig()) as { users: { user: Record<string, unknown> }[] };
    for (const entry of config.users) Object.assign(entry.user, { as: user, 'as-groups': [...groups] });
    kubeconfigs[user] = join(dir, `${user}.kubeconfig`);
    await writeFile(kubeconfigs[user], stringify(config), { mode: 0o600 });
  }
  return {
    server: cluster.server,
    version: version.gitVersion,
    dir,
    kubeconfigs,
    binaries: await resolveBinaries(),
  };
}
