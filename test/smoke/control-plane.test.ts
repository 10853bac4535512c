import {
  AuthenticationV1Api,
  CoreV1Api,
  RbacAuthorizationV1Api,
  type V1ConfigMap,
  Watch,
} from '@kubernetes/client-node';
import { eventually, testCluster, useTestNamespace } from '@roast-operator/control-plane';
import { describe, expect, it } from 'vitest';

// Smoke tests of the shared control plane: the real kube-apiserver, etcd and kube-controller-manager that
// every cluster test stands on. Nothing here is mocked; a control plane that cannot start fails the run.
const cluster = testCluster();
const namespace = useTestNamespace('smoke');
const core = () => cluster.kubeConfig().makeApiClient(CoreV1Api);

describe('control plane', () => {
  it('serves the stamped Kubernetes version to kubectl', async () => {
    const { stdout } = await cluster.kubectl(['version', '--output=json']);
    const version = JSON.parse(stdout) as { serverVersion: { gitVersion: string; minor: string } };
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.36\.\d+$/);
    expect(version.serverVersion.minor).toBe('36');
    expect(cluster.version).toBe(version.serverVersion.gitVersion);
  });

  it('answers kubectl get namespaces and helm list', async () => {
    const ns = await cluster.kubectl(['get', 'namespaces', '-o', 'name']);
    expect(ns.stdout).toContain('namespace/kube-system');
    expect(ns.stdout).toContain(`namespace/${namespace()}`);
    // Other files install releases into their own namespaces; this one has none.
    const helm = await cluster.helm(['list', '--output=json'], { namespace: namespace() });
    expect(JSON.parse(helm.stdout)).toEqual([]);
  });

  it('finalizes a deleted namespace (namespace controller)', async () => {
    const api = core();
    const created = await api.createNamespace({ body: { metadata: { generateName: 'smoke-finalize-' } } });
    const name = created.metadata!.name!;
    await api.createNamespacedConfigMap({ namespace: name, body: { metadata: { name: 'content' } } });
    await api.deleteNamespace({ name });
    await eventually(async () => {
      const gone = await api.readNamespace({ name }).then(
        () => false,
        (error: { code?: number }) => error.code === 404,
      );
      expect(gone).toBe(true);
    });
  });

  it('garbage-collects an object whose owner is deleted (garbage collector)', async () => {
    const api = core();
    const owner = await api.createNamespacedConfigMap({
      namespace: namespace(),
      body: { metadata: { name: 'owner' } },
    });
    await api.createNamespacedConfigMap({
      namespace: namespace(),
      body: {
        metadata: {
          name: 'dependent',
          ownerReferences: [
            { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! },
          ],
        },
      },
    });
    await api.deleteNamespacedConfigMap({ namespace: namespace(), name: 'owner' });
    await eventually(async () => {
      const names = (await api.listNamespacedConfigMap({ namespace: namespace() })).items.map(
        (cm) => cm.metadata?.name,
      );
      expect(names).not.toContain('dependent');
    });
  });

  it('refuses a human user what RBAC does not grant and allows what it does', async () => {
    const asAlice = cluster.kubeConfig('alice').makeApiClient(CoreV1Api);
    const refused = await asAlice.listNamespacedConfigMap({ namespace: namespace() }).catch((e) => e);
    expect(refused.code).toBe(403);
    expect(String(refused.body)).toContain('User \\"alice\\" cannot list resource \\"configmaps\\"');

    await cluster
      .kubeConfig()
      .makeApiClient(RbacAuthorizationV1Api)
      .createNamespacedRoleBinding({
        namespace: namespace(),
        body: {
          metadata: { name: 'alice-view' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
        },
      });
    await eventually(async () => {
      const list = await asAlice.listNamespacedConfigMap({ namespace: namespace() });
      expect(list.items).toBeInstanceOf(Array);
    });
    const can = await cluster.kubectl(['auth', 'can-i', 'delete', 'configmaps'], {
      user: 'alice',
      namespace: namespace(),
      check: false,
    });
    expect(can.stdout.trim()).toBe('no');
  });

  it('mints a service-account token (TokenRequest) that TokenReview accepts', async () => {
    const api = core();
    await api.createNamespacedServiceAccount({
      namespace: namespace(),
      body: { metadata: { name: 'edge' } },
    });
    const request = await api.createNamespacedServiceAccountToken({
      namespace: namespace(),
      name: 'edge',
      body: { spec: { audiences: ['roast-link'], expirationSeconds: 600 } },
    });
    const token = request.status?.token ?? '';
    expect(token).not.toBe('');
    const authn = cluster.kubeConfig().makeApiClient(AuthenticationV1Api);
    const review = await authn.createTokenReview({ body: { spec: { token, audiences: ['roast-link'] } } });
    expect(review.status?.authenticated).toBe(true);
    expect(review.status?.user?.username).toBe(`system:serviceaccount:${namespace()}:edge`);
    expect(review.status?.audiences).toEqual(['roast-link']);

    const otherAudience = await authn.createTokenReview({
      body: { spec: { token, audiences: ['someone-else'] } },
    });
    expect(otherAudience.status?.authenticated).toBeFalsy();
  });

  it('delivers a change to a client-node watch', async () => {
    const config = cluster.kubeConfig();
    const seen: string[] = [];
    const watch = new Watch(config);
    let resolveSeen: () => void = () => {};
    const changed = new Promise<void>((resolve) => {
      resolveSeen = resolve;
    });
    const request = await watch.watch(
      `/api/v1/namespaces/${namespace()}/configmaps`,
      { fieldSelector: 'metadata.name=watched' },
      (type: string, object: V1ConfigMap) => {
        seen.push(`${type} ${object.data?.state ?? ''}`);
        if (type === 'MODIFIED') resolveSeen();
      },
      () => {},
    );
    try {
      const api = core();
      await api.createNamespacedConfigMap({
        namespace: namespace(),
        body: { metadata: { name: 'watched' }, data: { state: 'one' } },
      });
      await api.patchNamespacedConfigMap({
        namespace: namespace(),
        name: 'watched',
        body: [{ op: 'replace', path: '/data/state', value: 'two' }],
      });
      await changed;
      expect(seen).toEqual(['ADDED one', 'MODIFIED two']);
    } finally {
      request.abort();
    }
  });
});
