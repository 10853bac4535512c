import { KubeConfig } from '@kubernetes/client-node';
import { Backoff, sleep, systemClock } from '@roast-operator/clock';
import { eventually, testCluster, useTestNamespace } from '@roast-operator/control-plane';
import { Logger } from '@roast-operator/log';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { KubeClient } from './client.ts';
import { ConfigMap, configMaps, events, kind, leases } from './kinds.ts';
import { Manager } from './manager.ts';
import type { KubeObject } from './resource.ts';

const namespace = useTestNamespace('kube-manager');
const quiet = new Logger({ level: 'error', sink: () => {} });
let admin: KubeClient;

beforeAll(() => {
  admin = new KubeClient(testCluster().kubeConfig(), { fieldManager: 'manager-test' });
});

afterAll(() => admin?.close());

/** A kubeconfig for a fresh service account: an identity with no permissions until a test grants them. */
async function serviceAccountConfig(name: string): Promise<KubeConfig> {
  const ns = namespace();
  await admin.request('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { body: { metadata: { name } } });
  const request = await admin.request<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`,
    {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 3600 },
      },
    },
  );
  const base = testCluster().kubeConfig();
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: base.clusters,
    users: [{ name, token: request.status.token }],
    contexts: [{ name, cluster: base.clusters[0]!.name, user: name }],
    currentContext: name,
  });
  return kc;
}

async function grant(name: string): Promise<void> {
  const ns = namespace();
  const path = (kind: string) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/${kind}`;
  await admin.request('POST', path('roles'), {
    body: {
      metadata: { name },
      rules: [
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
      ],
    },
  });
  await admin.request('POST', path('rolebindings'), {
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
    },
  });
}

async function get(port: number | undefined, path: string) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, text: await response.text() };
}

/** The value of one series in Prometheus text format. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Manager', () => {
  it('is not ready until its caches sync, and serves controller-runtime metrics with real values', async () => {
    const kubeConfig = await serviceAccountConfig('operator');
    const manager = new Manager({
      kubeConfig,
      fieldManager: 'roast-test',
      logger: quiet,
      probes: { host: '127.0.0.1', port: 0 },
      leaderElection: { namespace: namespace(), name: 'metrics-test' },
    });
    const informer = manager.informer(configMaps, {
      namespace: namespace(),
      backoff: new Backoff({ initialMs: 400, maxMs: 2000, jitter: 0.5 }),
    });
    manager.controller({ name: 'counted', for: informer, reconcile: async () => {} });
    const running = manager.start();
    try {
      await eventually(() => expect(manager.probePort).toBeDefined());
      const port = manager.probePort;
      expect((await get(port, '/healthz')).status).toBe(200);
      // The service account may not list ConfigMaps yet: the cache cannot sync.
      await eventually(() => expect(informer.stats.relists.error).toBeGreaterThan(0));
      const notReady = await get(port, '/readyz');
      expect(notReady.status).toBe(503);
      expect(notReady.text).toContain('[-]informers failed: configmaps: not synced');
      await grant('operator');
      await eventually(async () => expect((await get(port, '/readyz')).status).toBe(200), 15_000);
      await admin.resource(configMaps).create({ metadata: { name: 'counted', namespace: namespace() } });
      await eventually(async () => {
        const metrics = (await get(port, '/metrics')).text;
        expect(
          sample(metrics, 'controller_runtime_reconcile_total{controller="counted",result="success"}'),
        ).toBeGreaterThanOrEqual(1);
        expect(
          sample(metrics, 'workqueue_adds_total{name="counted",controller="counted"}'),
        ).toBeGreaterThanOrEqual(1);
        expect(
          sample(metrics, 'controller_runtime_reconcile_time_seconds_count{controller="counted"}'),
        ).toBeGreaterThanOrEqual(1);
        expect(
          sample(metrics, 'workqueue_queue_duration_seconds_count{name="counted",controller="counted"}'),
        ).toBeGreaterThanOrEqual(1);
        expect(sample(metrics, 'leader_election_master_status{name="metrics-test"}')).toBe(1);
        for (const name of [
          'controller_runtime_reconcile_errors_total{controller="counted"}',
          'workqueue_retries_total{name="counted",controller="counted"}',
          'workqueue_depth{name="counted",controller="counted",priority=""}',
        ]) {
          expect(sample(metrics, name)).toBe(0);
        }
        expect(sample(metrics, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      });
    } finally {
      await manager.stop();
      await running;
    }
  });

  it('shuts down gracefully: takes no new work, lets the reconcile in flight finish, then steps down and releases the lease', async () => {
    const cms = admin.resource(configMaps);
    let leadership: AbortSignal | undefined;
    const manager = new Manager({
      kubeConfig: testCluster().kubeConfig(),
      fieldManager: 'roast-test',
      logger: quiet,
      leaderElection: {
        namespace: namespace(),
        name: 'shutdown-test',
        onStartedLeading: (signal) => {
          leadership = signal;
        },
      },
    });
    const started: string[] = [];
    const finished: { key: string; aborted: boolean }[] = [];
    manager.controller({
      name: 'slow',
      for: manager.informer(configMaps, { namespace: namespace(), labelSelector: 'test=shutdown' }),
      reconcile: async (key, { signal }) => {
        started.push(key);
        await sleep(systemClock, 500);
        finished.push({ key, aborted: signal.aborted });
      },
    });
    const running = manager.start();
    const labelled = (name: string) =>
      ({ metadata: { name, namespace: namespace(), labels: { test: 'shutdown' } } }) as KubeObject;
    await eventually(() => expect(manager.isLeader).toBe(true));
    expect(leadership?.aborted).toBe(false);
    await cms.create(labelled('first'));
    await eventually(() => expect(started).toHaveLength(1));
    const stopping = manager.stop();
    await cms.create(labelled('too-late'));
    await stopping;
    await running;
    expect(finished).toEqual([{ key: `${namespace()}/first`, aborted: true }]);
    expect(started).toHaveLength(1);
    const lease = await admin.resource(leases).get(namespace(), 'shutdown-test');
    expect(lease.spec?.holderIdentity).toBe('');
    expect(leadership?.aborted).toBe(true);
  });

  it('parses objects once as they arrive; one that does not fit is left out and reported once', async () => {
    const ns = namespace();
    // A kind whose objects must carry a numeric `data.grams`: a ConfigMap without one does not fit.
    const weighed = kind(
      configMaps,
      ConfigMap.extend({ data: z.object({ grams: z.string().regex(/^\d+$/) }) }),
    );
    const cms = admin.resource(configMaps);
    await cms.create({
      metadata: { name: 'fits', namespace: ns, labels: { test: 'malformed' } },
      data: { grams: '250' },
    });
    await cms.create({
      metadata: { name: 'misfit', namespace: ns, labels: { test: 'malformed' } },
      data: { grams: 'lots' },
    });
    const manager = new Manager({
      kubeConfig: testCluster().kubeConfig(),
      fieldManager: 'roast-test',
      logger: quiet,
    });
    const informer = manager.informer(weighed, { namespace: ns, labelSelector: 'test=malformed' });
    let reconciles = 0;
    manager.controller({
      name: 'weighed',
      for: informer,
      reconcile: async () => void reconciles++,
      needLeaderElection: false,
    });
    const running = manager.start();
    try {
      await informer.waitForSync();
      expect(informer.store.keys()).toEqual([`${ns}/fits`]);
      expect(informer.store.get(`${ns}/fits`)?.data.grams).toBe('250');
      // A change to the good object is parsed on arrival; the misfit stays out and is not reported again.
      await cms.patch(ns, 'fits', { metadata: { annotations: { touched: 'yes' } } }, { type: 'merge' });
      await eventually(() =>
        expect(informer.store.get(`${ns}/fits`)?.metadata.annotations?.touched).toBe('yes'),
      );
      const metrics = await manager.metrics.registry.getSingleMetricAsString(
        'kube_cache_malformed_objects_total',
      );
      expect(metrics).toContain('kube_cache_malformed_objects_total{resource="configmaps"} 1');
      await eventually(async () => {
        const warnings = (await admin.resource(events).list({ namespace: ns })).items.filter(
          (e) => e.reason === 'DoesNotFitSchema',
        );
        expect(warnings).toHaveLength(1);
        expect(warnings[0]?.note).toMatch(/ConfigMap .*misfit does not fit its schema: data\.grams/);
      });
      // Corrected, it fits and enters the cache like a new object.
      await cms.patch(ns, 'misfit', { data: { grams: '1000' } }, { type: 'merge' });
      await eventually(() => expect(informer.store.get(`${ns}/misfit`)?.data.grams).toBe('1000'));
      expect(reconciles).toBeGreaterThan(0);
    } finally {
      await manager.stop();
      await running;
    }
  });
});
