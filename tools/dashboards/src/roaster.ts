// One roaster, by the node its edge agent runs on (no metric names the Roaster yet): its link, latches,
// buffer and what it did with the commands it was sent.
import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceVariable, labelVariable, stat, timeSeries, waiting } from './panels.ts';

const edge = 'job="roast-edge", node="$node"';

export const roaster = () =>
  new DashboardBuilder('Roast Operator / Roaster')
    .uid('roast-roaster')
    .tags(['roast-operator'])
    .refresh('10s')
    .time({ from: 'now-3h', to: 'now' })
    .withVariable(datasourceVariable())
    .withVariable(labelVariable('node', 'Node', 'roast_edge_link_state{job="roast-edge"}'))
    .withPanel(
      stat('Link up', { description: '1 while the edge is linked to the gateway.', w: 6 }, 'none', [
        { expr: `roast_edge_link_state{${edge}, state="up"}` },
      ]),
    )
    .withPanel(
      stat('Latches', { description: 'Interlock latches the edge holds.', w: 6 }, 'none', [
        { expr: `roast_edge_latches{${edge}}` },
      ]),
    )
    .withPanel(
      stat('Buffered batches', { description: 'Telemetry waiting for an acknowledgement.', w: 6 }, 'none', [
        { expr: `roast_edge_link_buffer_batches{${edge}}` },
      ]),
    )
    .withPanel(
      stat('Reconnects (24 h)', { description: 'Times the link broke and came back.', w: 6 }, 'none', [
        { expr: 'sum(roast:edge_link_reconnects:increase24h{node="$node"})' },
      ]),
    )
    .withPanel(
      timeSeries('Link state', { description: 'down, connecting or up.', w: 12 }, 'none', [
        { expr: `max by (state) (roast_edge_link_state{${edge}})`, legend: '{{state}}' },
      ]),
    )
    .withPanel(
      timeSeries(
        'Commands, by outcome',
        { description: 'What the edge did with each command.', w: 12 },
        'none',
        [
          {
            expr: `sum by (outcome) (increase(roast_edge_command_results_total{${edge}}[$__rate_interval]))`,
            legend: '{{outcome}}',
          },
        ],
      ),
    )
    .withPanel(
      timeSeries('Telemetry', { description: 'Samples sent (resends included) and dropped.', w: 24 }, 'cps', [
        { expr: `sum(rate(roast_edge_link_points_sent_total{${edge}}[$__rate_interval]))`, legend: 'sent' },
        {
          expr: `sum(rate(roast_edge_link_points_dropped_total{${edge}}[$__rate_interval]))`,
          legend: 'dropped',
        },
      ]),
    )
    .withPanel(
      waiting(
        'Phase, levels, autonomy, recent proposals',
        'roast_roaster_phase, roast_roaster_autonomy_level, roast_proposals_total by roaster',
      ),
    );
