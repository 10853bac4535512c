import { Backoff } from '@roast-operator/clock';
import { eventually, type PrivateControlPlane, startControlPlane } from '@roast-operator/control-plane';
import { Logger } from '@roast-operator/log';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../testing/tcp-proxy.ts';
import { KubeClient, type ResourceClient } from './client.ts';
import { Informer, type InformerEvent } from './informer.ts';
import { type ConfigMap, configMaps } from './kinds.ts';
import { type KubeObject, objectKey } from './resource.ts';

// Disruptive: restarts kube-apiserver and compacts etcd, so it runs on a private control plane.
let plane: PrivateControlPlane;
let admin: KubeClient;
let cms: ResourceClient<ConfigMap>;
let proxy: TcpProxy;
const quiet = new Logger({ level: 'error' });

beforeAll(async () => {
  plane = await startControlPlane({ name: 'kube-informer' });
  admin = new KubeClient(plane.kubeConfig(), { fieldManager: 'informer-test' });
  cms = admin.resource(configMaps);
  proxy = await TcpProxy.start(plane.server);
});

afterAll(async () => {
  await proxy?.close();
  await admin?.close();
  await plane?.stop();
});

let namespaces = 0;
async function namespace(): Promise<string> {
  const name = `informer-${++namespaces}`;
  await admin.request('POST', '/api/v1/namespaces', { body: { metadata: { name } } });
  return name;
}

const configMap = (ns: string, name: string, data: Record<string, string> = {}) =>
  ({ metadata: { name, namespace: ns }, data }) as KubeObject;

/** An informer on one namespace through the proxy, with a short backoff so tests stay quick. */
function watch(
  ns: string,
  opts: { inactivityTimeoutMs?: number; watchTimeoutSeconds?: [number, number] } = {},
) {
  const client = new KubeClient(proxy.kubeConfig(plane.kubeConfig()), { fieldManager: 'informer-test' });
  const warnings: Record<string, unknown>[] = [];
  const informer = new Informer(client, configMaps, {
    namespace: ns,
    backoff: new Backoff({ initialMs: 200, maxMs: 2000, jitter: 0.5 }),
    logger: new Logger({ level: 'warn', sink: (_, line) => warnings.push(JSON.parse(line)) }),
    ...opts,
  });
  const seen: InformerEvent<KubeObject>[] = [];
  informer.on((event) => seen.push(event));
  informer.start();
  const stop = async () => {
    await informer.stop();
    await client.close();
  };
  return { informer, seen, warnings, stop };
}

/** Waits until the watch stream is open (the cache syncs before the watch starts). */
async function streaming(informer: Informer<ConfigMap>): Promise<void> {
  await informer.waitForSync();
  await eventually(() => expect(informer.stats.watches).toBeGreaterThanOrEqual(1));
}

/** The cache holds exactly what the API server holds, at the same versions. */
async function expectConverged(informer: Informer<ConfigMap>, ns: string): Promise<void> {
  await eventually(async () => {
    const server = (await cms.list({ namespace: ns })).items;
    const versions = (objs: KubeObject[]) =>
      Object.fromEntries(objs.map((o) => [objectKey(o), o.metadata.resourceVersion]));
    expect(versions(informer.store.list())).toEqual(versions(server));
  });
}

function deletes(seen: InformerEvent<KubeObject>[]) {
  return seen
    .filter((e) => e.type === 'deleted')
    .map((e) => ({ name: e.object.metadata.name, stale: e.stale }));
}

/** The last resourceVersion each object was reported at. */
function lastSeen(seen: InformerEvent<KubeObject>[], name: string): string | undefined {
  return seen.findLast((e) => e.object.metadata.name === name)?.object.metadata.resourceVersion;
}

describe('Informer against a real kube-apiserver', () => {
  it('fills its cache with a streaming list where the server serves one, then watches from its end', async () => {
    const ns = await namespace();
    for (let i = 0; i < 5; i++) await cms.create(configMap(ns, `s-${i}`));
    const client = new KubeClient(plane.kubeConfig(), { fieldManager: 'informer-test' });
    const informer = new Informer(client, configMaps, { namespace: ns, logger: quiet });
    const seen: InformerEvent<KubeObject>[] = [];
    informer.on((e) => seen.push(e));
    informer.start();
    try {
      await informer.waitForSync();
      expect(informer.stats).toMatchObject({ lists: 1, streamedLists: 1 });
      expect(informer.store.keys().sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${ns}/s-${i}`));
      expect(seen.filter((e) => e.type === 'added')).toHaveLength(5);
      const updated = await cms.patch(ns, 's-3', { data: { v: '2' } }, { type: 'merge' });
      await eventually(() => expect(lastSeen(seen, 's-3')).toBe(updated.metadata.resourceVersion));
      expect(informer.stats.lists).toBe(1);
    } finally {
      await informer.stop();
      await client.close();
    }
  });

  it('lists in pages, then streams changes in order', async () => {
    const ns = await namespace();
    for (let i = 0; i < 7; i++) await cms.create(configMap(ns, `cm-${i}`));
    const client = new KubeClient(plane.kubeConfig(), { fieldManager: 'informer-test' });
    const informer = new Informer(client, configMaps, {
      namespace: ns,
      pageSize: 3,
      streamingList: false,
      logger: quiet,
    });
    const seen: InformerEvent<KubeObject>[] = [];
    informer.on((e) => seen.push(e));
    informer.start();
    try {
      await informer.waitForSync();
      expect(informer.store.size).toBe(7);
      expect(informer.stats.streamedLists).toBe(0);
      const updated = await cms.patch(ns, 'cm-1', { data: { v: '2' } }, { type: 'merge' });
      await cms.delete(ns, 'cm-2');
      await eventually(() => expect(deletes(seen)).toEqual([{ name: 'cm-2', stale: false }]));
      expect(lastSeen(seen, 'cm-1')).toBe(updated.metadata.resourceVersion);
      expect(informer.stats.lists).toBe(1);
    } finally {
      await informer.stop();
      await client.close();
    }
  });

  it('advances its resourceVersion on bookmarks and resumes from it when the server ends a watch', async () => {
    const ns = await namespace();
    const elsewhere = await namespace();
    // The server sends a bookmark 2 s before a watch's timeout, and about every minute otherwise.
    const { informer, seen, stop } = watch(ns, { watchTimeoutSeconds: [4, 4] });
    try {
      await streaming(informer);
      const first = await cms.create(configMap(elsewhere, 'unrelated-0'));
      let n = 0;
      // No event of this namespace carries that version: only a bookmark can bring it. The server sends
      // bookmarks only while events flow during a watch, so keep them flowing.
      await eventually(async () => {
        await cms.create(configMap(elsewhere, `unrelated-${++n}`));
        expect(Number(informer.resourceVersion)).toBeGreaterThanOrEqual(
          Number(first.metadata.resourceVersion),
        );
      }, 15_000);
      expect(seen).toEqual([]);
      await eventually(() => expect(informer.stats.watches).toBeGreaterThanOrEqual(2), 15_000);
      const created = await cms.create(configMap(ns, 'after-resume'));
      await eventually(() => expect(lastSeen(seen, 'after-resume')).toBe(created.metadata.resourceVersion));
      expect(informer.stats.lists).toBe(1);
      expect(informer.stats.relists).toEqual({ expired: 0, error: 0 });
    } finally {
      await stop();
    }
  });

  it('survives dropped connections: relists, and reports what changed meanwhile, deletes included', async () => {
    const ns = await namespace();
    await cms.create(configMap(ns, 'kept'));
    await cms.create(configMap(ns, 'changed'));
    await cms.create(configMap(ns, 'deleted'));
    const { informer, seen, stop } = watch(ns);
    try {
      await streaming(informer);
      proxy.hold();
      proxy.dropAll();
      await eventually(() => expect(proxy.held).toBeGreaterThan(0));
      const changed = await cms.patch(ns, 'changed', { data: { v: '2' } }, { type: 'merge' });
      await cms.delete(ns, 'deleted');
      const added = await cms.create(configMap(ns, 'added'));
      proxy.release();
      await expectConverged(informer, ns);
      expect(deletes(seen)).toEqual([{ name: 'deleted', stale: true }]);
      expect(lastSeen(seen, 'changed')).toBe(changed.metadata.resourceVersion);
      expect(lastSeen(seen, 'added')).toBe(added.metadata.resourceVersion);
      expect(informer.stats.relists.error).toBeGreaterThanOrEqual(1);
      // And the new watch streams again.
      const later = await cms.patch(ns, 'kept', { data: { v: '3' } }, { type: 'merge' });
      await eventually(() => expect(lastSeen(seen, 'kept')).toBe(later.metadata.resourceVersion));
    } finally {
      proxy.release();
      await stop();
    }
  });

  it('detects a stalled stream by inactivity and recovers the changes it hid', async () => {
    const ns = await namespace();
    await cms.create(configMap(ns, 'a'));
    const { informer, seen, warnings, stop } = watch(ns, { inactivityTimeoutMs: 1500 });
    try {
      await streaming(informer);
      proxy.freezeAll();
      await cms.delete(ns, 'a');
      await eventually(() => expect(deletes(seen)).toEqual([{ name: 'a', stale: true }]), 20_000);
      expect(warnings.map((w) => (w.err as { name: string }).name)).toContain('WatchStalled');
      await expectConverged(informer, ns);
    } finally {
      await stop();
    }
  });

  it('misses no change across a kube-apiserver restart', async () => {
    const ns = await namespace();
    await cms.create(configMap(ns, 'before'));
    await cms.create(configMap(ns, 'doomed'));
    const { informer, seen, stop } = watch(ns);
    try {
      await informer.waitForSync();
      const touched = await cms.patch(ns, 'before', { data: { v: '1' } }, { type: 'merge' });
      await plane.restartApiServer();
      await cms.delete(ns, 'doomed');
      const after = await cms.create(configMap(ns, 'after'));
      await expectConverged(informer, ns);
      expect(lastSeen(seen, 'before')).toBe(touched.metadata.resourceVersion);
      expect(lastSeen(seen, 'after')).toBe(after.metadata.resourceVersion);
      expect(deletes(seen).map((d) => d.name)).toEqual(['doomed']);
      await eventually(() => expect(informer.isFresh()).toBe(true));
    } finally {
      await stop();
    }
  });

  it('relists on 410 Gone after etcd compaction and synthesizes the delete it never saw', async () => {
    const ns = await namespace();
    await cms.create(configMap(ns, 'survivor'));
    await cms.create(configMap(ns, 'victim'));
    // Short server-side timeouts: the watch ends cleanly every 2 s and resumes from its resourceVersion.
    const { informer, seen, stop } = watch(ns, { watchTimeoutSeconds: [2, 2] });
    try {
      await streaming(informer);
      const resumeFrom = informer.resourceVersion;
      // Catch the resume request, change the world, and make its resourceVersion unservable: compacted
      // in etcd and older than the watch cache of a restarted kube-apiserver (a running one would still
      // serve it from memory).
      proxy.hold();
      await eventually(() => expect(proxy.held).toBeGreaterThan(0));
      await cms.delete(ns, 'victim');
      const revision = await plane.compactEtcd();
      expect(revision).toBeGreaterThan(Number(resumeFrom));
      await plane.restartApiServer();
      proxy.release();
      await eventually(() => expect(informer.stats.relists.expired).toBe(1));
      await expectConverged(informer, ns);
      expect(informer.stats.lastError).toMatch(/410/);
      expect(deletes(seen)).toEqual([{ name: 'victim', stale: true }]);
    } finally {
      proxy.release();
      await stop();
    }
  });
});
