// docs/metrics.md lists what the processes expose: the operator assembled as its entry point assembles it
// (controllers, leader election, link gateway, read API; nothing started, no API server needed), the edge
// agent's link metrics with Node's and the advisor as its entry point assembles it, scraped from their
// registries. Also the operator's series count, which
// no roaster or proposal changes: every label is bounded.
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { CommandOutcome, CommandType, Roaster, RoastSession, SessionPhase } from '@roast-operator/api';
import { Manager } from '@roast-operator/kube';
import { createLogger } from '@roast-operator/log';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Advisor } from '../../advisor/src/advisor.ts';
import { LinkMetrics as EdgeLinkMetrics } from '../../edge-node/src/link/metrics.ts';
import { announceInsecureDemo } from '../../operator/src/insecure-demo.ts';
import { LinkGateway } from '../../operator/src/link/gateway.ts';
import { roasters as roasterKind, roastSessions } from '../../operator/src/objects.ts';
import { Operator } from '../../operator/src/operator.ts';
import { TelemetryApi } from '../../operator/src/telemetry-api/server.ts';
import { LeaderTelemetryStore } from '../../operator/src/telemetry-store.ts';
import { documentedMetrics, metricsDoc } from './testing/metrics-doc.ts';

const quiet = createLogger({ level: 'error' });
const noStore = () => {
  throw new Error('not opened: nothing starts here');
};

function nowhere(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'none', server: 'https://127.0.0.1:1' }],
    users: [{ name: 'none' }],
    contexts: [{ name: 'none', cluster: 'none', user: 'none' }],
    currentContext: 'none',
  });
  return kubeConfig;
}

function assembled(): { registry: Registry; manager: Manager } {
  const manager = new Manager({
    kubeConfig: nowhere(),
    fieldManager: 'roast-operator',
    logger: quiet,
    leaderElection: { namespace: 'roast-system', name: 'roast-operator', identity: 'metrics-doc' },
  });
  const store = new LeaderTelemetryStore(manager, noStore);
  const gateway = new LinkGateway(manager, { store, port: 0, insecureDemo: true });
  const openStore = () => store.current;
  new Operator(manager, {
    canary: { namespace: 'roast-system', periodMs: 60_000, retryMs: 10_000 },
    retentionMs: 60_000,
    workers: 4,
    dispatcher: gateway,
    telemetry: { feed: gateway, store: openStore },
  });
  new TelemetryApi(manager, { store: openStore, port: 0, insecureDemo: true });
  announceInsecureDemo(true, manager.metrics.registry, quiet);
  return { registry: manager.metrics.registry, manager };
}

/** The advisor as its entry point assembles it (without the language model, which adds no metric). */
function advisorRegistry(): Registry {
  const manager = new Manager({
    kubeConfig: nowhere(),
    fieldManager: 'roast-advisor',
    logger: quiet,
    leaderElection: { namespace: 'roast-system', name: 'roast-advisor', identity: 'metrics-doc' },
  });
  new Advisor(manager, {
    readApi: { url: 'https://127.0.0.1:1', token: async () => 'none' },
    proposalTtlS: 60,
    backoffMs: 300_000,
    evaluateEveryMs: 2000,
  });
  return manager.metrics.registry;
}

function edgeRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new EdgeLinkMetrics({ bufferedBatches: () => 0, latches: () => 0 }, registry);
  return registry;
}

/** The fleet: Roasters in the operator's cache, each latched by the edge and the operator, a session each. */
function fleetOf(manager: Manager, size: number): void {
  const latch = { id: 'l-1', cause: 'linkLost', since: '2026-12-07T10:00:00Z', conditionActive: false };
  for (let i = 0; i < size; i++) {
    const name = `bullet-${i}`;
    manager.informer(roasterKind).store.upsert(
      Roaster.parse({
        apiVersion: 'roasting.simcorp.io/v1alpha1',
        kind: 'Roaster',
        metadata: { name, namespace: 'roastery' },
        spec: { model: 'Simulated', binding: { nodeName: name } },
        status: {
          effectiveAutonomy: { level: 'L1' },
          latch: { id: 'l-1', cause: 'EdgeInterlock', since: latch.since },
          edgeLatches: [latch, { ...latch, id: 'l-2', cause: 'overTemperature' }],
          activeSession: { name },
        },
      }),
    );
    manager.informer(roastSessions).store.upsert(
      RoastSession.parse({
        apiVersion: 'roasting.simcorp.io/v1alpha1',
        kind: 'RoastSession',
        metadata: { name, namespace: 'roastery' },
        spec: { roasterRef: { name } },
        status: { phase: SessionPhase.options[i % SessionPhase.options.length] },
      }),
    );
  }
}

/**
 * Every series the operator can have: each controller's and queue's observations, and every value the
 * docs give for the link's and the read API's labels (the refusal reasons under each status code they use);
 * a week of proposals (every command type from both origins ending in every terminal phase, each under the
 * rule that decides it most often), every decision and every roast source.
 */
function observeEverything(registry: Registry, manager: Manager): void {
  const { metrics } = manager;
  for (const name of ['commandproposal', 'roaster-autonomy', 'roastsession']) {
    metrics.controller(name, 4).reconciled('success', 0.1);
    const queue = metrics.queue(name, () => ({ unfinishedSeconds: 0, longestSeconds: 0 }));
    queue.queued(0.1);
    queue.worked(0.1);
  }
  const counter = (name: string, labels: Record<string, string>[]) => {
    const metric = registry.getSingleMetric(name);
    if (!(metric instanceof Counter)) throw new Error(`${name} is not a counter`);
    for (const set of labels) metric.inc(set);
  };
  for (const name of ['roast_link_ack_latency_seconds', 'roast_link_dispatch_latency_seconds']) {
    const metric = registry.getSingleMetric(name);
    if (!(metric instanceof Histogram)) throw new Error(`${name} is not a histogram`);
    metric.observe(0.01);
  }
  counter(
    'roast_link_results_total',
    ['Succeeded', 'Failed', 'Unknown'].map((outcome) => ({ outcome })),
  );
  const reasons = ['NoToken', 'InvalidToken', 'ReviewFailed', 'WrongAudience', 'WrongServiceAccount'];
  const refusals = [
    'UNAUTHENTICATED',
    'PERMISSION_DENIED',
    'UNAVAILABLE',
    'INVALID_ARGUMENT',
    'INTERNAL',
  ].flatMap((code) =>
    [...reasons, 'NotPodBound', 'WrongNode', 'WrongSerial', 'HelloRefused'].map((reason) => ({
      code,
      reason,
    })),
  );
  counter('roast_link_streams_refused_total', refusals);
  const origins = ['human', 'agent'];
  counter(
    'roast_command_results_total',
    CommandType.options.flatMap((command) => CommandOutcome.options.map((outcome) => ({ command, outcome }))),
  );
  const histogram = (name: string, labels: Record<string, string>[], value: number) => {
    const metric = registry.getSingleMetric(name);
    if (!(metric instanceof Histogram)) throw new Error(`${name} is not a histogram`);
    for (const set of labels) metric.observe(set, value);
  };
  const decisions = ['Allowed', 'Approved', 'Blocked', 'Rejected', 'Expired', 'Aborted'];
  histogram(
    'roast_proposal_decision_seconds',
    origins.flatMap((origin) => decisions.map((decision) => ({ origin, decision }))),
    3,
  );
  histogram('roast_proposal_dispatch_seconds', [{}], 0.2);
  const sources = ['Device', 'Simulated', 'Replay'].map((source) => ({ source }));
  histogram('roast_session_roast_seconds', sources, 600);
  histogram('roast_session_development_ratio', sources, 0.2);
  histogram('roast_session_first_crack_error_seconds', sources, 10);
  const codes = ['200', '400', '401', '403', '404', '406', '429', '500', '503'];
  counter(
    'roast_telemetry_api_requests_total',
    codes.map((code) => ({ code })),
  );
  counter(
    'roast_telemetry_api_follow_ends_total',
    ['end', 'lagged', 'closed', 'error'].map((reason) => ({ reason })),
  );
  counter(
    'roast_telemetry_api_reviews_total',
    ['token', 'access'].flatMap((review) =>
      ['api', 'cache', 'limited'].map((source) => ({ review, source })),
    ),
  );
}

const names = async (registry: Registry) => (await registry.getMetricsAsJSON()).map((metric) => metric.name);
/** Series in the exposition: one line per sample. */
const seriesCount = async (registry: Registry) =>
  (await registry.metrics()).split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;

// Prometheus writes `up` for every target itself.
const fromPrometheus = ['up'];

describe('docs/metrics.md', () => {
  it('lists exactly the metrics the operator, the edge agent and the advisor expose', async () => {
    const exposed = new Set([
      ...(await names(assembled().registry)),
      ...(await names(edgeRegistry())),
      ...(await names(advisorRegistry())),
      ...fromPrometheus,
    ]);
    expect([...documentedMetrics()].sort()).toEqual([...exposed].sort());
  });

  it('states a series count the operator stays under with 50 roasters and a week of proposals', async () => {
    const { registry, manager } = assembled();
    observeEverything(registry, manager);
    fleetOf(manager, 50);
    const count = await seriesCount(registry);
    const stated = /under (\d+) series per operator replica/.exec(readFileSync(metricsDoc, 'utf8'));
    expect(stated).not.toBeNull();
    expect(count).toBeLessThan(Number(stated![1]));
  });
});
