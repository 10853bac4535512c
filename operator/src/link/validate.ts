// Bounds on everything an edge agent sends. The edge is a separate, less trusted process: a message that
// breaks a bound is garbage, and the stream that carried it is refused rather than half-believed.
import type {
  CommandResult,
  ConnectRequest,
  Hello,
  Latch,
  Sample,
  TelemetryBatch,
} from '@roast-operator/proto';
import { Outcome } from '@roast-operator/proto';

export const bounds = {
  /** A whole message on the wire; grpc-js refuses larger ones before they are decoded. */
  messageBytes: 1 << 20,
  samplesPerBatch: 1000,
  latches: 32,
  /** Names, serials, ids. */
  shortText: 253,
  /** Messages meant for people. */
  longText: 1024,
  /** Levels the R1 reports fit in a byte. */
  level: 255,
  stateCode: 255,
  /** Far below any reading a roaster can make, far above any it survives. */
  celsius: { min: -100, max: 1000 },
  /** A charge drops the probe by a hundred degrees in seconds: the device's rise rate spikes far past any roast's. */
  rorPerMinute: 100_000,
  /** Messages an edge may send between its hello and the welcome. */
  earlyMessages: 64,
} as const;

/** Thrown for a message outside its bounds; the gateway ends the stream with INVALID_ARGUMENT. */
export class InvalidMessage extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidMessage';
  }
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new InvalidMessage(what);
}

function text(value: string, what: string, max: number = bounds.shortText, required = false): void {
  check(value.length <= max, `${what} is longer than ${max} characters`);
  if (required) check(value.length > 0, `${what} is empty`);
}

const uint = (value: number, max: number) => Number.isSafeInteger(value) && value >= 0 && value <= max;

function optionalNumber(value: number | undefined, min: number, max: number, what: string): void {
  if (value === undefined) return;
  check(
    Number.isFinite(value) && value >= min && value <= max,
    `${what} ${value} is not in [${min}, ${max}]`,
  );
}

function latch(l: Latch): void {
  text(l.id, 'latch id', 64, true);
  text(l.cause, 'latch cause', 64, true);
  text(l.message, 'latch message', bounds.longText);
  check(Number.isSafeInteger(l.sinceMs) && l.sinceMs >= 0, 'latch since_ms is not a time');
}

function latches(list: readonly Latch[]): void {
  check(list.length <= bounds.latches, `more than ${bounds.latches} latches`);
  for (const l of list) latch(l);
}

/** A hello whose identity passed validation: it names its device, and its roaster if it was told one. */
export type IdentifiedHello = Hello & { readonly device: NonNullable<Hello['device']> };

/** A hello for a known roaster: named by the edge, or resolved by the gateway from its node and device. */
export type CheckedHello = IdentifiedHello & { readonly roaster: NonNullable<Hello['roaster']> };

/** Checks who the hello says is speaking; what it reports (its latches) is checked once its Roaster is known. */
export function validateHello(hello: Hello): IdentifiedHello {
  const { roaster, device } = hello;
  if (device === undefined) throw new InvalidMessage('hello names no device');
  if (roaster !== undefined) {
    text(roaster.namespace, 'roaster namespace', 63, true);
    text(roaster.name, 'roaster name', bounds.shortText, true);
    text(roaster.uid, 'roaster uid', 64, true);
  }
  check(uint(device.vendorId, 0xffff) && uint(device.productId, 0xffff), 'USB ids are not 16-bit');
  text(device.serial, 'device serial', 64);
  text(device.firmware, 'device firmware', 64);
  text(device.model, 'device model', 64);
  text(device.sourceDetail, 'device source detail');
  text(hello.bootEpoch, 'boot epoch', 64, true);
  text(hello.agentVersion, 'agent version', 64);
  text(hello.nodeName, 'node name');
  text(hello.podName, 'pod name');
  return { ...hello, device };
}

/** The latches a hello reports: a refusal here is the Roaster's to know about. */
export function validateHelloLatches(hello: CheckedHello): void {
  latches(hello.latches);
}

function sample(s: Sample, i: number): void {
  const { celsius } = bounds;
  check(Number.isSafeInteger(s.timeMs) && s.timeMs > 0, `sample ${i}: time_ms is not a time`);
  optionalNumber(s.beanTemp, celsius.min, celsius.max, `sample ${i}: bean_temp`);
  optionalNumber(s.ibtsTemp, celsius.min, celsius.max, `sample ${i}: ibts_temp`);
  optionalNumber(s.exhaustTemp, celsius.min, celsius.max, `sample ${i}: exhaust_temp`);
  optionalNumber(s.beanRor, -bounds.rorPerMinute, bounds.rorPerMinute, `sample ${i}: bean_ror`);
  for (const [name, value] of [
    ['heater', s.heater],
    ['fan', s.fan],
    ['drum', s.drum],
  ] as const) {
    check(uint(value, bounds.level), `sample ${i}: ${name} ${value} is not a level`);
  }
  check(uint(s.stateCode, bounds.stateCode), `sample ${i}: state_code ${s.stateCode} is out of range`);
}

export function validateBatch(batch: TelemetryBatch, bootEpoch: string): void {
  // One stream is one boot: a batch of another boot on it is a confused or lying agent.
  check(batch.bootEpoch === bootEpoch, 'telemetry batch of another boot epoch than the hello');
  check(Number.isSafeInteger(batch.seq) && batch.seq >= 0, 'telemetry seq is out of range');
  check(Number.isSafeInteger(batch.droppedBatchesTotal), 'dropped_batches_total is out of range');
  check(Number.isSafeInteger(batch.droppedPointsTotal), 'dropped_points_total is out of range');
  check(batch.samples.length > 0, 'telemetry batch has no samples');
  check(batch.samples.length <= bounds.samplesPerBatch, `more than ${bounds.samplesPerBatch} samples`);
  batch.samples.forEach(sample);
}

const knownOutcomes = new Set<number>([
  Outcome.OUTCOME_SUCCEEDED,
  Outcome.OUTCOME_FAILED,
  Outcome.OUTCOME_REFUSED,
  Outcome.OUTCOME_EXPIRED,
]);

export function validateResult(result: CommandResult): void {
  text(result.proposalUid, 'result proposal_uid', 64, true);
  check(knownOutcomes.has(result.outcome), `result outcome ${result.outcome} is not a known outcome`);
  text(result.message, 'result message', bounds.longText);
  check(uint(result.latencyMs, 0xffffffff), 'result latency_ms is out of range');
}

/** Validates any message after the hello; returns it typed by its case. */
export function validateRequest(
  message: ConnectRequest,
  bootEpoch: string,
): NonNullable<ConnectRequest['body']> {
  const body = message.body;
  if (body === undefined) throw new InvalidMessage('empty message');
  switch (body.$case) {
    case 'hello':
      throw new InvalidMessage('a second hello on one stream');
    case 'telemetry':
      validateBatch(body.value, bootEpoch);
      break;
    case 'result':
      validateResult(body.value);
      break;
    case 'resultAnswer':
      text(body.value.proposalUid, 'result_answer proposal_uid', 64, true);
      if (body.value.result) validateResult(body.value.result);
      break;
    case 'latch':
      latches(body.value.latches);
      break;
    case 'heartbeat':
      check(Number.isSafeInteger(body.value.timeMs), 'heartbeat time_ms is out of range');
      break;
  }
  return body;
}
