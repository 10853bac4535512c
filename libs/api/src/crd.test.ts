import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { rulesInCrdFiles } from './admission-cases.ts';
import { category, group } from './constants.ts';
import { crdFiles, crdsDirectory, customResourceDefinition, generatedHeader, rootSchema } from './crd.ts';
import { resourceDefinitions } from './index.ts';
import { type OpenApiSchema, schemaProblems } from './openapi.ts';

interface Version {
  schema: { openAPIV3Schema: OpenApiSchema };
  subresources: Record<string, unknown>;
  additionalPrinterColumns: { name: string; jsonPath: string }[];
  selectableFields?: { jsonPath: string }[];
}

const versionOf = (crd: Record<string, unknown>) => (crd.spec as { versions: Version[] }).versions[0]!;

/** The schema node at a dotted path (`spec.roasterRef.name`). */
function nodeAt(schema: OpenApiSchema, path: string): OpenApiSchema | undefined {
  return path.split('.').reduce<OpenApiSchema | undefined>((node, name) => node?.properties?.[name], schema);
}

describe.each(resourceDefinitions.map((def) => [def.names.kind, def] as const))('the %s CRD', (_, def) => {
  const crd = customResourceDefinition(def);
  const version = versionOf(crd);
  const schema = version.schema.openAPIV3Schema;

  it('is structural, documents every field and bounds every string, list and map', () => {
    expect(schemaProblems(rootSchema(def))).toEqual([]);
  });

  it('is named <plural>.<group>, in the roasting category, with short names', () => {
    expect(crd.metadata).toEqual({ name: `${def.names.plural}.${group}` });
    expect(crd.spec).toMatchObject({ names: { categories: [category], shortNames: def.names.shortNames } });
  });

  it('has a status subresource, observedGeneration and conditions as a list-map keyed by type', () => {
    expect(version.subresources).toEqual({ status: {} });
    expect(nodeAt(schema, 'status.observedGeneration')?.type).toBe('integer');
    expect(nodeAt(schema, 'status.conditions')).toMatchObject({
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
      items: {
        required: expect.arrayContaining(['type', 'status', 'reason', 'message', 'lastTransitionTime']),
      },
    });
  });

  it('prints the Ready condition and Age last', () => {
    expect(version.additionalPrinterColumns.slice(-2).map((c) => c.name)).toEqual(['Ready', 'Age']);
  });

  it('prints only fields its schema has', () => {
    const paths = version.additionalPrinterColumns
      .map((c) => c.jsonPath)
      .filter((p) => !p.startsWith('.metadata') && !p.includes('[?'));
    for (const path of paths) expect(nodeAt(schema, path.slice(1)), path).toBeDefined();
  });

  it('selects only on string fields outside lists', () => {
    for (const { jsonPath } of version.selectableFields ?? []) {
      expect(nodeAt(schema, jsonPath.slice(1))?.type, jsonPath).toBe('string');
    }
  });
});

describe('crds/', () => {
  const expected = crdFiles(resourceDefinitions);

  it('holds exactly the generated manifests: run `npm run crds` after changing a schema', () => {
    const actual = new Map(
      readdirSync(crdsDirectory)
        .filter((name) => name.endsWith('.yaml'))
        .map((name) => [name, readFileSync(new URL(name, crdsDirectory), 'utf8')]),
    );
    expect(actual).toEqual(expected);
  });

  it('marks every file as generated', () => {
    for (const text of expected.values()) expect(text.startsWith(generatedHeader)).toBe(true);
  });

  it('reads back unchanged as YAML 1.1, as kubectl reads it (an unquoted Off would be false)', () => {
    const objects = resourceDefinitions.map(customResourceDefinition);
    expect([...expected.values()].map((text) => parse(text, { version: '1.1' }))).toEqual(objects);
    expect([...expected.values()].join('')).toContain('"Off"');
  });
});

describe('the CEL rules', () => {
  const rules = rulesInCrdFiles();

  it('exist', () => {
    expect(rules.length).toBeGreaterThan(0);
  });

  it('have messages unique across the API, so an error names its rule', () => {
    const messages = rules.map((r) => r.rule.message);
    expect(messages.filter((m, i) => messages.indexOf(m) !== i)).toEqual([]);
  });

  it('are all listed in docs/api.md', () => {
    const docs = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
    expect(rules.map((r) => r.rule.message).filter((m) => !docs.includes(m))).toEqual([]);
  });
});

describe('short names', () => {
  it('are unique across the kinds', () => {
    const names = resourceDefinitions.flatMap((def) => def.names.shortNames);
    expect(new Set(names).size).toBe(names.length);
  });
});
