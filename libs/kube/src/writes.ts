import type { ResourceClient } from './client.ts';
import { pointer, testOf, updateIf } from './patch-if.ts';
import type { KubeObject, OwnerReference } from './resource.ts';

export class AlreadyOwnedError extends Error {
  constructor(obj: KubeObject, owner: OwnerReference) {
    super(`${obj.metadata.name} is already controlled by ${owner.kind} ${owner.name}`);
    this.name = 'AlreadyOwnedError';
  }
}

/**
 * The owner references of `obj` with `owner` as its controller (controllerutil.SetControllerReference):
 * replaces a reference to the same owner, refuses a different controller.
 */
function withControllerReference(obj: KubeObject, owner: KubeObject & { apiVersion: string; kind: string }) {
  const refs = obj.metadata.ownerReferences ?? [];
  const other = refs.find((r) => r.controller && r.uid !== owner.metadata.uid);
  if (other) throw new AlreadyOwnedError(obj, other);
  const ref: OwnerReference = {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
  return [...refs.filter((r) => r.uid !== ref.uid), ref];
}

/** Persists `owner` as the controller of an existing object, if its owner references are still as read. */
export function setControllerReference<T extends KubeObject>(
  api: ResourceClient<T>,
  obj: T,
  owner: KubeObject & { apiVersion: string; kind: string },
): Promise<T> {
  const path = ['metadata', 'ownerReferences'];
  return updateIf(api, obj, (latest) => {
    const current = latest.metadata.ownerReferences ?? [];
    if (current.some((r) => r.controller && r.uid === owner.metadata.uid)) return undefined;
    const value = withControllerReference(latest, owner);
    return [testOf(latest, path), { op: 'add', path: pointer(path), value }];
  });
}
