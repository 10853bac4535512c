import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { CelRule } from './common.ts';

/** A node of a CRD's OpenAPI v3 schema (apiextensions.k8s.io/v1 JSONSchemaProps). */
export interface OpenApiSchema {
  type?: string;
  description?: string;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema | boolean;
  anyOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  maxLength?: number;
  maxItems?: number;
  maxProperties?: number;
  'x-kubernetes-validations'?: CelRule[];
  [key: string]: unknown;
}

// Formats the API server validates itself. zod adds a regex narrower than the format (for date-time it
// refuses offsets unless asked, and times without a zone), so the pattern goes and the format stays.
const serverCheckedFormats = new Set([
  'date-time',
  'date',
  'duration',
  'uuid',
  'email',
  'ipv4',
  'ipv6',
  'cidr',
]);

/** The CRD schema for a zod schema: zod's OpenAPI 3.0 output, unions flattened, format patterns stripped. */
export function toOpenApi(schema: z.ZodType): OpenApiSchema {
  return normalize(z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) as OpenApiSchema);
}

function normalize(node: OpenApiSchema): OpenApiSchema {
  const { anyOf, oneOf, ...rest } = node;
  const branches = anyOf ?? oneOf;
  const out: OpenApiSchema = branches ? { ...flattenUnion(branches.map(normalize)), ...rest } : { ...rest };
  if (out.format !== undefined && serverCheckedFormats.has(out.format)) delete out.pattern;
  if (out.properties) out.properties = mapValues(out.properties, normalize);
  if (out.items) out.items = normalize(out.items);
  if (typeof out.additionalProperties === 'object')
    out.additionalProperties = normalize(out.additionalProperties);
  return out;
}

/**
 * One schema that admits every branch: a structural schema may not put types or properties inside
 * `anyOf`/`oneOf`. Objects merge their properties (required only where every branch requires it);
 * enums of one type merge their values. Branch-specific requirements are lost, so what must hold per
 * branch belongs in a CEL rule.
 */
export function flattenUnion(branches: OpenApiSchema[]): OpenApiSchema {
  const types = new Set(branches.map((b) => b.type));
  const [type] = types;
  if (types.size !== 1 || type === undefined) {
    throw new Error(`cannot flatten a union of types ${[...types].join(', ')}`);
  }
  if (type === 'object') return mergeObjects(branches);
  if (branches.every((b) => b.enum)) return mergeEnums(branches);
  throw new Error(`cannot flatten a union of ${type} schemas that are not enums`);
}

function mergeObjects(branches: OpenApiSchema[]): OpenApiSchema {
  const properties: Record<string, OpenApiSchema> = {};
  for (const branch of branches) {
    for (const [name, prop] of Object.entries(branch.properties ?? {})) {
      const seen = properties[name];
      properties[name] = seen === undefined ? prop : mergeProperty(name, seen, prop);
    }
  }
  const required = Object.keys(properties).filter((name) =>
    branches.every((b) => b.required?.includes(name)),
  );
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

function mergeProperty(name: string, a: OpenApiSchema, b: OpenApiSchema): OpenApiSchema {
  const { description: descriptionA, enum: enumA, ...restA } = a;
  const { description: descriptionB, enum: enumB, ...restB } = b;
  if (!isDeepStrictEqual(restA, restB) || (enumA === undefined) !== (enumB === undefined)) {
    throw new Error(`union branches disagree on the schema of ${name}`);
  }
  const merged = { ...a, description: descriptionA ?? descriptionB };
  return enumA && enumB ? { ...merged, enum: [...new Set([...enumA, ...enumB])] } : merged;
}

function mergeEnums(branches: OpenApiSchema[]): OpenApiSchema {
  return { ...branches[0], enum: [...new Set(branches.flatMap((b) => b.enum ?? []))] };
}

function mapValues<T, U>(record: Record<string, T>, f: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

/** Every node of a schema with its path (`.spec.command`, `.status.conditions[]`, `.spec.selector{}`). */
export function* walk(node: OpenApiSchema, path = ''): Generator<{ path: string; node: OpenApiSchema }> {
  yield { path, node };
  for (const [name, prop] of Object.entries(node.properties ?? {})) yield* walk(prop, `${path}.${name}`);
  if (node.items) yield* walk(node.items, `${path}[]`);
  if (typeof node.additionalProperties === 'object') yield* walk(node.additionalProperties, `${path}{}`);
}

/** The CEL rules of a schema, each with the path of the node it sits on. */
export function celRules(schema: OpenApiSchema): { path: string; rule: CelRule }[] {
  return [...walk(schema)].flatMap(({ path, node }) =>
    (node['x-kubernetes-validations'] ?? []).map((rule) => ({ path, rule })),
  );
}

// Keys apiextensions.k8s.io/v1 accepts that we use; anything else is either unknown to the API server or
// (junctors, $ref, patternProperties …) not allowed in a structural schema.
const allowedKeys = new Set([
  'type',
  'description',
  'format',
  'default',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'multipleOf',
  'required',
  'properties',
  'items',
  'additionalProperties',
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
]);

/** Why a CRD schema is not structural, or falls short of our own bar (documented, bounded); empty when fine. */
export function schemaProblems(root: OpenApiSchema): string[] {
  return [...walk(root)].flatMap(({ path, node }) => nodeProblems(path || '<root>', node));
}

function nodeProblems(path: string, node: OpenApiSchema): string[] {
  // List items and map values are described by the field that holds them, as `kubectl explain` shows;
  // metadata by the API server.
  const field = !path.endsWith('[]') && !path.endsWith('{}') && path !== '.metadata';
  const problems = Object.keys(node)
    .filter((key) => !allowedKeys.has(key))
    .map((key) => `${path}: ${key} is not allowed in a structural schema`);
  if (typeof node.type !== 'string') problems.push(`${path}: has no type`);
  if (field && !node.description) problems.push(`${path}: has no description`);
  if (node.type === 'string' && node.maxLength === undefined && !node.enum) {
    problems.push(`${path}: string without maxLength`);
  }
  if (node.type === 'array' && node.maxItems === undefined) problems.push(`${path}: array without maxItems`);
  if (node.type === 'array' && !node.items) problems.push(`${path}: array without items`);
  if (typeof node.additionalProperties === 'boolean')
    problems.push(`${path}: additionalProperties must be a schema`);
  if (node.additionalProperties && node.maxProperties === undefined)
    problems.push(`${path}: map without maxProperties`);
  if (node.additionalProperties && node.properties)
    problems.push(`${path}: both properties and additionalProperties`);
  if ((node.properties || node.additionalProperties) && node.type !== 'object') {
    problems.push(`${path}: properties on a non-object`);
  }
  if (path === '.metadata' && !metadataIsImplicit(node)) {
    problems.push(`${path}: may only be of type object, with constraints on name and generateName`);
  }
  return problems;
}

function metadataIsImplicit(node: OpenApiSchema): boolean {
  const { type, properties = {}, ...rest } = node;
  return (
    type === 'object' &&
    Object.keys(rest).length === 0 &&
    Object.keys(properties).every((k) => k === 'name' || k === 'generateName')
  );
}
