// Commands over the link, and their results: a command goes out on its roaster's live stream and is
// remembered with that stream's roaster and boot; a result is taken only from a stream of the roaster (and,
// for a command this process sent, the boot) the command went to, or was asked about on. Anything else —
// an admitted edge reporting on another roaster's proposal — is refused, counted and logged.
import type { CommandProposal } from '@roast-operator/api';
import type { Clock } from '@roast-operator/clock';
import { stopLatchId } from '@roast-operator/governor';
import type { Informer } from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import type { CommandResult, ResultAnswer } from '@roast-operator/proto';
import { type DispatchReceipt, type DispatchRequest, NotSent, type RoasterRef } from '../dispatch.ts';
import { isStop, phaseOf } from '../objects.ts';
import type { LinkMetrics } from './metrics.ts';
import { type ProposalRef, type ResultRecord, type ResultWriter, recordOf } from './results.ts';
import type { LinkStream } from './stream.ts';

/** A command this process sent or asked about, and the stream's roaster and boot it went to. */
interface Outstanding extends ProposalRef {
  readonly roasterUid: string;
  /** The edge boot the command went to; undefined for one found after a restart (any boot of the roaster). */
  readonly bootEpoch?: string;
}

/** Whether `stream` may report on `command`: its roaster, and the boot it was sent to. */
export function mayReport(command: Outstanding, stream: { roasterUid: string; bootEpoch: string }): boolean {
  if (command.roasterUid !== stream.roasterUid) return false;
  return command.bootEpoch === undefined || command.bootEpoch === stream.bootEpoch;
}

export class CommandChannel {
  readonly #results: ResultWriter;
  readonly #clock: Clock;
  readonly #proposals: Informer<CommandProposal>;
  readonly #metrics: LinkMetrics;
  readonly #log: Logger;
  /** Commands written by this process and not yet answered, by proposal UID. */
  readonly #sent = new Map<string, Outstanding>();
  /**
   * Proposals this process asked an edge about. They are never sent from here: a send overtaking the
   * answer could act on a proposal already recorded as never received.
   */
  readonly #asked = new Map<string, Outstanding>();

  constructor(
    results: ResultWriter,
    proposals: Informer<CommandProposal>,
    metrics: LinkMetrics,
    log: Logger,
    clock: Clock,
  ) {
    this.#clock = clock;
    this.#results = results;
    this.#proposals = proposals;
    this.#metrics = metrics;
    this.#log = log;
  }

  async send(
    stream: LinkStream | undefined,
    request: DispatchRequest,
    signal: AbortSignal,
  ): Promise<DispatchReceipt> {
    const started = this.#clock.now();
    if (stream === undefined || stream.closed) throw new NotSent('no edge agent stream for the roaster');
    if (this.#asked.has(request.proposalUid)) {
      throw new NotSent('the edge agent was asked about this proposal; it is not sent again');
    }
    signal.throwIfAborted();
    const { command } = request;
    const urgent = isStop(command);
    // A stop latches the edge under the id the operator's latch has for it, so the one ResetLatch naming
    // that latch clears both sides; without it the edge latches under an id of its own no reset can name.
    const latchId = urgent ? stopLatchId(request.proposalUid) : command.latchId;
    const sentAt = new Date(started);
    this.#sent.set(request.proposalUid, {
      ...request.proposal,
      uid: request.proposalUid,
      sentAt: sentAt.getTime(),
      roasterUid: stream.roaster.uid,
      bootEpoch: stream.hello.bootEpoch,
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
    this.#metrics.dispatchLatency.observe((this.#clock.now() - started) / 1000);
    this.#log.info('command sent', {
      roaster: request.roaster.name,
      proposal: request.proposal.name,
      type: command.type,
      deadlineMs,
      pod: stream.pod,
    });
    return { sentAt, ...(stream.node && { node: stream.node }), ...(stream.pod && { pod: stream.pod }) };
  }

  /** A result the edge reported on `stream`. */
  async result(result: CommandResult, stream: LinkStream): Promise<void> {
    const command = this.#outstanding(result.proposalUid, stream.roaster);
    if (command === undefined) {
      this.#log.warn('result for a proposal this operator does not know', {
        roaster: stream.roaster.name,
        uid: result.proposalUid,
      });
      return;
    }
    if (!mayReport(command, { roasterUid: stream.roaster.uid, bootEpoch: stream.hello.bootEpoch })) {
      this.#metrics.resultsRefused.inc();
      this.#log.warn('result refused: the command was not dispatched to this stream', {
        roaster: stream.roaster.name,
        namespace: stream.roaster.namespace,
        node: stream.node,
        proposal: command.name,
        uid: result.proposalUid,
      });
      return;
    }
    await this.#record(command, recordOf(result, command.sentAt, this.#clock.now()));
  }

  /** The edge's answer to a ResultQuery on `stream`. */
  async answer(answer: ResultAnswer, stream: LinkStream): Promise<void> {
    const command = this.#asked.get(answer.proposalUid);
    if (command === undefined) return;
    if (answer.result) return this.result(answer.result, stream);
    if (command.roasterUid !== stream.roaster.uid) return;
    // The edge never saw it, and it is never sent again: the controller ends it Failed.
    await this.#record(command, {
      outcome: 'Unknown',
      message:
        'The edge agent never received the command (the link was lost around its dispatch); it was not sent again.',
    });
  }

  /**
   * After a (re)connect: proposals of the roaster recorded Dispatched with no result, whose command is not
   * being written by this process right now, are resolved by asking the edge — never by sending again.
   */
  async askAfterConnect(stream: LinkStream, log: Logger): Promise<void> {
    const ref = stream.roaster;
    await this.#proposals.waitForSync();
    const open = this.#proposals.store
      .list(ref.namespace)
      .filter(
        (p) =>
          p.spec.roasterRef.name === ref.name &&
          phaseOf(p) === 'Dispatched' &&
          p.status?.result === undefined &&
          !this.#sent.has(p.metadata.uid ?? ''),
      );
    for (const p of open) {
      const uid = p.metadata.uid ?? '';
      const found = this.#results.find(uid);
      if (found === undefined) continue;
      this.#asked.set(uid, { ...found, roasterUid: ref.uid });
      log.info('asking the edge agent for a result', { proposal: found.name });
      await stream
        .send({ body: { $case: 'resultQuery', value: { proposalUid: uid } } })
        .catch(() => this.#asked.delete(uid));
    }
  }

  /** What this process sent or asked about, else a proposal of the roaster the cache holds (after a restart). */
  #outstanding(uid: string, roaster: RoasterRef): Outstanding | undefined {
    const known = this.#sent.get(uid) ?? this.#asked.get(uid);
    if (known !== undefined) return known;
    const found = this.#results.find(uid);
    if (found === undefined) return undefined;
    // Sent by a predecessor: it went to the roaster the proposal names, in some boot of its edge.
    const ofRoaster = found.namespace === roaster.namespace && found.roasterName === roaster.name;
    return { ...found, roasterUid: ofRoaster ? roaster.uid : '' };
  }

  async #record(ref: ProposalRef, record: ResultRecord): Promise<void> {
    try {
      await this.#results.write(ref, record);
      // Asked-about UIDs stay refused for the life of the process: one answer per reconnect at most.
      this.#sent.delete(ref.uid);
    } catch (err) {
      this.#log.error('writing a result failed', { err, proposal: ref.name, namespace: ref.namespace });
    }
  }
}
