// Every dashboard, by the file name it is shipped under in the chart (charts/roast-operator/files/generated/dashboards/).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { fleet } from './fleet.ts';
import { governance } from './governance.ts';
import { operatorHealth } from './operator.ts';
import { roaster } from './roaster.ts';

export const dashboardsDirectory = new URL(
  '../../../charts/roast-operator/files/generated/dashboards/',
  import.meta.url,
);

export function dashboards(): Map<string, Dashboard> {
  return new Map(
    [fleet(), roaster(), governance(), operatorHealth()].map((builder) => {
      const dashboard = builder.build();
      return [`${dashboard.uid}.json`, dashboard];
    }),
  );
}

/** A dashboard as the chart ships it. */
export const dashboardJson = (dashboard: Dashboard) => `${JSON.stringify(dashboard, null, 2)}\n`;
