import { isConflict, type ResourceClient } from './client.ts';
import type { KubeObject, OwnerReference } from './resource.ts';

/** A JSON merge patch body. */
export type MergePatch = Record<string, unknown> & { metadata?: Record<string, unknown> };

export interface GuardedPatchOptions {
  subresource?: 'status';
  /** Attempts before a conflict is given up on (client-go's DefaultRetry has 5). */
  attempts?: number;
}

/**
 * Read-modify-write without lost updates: the patch carries the resourceVersion it was computed from,
 * so the API server rejects it with 409 if the object changed meanwhile; the object is then read again
 * (from the API: the cache may lag) and the patch rebuilt. `build` returns undefined when the object
 * already is as wanted.
 */
export async function guardedPatch<T extends KubeObject>(
  api: ResourceClient<T>,
  current: T,
  build: (latest: T) => MergePatch | undefined,
  opts: GuardedPatchOptions = {},
): Promise<T> {
  const { namespace, name } = current.metadata;
  const attempts = opts.attempts ?? 5;
  let latest = current;
  for (let attempt = 1; ; attempt++) {
    const patch = build(latest);
    if (patch === undefined) return latest;
    const body = {
      ...patch,
      metadata: { ...patch.metadata, resourceVersion: latest.metadata.resourceVersion },
    };
    try {
      return await api.patch(namespace, name!, body, {
        type: 'merge',
        ...(opts.subresource && { subresource: opts.subresource }),
      });
    } catch (err) {
      if (!isConflict(err) || attempt >= attempts) throw err;
      latest = await api.get(namespace, name!);
    }
  }
}

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

/** Persists `owner` as the controller of an existing object, guarded by resourceVersion. */
export function setControllerReference<T extends KubeObject>(
  api: ResourceClient<T>,
  obj: T,
  owner: KubeObject & { apiVersion: string; kind: string },
): Promise<T> {
  return guardedPatch(api, obj, (latest) => {
    const current = latest.metadata.ownerReferences ?? [];
    if (current.some((r) => r.controller && r.uid === owner.metadata.uid)) return undefined;
    return { metadata: { ownerReferences: withControllerReference(latest, owner) } };
  });
}
