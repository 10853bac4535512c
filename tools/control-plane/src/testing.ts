import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, inject } from 'vitest';
import { ClusterClient } from './cluster-client.ts';
import type { ControlPlaneInfo } from './control-plane.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    controlPlane: ControlPlaneInfo;
  }
}

/** The run's shared control plane, inside a test file of the `cluster` project. */
export function testCluster(): ClusterClient {
  return new ClusterClient(inject('controlPlane'));
}

/**
 * A namespace of the test file's own: created before its tests, deleted (with everything in it) after.
 * Returns a getter, valid once `beforeAll` has run.
 */
export function useTestNamespace(prefix: string): () => string {
  let name = '';
  beforeAll(async () => {
    const api = testCluster().kubeConfig().makeApiClient(CoreV1Api);
    const namespace = await api.createNamespace({
      body: { metadata: { generateName: `${prefix.toLowerCase().slice(0, 40)}-` } },
    });
    name = namespace.metadata!.name!;
  });
  afterAll(async () => {
    if (!name) return;
    const api = testCluster().kubeConfig().makeApiClient(CoreV1Api);
    await api.deleteNamespace({ name });
  });
  return () => {
    if (!name) throw new Error('useTestNamespace: the namespace exists only once beforeAll has run');
    return name;
  };
}

/** Retries an assertion until it passes (controllers act asynchronously) or the time is up. */
export async function eventually(assertion: () => Promise<void> | void, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
