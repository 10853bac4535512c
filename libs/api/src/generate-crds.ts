// Writes crds/*.yaml from the zod schemas: `npm run crds`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { crdFiles, crdsDirectory } from './crd.ts';
import { resourceDefinitions } from './index.ts';

mkdirSync(crdsDirectory, { recursive: true });
for (const [name, text] of crdFiles(resourceDefinitions)) {
  writeFileSync(new URL(name, crdsDirectory), text);
  process.stdout.write(`crds/${name}\n`);
}
