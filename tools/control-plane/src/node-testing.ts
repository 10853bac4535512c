import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
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

/** A container's memory as its cgroup (v1) on the node counts it, in bytes. */
export interface ContainerMemory {
  /** What the kubelet reports and evicts on: usage less inactive file cache. */
  workingSet: number;
  /** Anonymous memory: the heap and everything else the process allocated. */
  rss: number;
  usage: number;
}

/** Reads a running pod's container memory from the node's cgroups (the kubelet's cgroupfs layout). */
export async function containerMemory(pod: V1Pod, container: string): Promise<ContainerMemory> {
  const uid = pod.metadata?.uid;
  const id = pod.status?.containerStatuses
    ?.find((s) => s.name === container)
    ?.containerID?.replace(/^\w+:\/\//, '');
  if (!uid || !id) throw new Error(`pod ${pod.metadata?.name} has no running container ${container}`);
  const qos = pod.status?.qosClass === 'Guaranteed' ? '' : `${pod.status?.qosClass?.toLowerCase()}/`;
  const dir = `/sys/fs/cgroup/memory/kubepods/${qos}pod${uid}/${id}`;
  const usage = Number(await readFile(join(dir, 'memory.usage_in_bytes'), 'utf8'));
  const stat = new Map(
    (await readFile(join(dir, 'memory.stat'), 'utf8'))
      .split('\n')
      .map((line) => line.split(' '))
      .map(([key, value]) => [key, Number(value)] as const),
  );
  return {
    usage,
    workingSet: usage - (stat.get('total_inactive_file') ?? 0),
    rss: stat.get('total_rss') ?? 0,
  };
}
