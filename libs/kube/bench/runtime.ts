// Controller runtime benchmark: `npm run bench:runtime [-- --json]`.
// Starts a private control plane, then measures on 1,000 ConfigMaps:
// - write → reconcile-start latency of the runtime, next to the floor measured in the same run: the same
//   write seen by a bare client-node Watch. Writes alternate between the two and each waits for its
//   event, so both see an idle system and the same drift;
// - a cold start over the 1,000 objects in a process of its own: full-sync time, reconciles per second
//   and resident memory, next to a bare client-node process listing the same objects.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Watch } from '@kubernetes/client-node';
import { startControlPlane } from '@roast-operator/control-plane';
import { Logger } from '@roast-operator/log';
import { configMaps, KubeClient, type KubeObject, Manager } from '../src/index.ts';

const objects = 1000;
const json = process.argv.includes('--json');
const quiet = new Logger({ level: 'error' });
const payload = { note: 'x'.repeat(256) };

/** Times by which a (name, resourceVersion) was observed; a write may return after its event arrives. */
class Sightings {
  #seen = new Map<string, number>();
  #waiters = new Map<string, () => void>();

  see(name: string | undefined, rv: string | undefined): void {
    const id = `${name}@${rv}`;
    if (this.#seen.has(id)) return;
    this.#seen.set(id, performance.now());
    this.#waiters.get(id)?.();
  }

  async when(name: string, rv: string): Promise<number> {
    const id = `${name}@${rv}`;
    if (!this.#seen.has(id)) await new Promise<void>((resolve) => this.#waiters.set(id, resolve));
    this.#waiters.delete(id);
    return this.#seen.get(id)!;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}

async function createNamespace(client: KubeClient, name: string): Promise<void> {
  await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name } } });
}

/** Writes one object and returns the time from sending the write to the sighting of that version. */
async function timedWrite(
  client: KubeClient,
  ns: string,
  name: string,
  sightings: Sightings,
): Promise<number> {
  const sent = performance.now();
  const created = await client
    .resource(configMaps)
    .create({ metadata: { name, namespace: ns }, data: payload } as KubeObject);
  return (await sightings.when(name, created.metadata.resourceVersion!)) - sent;
}

/** The floor: a bare client-node Watch, no cache, no queue. */
async function bareWatch(client: KubeClient, ns: string, sightings: Sightings): Promise<AbortController> {
  const list = await client.resource(configMaps).list({ namespace: ns });
  // Its default 30 s inactivity timeout never fires here: events flow throughout the measurement.
  const watch = new Watch(client.kubeConfig);
  const controller = await watch.watch(
    `/api/v1/namespaces/${ns}/configmaps`,
    { resourceVersion: list.resourceVersion, allowWatchBookmarks: true },
    (_type, obj: KubeObject) => sightings.see(obj.metadata.name, obj.metadata.resourceVersion),
    (err) => {
      // A bare watch has no recovery; losing it would leave the run waiting forever.
      if (!controller.signal.aborted) throw new Error(`floor watch ended: ${err}`);
    },
  );
  return controller;
}

/** The runtime: a manager whose reconciler notes which version of the object it starts with. */
function runtimeManager(client: KubeClient, ns: string, sightings: Sightings) {
  const manager = new Manager({ kubeConfig: client.kubeConfig, fieldManager: 'bench', logger: quiet });
  const informer = manager.informer(configMaps, { namespace: ns });
  manager.controller({
    name: 'bench',
    for: informer,
    reconcile: async (key) => {
      const obj = informer.store.get(key);
      sightings.see(obj?.metadata.name, obj?.metadata.resourceVersion);
    },
  });
  return { manager, informer };
}

async function latencies(client: KubeClient) {
  await createNamespace(client, 'bench-floor');
  await createNamespace(client, 'bench-runtime');
  const floorSeen = new Sightings();
  const runtimeSeen = new Sightings();
  const watch = await bareWatch(client, 'bench-floor', floorSeen);
  const { manager, informer } = runtimeManager(client, 'bench-runtime', runtimeSeen);
  const running = manager.start();
  await informer.waitForSync();
  const floor: number[] = [];
  const runtime: number[] = [];
  for (let i = 0; i < objects; i++) {
    floor.push(await timedWrite(client, 'bench-floor', `cm-${i}`, floorSeen));
    runtime.push(await timedWrite(client, 'bench-runtime', `cm-${i}`, runtimeSeen));
  }
  watch.abort();
  await manager.stop();
  await running;
  return { floor: summary(floor), runtime: summary(runtime) };
}

interface ColdStart {
  syncMs: number;
  reconcilesPerSecond?: number;
  rssMb: number;
}

/** V8 flags of the second cold start: a 2 MB young generation, as a memory-tight deployment would set. */
const smallYoungGeneration = '--max-semi-space-size=2';

/** A cold start over the 1,000 objects in a process of its own (see sync-process.ts). */
function coldStart(
  kubeconfig: string,
  mode: 'runtime' | 'paged' | 'floor',
  flags: string[] = [],
): Promise<ColdStart> {
  const script = join(import.meta.dirname, 'sync-process.ts');
  const args = [...flags, script, kubeconfig, 'bench-runtime', mode, `${objects}`];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, (err, stdout, stderr) => {
      if (err) reject(new Error(`${mode} cold start failed: ${stderr}`));
      else resolve(JSON.parse(stdout) as ColdStart);
    });
  });
}

async function coldStarts(kubeconfig: string) {
  const measure = async (mode: 'runtime' | 'floor') => {
    const plain = await coldStart(kubeconfig, mode);
    const tight = await coldStart(kubeconfig, mode, [smallYoungGeneration]);
    return { ...plain, rssMbSmallYoungGeneration: tight.rssMb };
  };
  // The runtime's sync with a paginated list, as before the streaming list, for comparison.
  const paged = await coldStart(kubeconfig, 'paged');
  return { runtime: await measure('runtime'), paged, floor: await measure('floor') };
}

function table(r: Awaited<ReturnType<typeof run>>): string {
  const cell = (v: string) => v.padStart(12);
  const ms = (v: number) => cell(`${v.toFixed(2)} ms`);
  const mb = (v: number) => cell(`${v.toFixed(1)} MB`);
  const ratio = (a: number, b: number) => cell(`${(a / b).toFixed(2)}×`);
  const row = (label: string, ...cells: string[]) => `${label.padEnd(40)}${cells.join('')}`;
  const { runtime, paged, floor } = r.coldStart;
  return [
    `Controller runtime — ${r.objects} ConfigMaps, kube-apiserver ${r.apiServer} (private control plane)`,
    '',
    row('write → seen', cell('runtime'), cell('floor'), cell('ratio')),
    row(
      '  p50',
      ms(r.latency.runtime.p50Ms),
      ms(r.latency.floor.p50Ms),
      ratio(r.latency.runtime.p50Ms, r.latency.floor.p50Ms),
    ),
    row(
      '  p99',
      ms(r.latency.runtime.p99Ms),
      ms(r.latency.floor.p99Ms),
      ratio(r.latency.runtime.p99Ms, r.latency.floor.p99Ms),
    ),
    row('cold start, own process', cell('runtime'), cell('floor')),
    row('  full sync', ms(runtime.syncMs), ms(floor.syncMs)),
    row('  full sync, paginated list', ms(paged.syncMs)),
    row('  reconciles per second', cell(runtime.reconcilesPerSecond!.toFixed(0))),
    row('  RSS', mb(runtime.rssMb), mb(floor.rssMb)),
    row(
      `  RSS with ${smallYoungGeneration}`,
      mb(runtime.rssMbSmallYoungGeneration),
      mb(floor.rssMbSmallYoungGeneration),
    ),
    '',
    'write → seen: runtime = write → reconcile start; floor = the same write → event of a bare',
    '  client-node Watch. Writes alternate between the two, each waiting for its sighting.',
    'cold start: runtime = manager list (streaming where served) + watch + one reconcile of every',
    '  object (4 workers); paginated list = the same with the streaming list turned off;',
    '  floor = one client-node list call of the namespace, objects kept.',
    '',
  ].join('\n');
}

async function run() {
  await using plane = await startControlPlane({ name: 'bench-runtime' });
  const client = new KubeClient(plane.kubeConfig(), { fieldManager: 'bench' });
  try {
    const latency = await latencies(client);
    const coldStart = await coldStarts(plane.kubeconfigPath());
    return { objects, apiServer: plane.version, latency, coldStart };
  } finally {
    await client.close();
  }
}

const result = await run();
process.stdout.write(json ? `${JSON.stringify(result)}\n` : table(result));
