import { defineConfig } from 'vitest/config';

// Two projects: `unit` runs pure code with no cluster; `cluster` gets one shared real control plane per run
// (etcd, kube-apiserver, kube-controller-manager) started by the global setup. Two cores: two workers.
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
            'controllers/**/*.test.ts',
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
          exclude: ['**/node_modules/**'],
          globalSetup: ['tools/control-plane/src/vitest-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
