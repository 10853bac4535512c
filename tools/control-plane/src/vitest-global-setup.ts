import type { TestProject } from 'vitest/node';
import { ControlPlane } from './control-plane.ts';
import { externalCluster } from './external.ts';

/**
 * Starts the run's shared control plane and hands its connection details to every test file of the
 * `cluster` project. `ROAST_TEST_KUBECONFIG` points the suites at an existing cluster instead.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const existing = process.env.ROAST_TEST_KUBECONFIG;
  if (existing) {
    project.provide('controlPlane', await externalCluster(existing));
    return async () => {};
  }
  const started = Date.now();
  const plane = await ControlPlane.start({ name: 'tests' });
  process.stderr.write(
    `control plane: kube-apiserver ${plane.version} at ${plane.server} ready in ${Date.now() - started} ms\n`,
  );
  project.provide('controlPlane', plane.info);
  return () => plane.stop();
}
