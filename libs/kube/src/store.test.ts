import { describe, expect, it } from 'vitest';
import type { KubeObject } from './resource.ts';
import { Store } from './store.ts';

interface Proposal extends KubeObject {
  spec?: { roasterRef?: { name?: string }; tags?: string[] };
}

const byRoaster = (p: Proposal) => (p.spec?.roasterRef?.name ? [p.spec.roasterRef.name] : []);
const byTag = (p: Proposal) => p.spec?.tags ?? [];

function proposal(ns: string, name: string, rv: string, roaster?: string, uid = `${ns}-${name}`): Proposal {
  return {
    metadata: { namespace: ns, name, resourceVersion: rv, uid },
    spec: roaster ? { roasterRef: { name: roaster } } : {},
  };
}

const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name).sort();

describe('Store', () => {
  it('gets and lists by key and namespace', () => {
    const store = new Store<Proposal>();
    store.upsert(proposal('a', 'p1', '1'));
    store.upsert(proposal('a', 'p2', '1'));
    store.upsert(proposal('b', 'p1', '1'));
    expect(store.get('a/p2')?.metadata.name).toBe('p2');
    expect(names(store.list('a'))).toEqual(['p1', 'p2']);
    expect(store.list()).toHaveLength(3);
    expect(store.list('c')).toEqual([]);
  });

  it('keeps a field index in step with updates and removals', () => {
    const store = new Store<Proposal>({ roaster: byRoaster });
    store.upsert(proposal('a', 'p1', '1', 'r1'));
    store.upsert(proposal('a', 'p2', '1', 'r1'));
    store.upsert(proposal('a', 'p3', '1'));
    expect(names(store.byIndex('roaster', 'r1'))).toEqual(['p1', 'p2']);
    store.upsert(proposal('a', 'p2', '2', 'r2'));
    expect(names(store.byIndex('roaster', 'r1'))).toEqual(['p1']);
    expect(names(store.byIndex('roaster', 'r2'))).toEqual(['p2']);
    store.remove('a/p1');
    expect(store.byIndex('roaster', 'r1')).toEqual([]);
    expect(() => store.byIndex('missing', 'x')).toThrow(/no index/);
  });

  it('indexes every string of an array field and existing objects when an index is added later', () => {
    const store = new Store<Proposal>();
    store.upsert({ metadata: { namespace: 'a', name: 'x' }, spec: { tags: ['hot', 'new'] } });
    store.addIndex('tag', byTag);
    expect(names(store.byIndex('tag', 'new'))).toEqual(['x']);
    expect(() => store.addIndex('tag', byTag)).toThrow(/exists/);
  });

  it('replace reports adds, changed versions and vanished objects, and leaves unchanged ones alone', () => {
    const store = new Store<Proposal>({ roaster: byRoaster });
    const kept = proposal('a', 'kept', '1', 'r1');
    store.upsert(kept);
    store.upsert(proposal('a', 'changed', '1', 'r1'));
    store.upsert(proposal('a', 'gone', '1', 'r1'));
    const diff = store.replace([
      proposal('a', 'kept', '1', 'r1'),
      proposal('a', 'changed', '2', 'r2'),
      proposal('a', 'new', '3'),
    ]);
    expect(names(diff.added)).toEqual(['new']);
    expect(diff.updated.map((u) => [u.old.metadata.resourceVersion, u.obj.metadata.resourceVersion])).toEqual(
      [['1', '2']],
    );
    expect(names(diff.deleted)).toEqual(['gone']);
    expect(store.get('a/kept')).toBe(kept);
    expect(names(store.byIndex('roaster', 'r1'))).toEqual(['kept']);
    expect(store.size).toBe(3);
  });

  it('replace reports an object recreated under the same name as a delete and an add', () => {
    const store = new Store<Proposal>();
    store.upsert(proposal('a', 'x', '1', undefined, 'uid-1'));
    const diff = store.replace([proposal('a', 'x', '5', undefined, 'uid-2')]);
    expect(diff.deleted.map((o) => o.metadata.uid)).toEqual(['uid-1']);
    expect(diff.added.map((o) => o.metadata.uid)).toEqual(['uid-2']);
    expect(diff.updated).toEqual([]);
  });
});
