// A manager with leader election in a process of its own, so tests can SIGKILL or SIGTERM it.
// Usage: node manager-process.ts <kubeconfig> <namespace> <lease name> <identity>
// It logs JSON lines to stdout; tests follow its leadership through them.
import { KubeConfig } from '@kubernetes/client-node';
import { Logger } from '@roast-operator/log';
import { configMaps, Manager } from '../src/index.ts';

const [kubeconfig, namespace, lease, identity] = process.argv.slice(2);
if (!kubeconfig || !namespace || !lease || !identity) {
  process.stderr.write('usage: manager-process.ts <kubeconfig> <namespace> <lease> <identity>\n');
  process.exit(2);
}

const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfig);
const manager = new Manager({
  kubeConfig,
  fieldManager: 'roast-test',
  logger: new Logger({ fields: { process: identity } }),
  probes: { host: '127.0.0.1', port: 0 },
  leaderElection: { namespace, name: lease, identity },
});
// A leader-only controller, as the operator's are.
manager.controller({
  name: 'noop',
  for: manager.informer(configMaps, { namespace }),
  reconcile: async () => {},
});
manager.stopOnSignals();
manager.start().then(
  () => process.exit(0),
  () => process.exit(1),
);
