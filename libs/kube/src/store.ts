import { type KubeObject, objectKey } from './resource.ts';

/** Maps an object to the values it is indexed under (none, one or many). */
export type IndexFunc<T> = (obj: T) => string[];

/** Every store indexes by namespace. */
const namespaceIndex = 'namespace';

/** What `replace` changed, so the caller can emit the events a watch would have. */
export interface ReplaceDiff<T> {
  added: T[];
  updated: { old: T; obj: T }[];
  deleted: T[];
}

/**
 * The informer cache: objects by `namespace/name` key plus secondary indexes kept in step on every
 * write. Objects are shared, not copied: callers must treat them as read-only.
 */
export class Store<T extends KubeObject> {
  #items = new Map<string, T>();
  #indexers = new Map<string, IndexFunc<T>>();
  /** index name → value → keys */
  #indexes = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndex(namespaceIndex, (obj) => (obj.metadata.namespace ? [obj.metadata.namespace] : []));
    for (const [name, fn] of Object.entries(indexers)) this.addIndex(name, fn);
  }

  get size(): number {
    return this.#items.size;
  }

  /** Adds an index; existing objects are indexed at once. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.#indexers.has(name)) throw new Error(`index ${name} already exists`);
    this.#indexers.set(name, fn);
    this.#indexes.set(name, new Map());
    for (const [key, obj] of this.#items) this.#indexOne(name, fn, key, obj);
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  keys(): string[] {
    return [...this.#items.keys()];
  }

  /** All objects, or those of one namespace. */
  list(namespace?: string): T[] {
    return namespace === undefined ? [...this.#items.values()] : this.byIndex(namespaceIndex, namespace);
  }

  byIndex(index: string, value: string): T[] {
    const values = this.#indexes.get(index);
    if (!values) throw new Error(`no index ${index}`);
    const keys = values.get(value);
    return keys ? [...keys].map((k) => this.#items.get(k)!) : [];
  }

  /** Inserts or replaces an object; returns the previous version. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.#items.get(key);
    if (old) this.#unindex(key, old);
    this.#items.set(key, obj);
    for (const [name, fn] of this.#indexers) this.#indexOne(name, fn, key, obj);
    return old;
  }

  /** Removes by key; returns what was removed. */
  remove(key: string): T | undefined {
    const old = this.#items.get(key);
    if (!old) return undefined;
    this.#unindex(key, old);
    this.#items.delete(key);
    return old;
  }

  /**
   * Makes the store equal to a fresh list. Objects whose resourceVersion is unchanged are kept as they
   * are; the diff lists what a watch would have reported, including the deletes it missed.
   */
  replace(objs: T[]): ReplaceDiff<T> {
    const diff: ReplaceDiff<T> = { added: [], updated: [], deleted: [] };
    const seen = new Set<string>();
    for (const obj of objs) {
      const key = objectKey(obj);
      seen.add(key);
      const old = this.#items.get(key);
      if (old?.metadata.resourceVersion === obj.metadata.resourceVersion) continue;
      this.upsert(obj);
      if (!old) diff.added.push(obj);
      else if (old.metadata.uid !== obj.metadata.uid) {
        // Deleted and recreated under the same name while we were not watching.
        diff.deleted.push(old);
        diff.added.push(obj);
      } else diff.updated.push({ old, obj });
    }
    for (const key of this.keys()) {
      if (seen.has(key)) continue;
      diff.deleted.push(this.remove(key)!);
    }
    return diff;
  }

  #indexOne(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const values = this.#indexes.get(name)!;
    for (const value of fn(obj)) {
      let keys = values.get(value);
      if (!keys) {
        keys = new Set();
        values.set(value, keys);
      }
      keys.add(key);
    }
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) {
      const values = this.#indexes.get(name)!;
      for (const value of fn(obj)) {
        const keys = values.get(value);
        keys?.delete(key);
        if (keys?.size === 0) values.delete(value);
      }
    }
  }
}
