import { CoreV1Api } from '@kubernetes/client-node';
import { beforeAll, inject } from 'vitest';
import type { NodeClusterInfo } from './node.ts';
import { eventually, testCluster, useTestNamespace } from './testing.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    nodeCluster: NodeClusterInfo;
  }
}

/** The run's node cluster, inside a test file of the `node` project (testCluster() is its control plane). */
export function testNode(): NodeClusterInfo {
  return inject('nodeCluster');
}

/**
 * A namespace of the test file's own where pods can be created at once: as useTestNamespace, and it waits
 * for the controller manager to give it its `default` service account and the cluster CA ConfigMap.
 */
export function usePodNamespace(prefix: string): () => string {
  const namespace = useTestNamespace(prefix);
  beforeAll(async () => {
    const api = testCluster().kubeConfig().makeApiClient(CoreV1Api);
    await eventually(async () => {
      await api.readNamespacedServiceAccount({ name: 'default', namespace: namespace() });
      await api.readNamespacedConfigMap({ name: 'kube-root-ca.crt', namespace: namespace() });
    });
  });
  return namespace;
}
