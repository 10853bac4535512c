// Fleet overview: is every roaster reachable, is anything latched or losing telemetry, how do commands end.
import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceVariable, stat, timeSeries, waiting } from './panels.ts';

const operator = 'job="roast-operator"';
const edge = 'job="roast-edge"';

export const fleet = () =>
  new DashboardBuilder('Roast Operator / Fleet')
    .uid('roast-fleet')
    .tags(['roast-operator'])
    .refresh('30s')
    .time({ from: 'now-24h', to: 'now' })
    .withVariable(datasourceVariable())
    .withPanel(
      stat('Edges connected', { description: 'Edge agents streaming to the gateway now.', w: 4 }, 'none', [
        { expr: `sum(roast_link_streams{${operator}})` },
      ]),
    )
    .withPanel(
      stat('Edges not linked', { description: 'Edge agents whose link is not up.', w: 4 }, 'none', [
        { expr: `count(roast_edge_link_state{${edge}, state="up"} == 0) or vector(0)` },
      ]),
    )
    .withPanel(
      stat('Latches held', { description: 'Interlock latches held by the edges.', w: 4 }, 'none', [
        { expr: `sum(roast_edge_latches{${edge}})` },
      ]),
    )
    .withPanel(
      stat(
        'Command success (1 h)',
        { description: 'Dispatched commands that ended Succeeded.', w: 4 },
        'percentunit',
        [{ expr: 'sum(roast:command_results:success_ratio1h)' }],
      ),
    )
    .withPanel(
      stat('Commands (24 h / 7 d)', { description: 'Results written to proposals.', w: 4 }, 'none', [
        { expr: 'sum(roast:command_results:increase24h)', legend: '24 h' },
        { expr: 'sum(roast:command_results:increase7d)', legend: '7 d' },
      ]),
    )
    .withPanel(
      stat(
        'Telemetry lost (24 h)',
        { description: 'Samples dropped from full edge buffers.', w: 4 },
        'none',
        [{ expr: 'sum(roast:link_points_dropped:increase24h)' }],
      ),
    )
    .withPanel(
      timeSeries(
        'Link up, by node',
        { description: '1 while the edge on the node is linked.', w: 12 },
        'none',
        [{ expr: `max by (node) (roast_edge_link_state{${edge}, state="up"})`, legend: '{{node}}' }],
      ),
    )
    .withPanel(
      timeSeries(
        'Command results',
        { description: 'Results written to proposals, by outcome.', w: 12 },
        'ops',
        [
          {
            expr: `sum by (outcome) (rate(roast_link_results_total{${operator}}[$__rate_interval]))`,
            legend: '{{outcome}}',
          },
        ],
      ),
    )
    .withPanel(
      timeSeries('Telemetry', { description: 'Samples stored, and lost for good.', w: 12 }, 'cps', [
        {
          expr: `sum(rate(roast_link_points_ingested_total{${operator}}[$__rate_interval]))`,
          legend: 'stored',
        },
        { expr: `sum(rate(roast_link_points_dropped_total{${operator}}[$__rate_interval]))`, legend: 'lost' },
      ]),
    )
    .withPanel(
      timeSeries('Latches, by node', { description: 'Latches each edge holds.', w: 12 }, 'none', [
        { expr: `max by (node) (roast_edge_latches{${edge}})`, legend: '{{node}}' },
      ]),
    )
    .withPanel(
      waiting(
        'Roasters by phase, sessions by phase, effective autonomy',
        'roast_roaster_phase, roast_sessions, roast_roaster_autonomy_level',
      ),
    );
