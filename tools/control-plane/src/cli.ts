import { ControlPlane } from './control-plane.ts';

/**
 * `npm run control-plane`: starts a local control plane, prints how to reach it, and runs until Ctrl-C,
 * then stops every server and removes its directory.
 */
const plane = await ControlPlane.start({ name: 'local' });
const { info } = plane;
const kubectl = info.binaries.kubectl;
process.stdout.write(
  [
    `Local control plane ready: kube-apiserver ${info.version} at ${info.server}`,
    '',
    `  export KUBECONFIG=${info.kubeconfigs.admin}    # admin (system:masters)`,
    `  alias kubectl=${kubectl}`,
    '  kubectl get namespaces',
    `  KUBECONFIG=${info.kubeconfigs.alice} kubectl auth whoami    # alice, group roasters`,
    `  helm (same version line as the cluster): ${info.binaries.helm}`,
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n'),
);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nStopping the control plane…\n');
  await plane.stop();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
