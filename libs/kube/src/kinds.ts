// Typed kind descriptors: where a resource lives (ResourceDescriptor) and the schema its objects are read
// with. Clients and informers parse every object once, where it arrives; everything above them sees typed
// objects only. The built-in kinds the runtime itself reads and writes are described here.
import { z } from 'zod';
import { type KubeObject, type LooseObject, objectKey, type ResourceDescriptor } from './resource.ts';

/** What a schema offers for parsing (a zod schema fits). */
export interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: unknown };
}

/** A resource and the schema of its objects: the runtime's clients and caches are typed by it. */
export interface Kind<T extends KubeObject = KubeObject> extends ResourceDescriptor {
  readonly schema: Schema<T>;
}

export function kind<T extends KubeObject>(resource: ResourceDescriptor, schema: Schema<T>): Kind<T> {
  return { ...resource, schema };
}

/** An object the API server returned that does not fit its kind's schema (e.g. another CRD version). */
export class MalformedObject extends Error {
  readonly resource: ResourceDescriptor;
  /** The object as it came, when it had metadata to name it by. */
  readonly object: KubeObject | undefined;

  constructor(resource: ResourceDescriptor, value: unknown, error: unknown) {
    const object = hasMetadata(value) ? value : undefined;
    const what = object ? `${resource.kind} ${objectKey(object)}` : `a ${resource.kind}`;
    super(`${what} does not fit its schema: ${errorText(error)}`);
    this.name = 'MalformedObject';
    this.resource = resource;
    this.object = object;
  }
}

/** Parses an object of `kind`; throws MalformedObject when it does not fit. */
export function parseObject<T extends KubeObject>(k: Kind<T>, value: unknown): T {
  const parsed = k.schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new MalformedObject(k, value, parsed.error);
}

export function hasMetadata(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null || !('metadata' in value)) return false;
  return typeof value.metadata === 'object' && value.metadata !== null;
}

function errorText(error: unknown): string {
  const issues = (error as { issues?: { path: PropertyKey[]; message: string }[] } | undefined)?.issues;
  if (!issues) return error instanceof Error ? error.message : String(error);
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(object)'}: ${i.message}`)
    .join('; ');
}

/** Object metadata as it travels on the wire (timestamps are strings); the API server validated it. */
export const objectMeta = z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  ownerReferences: z
    .array(
      z.looseObject({
        apiVersion: z.string(),
        kind: z.string(),
        name: z.string(),
        uid: z.string(),
        controller: z.boolean().optional(),
        blockOwnerDeletion: z.boolean().optional(),
      }),
    )
    .optional(),
  finalizers: z.array(z.string()).optional(),
});

const looseObject = z.looseObject({ metadata: objectMeta });

/** A kind read without a schema of its own: typed metadata, the rest unknown (for tools and tests). */
export function looseKind(resource: ResourceDescriptor): Kind<LooseObject> {
  return kind<LooseObject>(resource, looseObject);
}

/** A built-in kind's object: typed metadata, the rest kept as it came. */
const builtIn = <Shape extends z.ZodRawShape>(shape: Shape) =>
  z.looseObject({
    apiVersion: z.string().optional(),
    kind: z.string().optional(),
    metadata: objectMeta,
    ...shape,
  });

export const ConfigMap = builtIn({ data: z.record(z.string(), z.string()).optional() });
export type ConfigMap = z.infer<typeof ConfigMap>;

export const Lease = builtIn({
  spec: z
    .looseObject({
      holderIdentity: z.string().optional(),
      leaseDurationSeconds: z.number().optional(),
      acquireTime: z.string().optional(),
      renewTime: z.string().optional(),
      leaseTransitions: z.number().optional(),
    })
    .optional(),
});
export type Lease = z.infer<typeof Lease>;

export const Pod = builtIn({
  spec: z.looseObject({ nodeName: z.string().optional() }).optional(),
  status: z.looseObject({ phase: z.string().optional(), podIP: z.string().optional() }).optional(),
});
export type Pod = z.infer<typeof Pod>;

/** A Node as the link gateway reads it: its name and labels, in the metadata. */
export const Node = builtIn({});
export type Node = z.infer<typeof Node>;

export const Event = builtIn({ note: z.string().optional(), reason: z.string().optional() });
export type Event = z.infer<typeof Event>;

export const configMaps = kind<ConfigMap>(
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  ConfigMap,
);

export const leases = kind<Lease>(
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true },
  Lease,
);

export const pods = kind<Pod>(
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  Pod,
);

export const nodes = kind<Node>(
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false },
  Node,
);

export const events = kind<Event>(
  { group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  Event,
);
