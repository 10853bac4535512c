// The Prometheus rules: deploy/prometheus/rules.yaml is the one source; the chart ships a byte-for-byte copy
// that its PrometheusRule template embeds (npm run chart:rules; a test fails when the copy is stale).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

export const rulesFile = new URL('../../deploy/prometheus/rules.yaml', import.meta.url);
export const rulesTestFile = new URL('../../deploy/prometheus/rules.test.yaml', import.meta.url);
export const chartRulesFile = new URL(
  '../../charts/roast-operator/files/prometheus-rules.yaml',
  import.meta.url,
);

const rule = z.union([
  z.strictObject({
    record: z.string(),
    expr: z.string(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  z.strictObject({
    alert: z.string(),
    expr: z.string(),
    for: z.string().optional(),
    labels: z.strictObject({ severity: z.enum(['critical', 'warning']) }),
    annotations: z.strictObject({ summary: z.string(), description: z.string(), runbook_url: z.string() }),
  }),
]);
const ruleFile = z.strictObject({
  groups: z.array(z.strictObject({ name: z.string(), rules: z.array(rule) })),
});
export type RuleFile = z.infer<typeof ruleFile>;

export function readRules(file: URL = rulesFile): RuleFile {
  return ruleFile.parse(parse(readFileSync(file, 'utf8')));
}
