// Operator health: controller-runtime's reconcile and work-queue panels, leadership, the link's latency and
// the process.
import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceVariable, stat, timeSeries } from './panels.ts';

const operator = 'job="roast-operator"';
const rate = (metric: string, by: string) =>
  `sum by (${by}) (rate(${metric}{${operator}}[$__rate_interval]))`;
const p99 = (histogram: string, by: string) =>
  `histogram_quantile(0.99, sum by (${by}, le) (rate(${histogram}_bucket{${operator}}[$__rate_interval])))`;

export const operatorHealth = () =>
  new DashboardBuilder('Roast Operator / Operator health')
    .uid('roast-operator-health')
    .tags(['roast-operator'])
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .withVariable(datasourceVariable())
    .withPanel(
      stat('Replicas up', { description: 'Operator replicas Prometheus reaches.', w: 8 }, 'none', [
        { expr: `sum(up{${operator}})` },
      ]),
    )
    .withPanel(
      stat('Leader', { description: '1 while a replica leads the Lease.', w: 8 }, 'none', [
        { expr: `max(leader_election_master_status{${operator}})` },
      ]),
    )
    .withPanel(
      stat('Busy workers', { description: 'Workers reconciling now, of the maximum.', w: 8 }, 'percentunit', [
        {
          expr: `sum(controller_runtime_active_workers{${operator}}) / sum(controller_runtime_max_concurrent_reconciles{${operator}})`,
        },
      ]),
    )
    .withPanel(
      timeSeries('Reconciles', { description: 'Per controller and result.', w: 12 }, 'ops', [
        {
          expr: rate('controller_runtime_reconcile_total', 'controller, result'),
          legend: '{{controller}} {{result}}',
        },
      ]),
    )
    .withPanel(
      timeSeries(
        'Reconcile errors',
        { description: 'Errors per controller (retried with backoff).', w: 12 },
        'ops',
        [{ expr: rate('controller_runtime_reconcile_errors_total', 'controller'), legend: '{{controller}}' }],
      ),
    )
    .withPanel(
      timeSeries('Reconcile time', { description: 'Quantiles per controller.', w: 12 }, 's', [
        {
          expr: 'max by (controller, quantile) (controller:roast_reconcile_time_seconds:quantile5m)',
          legend: '{{controller}} p{{quantile}}',
        },
      ]),
    )
    .withPanel(
      timeSeries('Work queue depth', { description: 'Roasters waiting for a worker.', w: 12 }, 'none', [
        { expr: `sum by (name) (workqueue_depth{${operator}})`, legend: '{{name}}' },
      ]),
    )
    .withPanel(
      timeSeries(
        'Queue wait (p99)',
        { description: 'How long a roaster waits before a worker takes it.', w: 12 },
        's',
        [{ expr: p99('workqueue_queue_duration_seconds', 'name'), legend: '{{name}}' }],
      ),
    )
    .withPanel(
      timeSeries('Work time (p99)', { description: 'How long a worker holds a roaster.', w: 12 }, 's', [
        { expr: p99('workqueue_work_duration_seconds', 'name'), legend: '{{name}}' },
      ]),
    )
    .withPanel(
      timeSeries('Retries', { description: 'Roasters requeued with backoff.', w: 12 }, 'ops', [
        { expr: rate('workqueue_retries_total', 'name'), legend: '{{name}}' },
      ]),
    )
    .withPanel(
      timeSeries('Longest running reconcile', { description: 'A stuck worker makes it grow.', w: 12 }, 's', [
        {
          expr: `max by (name) (workqueue_longest_running_processor_seconds{${operator}})`,
          legend: '{{name}}',
        },
      ]),
    )
    .withPanel(
      timeSeries(
        'Link latency',
        { description: 'Dispatch and telemetry acknowledgement quantiles.', w: 12 },
        's',
        [
          {
            expr: 'max by (quantile) (roast:link_dispatch_latency_seconds:quantile5m)',
            legend: 'dispatch p{{quantile}}',
          },
          {
            expr: 'max by (quantile) (roast:link_ack_latency_seconds:quantile5m)',
            legend: 'ack p{{quantile}}',
          },
        ],
      ),
    )
    .withPanel(
      timeSeries('Memory', { description: 'Resident memory per replica.', w: 12 }, 'bytes', [
        { expr: `max by (pod) (process_resident_memory_bytes{${operator}})`, legend: '{{pod}} memory' },
      ]),
    )
    .withPanel(
      timeSeries('Event loop lag (p99)', { description: 'A busy or blocked operator.', w: 12 }, 's', [
        { expr: `max by (pod) (nodejs_eventloop_lag_p99_seconds{${operator}})`, legend: '{{pod}}' },
      ]),
    );
