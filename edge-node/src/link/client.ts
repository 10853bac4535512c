import { type ClientDuplexStream, Metadata, type StatusObject } from '@grpc/grpc-js';
import { backoffDelay, type Clock, systemClock, type Timer, wakeableSleep } from '@roast-operator/clock';
import type { Logger } from '@roast-operator/log';
import {
  type ConnectRequest,
  type ConnectResponse,
  type Hello,
  type Limits,
  LinkServiceClient,
  type Welcome,
} from '@roast-operator/proto';
import type { CommandResult } from '../commands.ts';
import type { AgentEvent, EdgeLink } from '../edge-link.ts';
import type { Unsubscribe } from '../topic.ts';
import { CommandRunner } from './commands.ts';
import { deviceKey, helloMessage, latchMessages, pushedLimits, resultMessage, sample } from './convert.ts';
import { LinkMetrics, type LinkState } from './metrics.ts';
import { defaultLinkTuning, type LinkOptions, type LinkStatus, type LinkTuning } from './options.ts';
import { TelemetryOutbox } from './outbox.ts';

// The edge's end of the link: one gRPC stream to the gateway at a time, reopened with jittered
// exponential backoff. Each stream starts with a hello and is live once the gateway's welcome arrives:
// then the agent hears linkUp, the buffered telemetry goes out (unacknowledged batches first, in order),
// commands run, and heartbeats flow both ways. Silence for `missedHeartbeats` intervals, a failed stream
// or no stream at all is link loss: the agent hears linkDown (it holds, and goes safe after its own
// timeout) and the stream is replaced.

type Call = ClientDuplexStream<ConnectRequest, ConnectResponse>;

const minHeartbeatMs = 100;

/** One stream and what belongs to it alone. */
type Stream = {
  readonly call: Call;
  /** The device its hello named. */
  readonly device: string | undefined;
  welcomed: boolean;
  heardAt: number;
  /** The latches last reported on it, to report changes only. */
  latchReport: string;
  timer: Timer | undefined;
};

export class LinkClient {
  readonly metrics: LinkMetrics;
  readonly #o: LinkOptions;
  readonly #tuning: LinkTuning;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #agent: EdgeLink;
  /** Names this process's batches, with their seqs. */
  readonly #bootEpoch: string;
  readonly #outbox: TelemetryOutbox;
  readonly #runner: CommandRunner;
  readonly #unsubscribe: Unsubscribe[];
  /** Results that finished while no stream was live: sent after the next welcome. */
  #unsent: CommandResult[] = [];
  #state: LinkState = 'down';
  #stream: Stream | undefined;
  #welcomes = 0;
  #stopping = false;
  #loop: Promise<void> | undefined;
  /** Ends the backoff between streams. */
  #wake: (() => void) | undefined;
  /** Ends the wait for the agent's device. */
  #deviceKnown: (() => void) | undefined;

  constructor(options: LinkOptions) {
    this.#o = options;
    this.#tuning = { ...defaultLinkTuning, ...options.tuning };
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log;
    this.#agent = options.agent;
    this.#bootEpoch = options.agent.hello().bootEpoch;
    this.metrics = new LinkMetrics(
      { bufferedBatches: () => this.#outbox.buffer.depth, latches: () => this.#agent.latches().length },
      options.registry,
    );
    this.#outbox = new TelemetryOutbox({
      clock: this.#clock,
      log: this.#log,
      metrics: this.metrics,
      bootEpoch: this.#bootEpoch,
      batchSamples: this.#tuning.batchSamples,
      batchMs: this.#tuning.batchMs,
      capacity: this.#tuning.bufferBatches,
    });
    this.#runner = new CommandRunner({
      agent: this.#agent,
      reachMs: this.#tuning.commandReachMs,
      answer: (result, alreadyDone) => this.#answer(result, alreadyDone),
      log: this.#log,
    });
    // Readings are buffered from the start, link or no link.
    this.#unsubscribe = [
      this.#agent.onReading((reading) => this.#outbox.add(sample(reading))),
      this.#agent.onEvent((event) => this.#onEvent(event)),
    ];
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Closes the stream (cleanly, within the grace) and stops reconnecting. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#outbox.stop();
    this.#wake?.();
    this.#deviceKnown?.();
    const stream = this.#stream;
    stream?.call.end();
    const grace = stream && this.#clock.setTimer(() => stream.call.cancel(), this.#tuning.closeGraceMs);
    await this.#loop;
    grace?.cancel();
    this.#setState('down');
  }

  status(): LinkStatus {
    const buffer = this.#outbox.buffer;
    return {
      state: this.#state,
      bufferedBatches: buffer.depth,
      lastSeq: buffer.lastSeq,
      committedSeq: buffer.committedSeq,
      droppedBatches: buffer.droppedBatches,
      droppedPoints: buffer.droppedPoints,
    };
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      const hello = await this.#helloOnceDeviceKnown();
      if (hello === undefined) return;
      const welcomed = await this.#connect(hello);
      failures = welcomed ? 0 : failures + 1;
      if (this.#stopping) return;
      await this.#pause(backoffDelay(this.#tuning.backoff, failures));
    }
  }

  /** The gateway checks the device against the Roaster's binding: no hello until the agent has one. */
  async #helloOnceDeviceKnown(): Promise<Hello | undefined> {
    for (;;) {
      if (this.#stopping) return undefined;
      const hello = this.#hello();
      if (hello) return hello;
      await new Promise<void>((resolve) => {
        this.#deviceKnown = resolve;
      });
    }
  }

  #hello(): Hello | undefined {
    const { roaster, sourceDetail = '' } = this.#o;
    return helloMessage(this.#agent.hello(), roaster, sourceDetail, this.#agent.conditions());
  }

  async #pause(ms: number): Promise<void> {
    const sleep = wakeableSleep(this.#clock, ms);
    this.#wake = sleep.wake;
    await sleep.done;
  }

  /** One stream, from hello to its end; true when it was welcomed. */
  async #connect(hello: Hello): Promise<boolean> {
    let metadata: Metadata;
    try {
      metadata = await this.#metadata();
    } catch (error) {
      this.#log.error('no token for the gateway', { err: error });
      return false;
    }
    if (this.#stopping) return false;
    const client = new LinkServiceClient(this.#o.gateway, this.#o.credentials);
    this.#setState('connecting');
    this.metrics.connectAttempts.inc();
    try {
      return await new Promise<boolean>((resolve) => {
        const call = client.connect(metadata);
        const stream: Stream = {
          call,
          device: deviceKey(this.#agent.hello()),
          welcomed: false,
          heardAt: this.#clock.now(),
          latchReport: JSON.stringify(hello.latches),
          timer: undefined,
        };
        this.#stream = stream;
        call.on('data', (message: ConnectResponse) => this.#receive(stream, message));
        // Every failure also ends in 'status'; without a listener an 'error' would throw.
        call.on('error', () => {});
        call.on('status', (status: StatusObject) => {
          this.#ended(stream, status);
          resolve(stream.welcomed);
        });
        call.write({ body: { $case: 'hello', value: hello } });
        stream.timer = this.#clock.setTimer(() => {
          this.#log.warn('no welcome from the gateway', { waitedMs: this.#tuning.welcomeTimeoutMs });
          call.cancel();
        }, this.#tuning.welcomeTimeoutMs);
      });
    } finally {
      client.close();
    }
  }

  async #metadata(): Promise<Metadata> {
    const metadata = new Metadata();
    if (this.#o.token) metadata.set('authorization', `Bearer ${(await this.#o.token()).trim()}`);
    return metadata;
  }

  #ended(stream: Stream, status: StatusObject): void {
    stream.timer?.cancel();
    if (this.#stream === stream) {
      this.#stream = undefined;
      this.#outbox.sendOn(undefined);
    }
    this.#setState('down');
    const fields = { code: status.code, details: status.details, welcomed: stream.welcomed };
    if (this.#stopping) this.#log.info('link closed', fields);
    else this.#log.warn(stream.welcomed ? 'link lost' : 'no link to the gateway', fields);
    // The agent holds, and goes safe after its own timeout unless a stream is welcomed again.
    if (stream.welcomed) this.#agent.linkDown();
  }

  #receive(stream: Stream, message: ConnectResponse): void {
    stream.heardAt = this.#clock.now();
    const body = message.body;
    if (body === undefined) return;
    if (!stream.welcomed) {
      if (body.$case === 'welcome') this.#welcomed(stream, body.value);
      else this.#log.warn('ignored before the welcome', { message: body.$case });
      return;
    }
    switch (body.$case) {
      case 'welcome':
        this.#log.warn('ignored a second welcome');
        return;
      case 'ack':
        if (body.value.bootEpoch === this.#bootEpoch) this.#outbox.release(body.value.committedSeq);
        return;
      case 'command':
        this.#runner.receive(body.value);
        return;
      case 'reset':
        this.#runner.reset(body.value);
        return;
      case 'limits':
        this.#applyLimits(body.value);
        return;
      case 'resultQuery':
        this.#answerQuery(body.value.proposalUid);
        return;
      case 'heartbeat':
        // Hearing it was the point.
        return;
    }
  }

  #welcomed(stream: Stream, welcome: Welcome): void {
    stream.timer?.cancel();
    stream.welcomed = true;
    this.#outbox.buffer.rewind();
    if (welcome.committedSeq > this.#outbox.buffer.lastSeq) {
      this.#log.warn('the gateway claims batches never sent', {
        committedSeq: welcome.committedSeq,
        lastSeq: this.#outbox.buffer.lastSeq,
      });
    }
    this.#outbox.release(welcome.committedSeq);
    if (welcome.limits) this.#applyLimits(welcome.limits);
    if (welcome.operatorLatch?.id) this.#runner.latchForOperator(welcome.operatorLatch.id);
    if (this.#welcomes++ > 0) this.metrics.reconnects.inc();
    this.#setState('up');
    this.#agent.linkUp();
    this.#log.info('link up', {
      gateway: this.#o.gateway,
      roaster: welcome.roaster && `${welcome.roaster.namespace}/${welcome.roaster.name}`,
      committedSeq: welcome.committedSeq,
    });
    const unsent = this.#unsent;
    this.#unsent = [];
    for (const result of unsent) this.#sendResult(result, false);
    // A gateway asking for heartbeats faster than 10 a second would flood the stream, not watch it.
    this.#heartbeat(
      stream,
      Math.max(minHeartbeatMs, welcome.heartbeatIntervalMs || this.#tuning.heartbeatMs),
    );
    this.#outbox.sendOn(stream.call);
  }

  /** Sends a heartbeat and any latch change every interval, and ends a stream the gateway fell silent on. */
  #heartbeat(stream: Stream, intervalMs: number): void {
    const silentMs = this.#clock.now() - stream.heardAt;
    if (silentMs > intervalMs * this.#tuning.missedHeartbeats) {
      this.#log.warn('the gateway went silent', { silentMs });
      stream.call.cancel();
      return;
    }
    stream.call.write({ body: { $case: 'heartbeat', value: { timeMs: Math.round(this.#clock.now()) } } });
    this.#reportLatches(stream);
    stream.timer = this.#clock.setTimer(() => this.#heartbeat(stream, intervalMs), intervalMs);
  }

  #reportLatches(stream: Stream): void {
    const latches = latchMessages(this.#agent.latches(), this.#agent.conditions());
    const report = JSON.stringify(latches);
    if (report === stream.latchReport) return;
    stream.latchReport = report;
    stream.call.write({ body: { $case: 'latch', value: { latches } } });
  }

  #applyLimits(limits: Limits): void {
    // The agent logs what it ignored or refused; the stricter local limits stay in force either way.
    this.#agent.updateLimits(pushedLimits(limits));
  }

  #answer(result: CommandResult, alreadyDone: boolean): void {
    if (!alreadyDone) this.metrics.countResult(result.outcome);
    this.#sendResult(result, alreadyDone);
  }

  /** A first result that finds no live stream waits for the next; a repeated one is asked for again. */
  #sendResult(result: CommandResult, alreadyDone: boolean): void {
    const stream = this.#stream;
    if (!stream?.welcomed) {
      if (!alreadyDone) this.#unsent.push(result);
      return;
    }
    stream.call.write({ body: { $case: 'result', value: resultMessage(result, alreadyDone) } });
  }

  #answerQuery(uid: string): void {
    this.#runner.query(uid).then((result) => {
      const stream = this.#stream;
      if (!stream?.welcomed) return; // the gateway asks again on its next stream
      stream.call.write({
        body: {
          $case: 'resultAnswer',
          value: { proposalUid: uid, result: result && resultMessage(result, true) },
        },
      });
    });
  }

  #onEvent(event: AgentEvent): void {
    const stream = this.#stream;
    if (event.type === 'latched' || event.type === 'latch-cleared') {
      if (stream?.welcomed) this.#reportLatches(stream);
    } else if (event.type === 'device' && event.status === 'connected') {
      this.#deviceKnown?.();
      const device = deviceKey(this.#agent.hello());
      if (stream && stream.device !== device) {
        this.#log.warn('another device: a new hello', { was: stream.device, now: device });
        stream.call.cancel();
      }
    }
  }

  #setState(state: LinkState): void {
    this.#state = state;
    this.metrics.setState(state);
  }
}
