// The versions a control plane's binaries must report: the check for binaries this project did not build
// itself (`ROAST_CONTROL_PLANE_BIN`). Pure: the caller runs the binaries and passes what they printed.

/** Each binary, with the arguments that make it print its version. */
export const versionArgs = {
  etcd: ['--version'],
  'kube-apiserver': ['--version'],
  'kube-controller-manager': ['--version'],
  kubectl: ['version', '--client'],
} as const satisfies Record<string, readonly string[]>;

export type ControlPlaneBinary = keyof typeof versionArgs;

export const controlPlaneBinaries = Object.keys(versionArgs) as ControlPlaneBinary[];

/** The releases the Go modules pin, as `v1.36.3` and `v3.6.16`. */
export interface PinnedVersions {
  readonly kubernetes: string;
  readonly etcd: string;
}

const semver = /\bv?(\d+)\.(\d+)\.(\d+)\b/;

/** `v1.36.x`: the release line a binary may come from; patch releases of it change no API. */
export function releaseLine(version: string): string {
  const [, major, minor] = semver.exec(version) ?? [];
  return `v${major}.${minor}.x`;
}

/**
 * What is wrong with the version a binary printed (`etcd Version: 3.6.16`, `Kubernetes v1.36.3`,
 * `Client Version: v1.36.3`), or undefined when it is of the pinned release line.
 */
export function versionProblem(
  binary: ControlPlaneBinary,
  printed: string,
  pinned: PinnedVersions,
): string | undefined {
  const wanted = binary === 'etcd' ? pinned.etcd : pinned.kubernetes;
  const found = semver.exec(printed);
  if (!found) return `prints no version: ${JSON.stringify(printed.trim().split('\n')[0] ?? '')}`;
  const reported = `v${found[1]}.${found[2]}.${found[3]}`;
  if (releaseLine(reported) === releaseLine(wanted)) return undefined;
  return `is ${reported}; needs ${releaseLine(wanted)} (pinned ${wanted})`;
}
