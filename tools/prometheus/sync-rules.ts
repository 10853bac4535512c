// Copies the Prometheus rules into the chart: `npm run chart:rules`.
import { copyFileSync } from 'node:fs';
import { chartRulesFile, rulesFile } from './rules.ts';

copyFileSync(rulesFile, chartRulesFile);
process.stdout.write('charts/roast-operator/files/prometheus-rules.yaml\n');
