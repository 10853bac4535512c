// One cold start over an existing namespace, in a process of its own so its memory is its own.
// Usage: node sync-process.ts <kubeconfig> <namespace> <runtime|paged|floor> <objects>
// runtime: a manager syncs its cache and reconciles every object once (4 workers);
// paged:   the same with the streaming list turned off (a paginated list).
// floor:   bare client-node lists the namespace once and keeps the objects.
// Prints one JSON line: { syncMs, reconcilesPerSecond?, rssMb }.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { Logger } from '@roast-operator/log';
import { configMaps, Manager } from '../src/index.ts';

const args = process.argv.slice(2);
const [kubeconfig, namespace, mode, count] = args as [string, string, string, string];
if (args.length !== 4 || !['runtime', 'paged', 'floor'].includes(mode)) {
  process.stderr.write('usage: sync-process.ts <kubeconfig> <namespace> <runtime|paged|floor> <objects>\n');
  process.exit(2);
}
const objects = Number(count);
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfig);
const rssMb = () => process.memoryUsage().rss / 2 ** 20;

async function floor() {
  const started = performance.now();
  const list = await kubeConfig.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace });
  const syncMs = performance.now() - started;
  if (list.items.length !== objects) throw new Error(`listed ${list.items.length} of ${objects}`);
  return { syncMs, rssMb: rssMb() };
}

async function runtime() {
  const manager = new Manager({ kubeConfig, fieldManager: 'bench', logger: new Logger({ level: 'error' }) });
  const informer = manager.informer(configMaps, { namespace, streamingList: mode === 'runtime' });
  let reconciled = 0;
  let lastReconcile = 0;
  manager.controller({
    name: 'bench',
    for: informer,
    concurrency: 4,
    reconcile: async (key) => {
      if (informer.store.get(key)) reconciled++;
      lastReconcile = performance.now();
    },
  });
  const started = performance.now();
  const running = manager.start();
  await informer.waitForSync();
  const synced = performance.now();
  while (reconciled < objects) await new Promise((resolve) => setTimeout(resolve, 1));
  const result = {
    syncMs: synced - started,
    reconcilesPerSecond: objects / ((lastReconcile - synced) / 1000),
    rssMb: rssMb(),
  };
  await manager.stop();
  await running;
  return result;
}

process.stdout.write(`${JSON.stringify(await (mode === 'floor' ? floor() : runtime()))}\n`);
