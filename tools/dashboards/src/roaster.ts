// One roaster: as the operator sees the Roaster (link, roasting, autonomy, latch, interlocks, proposals
// waiting), and its edge agent, by the node it runs on (link, latches, buffer, what it did with commands).
import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceVariable, labelVariable, stat, timeSeries } from './panels.ts';

const edge = 'job="roast-edge", node="$node"';
const operator = 'job="roast-operator", roaster="$roaster"';

export const roaster = () =>
  new DashboardBuilder('Roast Operator / Roaster')
    .uid('roast-roaster')
    .tags(['roast-operator'])
    .refresh('10s')
    .time({ from: 'now-3h', to: 'now' })
    .withVariable(datasourceVariable())
    .withVariable(labelVariable('roaster', 'Roaster', 'roast_roaster_connected{job="roast-operator"}'))
    .withVariable(labelVariable('node', 'Node', 'roast_edge_link_state{job="roast-edge"}'))
    .withPanel(
      stat('Connected', { description: '1 while the Roaster’s edge link is up.', w: 4 }, 'none', [
        { expr: `max(roast_roaster_connected{${operator}})` },
      ]),
    )
    .withPanel(
      stat('Roasting', { description: '1 while beans are in the drum.', w: 4 }, 'none', [
        { expr: `max(roast_roaster_roasting{${operator}})` },
      ]),
    )
    .withPanel(
      stat(
        'Autonomy',
        { description: 'Effective level (and why), and the level Git allows.', w: 8 },
        'none',
        [
          {
            expr: `max by (reason) (roast_roaster_autonomy_level{${operator}})`,
            legend: 'effective, {{reason}}',
          },
          { expr: `max(roast_roaster_autonomy_configured_level{${operator}})`, legend: 'configured' },
        ],
      ),
    )
    .withPanel(
      stat('Emergency-stop latch', { description: '1 while latched, with its cause.', w: 4 }, 'none', [
        { expr: `max by (cause) (roast_roaster_latched{${operator}})`, legend: '{{cause}}' },
      ]),
    )
    .withPanel(
      stat('Awaiting approval', { description: 'Proposals waiting for a person now.', w: 4 }, 'none', [
        { expr: `max(roast_proposals_awaiting_approval{${operator}})` },
      ]),
    )
    .withPanel(
      timeSeries(
        'Edge interlocks',
        { description: 'Latches the edge reports, by the interlock that set them.', w: 24 },
        'none',
        [{ expr: `max by (interlock) (roast_roaster_edge_latches{${operator}})`, legend: '{{interlock}}' }],
      ),
    )
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
    );
