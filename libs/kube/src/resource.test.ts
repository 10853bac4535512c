import { describe, expect, it } from 'vitest';
import { generationChanged } from './controller.ts';
import { configMaps, leases } from './kinds.ts';
import {
  apiVersionOf,
  collectionPath,
  groupOf,
  type KubeObject,
  keyOf,
  objectKey,
  objectPath,
  parseKey,
  type ResourceDescriptor,
} from './resource.ts';

const nodes: ResourceDescriptor = {
  group: '',
  version: 'v1',
  plural: 'nodes',
  kind: 'Node',
  namespaced: false,
};

describe('resource descriptors', () => {
  it('build core and group URLs', () => {
    expect(collectionPath(configMaps, 'ns')).toBe('/api/v1/namespaces/ns/configmaps');
    expect(collectionPath(configMaps)).toBe('/api/v1/configmaps');
    expect(objectPath(leases, 'ns', 'l', 'status')).toBe(
      '/apis/coordination.k8s.io/v1/namespaces/ns/leases/l/status',
    );
    expect(objectPath(nodes, undefined, 'n1')).toBe('/api/v1/nodes/n1');
    expect(() => objectPath(configMaps, undefined, 'x')).toThrow(/namespace required/);
  });

  it('derive apiVersion and group', () => {
    expect(apiVersionOf(configMaps)).toBe('v1');
    expect(apiVersionOf(leases)).toBe('coordination.k8s.io/v1');
    expect(groupOf('roasting.simcorp.io/v1alpha1')).toBe('roasting.simcorp.io');
    expect(groupOf('v1')).toBe('');
  });

  it('round-trip keys', () => {
    const obj: KubeObject = { metadata: { namespace: 'ns', name: 'a' } };
    expect(objectKey(obj)).toBe('ns/a');
    expect(parseKey('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
    expect(parseKey(keyOf(undefined, 'node-1'))).toEqual({ name: 'node-1' });
  });
});

describe('generationChanged', () => {
  const at = (generation: number): KubeObject => ({ metadata: { name: 'a', generation } });

  it('lets spec changes, adds and deletes through and drops status-only updates', () => {
    expect(generationChanged({ type: 'modified', old: at(1), object: at(2) })).toBe(true);
    expect(generationChanged({ type: 'modified', old: at(2), object: at(2) })).toBe(false);
    expect(generationChanged({ type: 'added', object: at(1) })).toBe(true);
    expect(generationChanged({ type: 'deleted', object: at(1), stale: false })).toBe(true);
  });
});
