// Writes whose precondition is what they depend on, not every byte of the object: JSON-patch `test`
// operations on the fields named, then the writes. Labels, annotations or any other field someone changes
// meanwhile cannot make them fail (the API server applies a patch without a resourceVersion to the latest
// object); a change to a field they depend on does.
import { ApiError, type PatchOptions, type ResourceClient } from './client.ts';
import type { KubeObject } from './resource.ts';

/** A field a write depended on changed since the object was read. */
export class PreconditionFailed extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PreconditionFailed';
  }
}

/** A path into an object, e.g. `['status', 'phase']`. */
export type FieldPath = readonly string[];

export type Operation =
  | { op: 'test'; path: string; value: unknown }
  | { op: 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string };

type WithStatus = KubeObject & { status?: object | undefined };

export const pointer = (path: FieldPath): string =>
  `/${path.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

/**
 * The test that a field is as read: its value, or — where it or a parent is absent — that the first absent
 * one is still absent (a JSON-patch test of null holds for a missing member of an existing object).
 */
export function testOf(obj: unknown, path: FieldPath): Operation {
  let value: unknown = obj;
  for (let i = 0; i < path.length; i++) {
    const next = (value as Record<string, unknown>)[path[i]!];
    const at = pointer(path.slice(0, i + 1));
    if (next === undefined || next === null) return { op: 'test', path: at, value: null };
    if (i < path.length - 1 && (typeof next !== 'object' || Array.isArray(next)))
      return { op: 'test', path: at, value: next };
    value = next;
  }
  return { op: 'test', path: pointer(path), value };
}

/** The tests for `dependsOn`, each path once. */
export function testsOf(obj: unknown, dependsOn: readonly FieldPath[]): Operation[] {
  return [...new Map(dependsOn.map((p) => testOf(obj, p)).map((t) => [t.path, t])).values()];
}

/** Operations that set status fields (a field given as undefined is removed), after the tests. */
export function statusPatchOf(
  obj: WithStatus,
  dependsOn: readonly FieldPath[],
  status: Record<string, unknown>,
): Operation[] {
  if (obj.status === undefined) {
    // Nothing to merge into: the whole status is written, and must still be absent.
    const whole = Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined));
    return [...testsOf(obj, [...dependsOn, ['status']]), { op: 'add', path: '/status', value: whole }];
  }
  const current = obj.status as Record<string, unknown>;
  const writes = Object.entries(status).flatMap(([key, value]): Operation[] => {
    const path = pointer(['status', key]);
    if (value !== undefined) return [{ op: 'add', path, value }];
    return current[key] === undefined ? [] : [{ op: 'remove', path }];
  });
  return [...testsOf(obj, dependsOn), ...writes];
}

const unappliedPatch = 'the server rejected our request due to an error in our request';

/** Sends a JSON patch; a failed test becomes PreconditionFailed. */
async function patchIf<T extends KubeObject>(
  api: ResourceClient<T>,
  obj: T,
  ops: Operation[],
  opts: Omit<PatchOptions, 'type'>,
): Promise<T> {
  const { namespace, name } = obj.metadata;
  try {
    return await api.patch(namespace, name ?? '', ops, { ...opts, type: 'json' });
  } catch (err) {
    // The API server answers a JSON patch it could not apply (a failed test) with this 422 and no details;
    // an object the patch made invalid gets a 422 that names the invalid fields instead.
    if (err instanceof ApiError && err.code === 422 && err.message.endsWith(unappliedPatch))
      throw new PreconditionFailed(`${name} changed since it was read: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * Writes status fields through the status subresource, if the fields `dependsOn` names still hold what
 * `obj` holds; throws PreconditionFailed if not.
 */
export function patchStatusIf<T extends WithStatus>(
  api: ResourceClient<T>,
  obj: T,
  dependsOn: readonly FieldPath[],
  status: Record<string, unknown>,
  opts: Pick<PatchOptions, 'fieldManager' | 'signal'> = {},
): Promise<T> {
  return patchIf(api, obj, statusPatchOf(obj, dependsOn, status), { ...opts, subresource: 'status' });
}

/**
 * Read-modify-write on a JSON patch: `build` computes the operations (its tests included) from the latest
 * object, undefined when nothing is to be written; when a test fails the object is read again (from the
 * API server: a cache may lag) and the patch built anew, up to 5 times (client-go's DefaultRetry).
 */
export async function updateIf<T extends KubeObject>(
  api: ResourceClient<T>,
  current: T,
  build: (latest: T) => Operation[] | undefined,
  opts: Pick<PatchOptions, 'subresource'> = {},
): Promise<T> {
  const { namespace, name } = current.metadata;
  let latest = current;
  for (let attempt = 1; ; attempt++) {
    const ops = build(latest);
    if (ops === undefined) return latest;
    try {
      return await patchIf(api, latest, ops, opts);
    } catch (err) {
      if (!(err instanceof PreconditionFailed) || attempt >= 5) throw err;
      latest = await api.get(namespace, name ?? '');
    }
  }
}

/** `updateIf` of status fields that depend on `dependsOn`. */
export function updateStatusIf<T extends WithStatus>(
  api: ResourceClient<T>,
  current: T,
  dependsOn: readonly FieldPath[],
  build: (latest: T) => Record<string, unknown> | undefined,
): Promise<T> {
  return updateIf(
    api,
    current,
    (latest) => {
      const status = build(latest);
      return status && statusPatchOf(latest, dependsOn, status);
    },
    { subresource: 'status' },
  );
}
