// Writes the dashboards into the chart: `npm run dashboards` (a test fails when they are stale).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dashboardJson, dashboards, dashboardsDirectory } from './index.ts';

const generated = dashboards();
mkdirSync(dashboardsDirectory, { recursive: true });
for (const name of readdirSync(dashboardsDirectory)) {
  if (!generated.has(name)) rmSync(new URL(name, dashboardsDirectory));
}
for (const [name, dashboard] of generated) {
  writeFileSync(new URL(name, dashboardsDirectory), dashboardJson(dashboard));
  process.stdout.write(`charts/roast-operator/files/generated/dashboards/${name}\n`);
}
