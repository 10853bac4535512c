import { ControlPlane } from './control-plane.ts';
import { defaultNodePaths, NodeCluster } from './node.ts';
import { builtImageArchives } from './node-binaries.ts';
import { guardNode } from './node-guard.ts';
import { cleanUpNode, nodeLeftovers } from './node-host.ts';

/**
 * `npm run control-plane`: starts a local control plane, prints how to reach it, and runs until Ctrl-C,
 * then stops every server and removes its directory.
 * `-- --node`: the control plane with one real node (root only); the images `npm run images` built are
 * imported into it. `-- --node-cleanup`: removes what a node that died without stopping left on the host.
 */
const mode = process.argv[2];
if (mode === '--node-cleanup') {
  const paths = defaultNodePaths();
  await cleanUpNode(paths);
  const left = await nodeLeftovers(paths);
  process.stdout.write(
    left.length === 0 ? 'node: nothing left on the host\n' : `node: left behind:\n${left.join('\n')}\n`,
  );
  process.exit(left.length === 0 ? 0 : 1);
}
if (mode === '--node-guard') {
  process.once('SIGTERM', () => process.exit(0));
  await guardNode(defaultNodePaths(), Number(process.argv[3]));
  process.exit(0);
}
if (mode !== undefined && mode !== '--node') {
  process.stderr.write(`unknown option ${mode}: use --node, --node-cleanup or nothing\n`);
  process.exit(2);
}

const started = Date.now();
const node = mode === '--node' ? await NodeCluster.start({ images: await builtImageArchives() }) : undefined;
const plane = node?.plane ?? (await ControlPlane.start({ name: 'local' }));
const { info } = plane;
const kubectl = info.binaries.kubectl;
process.stdout.write(
  [
    `Local control plane ready: kube-apiserver ${info.version} at ${info.server}`,
    ...(node
      ? [
          `with node ${node.info.nodeName} (pods on ${node.info.hostAddress}/24, cluster DNS at ${node.info.hostAddress}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        ]
      : []),
    '',
    `  export KUBECONFIG=${info.kubeconfigs.admin}    # admin (system:masters)`,
    `  alias kubectl=${kubectl}`,
    node ? '  kubectl get nodes,pods -A' : '  kubectl get namespaces',
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
  process.stdout.write(
    node ? '\nStopping the node and the control plane…\n' : '\nStopping the control plane…\n',
  );
  await (node ?? plane).stop();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
