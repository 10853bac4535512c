/** Identifies one API resource; the runtime is generic over these and never needs discovery. */
export interface ResourceDescriptor {
  /** API group; '' for the core group (ConfigMap, Pod, …). */
  group: string;
  version: string;
  /** Lower-case plural used in URLs, e.g. `configmaps`. */
  plural: string;
  kind: string;
  namespaced: boolean;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** The metadata the runtime relies on, as it arrives on the wire (timestamps are strings). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  /** Which writer owns which field; informers drop it (see forCache). */
  managedFields?: unknown[];
}

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
};

/** An object read without a schema of its kind: typed metadata, the rest unknown (tools and tests). */
export type LooseObject = KubeObject & { [field: string]: unknown };

export function apiVersionOf(resource: ResourceDescriptor): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** The group of an apiVersion: `apps/v1` → `apps`, `v1` → `` (core). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function basePath(resource: ResourceDescriptor): string {
  return resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
}

/** Collection URL; without a namespace a namespaced resource is listed across all namespaces. */
export function collectionPath(resource: ResourceDescriptor, namespace?: string): string {
  const ns = resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${basePath(resource)}${ns}/${resource.plural}`;
}

export function objectPath(
  resource: ResourceDescriptor,
  namespace: string | undefined,
  name: string,
  subresource?: string,
): string {
  if (resource.namespaced && !namespace) throw new Error(`${resource.kind} ${name}: namespace required`);
  const sub = subresource ? `/${subresource}` : '';
  return `${collectionPath(resource, namespace)}/${encodeURIComponent(name)}${sub}`;
}

/** The cache and queue key of an object: `namespace/name`, or `name` when cluster-scoped. */
export function objectKey(obj: KubeObject): string {
  return keyOf(obj.metadata.namespace, obj.metadata.name ?? '');
}

export function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function parseKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
