// The handshake's checks and answer: which Roaster the hello speaks for (the one it names, which must exist
// with that UID in a namespace this operator serves, or the one bound to its node and device), that the
// stream comes from where the Roaster says its device is, and the welcome that tells the edge its Roaster,
// what is stored of its boot, the operator's latch and the Roaster's limits.
import { status } from '@grpc/grpc-js';
import type { Roaster } from '@roast-operator/api';
import { type Informer, isNotFound, type Node, type ResourceClient } from '@roast-operator/kube';
import type { Latch, Limits, Welcome } from '@roast-operator/proto';
import type { RoasterRef } from '../dispatch.ts';
import { Refusal, type RefusalReason } from './auth.ts';
import {
  type BindingRefusal,
  type EdgeNode,
  modelMismatch,
  type Resolution,
  resolveRoaster,
  roasterNamespace,
} from './binding.ts';
import { StreamError } from './stream.ts';
import { type CheckedHello, type IdentifiedHello, InvalidMessage, validateHelloLatches } from './validate.ts';

/** The Roaster a hello names, read fresh; a StreamError says why the stream cannot be for it. */
export async function helloRoaster(
  api: ResourceClient<Roaster>,
  ref: RoasterRef,
  watchNamespace: string | undefined,
): Promise<Roaster> {
  if (watchNamespace !== undefined && ref.namespace !== watchNamespace) {
    throw new StreamError(
      status.NOT_FOUND,
      `this operator serves namespace ${watchNamespace}, not ${ref.namespace}`,
    );
  }
  let roaster: Roaster;
  try {
    roaster = await api.get(ref.namespace, ref.name);
  } catch (err) {
    if (isNotFound(err))
      throw new StreamError(status.NOT_FOUND, `Roaster ${ref.namespace}/${ref.name} does not exist`);
    throw new StreamError(status.UNAVAILABLE, 'the Roaster could not be read; try again');
  }
  if (roaster.metadata.uid !== ref.uid) {
    throw new StreamError(
      status.FAILED_PRECONDITION,
      `Roaster ${ref.namespace}/${ref.name} has another UID than ${ref.uid}: it was recreated`,
    );
  }
  return roaster;
}

/**
 * The stream must come from where the Roaster says its device is: another node or device may not speak for
 * it (with token review the node is the token's pod's node). A device of another model is a misconfiguration.
 */
export function checkBinding(roaster: Roaster, hello: IdentifiedHello): void {
  const { binding, model } = roaster.spec;
  const { device } = hello;
  if (binding.nodeName !== undefined && binding.nodeName !== hello.nodeName) {
    const message = `the Roaster is bound to node ${binding.nodeName}, not ${hello.nodeName || '(none)'}`;
    throw new Refusal(status.PERMISSION_DENIED, 'WrongNode', message);
  }
  if (binding.serial !== undefined && binding.serial !== device.serial) {
    const message = `the Roaster is bound to device ${binding.serial}, not ${device.serial || '(none)'}`;
    throw new Refusal(status.PERMISSION_DENIED, 'WrongSerial', message);
  }
  const mismatch = modelMismatch(model, device.model);
  if (mismatch !== undefined)
    throw new RoasterRefusal(status.FAILED_PRECONDITION, 'WrongModel', mismatch, [roaster]);
}

const bindingCodes: Readonly<Record<BindingRefusal, status>> = {
  NoRoasterNamespace: status.FAILED_PRECONDITION,
  NoRoaster: status.NOT_FOUND,
  AmbiguousBinding: status.FAILED_PRECONDITION,
  WrongModel: status.FAILED_PRECONDITION,
};

/**
 * A refusal people must see: told on the Roasters it concerns (the edge's node and device match their
 * binding, so the edge really is theirs), or else on the edge's Node.
 */
export class RoasterRefusal extends Refusal {
  readonly roasters: readonly Roaster[];
  readonly node: Node | undefined;
  constructor(
    code: status,
    reason: RefusalReason,
    message: string,
    roasters: readonly Roaster[],
    node?: Node,
  ) {
    super(code, reason, message);
    this.roasters = roasters;
    this.node = node;
  }
}

function bindingRefusal(refusal: Extract<Resolution, { ok: false }>, node: Node): RoasterRefusal {
  return new RoasterRefusal(
    bindingCodes[refusal.reason],
    refusal.reason,
    refusal.message,
    refusal.roasters,
    node,
  );
}

/** The hello's report (its latches) is refused once its Roaster is known: that Roaster is told why. */
export function checkHelloReport(roaster: Roaster, hello: CheckedHello): void {
  try {
    validateHelloLatches(hello);
  } catch (err) {
    if (!(err instanceof InvalidMessage)) throw err;
    throw new RoasterRefusal(status.INVALID_ARGUMENT, 'HelloRefused', `its hello: ${err.message}`, [roaster]);
  }
}

/** Where the gateway looks a hello's Roaster up. */
export interface HelloSources {
  readonly roasterApi: ResourceClient<Roaster>;
  readonly nodeApi: ResourceClient<Node>;
  /** The operator's cache of Roasters, in the namespaces it serves. */
  readonly roasters: Informer<Roaster>;
  readonly watchNamespace: string | undefined;
}

/** The Roaster a hello speaks for: the one it names, checked against its binding, or the one resolved for it. */
export async function roasterForHello(sources: HelloSources, hello: IdentifiedHello): Promise<Roaster> {
  if (hello.roaster !== undefined) {
    const roaster = await helloRoaster(sources.roasterApi, hello.roaster, sources.watchNamespace);
    checkBinding(roaster, hello);
    return roaster;
  }
  const node = await helloNode(sources.nodeApi, hello.nodeName);
  const edgeNode: EdgeNode = { name: hello.nodeName, labels: node.metadata.labels ?? {} };
  const scope = roasterNamespace(edgeNode, sources.watchNamespace);
  if (!scope.ok) throw bindingRefusal(scope, node);
  // An empty cache would refuse every edge as having no Roaster.
  if (!sources.roasters.hasSynced())
    throw new StreamError(status.UNAVAILABLE, 'the gateway is still reading the Roasters; try again');
  const resolution = resolveRoaster(
    sources.roasters.store.list(scope.namespace),
    scope.namespace,
    edgeNode,
    hello.device,
  );
  if (!resolution.ok) throw bindingRefusal(resolution, node);
  return resolution.roaster;
}

/** The Node the hello says the edge runs on (with token review, the node its pod is bound to). */
async function helloNode(api: ResourceClient<Node>, name: string): Promise<Node> {
  if (name === '')
    throw new StreamError(status.INVALID_ARGUMENT, 'a hello that names no roaster must name its node');
  try {
    return await api.get(undefined, name);
  } catch (err) {
    if (isNotFound(err)) throw new StreamError(status.NOT_FOUND, `node ${name} does not exist`);
    throw new StreamError(status.UNAVAILABLE, 'the node could not be read; try again');
  }
}

/** The reference a stream and its status carry for a Roaster. */
export function refOf(roaster: Roaster): RoasterRef {
  const { namespace = '', name = '', uid = '' } = roaster.metadata;
  return { namespace, name, uid };
}

/** The welcome: what is stored of the edge's boot, the operator's latch (re-pushed every time), the limits. */
export function welcomeOf(
  roaster: Roaster,
  committed: number | undefined,
  heartbeatIntervalMs: number,
): Welcome {
  const latch = operatorLatch(roaster);
  return {
    ...(latch && { operatorLatch: latch }),
    roaster: refOf(roaster),
    limits: limitsOf(roaster),
    committedSeq: committed ?? 0,
    heartbeatIntervalMs,
  };
}

/** The latch the operator holds; an edge interlock's latch is the edge's own. */
export function operatorLatch(roaster: Roaster): Latch | undefined {
  const latch = roaster.status?.latch;
  if (latch === undefined || latch.cause === 'EdgeInterlock') return undefined;
  return {
    id: latch.id,
    cause: latch.cause === 'SpecEmergencyStop' ? 'operator' : 'emergencyStop',
    message: latch.message ?? '',
    sinceMs: Date.parse(latch.since),
    conditionActive: latch.cause === 'SpecEmergencyStop',
  };
}

/** The Roaster's limits for the edge, which may only tighten its own ceiling with them. */
export function limitsOf(roaster: Roaster): Limits {
  const limits = roaster.spec.limits;
  // The edge's bean ceiling applies while roasting, as the Roaster's roasting ceiling does.
  const roasting = limits?.temperatureCeilingsCelsius?.roasting;
  return {
    ...(limits?.heater && { heater: limits.heater }),
    ...(limits?.fan && { fan: limits.fan }),
    ...(limits?.drum && { drum: limits.drum }),
    ...(roasting !== undefined && { maxBeanTemp: roasting }),
  };
}

/** The status a refused stream is ended with; anything unexpected is INTERNAL to the edge. */
export function asStreamError(err: unknown): StreamError {
  if (err instanceof StreamError) return err;
  if (err instanceof InvalidMessage) return new StreamError(status.INVALID_ARGUMENT, err.message);
  return new StreamError(status.INTERNAL, 'the gateway failed to open the stream');
}
