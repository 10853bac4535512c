import { Server, ServerCredentials, type ServerDuplexStream, status } from '@grpc/grpc-js';
import {
  type CommandResult,
  type ConnectRequest,
  type ConnectResponse,
  type Hello,
  type LatchReport,
  LinkServiceService,
  type ResultAnswer,
  type TelemetryBatch,
  type Welcome,
} from '@roast-operator/proto';

// A minimal gateway for the link's tests: a real grpc-js server on loopback built from the generated
// service. It welcomes, commits each batch after a delay and acks it then, stores each (boot epoch, seq)
// once, sends heartbeats and whatever a test asks, and can drop its streams, fall silent or restart on the
// same port. What it has committed survives a restart, as a gateway's store does; what it had received
// and not yet committed does not.

type Call = ServerDuplexStream<ConnectRequest, ConnectResponse>;

export type TestGatewayOptions = {
  readonly heartbeatIntervalMs?: number;
  /** Receipt to commit (and ack). */
  readonly commitDelayMs?: number;
  /** False: commit without acking, as if every ack were lost on the way. */
  readonly acks?: boolean;
  /** Extra fields for the welcome (limits, an operator latch). */
  readonly welcome?: Partial<Welcome>;
};

/** One stream as the gateway saw it. */
export type SeenStream = {
  readonly hello: Hello;
  readonly authorization: string | undefined;
  /** Telemetry seqs in arrival order. */
  readonly seqs: number[];
};

export class TestGateway {
  readonly #options: TestGatewayOptions;
  #server: Server | undefined;
  #port = 0;
  readonly #calls = new Set<Call>();
  readonly #pending = new Set<NodeJS.Timeout>();
  /** Committed batches by boot epoch and seq: the store. */
  readonly committed = new Map<string, Map<number, TelemetryBatch>>();
  readonly streams: SeenStream[] = [];
  /** Every batch received, resends included. */
  readonly received: TelemetryBatch[] = [];
  /** Batches received again after they were committed: needless resends. */
  readonly resentCommitted: TelemetryBatch[] = [];
  readonly results: CommandResult[] = [];
  readonly answers: ResultAnswer[] = [];
  readonly latchReports: LatchReport[] = [];
  readonly heartbeatsHeard: number[] = [];
  /** Stop answering: no welcome, no heartbeats, no acks. */
  silent = false;

  private constructor(options: TestGatewayOptions) {
    this.#options = options;
  }

  static async start(options: TestGatewayOptions = {}): Promise<TestGateway> {
    const gateway = new TestGateway(options);
    await gateway.#listen(0);
    return gateway;
  }

  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** Live streams that were welcomed. */
  get connected(): number {
    return this.#calls.size;
  }

  /** Every sample committed for `bootEpoch`, in seq order. */
  samples(bootEpoch: string): number[] {
    const batches = [...(this.committed.get(bootEpoch)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
    return batches.flatMap((b) => b.samples.map((s) => s.timeMs));
  }

  /** Writes `body` on every welcomed stream. */
  send(body: NonNullable<ConnectResponse['body']>): void {
    for (const call of this.#calls) call.write({ body });
  }

  /** Ends every stream with UNAVAILABLE, as a broken connection would; uncommitted batches are lost. */
  drop(): void {
    this.#forgetPending();
    for (const call of this.#calls) call.emit('error', { code: status.UNAVAILABLE, details: 'dropped' });
    this.#calls.clear();
  }

  async stop(): Promise<void> {
    this.#forgetPending();
    this.#calls.clear();
    this.#server?.forceShutdown();
    this.#server = undefined;
  }

  /** Stops, and listens again on the same port after `downMs`. */
  async restart(downMs: number): Promise<void> {
    await this.stop();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.#listen(this.#port);
  }

  async #listen(port: number): Promise<void> {
    const server = new Server();
    server.addService(LinkServiceService, { connect: (call: Call) => this.#serve(call) });
    this.#port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    this.#server = server;
  }

  #serve(call: Call): void {
    let seen: SeenStream | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    call.on('data', (message: ConnectRequest) => {
      const body = message.body;
      if (body?.$case === 'hello') {
        const [authorization] = call.metadata.get('authorization');
        seen = { hello: body.value, authorization: authorization?.toString(), seqs: [] };
        this.streams.push(seen);
        if (!this.silent) heartbeat = this.#welcome(call, body.value.bootEpoch);
      } else if (body?.$case === 'telemetry') {
        seen?.seqs.push(body.value.seq);
        this.#receive(call, body.value);
      } else if (body?.$case === 'result') this.results.push(body.value);
      else if (body?.$case === 'resultAnswer') this.answers.push(body.value);
      else if (body?.$case === 'latch') this.latchReports.push(body.value);
      else if (body?.$case === 'heartbeat') this.heartbeatsHeard.push(body.value.timeMs);
    });
    const close = () => {
      clearInterval(heartbeat);
      this.#calls.delete(call);
    };
    call.on('end', () => {
      close();
      call.end();
    });
    call.on('error', close);
    call.on('cancelled', close);
  }

  #welcome(call: Call, bootEpoch: string): NodeJS.Timeout {
    const heartbeatIntervalMs = this.#options.heartbeatIntervalMs ?? 200;
    const committed = [...(this.committed.get(bootEpoch)?.keys() ?? [])];
    this.#calls.add(call);
    call.write({
      body: {
        $case: 'welcome',
        value: { committedSeq: Math.max(0, ...committed), heartbeatIntervalMs, ...this.#options.welcome },
      },
    });
    return setInterval(() => {
      if (!this.silent) call.write({ body: { $case: 'heartbeat', value: { timeMs: Date.now() } } });
    }, heartbeatIntervalMs);
  }

  #receive(call: Call, batch: TelemetryBatch): void {
    this.received.push(batch);
    const store = this.committed.get(batch.bootEpoch) ?? new Map<number, TelemetryBatch>();
    this.committed.set(batch.bootEpoch, store);
    if (store.has(batch.seq)) this.resentCommitted.push(batch);
    const commit = setTimeout(() => {
      this.#pending.delete(commit);
      store.set(batch.seq, batch);
      if (this.#options.acks !== false && !this.silent && this.#calls.has(call)) {
        call.write({
          body: { $case: 'ack', value: { bootEpoch: batch.bootEpoch, committedSeq: batch.seq } },
        });
      }
    }, this.#options.commitDelayMs ?? 0);
    this.#pending.add(commit);
  }

  #forgetPending(): void {
    for (const timer of this.#pending) clearTimeout(timer);
    this.#pending.clear();
  }
}
