import { ItemBackoff, sleep, systemClock, VirtualClock } from '@roast-operator/clock';
import { eventually, testCluster, useTestNamespace } from '@roast-operator/control-plane';
import { Logger } from '@roast-operator/log';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, type ResourceClient } from './client.ts';
import { Controller, type ControllerOptions, TerminalError } from './controller.ts';
import { Informer } from './informer.ts';
import { type ConfigMap, configMaps } from './kinds.ts';
import { RuntimeMetrics } from './metrics.ts';
import { type KubeObject, keyOf } from './resource.ts';

const namespace = useTestNamespace('kube-controller');
const quiet = new Logger({ level: 'error', sink: () => {} });
let client: KubeClient;
let cms: ResourceClient<ConfigMap>;

beforeAll(() => {
  client = new KubeClient(testCluster().kubeConfig(), { fieldManager: 'controller-test' });
  cms = client.resource(configMaps);
});

afterAll(() => client?.close());

function configMap(
  name: string,
  labels: Record<string, string> = {},
  extra: Partial<KubeObject['metadata']> = {},
) {
  return { metadata: { name, namespace: namespace(), labels, ...extra }, data: {} } as KubeObject;
}

function informer(selector: { labelSelector?: string; fieldSelector?: string }) {
  return new Informer(client, configMaps, { namespace: namespace(), logger: quiet, ...selector });
}

/** Runs a controller (and its informers) for the duration of `body`. */
async function running<T extends KubeObject>(
  opts: Omit<ControllerOptions<T>, 'logger'>,
  body: (c: Controller<T>) => Promise<void>,
) {
  const controller = new Controller<T>({ logger: quiet, ...opts });
  for (const i of controller.informers) i.start();
  const stop = new AbortController();
  const done = controller.start(stop.signal);
  try {
    await body(controller);
  } finally {
    stop.abort();
    await done;
    await Promise.all(controller.informers.map((i) => i.stop()));
  }
}

describe('Controller against a real kube-apiserver', () => {
  it('collapses a burst of 1,000 updates of one object and never reconciles the key twice at once', async () => {
    await cms.create(configMap('hot'));
    const source = informer({ fieldSelector: 'metadata.name=hot' });
    const runs: { start: number; rv: string | undefined }[] = [];
    let active = 0;
    let maxActive = 0;
    await running(
      {
        name: 'burst',
        for: source,
        concurrency: 4,
        reconcile: async (key) => {
          maxActive = Math.max(maxActive, ++active);
          runs.push({ start: performance.now(), rv: source.store.get(key)?.metadata.resourceVersion });
          await sleep(systemClock, 50);
          active--;
        },
      },
      async () => {
        await eventually(() => expect(runs).toHaveLength(1)); // the existing object, on start
        const began = performance.now();
        let last: KubeObject | undefined;
        for (let i = 0; i < 1000; i++)
          last = await cms.patch(namespace(), 'hot', { data: { i: `${i}` } }, { type: 'merge' });
        const burstMs = performance.now() - began;
        await eventually(() => expect(runs.at(-1)?.rv).toBe(last?.metadata.resourceVersion));
        await sleep(systemClock, 200); // nothing may follow the reconcile that saw the final version
        const burst = runs.slice(1);
        expect(burst.length).toBeLessThanOrEqual(Math.floor(burstMs / 50) + 2);
        expect(burst.at(-1)?.rv).toBe(last?.metadata.resourceVersion);
        expect(maxActive).toBe(1);
      },
    );
  });

  it('reconciles different keys concurrently, up to its concurrency', async () => {
    for (let i = 0; i < 6; i++) await cms.create(configMap(`wide-${i}`, { set: 'wide' }));
    let active = 0;
    let maxActive = 0;
    const done = new Set<string>();
    await running(
      {
        name: 'wide',
        for: informer({ labelSelector: 'set=wide' }),
        concurrency: 3,
        reconcile: async (key) => {
          maxActive = Math.max(maxActive, ++active);
          await sleep(systemClock, 100);
          active--;
          done.add(key);
        },
      },
      async () => {
        await eventually(() => expect(done.size).toBe(6));
        expect(maxActive).toBe(3);
      },
    );
  });

  describe('on virtual time', () => {
    /** A controller whose queue runs on a manual clock, recording the virtual time of each attempt. */
    async function attempts(
      name: string,
      reconcile: (key: string) => Promise<unknown>,
      body: (ctx: {
        clock: VirtualClock;
        times: number[];
        retries: number[];
        metrics: RuntimeMetrics;
      }) => Promise<void>,
    ) {
      await cms.create(configMap(name));
      const clock = new VirtualClock();
      const times: number[] = [];
      const retries: number[] = [];
      const metrics = new RuntimeMetrics({ processMetrics: false });
      await running(
        {
          name,
          for: informer({ fieldSelector: `metadata.name=${name}` }),
          clock,
          metrics,
          backoff: new ItemBackoff({ initialMs: 100, maxMs: 10_000 }),
          reconcile: async (key, ctx) => {
            times.push(clock.now());
            retries.push(ctx.retries);
            return (await reconcile(key)) as undefined;
          },
        },
        () => body({ clock, times, retries, metrics }),
      );
    }

    /** Asserts the next attempt comes exactly `delay` virtual ms later, not a moment sooner. */
    async function nextAttemptAfter(clock: VirtualClock, times: number[], delay: number) {
      const count = times.length;
      await clock.advance(delay - 1);
      expect(times).toHaveLength(count);
      await clock.advance(1);
      expect(times).toHaveLength(count + 1);
    }

    const counter = async (metrics: RuntimeMetrics, metric: string) =>
      (await metrics.registry.getSingleMetric(metric)?.get())?.values.reduce((sum, v) => sum + v.value, 0);

    it('backs off a failing key exponentially', async () => {
      await attempts(
        'flaky',
        async () => {
          throw new Error('boom');
        },
        async ({ clock, times, retries, metrics }) => {
          await eventually(() => expect(times).toHaveLength(1));
          for (const delay of [100, 200, 400, 800, 1600]) await nextAttemptAfter(clock, times, delay);
          expect(retries).toEqual([0, 1, 2, 3, 4, 5]);
          expect(await counter(metrics, 'workqueue_retries_total')).toBe(6);
          expect(await counter(metrics, 'controller_runtime_reconcile_errors_total')).toBe(6);
        },
      );
    });

    it('does not retry a terminal error until the object changes', async () => {
      await attempts(
        'doomed',
        async () => {
          throw new TerminalError('cannot be fixed by retrying');
        },
        async ({ clock, times, metrics }) => {
          await eventually(() => expect(times).toHaveLength(1));
          await clock.advance(3_600_000);
          expect(times).toHaveLength(1);
          expect(await counter(metrics, 'controller_runtime_terminal_reconcile_errors_total')).toBe(1);
          await cms.patch(namespace(), 'doomed', { data: { fixed: 'yes' } }, { type: 'merge' });
          await eventually(() => expect(times).toHaveLength(2));
        },
      );
    });

    it('requeues after the requested time, without backoff', async () => {
      await attempts(
        'timer',
        async () => ({ requeueAfter: 5000 }),
        async ({ clock, times, retries }) => {
          await eventually(() => expect(times).toHaveLength(1));
          await nextAttemptAfter(clock, times, 5000);
          await nextAttemptAfter(clock, times, 5000);
          expect(retries).toEqual([0, 0, 0]);
        },
      );
    });
  });

  it('maps owned objects to their owner and watched objects through the caller’s function', async () => {
    const primary = await cms.create(configMap('primary', { role: 'primary' }));
    const ownerRef = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'primary',
      uid: primary.metadata.uid!,
      controller: true,
    };
    await cms.create(configMap('child', { role: 'child' }, { ownerReferences: [ownerRef] }));
    await cms.create(configMap('settings', { role: 'settings' }));
    const primaries = informer({ labelSelector: 'role=primary' });
    const reconciled: string[] = [];
    await running(
      {
        name: 'mapping',
        for: primaries,
        owns: [informer({ labelSelector: 'role=child' })],
        watches: [
          { informer: informer({ labelSelector: 'role=settings' }), map: () => primaries.store.keys() },
        ],
        reconcile: async (key) => {
          reconciled.push(key);
        },
      },
      async () => {
        const primaryKey = keyOf(namespace(), 'primary');
        await eventually(() => expect(reconciled).toContain(primaryKey));
        reconciled.length = 0;
        await cms.patch(namespace(), 'child', { data: { v: '1' } }, { type: 'merge' });
        await eventually(() => expect(reconciled).toEqual([primaryKey]));
        reconciled.length = 0;
        await cms.patch(namespace(), 'settings', { data: { v: '1' } }, { type: 'merge' });
        await eventually(() => expect(reconciled).toEqual([primaryKey]));
      },
    );
  });

  it('reconciles objects sharing a key one at a time under that key', async () => {
    const roaster = (name: string) => configMap(name, { role: 'proposal', roaster: 'r1' });
    await cms.create(roaster('proposal-a'));
    await cms.create(roaster('proposal-b'));
    const proposals = informer({ labelSelector: 'role=proposal' });
    const reconciled: string[] = [];
    let active = 0;
    let maxActive = 0;
    await running(
      {
        name: 'by-roaster',
        for: proposals,
        key: (obj) => `roaster/${obj.metadata.labels?.roaster}`,
        concurrency: 4,
        reconcile: async (key) => {
          maxActive = Math.max(maxActive, ++active);
          reconciled.push(key);
          await sleep(systemClock, 30);
          active--;
        },
      },
      async () => {
        await eventually(() => expect(reconciled).toContain('roaster/r1'));
        await Promise.all([
          cms.patch(namespace(), 'proposal-a', { data: { v: '1' } }, { type: 'merge' }),
          cms.patch(namespace(), 'proposal-b', { data: { v: '1' } }, { type: 'merge' }),
        ]);
        await eventually(() => expect(reconciled.length).toBeGreaterThanOrEqual(2));
        expect(new Set(reconciled)).toEqual(new Set(['roaster/r1']));
        expect(maxActive).toBe(1);
      },
    );
  });
});
