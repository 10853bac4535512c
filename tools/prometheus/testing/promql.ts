// What a PromQL query reads, from Prometheus' own PromQL grammar (the one its web UI uses).
import { parser } from '@prometheus-io/lezer-promql';

/** The metric names a query selects (every vector selector's name), or an error on a syntax error. */
export function selectedMetrics(query: string): string[] {
  const tree = parser.parse(query);
  const names = new Set<string>();
  let error: number | undefined;
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) error ??= node.from;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector')
        names.add(query.slice(node.from, node.to));
    },
  });
  if (error !== undefined) throw new Error(`not PromQL at character ${error}: ${query}`);
  return [...names];
}

/** The documented metric a series name belongs to: a histogram's _bucket, _sum and _count are its own. */
export function metricFamily(series: string, documented: ReadonlySet<string>): string {
  const family = series.replace(/_(bucket|sum|count)$/, '');
  return family !== series && documented.has(family) ? family : series;
}
