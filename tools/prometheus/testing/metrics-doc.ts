// The metrics docs/metrics.md lists as exposed: the first column of every table under "## Exposed". Rules
// and dashboards may refer only to those (and to the rules' own recorded series).
import { readFileSync } from 'node:fs';

export const metricsDoc = new URL('../../../docs/metrics.md', import.meta.url);

export function documentedMetrics(text = readFileSync(metricsDoc, 'utf8')): Set<string> {
  const exposed = text.split(/^## Exposed$/m)[1]?.split(/^## /m)[0];
  if (exposed === undefined) throw new Error('docs/metrics.md has no "## Exposed" section');
  const names = new Set<string>();
  for (const line of exposed.split('\n')) {
    const first = /^\| ([^|]+) \|/.exec(line)?.[1];
    for (const name of first?.matchAll(/`([a-z_:][a-z0-9_:]*)`/g) ?? []) names.add(name[1]!);
  }
  return names;
}
