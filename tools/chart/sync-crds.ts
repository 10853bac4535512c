// Copies the generated CRDs into the chart: `npm run chart:crds` (after `npm run crds`).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { chartCrdsDirectory, crdsDirectory, manifests } from './crds.ts';

const generated = manifests(crdsDirectory);
mkdirSync(chartCrdsDirectory, { recursive: true });
// A CRD dropped from the API leaves the chart too.
for (const name of manifests(chartCrdsDirectory).keys()) {
  if (!generated.has(name)) rmSync(new URL(name, chartCrdsDirectory));
}
for (const [name, text] of generated) {
  writeFileSync(new URL(name, chartCrdsDirectory), text);
  process.stdout.write(`charts/roast-operator/crds/${name}\n`);
}
