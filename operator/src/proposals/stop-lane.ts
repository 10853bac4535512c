// The EmergencyStop lane: the one place that sends a stop and keeps what it takes to record it. A stop is
// absolute, idempotent and acts only in the safe direction, so — unlike every other command, recorded
// before it is sent — it is sent first and recorded after: from the cache as soon as the stop's watch event
// arrives (off the roaster's work-queue key, so no other work of the roaster can hold it up), or by the
// reconcile itself. Whichever sends it, the receipt is kept until the stop is recorded past sending, so it
// is recorded with that receipt, and after that until the cache shows it recorded, so a cache behind the
// record never sends it again: never sent twice by this process; two sends at once share one.
import type { CommandProposal, ProposalPhase } from '@roast-operator/api';
import type { Logger } from '@roast-operator/log';
import type { Dispatcher, DispatchReceipt, DispatchRequest } from '../dispatch.ts';
import { isStop, phaseOf } from '../objects.ts';
import type { Plan } from './plan.ts';

/** The phases in which a stop may still be sent, or recorded as sent. */
const sending: ReadonlySet<ProposalPhase> = new Set(['Pending', 'Approved']);

export type StopAction =
  /** Not sent by this process: send it (then record it). */
  | 'send'
  /** Sent, not yet recorded: record it with the receipt held (a lost write is retried, not a send). */
  | 'record'
  /** Recorded past sending, or ended otherwise: the receipt is no longer needed. */
  | 'forget'
  /** Past sending, or recorded by this process while the cache still shows it unsent: nothing to do. */
  | 'none';

/**
 * What this process holds of a stop: its receipt (sent, not yet recorded), the fact that it recorded it past
 * sending (kept until the cache shows that too), or nothing.
 */
export type StopHeld = 'receipt' | 'recorded' | 'nothing';

/** The lane's protocol as a table: the stop's phase and what this process holds of it. */
export function stopAction(phase: ProposalPhase, held: StopHeld): StopAction {
  if (!sending.has(phase)) return held === 'receipt' ? 'forget' : 'none';
  if (held === 'receipt') return 'record';
  // A cache behind this process's own write still shows the stop unsent: it went out already.
  return held === 'recorded' ? 'none' : 'send';
}

export class StopLane {
  readonly #dispatcher: Dispatcher;
  /** Receipts of stops sent and not yet recorded past sending, by proposal UID. */
  readonly #receipts = new Map<string, DispatchReceipt>();
  /** Stops recorded past sending whose new phase the cache has not shown yet, by proposal UID. */
  readonly #recorded = new Set<string>();
  /** Sends under way, by proposal UID: a second caller waits for the first send instead of sending again. */
  readonly #sending = new Map<string, Promise<DispatchReceipt>>();
  /** Stops arrived per roaster key (one entry per roaster). */
  readonly #arrivals = new Map<string, number>();

  constructor(dispatcher: Dispatcher) {
    this.#dispatcher = dispatcher;
  }

  /** What the lane does next for this stop. */
  next(p: CommandProposal): StopAction {
    return stopAction(phaseOf(p), this.#held(p.metadata.uid ?? ''));
  }

  #held(uid: string): StopHeld {
    if (this.#receipts.has(uid)) return 'receipt';
    return this.#recorded.has(uid) ? 'recorded' : 'nothing';
  }

  /**
   * The stop's receipt: the one held (`sent` false), or a new send's (`sent` true). Rejects when it could
   * not be sent.
   */
  async send(
    p: CommandProposal,
    request: DispatchRequest,
    signal: AbortSignal,
  ): Promise<{ receipt: DispatchReceipt; sent: boolean }> {
    const uid = p.metadata.uid ?? '';
    const held = this.#receipts.get(uid);
    if (held !== undefined) return { receipt: held, sent: false };
    const under = this.#sending.get(uid);
    if (under !== undefined) return { receipt: await under, sent: false };
    const sending = this.#dispatcher.dispatch(request, signal);
    this.#sending.set(uid, sending);
    try {
      const receipt = await sending;
      this.#receipts.set(uid, receipt);
      return { receipt, sent: true };
    } finally {
      this.#sending.delete(uid);
    }
  }

  /** How many stops arrived for this roaster key so far: bulk work that sees it change stops for them. */
  arrivals(key: string): number {
    return this.#arrivals.get(key) ?? 0;
  }

  /** A new stop's watch event arrived for this roaster key. */
  arrived(key: string): void {
    this.#arrivals.set(key, this.arrivals(key) + 1);
  }

  /**
   * New stops go out from the cache — on their watch event, and before a reconcile's fresh reads: the same
   * plan on the cached objects, sent at once and recorded by the reconcile that follows. The reads they
   * skip could only have delayed them. Every new stop is handed to the link at the same moment: one stop
   * never waits for another's write to the stream (nor for a send already under way elsewhere).
   */
  async sendFromCache(
    proposals: readonly CommandProposal[],
    planned: (p: CommandProposal) => Plan,
    request: (p: CommandProposal) => DispatchRequest,
    log: Logger,
    signal: AbortSignal,
  ): Promise<void> {
    const isNew = (p: CommandProposal) =>
      isStop(p.spec.command) && phaseOf(p) === 'Pending' && this.next(p) === 'send';
    const sendable = proposals.filter((p) => isNew(p) && planned(p).kind === 'dispatch');
    await Promise.all(
      sendable.map(async (p) => {
        try {
          const { sent } = await this.send(p, request(p), signal);
          if (sent)
            log.info('EmergencyStop sent from the cache; recording it', { proposal: p.metadata.name });
        } catch (err) {
          log.warn('EmergencyStop could not be sent from the cache; the reconcile tries', { err });
        }
      }),
    );
  }

  /** After a step: a stop recorded past sending (or ended otherwise) needs its receipt no more. */
  settle(p: CommandProposal): void {
    if (this.next(p) !== 'forget') return;
    const uid = p.metadata.uid ?? '';
    this.#receipts.delete(uid);
    this.#recorded.add(uid);
  }

  /** The cache's latest of a stop (undefined once deleted): what was recorded is kept until it shows. */
  cached(uid: string, p: CommandProposal | undefined): void {
    if (p === undefined || !sending.has(phaseOf(p))) this.#recorded.delete(uid);
  }
}
