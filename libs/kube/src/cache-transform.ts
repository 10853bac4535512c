// What an informer keeps of an object: everything but metadata.managedFields (controller-runtime's
// DefaultTransform). The field ownership of every writer is often the largest part of a small object, no
// controller reads it, and a cache holding every proposal of a week keeps one copy per object.
import type { KubeObject } from './resource.ts';

/** The object as the cache keeps it; the same object when there is nothing to drop. */
export function forCache<T extends KubeObject>(object: T): T {
  if (!('managedFields' in object.metadata)) return object;
  const { managedFields: _, ...metadata } = object.metadata;
  return { ...object, metadata };
}
