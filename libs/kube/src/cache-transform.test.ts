import { describe, expect, it } from 'vitest';
import { forCache } from './cache-transform.ts';
import type { LooseObject } from './resource.ts';

const managedFields = [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': {} } }];

describe('forCache', () => {
  it.each<[string, LooseObject, LooseObject]>([
    [
      'drops managedFields and keeps the rest of the metadata',
      {
        metadata: { name: 'p', uid: 'u', labels: { a: 'b' }, managedFields },
        spec: { x: 1 },
      },
      { metadata: { name: 'p', uid: 'u', labels: { a: 'b' } }, spec: { x: 1 } },
    ],
    [
      'keeps an object without managedFields as it is',
      { metadata: { name: 'p' }, status: { phase: 'Pending' } },
      { metadata: { name: 'p' }, status: { phase: 'Pending' } },
    ],
  ])('%s', (_, object, kept) => {
    expect(forCache(object)).toEqual(kept);
  });

  it('never changes the object it was given', () => {
    const object: LooseObject = { metadata: { name: 'p', managedFields } };
    forCache(object);
    expect(object.metadata).toHaveProperty('managedFields', managedFields);
  });
});
