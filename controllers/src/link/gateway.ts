// The link gateway: the gRPC server edge agents stream to, run only while this operator leads. It checks
// each stream's hello against the Roaster it names, stores telemetry and acknowledges it after commit,
// reports the link on the Roaster's status, and carries commands to edge agents as the `Dispatcher` the
// CommandProposal controller uses. Results come back on the stream and are written to the proposals.
import { experimental, Server, ServerCredentials, status } from '@grpc/grpc-js';
import type { CommandProposal, Roaster } from '@roast-operator/api';
import { stopLatchId } from '@roast-operator/governor';
import {
  type Informer,
  isNotFound,
  type Manager,
  type Pod,
  pods,
  type ResourceClient,
  type Runnable,
} from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import {
  type CommandResult,
  type ConnectRequest,
  type Hello,
  type Latch,
  type Limits,
  LinkServiceService,
  type ResultAnswer,
  type TelemetryBatch,
} from '@roast-operator/proto';
import type { TelemetryStore } from '@roast-operator/store';
import {
  type Dispatcher,
  type DispatchReceipt,
  type DispatchRequest,
  NotSent,
  type RoasterRef,
} from '../dispatch.ts';
import { commandProposals, phaseOf, roasters } from '../objects.ts';
import type { TelemetryFeed, TelemetryListener } from '../telemetry.ts';
import type { LeaderTelemetryStore } from '../telemetry-store.ts';
import { Refusal, TokenReviewer, type TokenReviewOptions } from './auth.ts';
import { LinkMetrics } from './metrics.ts';
import { type ProposalRef, ResultWriter, recordOf } from './results.ts';
import { LinkStatus } from './status.ts';
import { type Call, LinkStream, StreamError } from './stream.ts';
import { bounds, InvalidMessage, validateHello, validateRequest } from './validate.ts';

/** The serving certificate and key, re-read when they change so a renewed certificate needs no restart. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** How often the files are checked for a renewal. */
  refreshMs?: number;
}

/** The pod label the gateway Service selects: only the leader carries it. */
export const leaderLabel = 'roasting.simcorp.io/link-gateway';

export interface LinkGatewayOptions {
  /** The telemetry store, open while this process leads. */
  store: LeaderTelemetryStore;
  host?: string;
  /** 0 picks a free port (logged). */
  port: number;
  /** Plaintext and no token review: only with the operator's explicit `--insecure-demo`. */
  insecureDemo: boolean;
  /** Required unless `insecureDemo`. */
  tls?: TlsFiles;
  /** Required unless `insecureDemo`: how edge agents' service-account tokens are checked. */
  tokenReview?: TokenReviewOptions;
  watchNamespace?: string;
  /** The operator's own pod, labelled while it leads so the gateway Service selects it. */
  pod?: { namespace: string; name: string };
  heartbeatIntervalMs?: number;
  /** Silence after which a stream is ended and its roaster reported Disconnected. */
  silenceMs?: number;
  maxInFlightBatches?: number;
}

/** What the gateway reaches through the manager. */
interface Parts {
  log: Logger;
  roasterApi: ResourceClient<Roaster>;
  podApi: ResourceClient<Pod>;
  proposals: Informer<CommandProposal>;
  roasters: Informer<Roaster>;
  metrics: LinkMetrics;
  status: LinkStatus;
  results: ResultWriter;
  reviewer: TokenReviewer | undefined;
}

const defaultHeartbeatMs = 5000;
const defaultTlsRefreshMs = 60_000;
const refOf = (hello: Hello): RoasterRef => hello.roaster!;

/** An edge's counters of the batches it dropped and their samples, in one boot. */
type DropCounters = { readonly bootEpoch: string; readonly batches: number; readonly points: number };

export class LinkGateway implements Dispatcher, TelemetryFeed, Runnable {
  readonly name = 'link-gateway';
  readonly needLeaderElection = true;
  readonly #opts: LinkGatewayOptions;
  readonly #a: Parts;
  #port: number | undefined;
  /** The live stream of each roaster, by Roaster UID. */
  readonly #streams = new Map<string, LinkStream>();
  /** Commands written by this process and not yet answered, by proposal UID. */
  readonly #sent = new Map<string, ProposalRef>();
  /**
   * Proposals this process asked an edge about. They are never sent from here: a send overtaking the
   * answer could act on a proposal already recorded as never received.
   */
  readonly #asked = new Map<string, ProposalRef>();
  readonly #listeners = new Set<TelemetryListener>();
  /** The drop counters each roaster's edge last reported, by Roaster UID (see #countDrops). */
  readonly #drops = new Map<string, DropCounters>();

  /** Sets itself up on the manager: its client, cache of proposals, metrics registry and leader election. */
  constructor(manager: Manager, opts: LinkGatewayOptions) {
    // Plaintext, or a stream admitted without a token, must have been asked for by name.
    if (!opts.insecureDemo && (opts.tls === undefined || opts.tokenReview === undefined))
      throw new Error('the link gateway needs TLS files and token review, or --insecure-demo');
    this.#opts = opts;
    const scope = this.#opts.watchNamespace === undefined ? {} : { namespace: this.#opts.watchNamespace };
    const log = manager.log.child({ component: 'link-gateway' });
    const metrics = new LinkMetrics(manager.metrics.registry);
    const proposals = manager.informer(commandProposals, scope);
    const roasterApi = manager.client.resource(roasters);
    const proposalApi = manager.client.resource(commandProposals);
    this.#a = {
      log,
      roasterApi,
      podApi: manager.client.resource(pods),
      proposals,
      roasters: manager.informer(roasters, scope),
      metrics,
      status: new LinkStatus(roasterApi, log),
      results: new ResultWriter(proposalApi, proposals, metrics, log),
      reviewer:
        this.#opts.tokenReview && !this.#opts.insecureDemo
          ? new TokenReviewer(manager.client, this.#opts.tokenReview)
          : undefined,
    };
    manager.add(this);
  }

  subscribe(listener: TelemetryListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The port served, once started. */
  get port(): number | undefined {
    return this.#port;
  }

  async start(signal: AbortSignal): Promise<void> {
    const { log } = this.#a;
    // The store stays open until the streams have been ended and their last commits are through.
    const release = this.#opts.store.hold();
    const server = new Server({
      'grpc.max_receive_message_length': bounds.messageBytes,
      'grpc.max_send_message_length': bounds.messageBytes,
      'grpc.keepalive_time_ms': 30_000,
    });
    server.addService(LinkServiceService, { connect: (call: Call) => this.#connect(call) });
    const host = this.#opts.host ?? '0.0.0.0';
    this.#port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${host}:${this.#opts.port}`, this.#credentials(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
    if (this.#opts.insecureDemo)
      log.warn('link gateway serving plaintext (--insecure-demo)', { port: this.#port });
    else
      log.info('link gateway serving TLS', { port: this.#port, audience: this.#opts.tokenReview?.audience });
    await this.#label(true);
    const timer = setInterval(() => this.#tick(), this.#heartbeatMs());
    const { reviewer } = this.#a;
    const reviews = reviewer && setInterval(() => this.#reviewAll(reviewer), reviewer.periodMs);
    const sweep = setTimeout(() => void this.#sweep(signal), this.#silenceMs());
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    clearInterval(timer);
    clearInterval(reviews);
    clearTimeout(sweep);
    try {
      await this.#stop(server);
    } finally {
      release();
    }
  }

  /**
   * TLS whose certificate and key grpc-js re-reads on its own schedule: new handshakes get the renewed
   * certificate, open streams keep theirs.
   */
  #credentials(): ServerCredentials {
    const { tls } = this.#opts;
    if (this.#opts.insecureDemo || tls === undefined) return ServerCredentials.createInsecure();
    const files = new experimental.FileWatcherCertificateProvider({
      certificateFile: tls.certFile,
      privateKeyFile: tls.keyFile,
      refreshIntervalMs: tls.refreshMs ?? defaultTlsRefreshMs,
    });
    // Its first argument is the identity (serving) provider; no client certificates are asked for.
    return experimental.createCertificateProviderServerCredentials(files, null, false);
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

  async #stop(server: Server): Promise<void> {
    const a = this.#a;
    await this.#label(false);
    const stopping = new StreamError(
      status.UNAVAILABLE,
      'the operator is stopping; reconnect to its successor',
    );
    for (const stream of [...this.#streams.values()]) this.#end(stream, stopping, 'GatewayStopped');
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    await a.status.flush();
    a.log.info('link gateway stopped');
  }

  /** Labels the leader's pod so the gateway Service sends edge agents to it (and unlabels it on the way out). */
  async #label(leading: boolean): Promise<void> {
    const { pod } = this.#opts;
    if (pod === undefined) return;
    const { podApi, log } = this.#a;
    try {
      const labels = { [leaderLabel]: leading ? 'leader' : null };
      await podApi.patch(pod.namespace, pod.name, { metadata: { labels } }, { type: 'merge' });
    } catch (err) {
      // Outside a pod (or before it exists) there is nothing to label; edges are pointed at us directly.
      log.warn('could not label the operator pod for the gateway Service', { err, pod: pod.name, leading });
    }
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

  /**
   * A predecessor that died could not report its streams' end: once edges have had time to reconnect, a
   * roaster still shown Connected with no stream here is reported Disconnected.
   */
  async #sweep(signal: AbortSignal): Promise<void> {
    const a = this.#a;
    await a.roasters.waitForSync(signal).catch(() => undefined);
    if (signal.aborted) return;
    for (const r of a.roasters.store.list()) {
      const shown = r.status?.conditions?.some((c) => c.type === 'Connected' && c.status === 'True');
      const ref = {
        namespace: r.metadata.namespace ?? '',
        name: r.metadata.name ?? '',
        uid: r.metadata.uid ?? '',
      };
      if (!shown || this.#streams.has(ref.uid)) continue;
      a.status.disconnected(
        ref,
        'NoStream',
        'No edge agent has streamed to the operator since it took over the link.',
      );
    }
  }

  /** Heartbeats to every edge, and the end of streams that fell silent. */
  #tick(): void {
    const silenceMs = this.#silenceMs();
    const now = Date.now();
    for (const stream of this.#streams.values()) {
      if (now - stream.lastHeardAt > silenceMs) {
        this.#end(
          stream,
          new StreamError(status.DEADLINE_EXCEEDED, `nothing heard for ${silenceMs} ms`),
          'Silent',
        );
        continue;
      }
      stream.send({ body: { $case: 'heartbeat', value: { timeMs: now } } }).catch(() => undefined);
    }
  }

  // --- Streams -------------------------------------------------------------------------------------------

  #connect(call: Call): void {
    const { log } = this.#a;
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
      this.#a.metrics.streamsRefused.inc({ code: status[error.code], reason });
      // An unexpected failure keeps its cause in the log; the edge only hears INTERNAL.
      const cause = error === err ? {} : { err };
      log.warn('edge agent stream refused', {
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
    const a = this.#a;
    if (first.body?.$case !== 'hello')
      throw new StreamError(status.INVALID_ARGUMENT, 'the first message must be a hello');
    const hello = first.body.value;
    validateHello(hello);
    await a.reviewer?.authenticate(hello, call.metadata);
    const roaster = await this.#roaster(refOf(hello));
    checkBinding(roaster, hello);
    const committed = await this.#storeOpen().committedSeq(hello.roaster!.uid, hello.bootEpoch);
    // A stream that ended during the awaits would replace the roaster's live one with a dead one.
    if (abandoned()) throw new StreamError(status.CANCELLED, 'the stream ended before its welcome');
    // Checked again after the awaits: of two streams racing for one roaster, exactly one gets in.
    const stream = this.#register(call, hello);
    const ref = refOf(hello);
    const log = a.log.child({ roaster: ref.name, namespace: ref.namespace });
    await this.#welcome(stream, roaster, committed).catch((err: unknown) => {
      // Gone before the welcome: it never was the roaster's stream.
      this.#forget(stream, 'StreamEnded', 'The edge agent stream ended before its welcome.');
      throw err;
    });
    a.status.connected(
      ref,
      { serial: stream.serial, firmware: hello.device!.firmware, node: stream.node, pod: stream.pod },
      hello.latches,
    );
    this.#latchesChanged();
    for (const l of this.#listeners) l.connected(ref, hello.device!);
    log.info('edge agent connected', {
      node: stream.node,
      pod: stream.pod,
      bootEpoch: hello.bootEpoch,
      committedSeq: committed,
    });
    void this.#askAfterConnect(stream, log);
    return stream;
  }

  /** Tells the edge what is stored of its boot, the operator's latch (re-pushed every time) and the limits. */
  #welcome(stream: LinkStream, roaster: Roaster, committed: number | undefined): Promise<void> {
    const latch = operatorLatch(roaster);
    return stream.send({
      body: {
        $case: 'welcome',
        value: {
          ...(latch && { operatorLatch: latch }),
          limits: limitsOf(roaster),
          committedSeq: committed ?? 0,
          heartbeatIntervalMs: this.#heartbeatMs(),
        },
      },
    });
  }

  async #roaster(ref: RoasterRef): Promise<Roaster> {
    const { watchNamespace } = this.#opts;
    if (watchNamespace !== undefined && ref.namespace !== watchNamespace) {
      throw new StreamError(
        status.NOT_FOUND,
        `this operator serves namespace ${watchNamespace}, not ${ref.namespace}`,
      );
    }
    let obj: Roaster;
    try {
      obj = await this.#a.roasterApi.get(ref.namespace, ref.name);
    } catch (err) {
      if (isNotFound(err))
        throw new StreamError(status.NOT_FOUND, `Roaster ${ref.namespace}/${ref.name} does not exist`);
      throw new StreamError(status.UNAVAILABLE, 'the Roaster could not be read; try again');
    }
    if (obj.metadata.uid !== ref.uid) {
      throw new StreamError(
        status.FAILED_PRECONDITION,
        `Roaster ${ref.namespace}/${ref.name} has another UID than ${ref.uid}: it was recreated`,
      );
    }
    return obj;
  }

  #register(call: Call, hello: Hello): LinkStream {
    const a = this.#a;
    const uid = hello.roaster!.uid;
    const existing = this.#streams.get(uid);
    const serial = hello.device!.serial;
    if (existing && (existing.node !== hello.nodeName || existing.serial !== serial)) {
      throw new StreamError(
        status.ALREADY_EXISTS,
        `the roaster is connected from node ${existing.node} device ${existing.serial || '(no serial)'}; a stream from another device is refused`,
      );
    }
    const stream = new LinkStream(call, hello, {
      maxInFlightBatches: this.#opts.maxInFlightBatches ?? 16,
      commit: (batch) => this.#commit(refOf(hello), batch),
      acked: (_, receivedAt) => a.metrics.ackLatency.observe((Date.now() - receivedAt) / 1000),
      failed: (err) => {
        a.log.error('storing telemetry failed; ending the stream so the edge resends', {
          err,
          roaster: hello.roaster!.name,
        });
        this.#end(
          stream,
          new StreamError(status.UNAVAILABLE, 'telemetry could not be stored; resend'),
          'StoreFailed',
        );
      },
    });
    this.#streams.set(uid, stream);
    a.metrics.streams.set(this.#streams.size);
    // The same device reconnecting (its old stream died unseen): the new stream replaces its own. The map
    // already names the new one, so the old one's end does not report the roaster Disconnected.
    existing?.end(new StreamError(status.ABORTED, 'replaced by a newer stream from the same device'));
    return stream;
  }

  async #commit(ref: RoasterRef, batch: TelemetryBatch): Promise<unknown> {
    const a = this.#a;
    const result = await this.#storeOpen().append(ref.uid, batch);
    if (result.duplicate) a.metrics.duplicateBatches.inc();
    else a.metrics.pointsIngested.inc(result.pointsStored);
    // Committed now and never before: sessions follow each sample once.
    if (!result.duplicate) for (const l of this.#listeners) l.samples(ref, batch.samples);
    return result;
  }

  #receive(stream: LinkStream, message: ConnectRequest): void {
    let body: NonNullable<ConnectRequest['body']>;
    try {
      body = validateRequest(message, stream.hello.bootEpoch);
    } catch (err) {
      this.#end(stream, asStreamError(err), 'InvalidMessage');
      return;
    }
    stream.lastHeardAt = Date.now();
    const ref = refOf(stream.hello);
    switch (body.$case) {
      case 'telemetry':
        this.#telemetry(stream, body.value);
        break;
      case 'result':
        void this.#result(body.value, ref);
        break;
      case 'resultAnswer':
        void this.#answer(body.value, ref);
        break;
      case 'latch':
        stream.latches = body.value.latches;
        this.#a.status.latches(ref, body.value.latches);
        this.#latchesChanged();
        break;
    }
  }

  #telemetry(stream: LinkStream, batch: TelemetryBatch): void {
    this.#countDrops(stream.hello.roaster!.uid, batch);
    stream.ingest(batch);
    const latest = batch.samples.reduce((a, b) => (b.timeMs >= a.timeMs ? b : a));
    this.#a.status.sample(refOf(stream.hello), latest);
  }

  /**
   * The edge's drop counters run from its boot across all its streams, and every batch repeats them: the
   * metrics rise by what is new since the boot's highest report, so a reconnect counts nothing twice.
   */
  #countDrops(roasterUid: string, batch: TelemetryBatch): void {
    const last = this.#drops.get(roasterUid);
    const seen = last?.bootEpoch === batch.bootEpoch ? last : { batches: 0, points: 0 };
    const { metrics } = this.#a;
    if (batch.droppedBatchesTotal > seen.batches)
      metrics.batchesDropped.inc(batch.droppedBatchesTotal - seen.batches);
    if (batch.droppedPointsTotal > seen.points)
      metrics.pointsDropped.inc(batch.droppedPointsTotal - seen.points);
    this.#drops.set(roasterUid, {
      bootEpoch: batch.bootEpoch,
      batches: Math.max(seen.batches, batch.droppedBatchesTotal),
      points: Math.max(seen.points, batch.droppedPointsTotal),
    });
  }

  /** Latches held by the edges connected now, as each last reported them. */
  #latchesChanged(): void {
    let held = 0;
    for (const stream of this.#streams.values()) held += stream.latches.length;
    this.#a.metrics.edgeLatches.set(held);
  }

  /** The transport ended: the roaster is Disconnected unless a newer stream already took its place. */
  #lost(stream: LinkStream): void {
    stream.lost();
    this.#forget(stream, 'StreamEnded', 'The edge agent stream ended; the agent reconnects with backoff.');
  }

  #end(stream: LinkStream, error: StreamError, reason: string): void {
    const ref = refOf(stream.hello);
    this.#a.log.warn('ending edge agent stream', {
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
    const ref = refOf(stream.hello);
    if (this.#streams.get(ref.uid) !== stream) return;
    this.#streams.delete(ref.uid);
    this.#a.metrics.streams.set(this.#streams.size);
    this.#latchesChanged();
    this.#a.status.disconnected(ref, reason, message);
    for (const l of this.#listeners) l.disconnected(ref);
    this.#a.log.info('edge agent disconnected', {
      roaster: ref.name,
      namespace: ref.namespace,
      node: stream.node,
      reason,
    });
  }

  // --- Dispatcher ----------------------------------------------------------------------------------------

  isConnected(roaster: RoasterRef): boolean {
    const stream = this.#streams.get(roaster.uid);
    return stream !== undefined && !stream.closed && stream.hello.roaster!.name === roaster.name;
  }

  async dispatch(request: DispatchRequest, signal: AbortSignal): Promise<DispatchReceipt> {
    const a = this.#a;
    const started = performance.now();
    const stream = this.#streams.get(request.roaster.uid);
    if (stream === undefined || stream.closed) throw new NotSent('no edge agent stream for the roaster');
    if (this.#asked.has(request.proposalUid)) {
      throw new NotSent('the edge agent was asked about this proposal; it is not sent again');
    }
    signal.throwIfAborted();
    const { command } = request;
    const urgent = command.type === 'EmergencyStop';
    // A stop latches the edge under the id the operator's latch has for it, so the one ResetLatch naming
    // that latch clears both sides; without it the edge latches under an id of its own no reset can name.
    const latchId = urgent ? stopLatchId(request.proposalUid) : command.latchId;
    const sentAt = new Date();
    this.#sent.set(request.proposalUid, {
      ...request.proposal,
      uid: request.proposalUid,
      sentAt: sentAt.getTime(),
    });
    const deadlineMs = Math.max(0, Math.min(0xffffffff, request.deadline.getTime() - sentAt.getTime()));
    try {
      await stream.send(
        {
          body: {
            $case: 'command',
            value: {
              proposalUid: request.proposalUid,
              type: command.type,
              ...(command.target !== undefined && { target: command.target }),
              ...(command.fromState !== undefined && { fromState: command.fromState }),
              ...(latchId !== undefined && { latchId }),
              deadlineMs,
            },
          },
        },
        urgent,
      );
    } catch (err) {
      if (err instanceof NotSent) this.#sent.delete(request.proposalUid);
      throw err;
    }
    a.metrics.dispatchLatency.observe((performance.now() - started) / 1000);
    a.log.info('command sent', {
      roaster: request.roaster.name,
      proposal: request.proposal.name,
      type: command.type,
      deadlineMs,
      pod: stream.pod,
    });
    return { sentAt, ...(stream.node && { node: stream.node }), ...(stream.pod && { pod: stream.pod }) };
  }

  async #result(result: CommandResult, roaster: RoasterRef): Promise<void> {
    const a = this.#a;
    const ref =
      this.#sent.get(result.proposalUid) ??
      this.#asked.get(result.proposalUid) ??
      a.results.find(result.proposalUid);
    if (ref === undefined) {
      a.log.warn('result for a proposal this operator does not know', {
        roaster: roaster.name,
        uid: result.proposalUid,
      });
      return;
    }
    await this.#record(ref, recordOf(result, ref.sentAt, Date.now()));
  }

  async #answer(answer: ResultAnswer, roaster: RoasterRef): Promise<void> {
    const ref = this.#asked.get(answer.proposalUid);
    if (ref === undefined) return;
    if (answer.result) return this.#result(answer.result, roaster);
    // The edge never saw it, and it is never sent again: the controller ends it Failed.
    await this.#record(ref, {
      outcome: 'Unknown',
      message:
        'The edge agent never received the command (the link was lost around its dispatch); it was not sent again.',
    });
  }

  async #record(ref: ProposalRef, record: Parameters<ResultWriter['write']>[1]): Promise<void> {
    try {
      await this.#a.results.write(ref, record);
      // Asked-about UIDs stay refused for the life of the process: one answer per reconnect at most.
      this.#sent.delete(ref.uid);
    } catch (err) {
      this.#a.log.error('writing a result failed', { err, proposal: ref.name, namespace: ref.namespace });
    }
  }

  /**
   * After a (re)connect: proposals of the roaster recorded Dispatched with no result, whose command is not
   * being written by this process right now, are resolved by asking the edge — never by sending again.
   */
  async #askAfterConnect(stream: LinkStream, log: Logger): Promise<void> {
    const { proposals } = this.#a;
    const ref = refOf(stream.hello);
    await proposals.waitForSync();
    const open = proposals.store.list(ref.namespace).filter((p) => {
      return (
        p.spec.roasterRef.name === ref.name &&
        phaseOf(p) === 'Dispatched' &&
        p.status?.result === undefined &&
        !this.#sent.has(p.metadata.uid ?? '')
      );
    });
    for (const o of open) {
      const uid = o.metadata.uid ?? '';
      const found = this.#a.results.find(uid);
      if (found === undefined) continue;
      this.#asked.set(uid, found);
      log.info('asking the edge agent for a result', { proposal: found.name });
      await stream
        .send({ body: { $case: 'resultQuery', value: { proposalUid: uid } } })
        .catch(() => this.#asked.delete(uid));
    }
  }
}

function asStreamError(err: unknown): StreamError {
  if (err instanceof StreamError) return err;
  if (err instanceof InvalidMessage) return new StreamError(status.INVALID_ARGUMENT, err.message);
  return new StreamError(status.INTERNAL, 'the gateway failed to open the stream');
}

/**
 * The stream must come from where the Roaster says its device is: another node or device may not speak for
 * it (with token review the node is the token's pod's node). A device of another model is a misconfiguration.
 */
function checkBinding(roaster: Roaster, hello: Hello): void {
  const { binding, model } = roaster.spec;
  if (binding.nodeName !== undefined && binding.nodeName !== hello.nodeName) {
    const message = `the Roaster is bound to node ${binding.nodeName}, not ${hello.nodeName || '(none)'}`;
    throw new Refusal(status.PERMISSION_DENIED, 'WrongNode', message);
  }
  if (binding.serial !== undefined && binding.serial !== hello.device!.serial) {
    const message = `the Roaster is bound to device ${binding.serial}, not ${hello.device!.serial || '(none)'}`;
    throw new Refusal(status.PERMISSION_DENIED, 'WrongSerial', message);
  }
  if (hello.device!.model !== model) {
    const message = `the Roaster is a ${model}, the edge drives a ${hello.device!.model}`;
    throw new StreamError(status.FAILED_PRECONDITION, message);
  }
}

/** The latch the operator holds, re-pushed on every connect; an edge interlock's latch is the edge's own. */
function operatorLatch(roaster: Roaster): Latch | undefined {
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
function limitsOf(roaster: Roaster): Limits {
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
