// Approvals and governance: how commands end, what the edges refused, who the gateway and the read API
// turned away.
import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceVariable, stat, timeSeries, waiting } from './panels.ts';

const operator = 'job="roast-operator"';

export const governance = () =>
  new DashboardBuilder('Roast Operator / Approvals and governance')
    .uid('roast-governance')
    .tags(['roast-operator'])
    .refresh('1m')
    .time({ from: 'now-7d', to: 'now' })
    .withVariable(datasourceVariable())
    .withPanel(
      stat(
        'Success (1 h)',
        { description: 'Dispatched commands that ended Succeeded, by namespace.', w: 8 },
        'percentunit',
        [{ expr: 'roast:command_results:success_ratio1h', legend: '{{namespace}}' }],
      ),
    )
    .withPanel(
      stat(
        'Results (7 d)',
        { description: 'Results written to proposals in a week, by outcome.', w: 8 },
        'none',
        [{ expr: 'sum by (outcome) (roast:command_results:increase7d)', legend: '{{outcome}}' }],
      ),
    )
    .withPanel(
      stat(
        'Edge refusals (7 d)',
        { description: 'Commands the edges refused by their own safety.', w: 8 },
        'none',
        [{ expr: 'sum(roast:edge_command_results:increase7d{outcome="refused"}) or vector(0)' }],
      ),
    )
    .withPanel(
      timeSeries(
        'Edge results, by outcome',
        { description: 'What the edges did with the commands.', w: 12 },
        'none',
        [{ expr: 'sum by (outcome) (roast:edge_command_results:increase24h)', legend: '{{outcome}}' }],
      ),
    )
    .withPanel(
      timeSeries(
        'Edges refused by the gateway',
        { description: 'Streams refused, by reason.', w: 12 },
        'none',
        [
          {
            expr: `sum by (reason) (increase(roast_link_streams_refused_total{${operator}}[$__rate_interval]))`,
            legend: '{{reason}}',
          },
        ],
      ),
    )
    .withPanel(
      timeSeries(
        'Read API, by status',
        { description: 'Telemetry read API requests by HTTP status.', w: 12 },
        'reqps',
        [
          {
            expr: `sum by (code) (rate(roast_telemetry_api_requests_total{${operator}}[$__rate_interval]))`,
            legend: '{{code}}',
          },
        ],
      ),
    )
    .withPanel(
      timeSeries(
        'Read API reviews',
        { description: 'Token and access reviews: API server, cache, or rate-limited.', w: 12 },
        'ops',
        [
          {
            expr: `sum by (review, source) (rate(roast_telemetry_api_reviews_total{${operator}}[$__rate_interval]))`,
            legend: '{{review}} {{source}}',
          },
        ],
      ),
    )
    .withPanel(
      waiting(
        'Proposals by command, origin and rule; time to decision; awaiting approval',
        'roast_proposals_total, roast_proposal_decision_seconds, roast_proposals_awaiting_approval',
      ),
    );
