// Approvals and governance: how proposals end and by which rule, how long people take to decide, how
// commands end, what the edges refused, who the gateway and the read API turned away.
import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceVariable, stat, timeSeries } from './panels.ts';

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
      stat(
        'Proposal success (24 h)',
        { description: 'Ended proposals that succeeded on the roaster, by origin.', w: 8 },
        'percentunit',
        [{ expr: 'max by (origin) (roast:proposals:success_ratio24h)', legend: '{{origin}}' }],
      ),
    )
    .withPanel(
      stat('Awaiting approval', { description: 'Proposals waiting for a person now.', w: 8 }, 'none', [
        { expr: `sum(max by (roaster_namespace, roaster) (roast_proposals_awaiting_approval{${operator}}))` },
      ]),
    )
    .withPanel(
      stat(
        'Expired undecided (24 h)',
        { description: 'Proposals nobody decided before their deadline (RoastApprovalsExpired).', w: 8 },
        'none',
        [
          {
            expr: `sum(max without (instance, pod) (increase(roast_proposal_decision_seconds_count{${operator}, decision="Expired"}[24h]))) or vector(0)`,
          },
        ],
      ),
    )
    .withPanel(
      timeSeries(
        'Proposals ended (24 h)',
        { description: 'By command, origin and the phase they ended in.', w: 12 },
        'none',
        [
          {
            expr: 'sum by (command, origin, phase) (roast:proposals:increase24h)',
            legend: '{{command}} {{origin}} {{phase}}',
          },
        ],
      ),
    )
    .withPanel(
      timeSeries(
        'Decided by rule',
        { description: 'Ended proposals by the governor rule that decided.', w: 12 },
        'none',
        [
          {
            expr: `sum by (rule) (max without (instance, pod) (increase(roast_proposal_rules_total{${operator}}[$__rate_interval])))`,
            legend: '{{rule}}',
          },
        ],
      ),
    )
    .withPanel(
      timeSeries(
        'Time to approval',
        { description: 'From creation to a person’s approval (p50, p90 over an hour), by origin.', w: 12 },
        's',
        [
          {
            expr: 'max by (origin, quantile) (roast:proposal_decision_seconds:quantile1h)',
            legend: '{{origin}} p{{quantile}}',
          },
        ],
      ),
    )
    .withPanel(
      timeSeries(
        'Time to dispatch',
        {
          description: 'From approval (a person’s or the governor’s) to the edge (p99 over an hour).',
          w: 12,
        },
        's',
        [{ expr: 'max(roast:proposal_dispatch_seconds:quantile1h)', legend: 'p99' }],
      ),
    );
