// The rules as promtool reads them, their unit tests (deploy/prometheus/rules.test.yaml), and what they may
// refer to: documented metrics, runbook sections, and the chart's copy.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { chartRulesFile, readRules, rulesFile, rulesTestFile } from './rules.ts';
import { documentedMetrics } from './testing/metrics-doc.ts';
import { metricFamily, selectedMetrics } from './testing/promql.ts';
import { promtool } from './testing/promtool.ts';

const rules = readRules().groups.flatMap((group) => group.rules);
const alerts = rules.flatMap((rule) => ('alert' in rule ? [rule] : []));
// A cold promtool build takes minutes on two busy cores; the cache makes it instant afterwards.
const buildTimeout = 20 * 60_000;

describe('deploy/prometheus/rules.yaml', () => {
  it('passes promtool check rules', { timeout: buildTimeout }, async () => {
    const run = await promtool(['check', 'rules', fileURLToPath(rulesFile)]);
    expect(run.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(run.code).toBe(0);
  });

  it('passes its promtool unit tests', { timeout: buildTimeout }, async () => {
    const run = await promtool(['test', 'rules', fileURLToPath(rulesTestFile)]);
    expect(run.output).toContain('SUCCESS');
    expect(run.code, run.output).toBe(0);
  });

  it('has a unit test that fires every alert', () => {
    const tests = parse(readFileSync(rulesTestFile, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const fired = new Set(
      tests.tests.flatMap((test) =>
        (test.alert_rule_test ?? []).filter((t) => t.exp_alerts.length > 0).map((t) => t.alertname),
      ),
    );
    expect(alerts.map((alert) => alert.alert).filter((name) => !fired.has(name))).toEqual([]);
  });

  it('refers only to metrics docs/metrics.md lists as exposed, and to its own recorded series', () => {
    const documented = documentedMetrics();
    const recorded = new Set(rules.flatMap((rule) => ('record' in rule ? [rule.record] : [])));
    const unknown = rules.flatMap((rule) =>
      selectedMetrics(rule.expr)
        .map((series) => metricFamily(series, documented))
        .filter((name) => !documented.has(name) && !recorded.has(name))
        .map((name) => `${'alert' in rule ? rule.alert : rule.record}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('points every alert at its own section of docs/runbook.md', () => {
    const runbook = readFileSync(new URL('../../docs/runbook.md', import.meta.url), 'utf8');
    const sections = new Set([...runbook.matchAll(/^## (\S+)$/gm)].map((m) => m[1]!.toLowerCase()));
    for (const alert of alerts) {
      expect(alert.annotations.runbook_url).toBe(`docs/runbook.md#${alert.alert.toLowerCase()}`);
      expect(sections, alert.alert).toContain(alert.alert.toLowerCase());
    }
  });

  it('is shipped in the chart as an exact copy: run `npm run chart:rules`', () => {
    expect(readFileSync(chartRulesFile, 'utf8')).toBe(readFileSync(rulesFile, 'utf8'));
  });
});
