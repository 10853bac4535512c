import { defineConfig } from 'vitest/config';

// Three projects: `unit` runs pure code with no cluster; `cluster` gets one shared real control plane per run
// (etcd, kube-apiserver, kube-controller-manager) started by the global setup; `node` (root only, run on its
// own) gets one shared control plane with a real node, its files one after another. Two cores: two workers.
export default defineConfig({
  test: {
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'libs/**/*.test.ts',
            'edge-node/**/*.test.ts',
            'advisor/**/*.test.ts',
            'operator/**/*.test.ts',
            'tools/**/*.test.ts',
            'plugin/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/*.cluster.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: ['test/**/*.test.ts', '**/*.cluster.test.ts'],
          exclude: ['**/node_modules/**', 'test/node/**', 'test/node-lifecycle/**', 'test/pods/**'],
          globalSetup: ['tools/control-plane/src/vitest-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'node',
          // The node's basics and the images first, then the product as the chart's pods.
          include: ['test/node/**/*.test.ts', 'test/pods/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['tools/control-plane/src/vitest-node-setup.ts'],
          // One node per machine: its files share it one after another.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        // Starts and kills nodes of its own: never beside the `node` project (npm run test:node runs it after).
        test: {
          name: 'node-lifecycle',
          include: ['test/node-lifecycle/**/*.test.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
