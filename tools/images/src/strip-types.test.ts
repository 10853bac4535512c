import { describe, expect, it } from 'vitest';
import { rewriteManifest, rewriteSpecifiers, stripModule } from './strip-types.ts';

describe('strip-types', () => {
  it.each([
    ["import { a } from './a.ts';", "import { a } from './a.js';"],
    ['export * from "../lib/b.ts";', 'export * from "../lib/b.js";'],
    ["import './side-effect.ts';", "import './side-effect.js';"],
    ["const m = await import('./lazy.ts');", "const m = await import('./lazy.js');"],
    // Packages and non-relative specifiers keep their names; only a trailing .ts is an extension.
    ["import { z } from 'zod';", "import { z } from 'zod';"],
    ["import { api } from '@roast-operator/api';", "import { api } from '@roast-operator/api';"],
    ["import data from './data.tsv';", "import data from './data.tsv';"],
    ["const text = 'see ./notes.ts for why';", "const text = 'see ./notes.ts for why';"],
  ])('%s', (source, expected) => {
    expect(rewriteSpecifiers(source)).toBe(expected);
  });

  it('strips types and keeps line numbers, so stack traces point at the source lines', () => {
    const source =
      "import type { T } from './t.ts';\nimport { f } from './f.ts';\nexport const g = (x: T): number => f(x);\n";
    const out = stripModule(source);
    expect(out.split('\n')).toHaveLength(source.split('\n').length);
    expect(out).toContain("from './f.js'");
    expect(out).not.toContain(': T');
    expect(out).not.toContain('./t.ts');
  });

  it('points entry points at .js and drops what only development uses', () => {
    expect(
      rewriteManifest({
        name: '@roast-operator/edge-node',
        bin: { 'edge-node': './src/main.ts' },
        main: './src/main.ts',
        exports: { '.': './src/index.ts' },
        scripts: { generate: 'buf generate' },
        devDependencies: { typescript: '6' },
        dependencies: { usb: '3.1.0' },
      }),
    ).toEqual({
      name: '@roast-operator/edge-node',
      bin: { 'edge-node': './src/main.js' },
      main: './src/main.js',
      exports: { '.': './src/index.js' },
      dependencies: { usb: '3.1.0' },
    });
  });
});
