// Which Roaster an edge agent speaks for. One pod template runs on every roaster node, so the agent cannot
// be told its Roaster: it says where it runs (its node, proved by its pod-bound token) and which device it
// found, and the gateway picks the one Roaster bound to that (node, serial) — among the Roasters of the
// namespace an administrator named on the Node, so no tenant can take, or block, another tenant's roaster.
// Pure: the gateway reads the Node and the Roasters and reports the answer.
import { type Roaster, type RoasterBinding, roasterNamespaceLabel } from '@roast-operator/api';

/** Why no Roaster was given to an edge: the label of the refusals counter and the Event's reason. */
export type BindingRefusal = 'NoRoasterNamespace' | 'NoRoaster' | 'AmbiguousBinding' | 'WrongModel';

/** The node an edge runs on, as its Node object says. */
export interface EdgeNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The device an edge found, as its hello says. */
export interface EdgeDevice {
  readonly serial: string;
  readonly model: string;
}

export type Resolution =
  | { readonly ok: true; readonly roaster: Roaster }
  | {
      readonly ok: false;
      readonly reason: BindingRefusal;
      readonly message: string;
      /** The Roasters the refusal concerns, to be told on their status (none when no Roaster matched). */
      readonly roasters: readonly Roaster[];
    };

const refused = (reason: BindingRefusal, message: string, roasters: readonly Roaster[] = []): Resolution => ({
  ok: false,
  reason,
  message,
  roasters,
});

/**
 * The namespace whose Roasters the node's edges may speak for, from the administrator's label; a refusal
 * when there is none, or when it is not the namespace this operator serves.
 */
export function roasterNamespace(
  node: EdgeNode,
  watchNamespace: string | undefined,
): { ok: true; namespace: string } | Extract<Resolution, { ok: false }> {
  const namespace = node.labels[roasterNamespaceLabel];
  if (!namespace) {
    const message = `node ${node.name} has no label ${roasterNamespaceLabel}: a cluster administrator names the namespace of its Roasters (kubectl label node ${node.name} ${roasterNamespaceLabel}=NAMESPACE)`;
    return { ok: false, reason: 'NoRoasterNamespace', message, roasters: [] };
  }
  if (watchNamespace !== undefined && namespace !== watchNamespace) {
    const message = `node ${node.name}'s roasters are in namespace ${namespace}; this operator serves namespace ${watchNamespace}`;
    return { ok: false, reason: 'NoRoasterNamespace', message, roasters: [] };
  }
  return { ok: true, namespace };
}

/** Whether a binding places its roaster on the node: by name, or by a selector the node's labels match. */
export function boundToNode(binding: RoasterBinding, node: EdgeNode): boolean {
  if (binding.nodeName !== undefined) return binding.nodeName === node.name;
  const selector = Object.entries(binding.nodeSelector ?? {});
  return selector.length > 0 && selector.every(([key, value]) => node.labels[key] === value);
}

/** Why a Roaster of `model` cannot be driven by a device of `deviceModel`, or undefined when it can. */
export function modelMismatch(model: string, deviceModel: string): string | undefined {
  return model === deviceModel ? undefined : `the Roaster is a ${model}, the edge drives a ${deviceModel}`;
}

/**
 * The one Roaster of `namespace` for the device: a Roaster naming the device's serial first; failing that,
 * one bound to the node without a serial, which takes any device there. Roasters of other namespaces are
 * never considered.
 */
export function resolveRoaster(
  roasters: readonly Roaster[],
  namespace: string,
  node: EdgeNode,
  device: EdgeDevice,
): Resolution {
  const here = roasters.filter(
    (r) =>
      r.metadata.namespace === namespace &&
      !r.metadata.deletionTimestamp &&
      boundToNode(r.spec.binding, node),
  );
  const bySerial = here.filter((r) => r.spec.binding.serial === device.serial);
  const candidates = bySerial.length > 0 ? bySerial : here.filter((r) => r.spec.binding.serial === undefined);
  const where = `node ${node.name} device ${device.serial || '(no serial)'}`;
  const [only, ...more] = candidates;
  if (only === undefined) {
    return refused(
      'NoRoaster',
      `no Roaster in namespace ${namespace} is bound to ${where}: create one with spec.binding.nodeName ${node.name} and spec.binding.serial ${device.serial || '(the device serial)'}`,
    );
  }
  if (more.length > 0) {
    const names = candidates.map((r) => r.metadata.name).join(', ');
    return refused(
      'AmbiguousBinding',
      `Roasters ${names} are all bound to ${where}: bind exactly one (give each its device's serial)`,
      candidates,
    );
  }
  const mismatch = modelMismatch(only.spec.model, device.model);
  if (mismatch !== undefined) return refused('WrongModel', mismatch, [only]);
  return { ok: true, roaster: only };
}
