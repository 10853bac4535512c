// The handshake's checks and answer: the Roaster a hello names must exist with that UID in a namespace this
// operator serves, the stream must come from where the Roaster says its device is, and the welcome tells
// the edge what is stored of its boot, the operator's latch and the Roaster's limits.
import { status } from '@grpc/grpc-js';
import type { Roaster } from '@roast-operator/api';
import { isNotFound, type ResourceClient } from '@roast-operator/kube';
import type { Latch, Limits, Welcome } from '@roast-operator/proto';
import type { RoasterRef } from '../dispatch.ts';
import { Refusal } from './auth.ts';
import { StreamError } from './stream.ts';
import { type CheckedHello, InvalidMessage } from './validate.ts';

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
export function checkBinding(roaster: Roaster, hello: CheckedHello): void {
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
  if (device.model !== model) {
    const message = `the Roaster is a ${model}, the edge drives a ${device.model}`;
    throw new StreamError(status.FAILED_PRECONDITION, message);
  }
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
