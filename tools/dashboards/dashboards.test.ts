// The dashboards as the chart ships them: current, laid out, and every panel query valid PromQL that reads
// only documented metrics or the rules' recorded series. promtool cannot parse a bare expression, so each
// query is checked as the expression of a recording rule in a generated rules file.

import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readRules } from '../prometheus/rules.ts';
import { documentedMetrics } from '../prometheus/testing/metrics-doc.ts';
import { metricFamily, selectedMetrics } from '../prometheus/testing/promql.ts';
import { promtool } from '../prometheus/testing/promtool.ts';
import { dashboardJson, dashboards, dashboardsDirectory } from './src/index.ts';
import { asSent as filledIn, panelQueries } from './testing/queries.ts';

const generated = dashboards();
const panels = [...generated.values()].flatMap((dashboard) =>
  (dashboard.panels ?? []).map((panel) => ({ dashboard: dashboard.uid ?? '', panel })),
);
const queries = panelQueries(generated.values());
const asSent = (expr: string) =>
  filledIn(expr, { rateInterval: '2m', node: 'roaster-1', roaster: 'bullet-1' });

const scratch = await mkdtemp(join(tmpdir(), 'roast-dashboards-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('the Grafana dashboards', () => {
  it('are in the chart as generated: run `npm run dashboards`', () => {
    const shipped = new Map(
      readdirSync(dashboardsDirectory).map((name) => [
        name,
        readFileSync(new URL(name, dashboardsDirectory), 'utf8'),
      ]),
    );
    expect(shipped).toEqual(
      new Map([...generated].map(([name, dashboard]) => [name, dashboardJson(dashboard)])),
    );
  });

  it('are the four, each with a unique uid and panels that say what they answer', () => {
    expect([...generated.keys()].sort()).toEqual([
      'roast-fleet.json',
      'roast-governance.json',
      'roast-operator-health.json',
      'roast-roaster.json',
    ]);
    for (const { dashboard, panel } of panels) {
      expect(panel.title, dashboard).toBeTruthy();
      expect(panel.type, `${dashboard} / ${panel.title}: no rows`).not.toBe('row');
      const description = 'description' in panel ? panel.description : undefined;
      if (panel.type !== 'text') expect(description, `${dashboard} / ${panel.title}`).toBeTruthy();
    }
  });

  it('are documented panel by panel in docs/dashboards.md', () => {
    const doc = readFileSync(new URL('../../docs/dashboards.md', import.meta.url), 'utf8');
    for (const dashboard of generated.values()) {
      const section = doc.split(`## ${dashboard.title} (\`${dashboard.uid}\`)`)[1]?.split(/^## /m)[0];
      expect(section, dashboard.title).toBeDefined();
      for (const panel of dashboard.panels ?? []) expect(section).toContain(`| ${panel.title} |`);
    }
  });

  it('lay their panels out on the 24-column grid without overlaps', () => {
    for (const dashboard of generated.values()) {
      const cells = new Set<string>();
      for (const panel of dashboard.panels ?? []) {
        const { x, y, w, h } = panel.gridPos ?? { x: 0, y: 0, w: 0, h: 0 };
        expect(x + w, panel.title).toBeLessThanOrEqual(24);
        for (let i = x; i < x + w; i++)
          for (let j = y; j < y + h; j++) {
            expect(cells.has(`${i},${j}`), `${dashboard.uid} / ${panel.title}`).toBe(false);
            cells.add(`${i},${j}`);
          }
      }
    }
  });

  it('query only metrics docs/metrics.md lists as exposed, or series the rules record', () => {
    expect(queries.length).toBeGreaterThan(30);
    const documented = documentedMetrics();
    const recorded = new Set(
      readRules()
        .groups.flatMap((group) => group.rules)
        .flatMap((rule) => ('record' in rule ? [rule.record] : [])),
    );
    const unknown = queries.flatMap(({ where, expr }) =>
      selectedMetrics(asSent(expr))
        .map((series) => metricFamily(series, documented))
        .filter((name) => !documented.has(name) && !recorded.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('query valid PromQL, as promtool parses it', { timeout: 20 * 60_000 }, async () => {
    const file = join(scratch, 'panel-queries.yaml');
    const rules = queries.map(({ expr }, i) => ({ record: `panel:query:${i}`, expr: asSent(expr) }));
    await writeFile(file, stringify({ groups: [{ name: 'panel-queries', rules }] }));
    const run = await promtool(['check', 'rules', file]);
    expect(run.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(run.code, run.output).toBe(0);
  });
});
