import { AppsV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { containerMemory, eventually, testCluster, usePodNamespace } from '@roast-operator/control-plane';
import { installChart } from '@roast-operator/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productImages, productVersion } from '../../tools/images/src/images.ts';

// The product images as pods on the real node: the operator installed by the chart (its service account,
// RBAC, CRDs and admission policies) against the node's API server, and the edge agent with a simulated
// roaster. Each must pass its probes; each reports its size-in-memory from the pod's cgroup.
const cluster = testCluster();
const namespace = usePodNamespace('images');
const core = () => cluster.kubeConfig().makeApiClient(CoreV1Api);
const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

async function readyPod(selector: string): Promise<V1Pod> {
  let ready: V1Pod | undefined;
  await eventually(async () => {
    const pods = await core().listNamespacedPod({ namespace: namespace(), labelSelector: selector });
    ready = pods.items.find((p) =>
      p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    expect(ready, `a Ready pod for ${selector}`).toBeDefined();
  }, 90_000);
  return ready!;
}

/** Memory after the process has settled, as the test's figure line (recorded in docs/benchmarks.md). */
async function reportMemory(pod: V1Pod, container: string, image: string) {
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const memory = await containerMemory(pod, container);
  process.stdout.write(
    `${JSON.stringify({ image, workingSetMiB: mib(memory.workingSet), rssMiB: mib(memory.rss), usageMiB: mib(memory.usage) })}\n`,
  );
  return memory;
}

describe('the product images on a real node', () => {
  beforeAll(async () => {
    await installChart(cluster, {
      release: 'roast-operator',
      namespace: namespace(),
      set: {
        'operator.image.repository': productImages.operator.split(':')[0]!,
        'operator.image.tag': productVersion,
        'operator.image.pullPolicy': 'Never',
      },
    });
  }, 120_000);

  // The chart's cluster-scoped objects (roles, admission policies) go with it: the next file installs its own.
  afterAll(async () => {
    await cluster.helm(['uninstall', 'roast-operator', '--wait', '--timeout=90s'], {
      namespace: namespace(),
      check: false,
    });
  }, 120_000);

  it('runs the operator with its service account against the API server, passing its probes', async () => {
    const pod = await readyPod('app.kubernetes.io/component=operator');
    expect(pod.spec?.serviceAccountName).toBe('roast-operator');
    expect(pod.spec?.containers[0]?.image).toBe(productImages.operator);
    expect(pod.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    // Its own identity, not a fallback: the Lease it leads through names its pod.
    const lease = await cluster
      .kubectl(['get', 'lease', 'roast-operator', '-o', 'jsonpath={.spec.holderIdentity}'], {
        namespace: namespace(),
      })
      .then((r) => r.stdout);
    expect(lease).toContain(pod.metadata!.name!);
    const logs = (await cluster.kubectl(['logs', pod.metadata!.name!], { namespace: namespace() })).stdout;
    expect(logs).not.toMatch(/"level":"(error|fatal)"/);
    const deployment = await cluster
      .kubeConfig()
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name: 'roast-operator', namespace: namespace() });
    expect(deployment.status?.availableReplicas).toBe(1);
    const memory = await reportMemory(pod, 'operator', productImages.operator);
    expect(memory.workingSet).toBeGreaterThan(0);
    expect(memory.workingSet).toBeLessThan(192 * 2 ** 20);
  }, 120_000);

  it('runs the edge agent with a simulated roaster, passing its probes, and stops it through its preStop hook', async () => {
    const port = 8089;
    const probe = (path: string) => ({ httpGet: { path, port }, periodSeconds: 2 });
    const entry = ['node', 'edge-node/src/main.js'];
    await core().createNamespacedPod({
      namespace: namespace(),
      body: {
        metadata: { name: 'edge-sim', labels: { app: 'edge-sim' } },
        spec: {
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'edge',
              image: productImages['edge-node'],
              imagePullPolicy: 'Never',
              args: ['--simulate', '--store=/var/lib/roast-edge', `--port=${port}`],
              env: [{ name: 'NODE_OPTIONS', value: '--max-semi-space-size=1' }],
              ports: [{ containerPort: port }],
              livenessProbe: probe('/healthz'),
              readinessProbe: probe('/readyz'),
              lifecycle: { preStop: { exec: { command: [...entry, 'prestop', `--port=${port}`] } } },
              resources: { requests: { memory: '128Mi' }, limits: { memory: '192Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'store', mountPath: '/var/lib/roast-edge' },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'store', emptyDir: {} },
            { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
          ],
        },
      },
    });
    const pod = await readyPod('app=edge-sim');
    expect(pod.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    const memory = await reportMemory(pod, 'edge', productImages['edge-node']);
    expect(memory.workingSet).toBeGreaterThan(0);
    expect(memory.workingSet).toBeLessThan(192 * 2 ** 20);

    await core().deleteNamespacedPod({ namespace: namespace(), name: 'edge-sim' });
    await eventually(async () => {
      const pods = await core().listNamespacedPod({ namespace: namespace(), labelSelector: 'app=edge-sim' });
      expect(pods.items).toEqual([]);
    }, 40_000);
  }, 120_000);
});
