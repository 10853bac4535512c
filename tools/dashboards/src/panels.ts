// The few panel shapes the dashboards use, built with the Grafana Foundation SDK (its builders are typed from
// Grafana's own dashboard schema, so a field that is not in the schema does not compile). Every query goes to
// the Prometheus picked by the dashboard's `datasource` variable.
import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import { type DataSourceRef, ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import {
  DatasourceVariableBuilder,
  type Panel,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeSeriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana, not JavaScript, fills in the variable.
export const prometheus: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** A query and how its series are named in the legend. */
export type Query = { readonly expr: string; readonly legend?: string };

/** What a panel answers, shown as its description, and where it sits (24 columns wide). */
export type Place = { readonly description: string; readonly w: number; readonly h?: number };

export const datasourceVariable = () =>
  new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus');

/** A variable over the values of `label` in the series `selector`. */
export const labelVariable = (name: string, label: string, selector: string) =>
  new QueryVariableBuilder(name)
    .label(label)
    .datasource(prometheus)
    .query(`label_values(${selector}, ${name})`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);

/** What the query panels' builders (time series, stat) have in common. */
interface QueryPanel<T> extends Builder<Panel> {
  title(title: string): T;
  description(description: string): T;
  datasource(datasource: DataSourceRef): T;
  unit(unit: string): T;
  gridPos(gridPos: { x: number; y: number; w: number; h: number }): T;
  withTarget(target: DataqueryBuilder): T;
}

function withQueries<T extends QueryPanel<T>>(
  panel: T,
  title: string,
  place: Place,
  unit: string,
  queries: readonly Query[],
  height: number,
): Builder<Panel> {
  panel
    .title(title)
    .description(place.description)
    .datasource(prometheus)
    .unit(unit)
    .gridPos({ x: 0, y: 0, w: place.w, h: place.h ?? height });
  queries.forEach((query, i) => {
    panel.withTarget(
      new DataqueryBuilder()
        .refId(String.fromCharCode(65 + i))
        .expr(query.expr)
        .legendFormat(query.legend ?? '__auto'),
    );
  });
  return panel;
}

export const timeSeries = (title: string, place: Place, unit: string, queries: readonly Query[]) =>
  withQueries(new TimeSeriesPanel(), title, place, unit, queries, 8);

export const stat = (title: string, place: Place, unit: string, queries: readonly Query[]) =>
  withQueries(
    new StatPanel().reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull'])),
    title,
    place,
    unit,
    queries,
    4,
  );
