// The chart's monitoring objects as helm renders them: prometheus-operator's kinds only where its API is
// served, the PrometheusRule carrying deploy/prometheus/rules.yaml unchanged, the dashboards' ConfigMaps.
import { readdirSync, readFileSync } from 'node:fs';
import { testCluster } from '@roast-operator/control-plane';
import { chart } from '@roast-operator/test-env';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { z } from 'zod';

const cluster = testCluster();
const prometheusOperatorApi = [
  '--api-versions=monitoring.coreos.com/v1/PrometheusRule',
  '--api-versions=monitoring.coreos.com/v1/PodMonitor',
];

const manifest = z.looseObject({
  kind: z.string(),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.unknown().optional(),
  data: z.unknown().optional(),
});
type Manifest = z.infer<typeof manifest>;
const podMonitorSpec = z.looseObject({
  podMetricsEndpoints: z.array(
    z.looseObject({
      port: z.string(),
      relabelings: z.array(z.looseObject({ replacement: z.string().optional() })),
    }),
  ),
});

async function render(args: string[]): Promise<Manifest[]> {
  const { stdout } = await cluster.helm([
    'template',
    'roast',
    chart,
    '--namespace=roast-system',
    '--set=edge.enabled=true',
    '--set=edge.image.repository=roast-edge',
    ...args,
  ]);
  return parseAllDocuments(stdout)
    .map((document) => document.toJS())
    .filter((object) => object !== null)
    .map((object) => manifest.parse(object));
}

const kinds = (manifests: Manifest[]) => manifests.map((m) => `${m.kind}/${m.metadata.name}`);

describe('the chart with prometheus-operator', () => {
  it('renders no PodMonitor or PrometheusRule where monitoring.coreos.com/v1 is not served', async () => {
    const manifests = await render([]);
    expect(kinds(manifests).filter((k) => /^(PodMonitor|PrometheusRule)\//.test(k))).toEqual([]);
  });

  it('renders the rules file as a PrometheusRule, and a PodMonitor per process with the jobs the rules select', async () => {
    const manifests = await render([...prometheusOperatorApi, '--set=monitoring.labels.release=kps']);
    const rule = manifests.find((m) => m.kind === 'PrometheusRule');
    const rules = parse(readFileSync(new URL('../../deploy/prometheus/rules.yaml', import.meta.url), 'utf8'));
    expect(rule?.spec).toEqual(rules);
    const monitors = manifests.filter((m) => m.kind === 'PodMonitor');
    const endpoints = monitors.map((m) => podMonitorSpec.parse(m.spec).podMetricsEndpoints[0]);
    expect(monitors.map((m, i) => [m.metadata.name, endpoints[i]?.port])).toEqual([
      ['roast-operator', 'probes'],
      ['roast-edge', 'http'],
    ]);
    monitors.forEach((monitor, i) => {
      expect(monitor.metadata.labels?.release).toBe('kps');
      expect(endpoints[i]?.relabelings[0]?.replacement).toBe(monitor.metadata.name);
    });
  });

  it('ships every dashboard as a ConfigMap for the Grafana sidecar, its JSON unchanged', async () => {
    const manifests = await render(['--set=monitoring.dashboards.namespace=grafana']);
    const maps = manifests.filter((m) => m.kind === 'ConfigMap' && m.metadata.name.endsWith('-dashboard'));
    const directory = new URL('../../charts/roast-operator/files/generated/dashboards/', import.meta.url);
    const files = readdirSync(directory).sort();
    expect(maps.map((m) => m.metadata.name).sort()).toEqual(
      files.map((f) => f.replace(/\.json$/, '-dashboard')),
    );
    for (const map of maps) {
      expect(map.metadata.labels?.grafana_dashboard).toBe('1');
      expect(map.metadata.namespace).toBe('grafana');
      const data = z.record(z.string(), z.string()).parse(map.data);
      const [file] = Object.keys(data);
      expect(JSON.parse(data[file!]!)).toEqual(JSON.parse(readFileSync(new URL(file!, directory), 'utf8')));
    }
  });

  it('can leave the rules out', async () => {
    const manifests = await render([...prometheusOperatorApi, '--set=monitoring.rules.enabled=false']);
    expect(kinds(manifests).filter((k) => k.startsWith('PrometheusRule/'))).toEqual([]);
  });
});
