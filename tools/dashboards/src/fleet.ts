// Fleet overview: is every roaster reachable, is anything latched or losing telemetry, how do commands end,
// what are the roasters doing and at which autonomy, how did the week's roasts go.
import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceVariable, stat, timeSeries } from './panels.ts';

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
      stat('Roasting now', { description: 'Roasters with beans in the drum.', w: 6 }, 'none', [
        { expr: `sum(max by (roaster_namespace, roaster) (roast_roaster_roasting{${operator}}))` },
      ]),
    )
    .withPanel(
      stat('Roasters latched', { description: 'Roasters whose emergency-stop latch is set.', w: 6 }, 'none', [
        {
          expr: `count(max by (roaster_namespace, roaster) (roast_roaster_latched{${operator}}) == 1) or vector(0)`,
        },
      ]),
    )
    .withPanel(
      stat(
        'Roasts completed (24 h)',
        { description: 'Sessions that completed today, by telemetry source.', w: 6 },
        'none',
        [{ expr: 'sum by (source) (roast:sessions_completed:increase24h)', legend: '{{source}}' }],
      ),
    )
    .withPanel(
      stat(
        'Roasts (7 d, median)',
        {
          description: 'Median total roast time and development ratio of the week’s completed roasts.',
          w: 6,
        },
        'none',
        [
          { expr: 'max(roast:session_roast_seconds:median7d)', legend: 'total s' },
          { expr: 'max(roast:session_development_ratio:median7d)', legend: 'DTR' },
        ],
      ),
    )
    .withPanel(
      timeSeries(
        'Effective autonomy, by roaster',
        { description: 'The level in force (1-5 for L1-L5) and why it is lowered.', w: 12 },
        'none',
        [
          {
            expr: `max by (roaster_namespace, roaster, reason) (roast_roaster_autonomy_level{${operator}})`,
            legend: '{{roaster_namespace}}/{{roaster}} {{reason}}',
          },
        ],
      ),
    )
    .withPanel(
      timeSeries(
        'Sessions, by phase',
        { description: 'Sessions the operator keeps, by phase.', w: 12 },
        'none',
        [
          {
            expr: `sum by (phase) (max without (instance, pod) (roast_sessions{${operator}}))`,
            legend: '{{phase}}',
          },
        ],
      ),
    )
    .withPanel(
      timeSeries(
        'First crack against the profile (7 d)',
        { description: 'Median seconds first crack came after (+) or before (−) its profile’s time.', w: 24 },
        's',
        [
          {
            expr: `histogram_quantile(0.5, sum by (le) (max without (instance, pod) (increase(roast_session_first_crack_error_seconds_bucket{${operator}}[7d]))))`,
            legend: 'median',
          },
        ],
      ),
    );
