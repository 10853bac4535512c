import type { TestProject } from 'vitest/node';
import { NodeCluster } from './node.ts';
import { builtImageArchives } from './node-binaries.ts';

/**
 * Starts the run's one node cluster (control plane + a real node, root only) for the `node` project, with
 * the images `npm run images` built imported, and hands its details to every test file. The teardown runs
 * when the run ends — also after a failed test — and fails the run if anything of the node is left on the
 * host. A run that ends otherwise (vitest exits at once on Ctrl-C; a SIGKILL) is cleaned up by the node's
 * guard process.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const cluster = await NodeCluster.start({ images: await builtImageArchives() });
  process.stderr.write(
    `node cluster: kube-apiserver ${cluster.plane.version} at ${cluster.server}, node ${cluster.info.nodeName} ready in ${Date.now() - started} ms\n`,
  );
  project.provide('controlPlane', cluster.info.controlPlane);
  project.provide('nodeCluster', cluster.info);
  return async () => {
    const stopping = Date.now();
    await cluster.stop();
    const left = await cluster.leftovers();
    process.stderr.write(`node cluster: torn down in ${Date.now() - stopping} ms\n`);
    if (left.length > 0) throw new Error(`the node left this on the host:\n${left.join('\n')}`);
  };
}
