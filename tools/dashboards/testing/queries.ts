// Every query of every dashboard panel, named by where it sits, and the expression Prometheus receives once
// Grafana has filled in its variables: for the dashboards' own checks and the end-to-end run that asks a
// real Prometheus each of them.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

export interface PanelQuery {
  /** Dashboard uid / panel title. */
  readonly where: string;
  readonly expr: string;
}

export function panelQueries(dashboards: Iterable<Dashboard>): PanelQuery[] {
  return [...dashboards].flatMap((dashboard) =>
    (dashboard.panels ?? []).flatMap((panel) =>
      'targets' in panel
        ? (panel.targets ?? []).map((target) => ({
            where: `${dashboard.uid ?? ''} / ${panel.title}`,
            expr: 'expr' in target && typeof target.expr === 'string' ? target.expr : '',
          }))
        : [],
    ),
  );
}

/** The values Grafana substitutes for the dashboards' variables. */
export interface Variables {
  readonly node: string;
  readonly roaster: string;
  readonly rateInterval: string;
}

/** A query as Grafana sends it, with `variables` filled in. */
export const asSent = (expr: string, variables: Variables): string =>
  expr
    .replaceAll('$__rate_interval', variables.rateInterval)
    .replaceAll('$node', variables.node)
    .replaceAll('$roaster', variables.roaster);
