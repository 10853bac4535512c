// The link gateway, run only while this operator leads: it serves edge agents' streams (server.ts), checks
// each hello (handshake.ts) and keeps one live stream per roaster (registry.ts), takes telemetry in
// (ingest.ts), reports the link on the Roaster's status, and carries commands and their results
// (commands.ts) as the `Dispatcher` the CommandProposal controller uses.
import { status } from '@grpc/grpc-js';
import type { CommandProposal, Roaster } from '@roast-operator/api';
import { type Clock, systemClock, type Timer } from '@roast-operator/clock';
import type { EventRecorder, Informer, Manager, Pod, ResourceClient, Runnable } from '@roast-operator/kube';
import { nodes, pods } from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import type { ConnectRequest, TelemetryBatch } from '@roast-operator/proto';
import type { TelemetryStore } from '@roast-operator/store';
import type { Dispatcher, DispatchReceipt, DispatchRequest, RoasterRef } from '../dispatch.ts';
import { commandProposals, roasters } from '../objects.ts';
import { ServingCertificate, type ServingFiles } from '../serving-certificate.ts';
import type { TelemetryFeed, TelemetryListener } from '../telemetry.ts';
import type { LeaderTelemetryStore } from '../telemetry-store.ts';
import { Refusal, TokenReviewer, type TokenReviewOptions } from './auth.ts';
import { CommandChannel } from './commands.ts';
import {
  asStreamError,
  checkHelloReport,
  type HelloSources,
  RoasterRefusal,
  refOf,
  roasterForHello,
  welcomeOf,
} from './handshake.ts';
import { TelemetryIngest } from './ingest.ts';
import { LinkMetrics } from './metrics.ts';
import { StreamRegistry } from './registry.ts';
import { ResultWriter } from './results.ts';
import { LinkStatus } from './roaster-status.ts';
import { labelLeaderPod, serveLink } from './server.ts';
import { type Call, type LinkStream, StreamError } from './stream.ts';
import { bounds, type CheckedHello, validateHello, validateRequest } from './validate.ts';

export interface LinkGatewayOptions {
  /** The telemetry store, open while this process leads. */
  store: LeaderTelemetryStore;
  host?: string;
  /** 0 picks a free port (logged). */
  port: number;
  /** Plaintext and no token review: only with the operator's explicit `--insecure-demo`. */
  insecureDemo: boolean;
  /** Required unless `insecureDemo`. */
  tls?: ServingFiles;
  /** Required unless `insecureDemo`: how edge agents' service-account tokens are checked. */
  tokenReview?: TokenReviewOptions;
  watchNamespace?: string;
  /** The operator's own pod, labelled while it leads so the gateway Service selects it. */
  pod?: { namespace: string; name: string };
  heartbeatIntervalMs?: number;
  /** Silence after which a stream is ended and its roaster reported Disconnected. */
  silenceMs?: number;
  maxInFlightBatches?: number;
  clock?: Clock;
}

const defaultHeartbeatMs = 5000;

export class LinkGateway implements Dispatcher, TelemetryFeed, Runnable {
  readonly name = 'link-gateway';
  readonly needLeaderElection = true;
  readonly #opts: LinkGatewayOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #podApi: ResourceClient<Pod>;
  readonly #sources: HelloSources;
  readonly #events: EventRecorder;
  readonly #proposals: Informer<CommandProposal>;
  readonly #roasters: Informer<Roaster>;
  readonly #metrics: LinkMetrics;
  readonly #status: LinkStatus;
  readonly #reviewer: TokenReviewer | undefined;
  readonly #streams: StreamRegistry;
  readonly #ingest: TelemetryIngest;
  readonly #commands: CommandChannel;
  #port: number | undefined;

  /** Sets itself up on the manager: its client, cache of proposals, metrics registry and leader election. */
  constructor(manager: Manager, opts: LinkGatewayOptions) {
    // Plaintext, or a stream admitted without a token, must have been asked for by name.
    if (!opts.insecureDemo && (opts.tls === undefined || opts.tokenReview === undefined))
      throw new Error('the link gateway needs TLS files and token review, or --insecure-demo');
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    const scope = opts.watchNamespace === undefined ? {} : { namespace: opts.watchNamespace };
    this.#log = manager.log.child({ component: 'link-gateway' });
    this.#metrics = new LinkMetrics(manager.metrics.registry);
    this.#proposals = manager.informer(commandProposals, scope);
    this.#roasters = manager.informer(roasters, scope);
    const roasterApi = manager.client.resource(roasters);
    this.#podApi = manager.client.resource(pods);
    this.#sources = {
      roasterApi,
      nodeApi: manager.client.resource(nodes),
      roasters: this.#roasters,
      watchNamespace: opts.watchNamespace,
    };
    this.#events = manager.recorder('roasting.simcorp.io/link-gateway');
    this.#status = new LinkStatus(roasterApi, this.#log, this.#clock);
    this.#reviewer =
      opts.tokenReview && !opts.insecureDemo
        ? new TokenReviewer(manager.client, opts.tokenReview)
        : undefined;
    this.#streams = new StreamRegistry(this.#metrics);
    this.#ingest = new TelemetryIngest(() => this.#storeOpen(), this.#metrics, this.#log);
    const results = new ResultWriter(
      manager.client.resource(commandProposals),
      this.#proposals,
      this.#metrics,
      this.#log,
      this.#clock,
    );
    this.#commands = new CommandChannel(results, this.#proposals, this.#metrics, this.#log, this.#clock);
    manager.add(this);
  }

  subscribe(listener: TelemetryListener): () => void {
    return this.#ingest.subscribe(listener);
  }

  /** The port served, once started. */
  get port(): number | undefined {
    return this.#port;
  }

  async start(signal: AbortSignal): Promise<void> {
    // The store stays open until the streams have been ended and their last commits are through.
    const release = this.#opts.store.hold();
    try {
      const { insecureDemo, tls } = this.#opts;
      const host = this.#opts.host ?? '0.0.0.0';
      const certificate =
        tls && !insecureDemo ? await ServingCertificate.open(tls, this.#log, this.#clock) : undefined;
      const served = await serveLink({ host, port: this.#opts.port, certificate }, (call) =>
        this.#connect(call),
      );
      this.#port = served.port;
      if (insecureDemo)
        this.#log.warn('link gateway serving plaintext (--insecure-demo)', { port: this.#port });
      else
        this.#log.info('link gateway serving TLS', {
          port: this.#port,
          audience: this.#opts.tokenReview?.audience,
        });
      await labelLeaderPod(this.#podApi, this.#opts.pod, true, this.#log);
      const timers: Timer[] = [];
      this.#every(timers, this.#heartbeatMs(), () =>
        this.#streams.beat(this.#clock.now(), this.#silenceMs(), (stream, error) =>
          this.#end(stream, error, 'Silent'),
        ),
      );
      const reviewer = this.#reviewer;
      if (reviewer) this.#every(timers, reviewer.periodMs, () => this.#reviewAll(reviewer));
      const sweep = this.#clock.setTimer(
        () => void this.#status.sweep(this.#roasters, (uid) => this.#streams.get(uid) !== undefined, signal),
        this.#silenceMs(),
      );
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      for (const timer of [...timers, sweep]) timer.cancel();
      await labelLeaderPod(this.#podApi, this.#opts.pod, false, this.#log);
      const stopping = new StreamError(
        status.UNAVAILABLE,
        'the operator is stopping; reconnect to its successor',
      );
      for (const stream of [...this.#streams.values()]) this.#end(stream, stopping, 'GatewayStopped');
      await new Promise<void>((resolve) => served.server.tryShutdown(() => resolve()));
      certificate?.stop();
      await this.#status.flush();
      this.#log.info('link gateway stopped');
    } finally {
      release();
    }
  }

  /**
   * Reviews every live stream's token again: a token that no longer passes (its pod deleted, or expired)
   * ends the stream, so the edge reconnects with its current token or not at all.
   */
  #reviewAll(reviewer: TokenReviewer): void {
    for (const stream of this.#streams.values()) {
      reviewer.authenticate(stream.hello, stream.call.metadata).catch((err: unknown) => {
        // Only a definite refusal ends a stream; an API server that cannot answer now is asked next time.
        if (!(err instanceof Refusal) || err.reason === 'ReviewFailed') return;
        this.#end(stream, err, 'Unauthorized');
      });
    }
  }

  /** Runs `fn` every `ms` on the clock; its current timer stays in `timers`, so stopping cancels it. */
  #every(timers: Timer[], ms: number, fn: () => void): void {
    const slot = timers.length;
    const arm = () => {
      timers[slot] = this.#clock.setTimer(() => {
        arm();
        fn();
      }, ms);
    };
    arm();
  }

  #storeOpen(): TelemetryStore {
    const store = this.#opts.store.current;
    if (store === undefined) throw new StreamError(status.UNAVAILABLE, 'the telemetry store is not open');
    return store;
  }

  #heartbeatMs(): number {
    return this.#opts.heartbeatIntervalMs ?? defaultHeartbeatMs;
  }

  #silenceMs(): number {
    return this.#opts.silenceMs ?? 3 * this.#heartbeatMs();
  }

  // --- Streams -------------------------------------------------------------------------------------------

  #connect(call: Call): void {
    let stream: LinkStream | undefined;
    /** Messages that arrived while the hello was being checked, handled once it is welcomed. */
    let early: ConnectRequest[] | undefined;
    let refused = false;
    /** The call ended while its hello was being checked: it must not displace a live stream. */
    let ended = false;
    const refuse = (err: unknown) => {
      if (ended) return;
      refused = true;
      const error = asStreamError(err);
      const reason = error instanceof Refusal ? error.reason : 'HelloRefused';
      this.#metrics.streamsRefused.inc({ code: status[error.code], reason });
      // An unexpected failure keeps its cause in the log; the edge only hears INTERNAL.
      const cause = error === err ? {} : { err };
      if (error instanceof RoasterRefusal) this.#tell(error);
      this.#log.warn('edge agent stream refused', {
        code: status[error.code],
        reason,
        details: error.message,
        ...cause,
      });
      call.emit('error', { code: error.code, details: error.message });
    };
    call.on('data', (message: ConnectRequest) => {
      if (stream !== undefined) return this.#receive(stream, message);
      if (early !== undefined) {
        early.push(message);
        if (early.length > bounds.earlyMessages)
          refuse(new StreamError(status.INVALID_ARGUMENT, 'too many messages before the welcome'));
        return;
      }
      early = [];
      this.#open(call, message, () => ended || refused).then((s) => {
        // Refused or ended while its hello was being checked: it never becomes the roaster's stream.
        if (refused) return this.#forget(s, 'InvalidMessage', 'Refused before its welcome.');
        if (ended) return this.#forget(s, 'StreamEnded', 'The edge agent stream ended at its welcome.');
        stream = s;
        for (const m of early ?? []) this.#receive(s, m);
      }, refuse);
    });
    const gone = () => {
      if (stream !== undefined) this.#lost(stream);
      else ended = true;
    };
    // The edge closed its side: close ours with OK, as a clean goodbye.
    call.on('end', () => {
      if (stream === undefined) {
        ended = true;
        return call.end();
      }
      this.#forget(stream, 'StreamEnded', 'The edge agent closed the stream.');
      stream.end();
    });
    call.on('cancelled', gone);
    call.on('close', gone);
    call.on('error', gone);
  }

  /** Checks the hello and welcomes the stream; rejects with the status to refuse it with. */
  async #open(call: Call, first: ConnectRequest, abandoned: () => boolean): Promise<LinkStream> {
    if (first.body?.$case !== 'hello')
      throw new StreamError(status.INVALID_ARGUMENT, 'the first message must be a hello');
    const identified = validateHello(first.body.value);
    await this.#reviewer?.authenticate(identified, call.metadata);
    const roaster = await roasterForHello(this.#sources, identified);
    const ref = refOf(roaster);
    const hello: CheckedHello = { ...identified, roaster: ref };
    checkHelloReport(roaster, hello);
    const committed = await this.#storeOpen().committedSeq(ref.uid, hello.bootEpoch);
    // A stream that ended during the awaits would replace the roaster's live one with a dead one.
    if (abandoned()) throw new StreamError(status.CANCELLED, 'the stream ended before its welcome');
    // Checked again after the awaits: of two streams racing for one roaster, exactly one gets in.
    const stream = this.#register(call, hello);
    const log = this.#log.child({ roaster: ref.name, namespace: ref.namespace });
    const welcome = welcomeOf(roaster, committed, this.#heartbeatMs());
    await stream.send({ body: { $case: 'welcome', value: welcome } }).catch((err: unknown) => {
      // Gone before the welcome: it never was the roaster's stream.
      this.#forget(stream, 'StreamEnded', 'The edge agent stream ended before its welcome.');
      throw err;
    });
    const device = {
      serial: stream.serial,
      firmware: hello.device.firmware,
      node: stream.node,
      pod: stream.pod,
    };
    this.#status.connected(ref, device, hello.latches);
    this.#streams.latchesChanged();
    this.#ingest.connected(ref, hello.device);
    log.info('edge agent connected', {
      node: stream.node,
      pod: stream.pod,
      bootEpoch: hello.bootEpoch,
      committedSeq: committed,
    });
    void this.#commands.askAfterConnect(stream, log);
    return stream;
  }

  /**
   * A refused edge is told on the Roasters the refusal concerns — unless one streams from its own device
   * right now — and as a Warning Event on each (on the edge's Node when no Roaster matched).
   */
  #tell(refusal: RoasterRefusal): void {
    const event = {
      type: 'Warning',
      reason: refusal.reason,
      action: 'Connect',
      note: refusal.message,
    } as const;
    for (const roaster of refusal.roasters) {
      this.#events.event(roaster, event);
      const ref = refOf(roaster);
      if (this.#streams.get(ref.uid) === undefined)
        this.#status.disconnected(ref, refusal.reason, `The edge agent was refused: ${refusal.message}.`);
    }
    if (refusal.roasters.length === 0 && refusal.node !== undefined) this.#events.event(refusal.node, event);
  }

  #register(call: Call, hello: CheckedHello): LinkStream {
    return this.#streams.register(call, hello, (self) => ({
      maxInFlightBatches: this.#opts.maxInFlightBatches ?? 16,
      commit: (batch) => this.#ingest.commit(hello.roaster, batch),
      acked: (_, receivedAt) => this.#metrics.ackLatency.observe((this.#clock.now() - receivedAt) / 1000),
      clock: this.#clock,
      failed: (err) => {
        this.#log.error('storing telemetry failed; ending the stream so the edge resends', {
          err,
          roaster: hello.roaster.name,
        });
        this.#end(
          self(),
          new StreamError(status.UNAVAILABLE, 'telemetry could not be stored; resend'),
          'StoreFailed',
        );
      },
    }));
  }

  #receive(stream: LinkStream, message: ConnectRequest): void {
    let body: NonNullable<ConnectRequest['body']>;
    try {
      body = validateRequest(message, stream.hello.bootEpoch);
    } catch (err) {
      this.#end(stream, asStreamError(err), 'InvalidMessage');
      return;
    }
    stream.lastHeardAt = this.#clock.now();
    switch (body.$case) {
      case 'telemetry':
        this.#telemetry(stream, body.value);
        break;
      case 'result':
        void this.#commands.result(body.value, stream);
        break;
      case 'resultAnswer':
        void this.#commands.answer(body.value, stream);
        break;
      case 'latch':
        stream.latches = body.value.latches;
        this.#status.latches(stream.roaster, body.value.latches);
        this.#streams.latchesChanged();
        break;
    }
  }

  #telemetry(stream: LinkStream, batch: TelemetryBatch): void {
    this.#ingest.countDrops(stream.roaster.uid, batch);
    stream.ingest(batch);
    const latest = batch.samples.reduce((a, b) => (b.timeMs >= a.timeMs ? b : a));
    this.#status.sample(stream.roaster, latest);
  }

  /** The transport ended: the roaster is Disconnected unless a newer stream already took its place. */
  #lost(stream: LinkStream): void {
    stream.lost();
    this.#forget(stream, 'StreamEnded', 'The edge agent stream ended; the agent reconnects with backoff.');
  }

  #end(stream: LinkStream, error: StreamError, reason: string): void {
    const ref = stream.roaster;
    this.#log.warn('ending edge agent stream', {
      roaster: ref.name,
      namespace: ref.namespace,
      reason,
      details: error.message,
    });
    this.#forget(stream, reason, error.message);
    stream.end(error);
  }

  /** Reports the roaster Disconnected, once, and only if this stream still is its live one. */
  #forget(stream: LinkStream, reason: string, message: string): void {
    if (!this.#streams.remove(stream)) return;
    const ref = stream.roaster;
    this.#status.disconnected(ref, reason, message);
    this.#ingest.disconnected(ref);
    this.#log.info('edge agent disconnected', {
      roaster: ref.name,
      namespace: ref.namespace,
      node: stream.node,
      reason,
    });
  }

  // --- Dispatcher ----------------------------------------------------------------------------------------

  isConnected(roaster: RoasterRef): boolean {
    return this.#streams.isConnected(roaster);
  }

  dispatch(request: DispatchRequest, signal: AbortSignal): Promise<DispatchReceipt> {
    return this.#commands.send(this.#streams.get(request.roaster.uid), request, signal);
  }
}
