// The chart ships the CRDs in its crds/ folder, where Helm installs them before any template (and never
// upgrades or deletes them). They are byte-for-byte copies of the generated manifests at the repository
// root, generated header included, so the chart never drifts from the zod schemas.
import { readdirSync, readFileSync } from 'node:fs';
import { crdsDirectory } from '../../libs/api/src/crd.ts';

export { crdsDirectory };

export const chartCrdsDirectory = new URL('../../charts/roast-operator/crds/', import.meta.url);

/** The YAML manifests of a directory, by file name. */
export function manifests(directory: URL): Map<string, string> {
  return new Map(
    readdirSync(directory)
      .filter((name) => name.endsWith('.yaml'))
      .sort()
      .map((name) => [name, readFileSync(new URL(name, directory), 'utf8')]),
  );
}
