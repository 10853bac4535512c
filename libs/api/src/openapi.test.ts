import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validations } from './common.ts';
import { celRules, flattenUnion, type OpenApiSchema, schemaProblems, toOpenApi } from './openapi.ts';

describe('toOpenApi', () => {
  it('flattens a discriminated union of objects into one object, required only where every branch requires', () => {
    const schema = z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('A').describe('kind'), a: z.string().max(8).describe('only A') }),
        z.object({ type: z.literal('B').describe('kind'), b: z.int().min(0).max(3).describe('only B') }),
      ])
      .describe('either');
    expect(toOpenApi(schema)).toEqual({
      type: 'object',
      description: 'either',
      required: ['type'],
      properties: {
        type: { type: 'string', enum: ['A', 'B'], description: 'kind' },
        a: { type: 'string', maxLength: 8, description: 'only A' },
        b: { type: 'integer', minimum: 0, maximum: 3, description: 'only B' },
      },
    });
  });

  it('flattens a union of literals into one enum', () => {
    expect(toOpenApi(z.union([z.literal('x'), z.literal('y')]).describe('x or y'))).toEqual({
      type: 'string',
      enum: ['x', 'y'],
      description: 'x or y',
    });
  });

  it('flattens unions nested inside objects and arrays', () => {
    const schema = z.object({ list: z.array(z.union([z.literal('x'), z.literal('y')])).max(2) });
    expect(toOpenApi(schema).properties?.list?.items).toEqual({ type: 'string', enum: ['x', 'y'] });
  });

  it.each([
    ['different types', [{ type: 'string', enum: ['a'] }, { type: 'integer' }]],
    [
      'strings that are not enums',
      [
        { type: 'string', maxLength: 3 },
        { type: 'string', maxLength: 4 },
      ],
    ],
    [
      'a property with two schemas',
      [
        { type: 'object', properties: { p: { type: 'string', maxLength: 3 } } },
        { type: 'object', properties: { p: { type: 'integer' } } },
      ],
    ],
  ] satisfies [string, OpenApiSchema[]][])('refuses to flatten a union of %s', (_, branches) => {
    expect(() => flattenUnion(branches)).toThrow();
  });

  it("drops zod's pattern for a format the API server checks, which rejects valid offsets otherwise", () => {
    const node = toOpenApi(z.iso.datetime({ offset: true }).max(64));
    expect(node).toEqual({ type: 'string', format: 'date-time', maxLength: 64 });
  });

  it('keeps a pattern that has no format', () => {
    expect(
      toOpenApi(
        z
          .string()
          .max(8)
          .regex(/^[a-z]+$/),
      ).pattern,
    ).toBe('^[a-z]+$');
  });

  it('carries CEL rules and defaults through', () => {
    const rule = { rule: 'self.a <= 3', message: 'a at most 3' };
    const node = toOpenApi(z.object({ a: z.int().default(2) }).meta(validations(rule)));
    expect(node['x-kubernetes-validations']).toEqual([rule]);
    expect(node.properties?.a?.default).toBe(2);
  });
});

describe('schemaProblems', () => {
  const described = (node: OpenApiSchema): OpenApiSchema => ({ description: 'd', ...node });
  const root = (field: OpenApiSchema): OpenApiSchema => ({
    type: 'object',
    description: 'root',
    properties: { metadata: { type: 'object' }, field },
  });

  it('finds nothing wrong in a structural, documented, bounded schema', () => {
    const field = described({
      type: 'object',
      properties: {
        name: described({ type: 'string', maxLength: 10 }),
        mode: described({ type: 'string', enum: ['A', 'B'] }),
        list: described({ type: 'array', maxItems: 2, items: { type: 'string', maxLength: 3 } }),
        map: described({
          type: 'object',
          maxProperties: 2,
          additionalProperties: { type: 'string', maxLength: 3 },
        }),
      },
    });
    expect(schemaProblems(root(field))).toEqual([]);
  });

  it.each([
    ['no type', described({}), '.field: has no type'],
    ['no description', { type: 'integer' }, '.field: has no description'],
    ['an unbounded string', described({ type: 'string' }), '.field: string without maxLength'],
    [
      'an unbounded list',
      described({ type: 'array', items: { type: 'integer' } }),
      '.field: array without maxItems',
    ],
    ['a list without items', described({ type: 'array', maxItems: 1 }), '.field: array without items'],
    [
      'an unbounded map',
      described({ type: 'object', additionalProperties: { type: 'integer' } }),
      '.field: map without maxProperties',
    ],
    [
      'additionalProperties: false',
      described({ type: 'object', additionalProperties: false }),
      '.field: additionalProperties must be a schema',
    ],
    [
      'a union',
      described({ type: 'string', maxLength: 1, anyOf: [{ type: 'string' }] }),
      '.field: anyOf is not allowed in a structural schema',
    ],
    [
      'a $ref',
      described({ type: 'object', $ref: '#/definitions/x' }),
      '.field: $ref is not allowed in a structural schema',
    ],
    [
      'properties on a string',
      described({ type: 'string', maxLength: 1, properties: {} }),
      '.field: properties on a non-object',
    ],
  ] satisfies [string, OpenApiSchema, string][])('reports %s', (_, field, problem) => {
    expect(schemaProblems(root(field))).toContain(problem);
  });

  it('reports metadata that says more than its type', () => {
    const schema: OpenApiSchema = {
      type: 'object',
      description: 'root',
      properties: { metadata: { type: 'object', description: 'meta' } },
    };
    expect(schemaProblems(schema)).toEqual([
      '.metadata: may only be of type object, with constraints on name and generateName',
    ]);
  });
});

describe('celRules', () => {
  it('lists every rule with the path of the node it sits on', () => {
    const a = { rule: 'self.x > 0', message: 'x positive' };
    const b = { rule: 'size(self) > 0', message: 'not empty' };
    const schema = z.object({
      spec: z
        .object({ x: z.int(), items: z.array(z.object({ y: z.string() }).meta(validations(b))) })
        .meta(validations(a)),
    });
    expect(celRules(toOpenApi(schema))).toEqual([
      { path: '.spec', rule: a },
      { path: '.spec.items[]', rule: b },
    ]);
  });
});
