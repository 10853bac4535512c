import { describe, expect, it } from 'vitest';
import { type ControlPlaneBinary, releaseLine, versionProblem } from './versions.ts';

const pinned = { kubernetes: 'v1.36.3', etcd: 'v3.6.16' };

// What the binaries print, from the real ones.
describe('the version a binary prints', () => {
  const etcd = (version: string) =>
    `etcd Version: ${version}\nGit SHA: Not provided (use ./build instead of go build)\nGo Version: go1.26.8\nGo OS/Arch: linux/amd64\n`;
  const kubectl = (version: string) => `Client Version: ${version}\nKustomize Version: v5.8.1\n`;
  const cases: [ControlPlaneBinary, string, string | undefined][] = [
    ['etcd', etcd('3.6.16'), undefined],
    ['etcd', etcd('3.6.9'), undefined],
    ['etcd', etcd('3.5.21'), 'is v3.5.21; needs v3.6.x (pinned v3.6.16)'],
    ['kube-apiserver', 'Kubernetes v1.36.3\n', undefined],
    ['kube-apiserver', 'Kubernetes v1.36.0\n', undefined],
    ['kube-apiserver', 'Kubernetes v1.35.2\n', 'is v1.35.2; needs v1.36.x (pinned v1.36.3)'],
    ['kube-controller-manager', 'Kubernetes v2.36.3\n', 'is v2.36.3; needs v1.36.x (pinned v1.36.3)'],
    ['kubectl', kubectl('v1.36.3'), undefined],
    ['kubectl', kubectl('v1.30.14'), 'is v1.30.14; needs v1.36.x (pinned v1.36.3)'],
    // etcd where kube-apiserver belongs: the version of the wrong binary is the wrong version.
    ['kube-apiserver', etcd('3.6.16'), 'is v3.6.16; needs v1.36.x (pinned v1.36.3)'],
    ['kubectl', 'error: unknown flag: --client\n', 'prints no version: "error: unknown flag: --client"'],
    ['etcd', '', 'prints no version: ""'],
  ];
  it.each(cases)('%s printing %j: %s', (binary, printed, problem) => {
    expect(versionProblem(binary, printed, pinned)).toBe(problem);
  });

  it('names a release line as major.minor.x', () => {
    expect(releaseLine('v1.36.3')).toBe('v1.36.x');
    expect(releaseLine('3.6.16')).toBe('v3.6.x');
  });
});
