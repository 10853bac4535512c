// Ten thousand generated frames at the gateway — random and truncated bytes, responses sent as requests,
// out-of-range and non-finite readings, oversized batches, seq games, boot-epoch mismatches — on many
// streams at once. Afterwards the gateway still serves an honest edge, holds no stream, and its store holds
// only samples of well-formed batches, exactly as they were sent. The generator is seeded (logged on failure).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, credentials } from '@grpc/grpc-js';
import { apiVersion, group, type Roaster, roasterNames, version } from '@roast-operator/api';
import { eventually, testCluster, useTestNamespace } from '@roast-operator/control-plane';
import { KubeClient, type KubeObject } from '@roast-operator/kube';
import { Logger } from '@roast-operator/log';
import {
  ConnectRequest,
  ConnectResponse,
  LinkServiceClient,
  LinkServiceService,
  type Sample,
} from '@roast-operator/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkGateway } from '../../operator/src/link/gateway.ts';
import { GatewayUnderTest, installCrds } from '../support/gateway.ts';

const cluster = testCluster();
const namespace = useTestNamespace('link-fuzz');
const roasterApi = { group, version, plural: roasterNames.plural, kind: roasterNames.kind, namespaced: true };
const streams = 500;
const framesPerStream = 20;
const parallel = 10;
const seed = Number(process.env.ROAST_FUZZ_SEED ?? Date.now() % 2 ** 31);

let dir: string;
let served: GatewayUnderTest;
let gateway: LinkGateway;
let admin: KubeClient;
let roaster: Roaster;

beforeAll(async () => {
  await installCrds(cluster);
  admin = new KubeClient(cluster.kubeConfig(), { fieldManager: 'roast-test' });
  roaster = (await admin.resource(roasterApi).create({
    apiVersion,
    kind: roasterNames.kind,
    metadata: { name: 'fuzzed', namespace: namespace() },
    spec: { model: 'Simulated', binding: { nodeName: 'node-a' } },
  } as KubeObject)) as unknown as Roaster;
  dir = await mkdtemp(join(tmpdir(), 'roast-link-fuzz-'));
  served = await new GatewayUnderTest(cluster, {
    dir,
    // Thousands of refusals are expected: only errors are worth reading.
    logger: new Logger({ level: 'error', fields: { component: 'link-fuzz-test' } }),
    insecureDemo: true,
    watchNamespace: namespace(),
  }).start();
  gateway = served.gateway;
});

afterAll(async () => {
  await served?.stop();
  await admin?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** mulberry32: small, fast, and the same frames again for the same seed. */
function random(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Builds frames; remembers every sample of a well-formed batch, by its (unique) time. */
class Frames {
  readonly sent = new Map<number, Sample>();
  readonly #rand: () => number;
  #time = 1_000_000;

  constructor(rand: () => number) {
    this.#rand = rand;
  }

  int(n: number): number {
    return Math.floor(this.#rand() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  hello(bootEpoch: string): Buffer {
    return encode({
      body: {
        $case: 'hello',
        value: {
          roaster: { namespace: namespace(), name: 'fuzzed', uid: roaster.metadata.uid! },
          device: {
            vendorId: 0,
            productId: 0,
            serial: 'SIM-1',
            firmware: '281',
            model: 'Simulated',
            sourceDetail: '',
          },
          bootEpoch,
          agentVersion: 'fuzz',
          nodeName: 'node-a',
          podName: 'edge-fuzz',
          latches: [],
        },
      },
    });
  }

  sample(): Sample {
    return {
      timeMs: this.#time++,
      beanTemp: 20 + this.int(220),
      heater: this.int(10),
      fan: this.int(13),
      drum: this.int(10),
      stateCode: this.pick([0, 2, 4, 6, 8]),
    };
  }

  /** A sample with one field out of its range or not a number (as far as its wire type can carry). */
  badSample(): Sample {
    if (this.int(2) === 0) {
      const level = this.pick(['heater', 'fan', 'drum', 'stateCode'] as const);
      return { ...this.sample(), [level]: this.pick([256, 4096, 1e9, 2 ** 32 - 1]) };
    }
    const reading = this.pick(['beanTemp', 'ibtsTemp', 'exhaustTemp', 'beanRor'] as const);
    const bad = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1e9, 1e9];
    return { ...this.sample(), [reading]: this.pick(bad) };
  }

  batch(bootEpoch: string, seq: number, samples: Sample[]): Buffer {
    return encode({
      body: {
        $case: 'telemetry',
        value: { bootEpoch, seq, samples, droppedBatchesTotal: 0, droppedPointsTotal: 0 },
      },
    });
  }

  /** A well-formed batch, remembered as sent. */
  good(bootEpoch: string, seq: number): Buffer {
    const samples = Array.from({ length: 1 + this.int(20) }, () => this.sample());
    for (const s of samples) this.sent.set(s.timeMs, s);
    return this.batch(bootEpoch, seq, samples);
  }

  /** One frame after the hello: mostly well-formed, the rest every kind of wrong. */
  next(bootEpoch: string, seq: number): Buffer {
    const kinds: (() => Buffer)[] = [
      () => this.good(bootEpoch, seq),
      () => this.good(bootEpoch, seq),
      () => this.good(bootEpoch, Math.max(1, seq - 1 - this.int(3))), // a resend, or going back
      () => this.good(bootEpoch, seq + 1000 + this.int(1e6)), // a gap
      () => Buffer.from(Array.from({ length: this.int(200) }, () => this.int(256))),
      () => this.good(bootEpoch, seq).subarray(0, this.int(30)),
      () => this.batch(bootEpoch, seq, [this.sample(), this.badSample()]),
      () =>
        this.batch(
          bootEpoch,
          seq,
          Array.from({ length: 1001 + this.int(500) }, () => this.sample()),
        ),
      () => this.batch(bootEpoch, 2 ** 60, [this.sample()]), // a seq past exact numbers
      () => this.batch(`${bootEpoch}-other`, seq, [this.sample()]),
      () => this.batch(bootEpoch, seq, []),
      () => this.hello(bootEpoch),
      () =>
        Buffer.from(ConnectResponse.encode({ body: { $case: 'heartbeat', value: { timeMs: 1 } } }).finish()),
      () => encode({ body: { $case: 'heartbeat', value: { timeMs: this.pick([0, -5, 2 ** 60]) } } }),
    ];
    return this.pick(kinds)();
  }
}

function encode(message: ConnectRequest): Buffer {
  return Buffer.from(ConnectRequest.encode(message).finish());
}

/** Writes a stream's frames as raw bytes (the client encodes nothing) and waits for its end. */
async function play(client: Client, frames: Buffer[]): Promise<void> {
  const call = client.makeBidiStreamRequest(
    LinkServiceService.connect.path,
    (b: Buffer) => b,
    (b: Buffer) => b,
  );
  call.on('data', () => undefined);
  // Every call ends with a status, whether or not it errored; the refusals are the point.
  const ended = new Promise((resolve) => call.on('status', resolve));
  call.on('error', () => undefined);
  for (const frame of frames) call.write(frame);
  call.end();
  await ended;
}

describe('the gateway under generated frames', () => {
  it(`stays serving and keeps its store clean after ${streams * framesPerStream} frames (seed ${seed})`, async () => {
    const gen = new Frames(random(seed));
    const raw = new Client(`127.0.0.1:${gateway.port}`, credentials.createInsecure());
    const plays: Buffer[][] = Array.from({ length: streams }, (_, i) => {
      const boot = `boot-${i % 50}`;
      // Most streams open properly, so the frames after the hello reach the checks that follow it.
      const first = gen.int(5) === 0 ? gen.next(boot, 1) : gen.hello(boot);
      return [first, ...Array.from({ length: framesPerStream - 1 }, (_, k) => gen.next(boot, k + 1))];
    });
    for (let i = 0; i < plays.length; i += parallel) {
      await Promise.all(plays.slice(i, i + parallel).map((frames) => play(raw, frames)));
    }
    raw.close();

    // Serving: an honest edge is welcomed and its batch acknowledged.
    const honest = new LinkServiceClient(`127.0.0.1:${gateway.port}`, credentials.createInsecure());
    const call = honest.connect();
    const received: ConnectResponse[] = [];
    call.on('data', (m: ConnectResponse) => received.push(m));
    call.on('error', () => undefined);
    call.write(ConnectRequest.decode(gen.hello('boot-honest')));
    call.write(ConnectRequest.decode(gen.good('boot-honest', 1)));
    await eventually(() => expect(received.some((m) => m.body?.$case === 'ack')).toBe(true), 10_000);
    call.end();
    honest.close();
    await eventually(() => expect(gateway.isConnected({ ...refOf(roaster) })).toBe(false), 10_000);

    // Clean: only samples of well-formed batches, each stored as sent.
    const stored = await served.store.points(roaster.metadata.uid!, 0, Number.MAX_SAFE_INTEGER);
    expect(stored.length).toBeGreaterThan(0);
    for (const s of stored) expect(s, `sample at ${s.timeMs} (seed ${seed})`).toEqual(gen.sent.get(s.timeMs));
  });
});

function refOf(r: Roaster) {
  return { namespace: r.metadata.namespace!, name: r.metadata.name!, uid: r.metadata.uid! };
}
