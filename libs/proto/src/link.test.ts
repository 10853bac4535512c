import { credentials, Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConnectRequest,
  ConnectResponse,
  LinkServiceClient,
  LinkServiceService,
  Outcome,
  TelemetryBatch,
} from './index.ts';

// The generated code against a real grpc-js server and client on loopback: the stream carries every
// message kind both ways and the oneof bodies survive the wire.
let server: Server;
let client: LinkServiceClient;
const received: ConnectRequest[] = [];

beforeAll(async () => {
  server = new Server();
  server.addService(LinkServiceService, {
    connect: (stream: ServerDuplexStream<ConnectRequest, ConnectResponse>) => {
      stream.on('data', (message: ConnectRequest) => {
        received.push(message);
        if (message.body?.$case === 'hello') {
          stream.write({
            body: { $case: 'welcome', value: { committedSeq: 41, heartbeatIntervalMs: 1000 } },
          });
        }
        if (message.body?.$case === 'telemetry') {
          const { bootEpoch, seq } = message.body.value;
          stream.write({ body: { $case: 'ack', value: { bootEpoch, committedSeq: seq } } });
          stream.end();
        }
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  client = new LinkServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
});

afterAll(() => {
  client.close();
  server.forceShutdown();
});

describe('link protocol', () => {
  it('round-trips a hello, a telemetry batch and their answers over a real stream', async () => {
    const call = client.connect();
    const answers: ConnectResponse[] = [];
    const ended = new Promise<void>((resolve) => call.on('end', resolve));
    call.on('data', (message: ConnectResponse) => answers.push(message));
    call.write({
      body: {
        $case: 'hello',
        value: {
          roaster: { namespace: 'roastery', name: 'bullet-1', uid: 'u-1' },
          device: {
            vendorId: 0x0483,
            productId: 0xa27e,
            serial: 'R1-0042',
            firmware: '1.2',
            model: 'AillioBulletR1V2',
            sourceDetail: '',
          },
          bootEpoch: 'b6f1c2de-0000-4000-8000-000000000001',
          agentVersion: '0.1.0',
          nodeName: 'node-a',
          podName: 'edge-x',
          latches: [
            { id: 'l-1', cause: 'overTemperature', message: 'BT 251 °C', sinceMs: 1, conditionActive: false },
          ],
        },
      },
    });
    call.write({
      body: {
        $case: 'telemetry',
        value: {
          bootEpoch: 'b6f1c2de-0000-4000-8000-000000000001',
          seq: 42,
          droppedBatchesTotal: 2,
          droppedPointsTotal: 17,
          samples: [{ timeMs: 1_764_000_000_000, beanTemp: 201.5, heater: 7, fan: 3, drum: 9, stateCode: 6 }],
        },
      },
    });
    await ended;
    call.end();
    expect(received.map((m) => m.body?.$case)).toEqual(['hello', 'telemetry']);
    const telemetry = received[1]?.body;
    expect(telemetry?.$case === 'telemetry' && telemetry.value.samples[0]).toMatchObject({
      beanTemp: 201.5,
      stateCode: 6,
    });
    expect(telemetry?.$case === 'telemetry' && telemetry.value).toMatchObject({
      droppedBatchesTotal: 2,
      droppedPointsTotal: 17,
    });
    // An absent optional stays absent (no reading is not zero degrees).
    expect(telemetry?.$case === 'telemetry' && telemetry.value.samples[0]?.exhaustTemp).toBeUndefined();
    expect(answers.map((m) => m.body)).toEqual([
      { $case: 'welcome', value: expect.objectContaining({ committedSeq: 41, heartbeatIntervalMs: 1000 }) },
      { $case: 'ack', value: { bootEpoch: 'b6f1c2de-0000-4000-8000-000000000001', committedSeq: 42 } },
    ]);
  });

  it('keeps the drop counters at field numbers 4 and 5, so edges and gateways of either age agree', () => {
    const batch = { bootEpoch: '', seq: 0, samples: [], droppedBatchesTotal: 2, droppedPointsTotal: 17 };
    // Varint tags: (4 << 3) = 32 and (5 << 3) = 40, each followed by its value.
    expect([...TelemetryBatch.encode(batch).finish()]).toEqual([32, 2, 40, 17]);
    // What an edge from before dropped_points_total sends reads as no points dropped, not as an error.
    expect(TelemetryBatch.decode(Uint8Array.of(32, 2))).toMatchObject({
      droppedBatchesTotal: 2,
      droppedPointsTotal: 0,
    });
  });

  it('encodes outcomes as the proto enum numbers', () => {
    const bytes = ConnectResponse.encode({
      body: { $case: 'resultQuery', value: { proposalUid: 'p-1' } },
    }).finish();
    expect(ConnectResponse.decode(bytes)).toEqual({
      body: { $case: 'resultQuery', value: { proposalUid: 'p-1' } },
    });
    expect(Outcome.OUTCOME_REFUSED).toBe(3);
  });
});
