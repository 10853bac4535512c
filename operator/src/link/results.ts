// Edge agents' answers, written to the proposal's status.result: write-once, on the precondition that the
// proposal (by UID) still has no result, so a result the controller or an earlier answer wrote is never
// replaced.
import type { CommandOutcome, CommandProposal } from '@roast-operator/api';
import type { Clock } from '@roast-operator/clock';
import { type Informer, isNotFound, keyOf, type ResourceClient, updateStatusIf } from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import { type CommandResult, Outcome } from '@roast-operator/proto';
import type { LinkMetrics } from './metrics.ts';

export interface ProposalRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** When the command left, for the latency from dispatch to result. */
  readonly sentAt?: number;
}

export interface ResultRecord {
  readonly outcome: CommandOutcome;
  readonly message: string;
  readonly latencyMs?: number;
}

// Why a command that did not succeed failed, where the edge's own message does not say it.
const edgeWords: Readonly<Record<number, string>> = {
  [Outcome.OUTCOME_REFUSED]: 'Refused by the edge agent’s safety layer: ',
  [Outcome.OUTCOME_EXPIRED]: 'Expired before it could start: ',
};

/** The API's outcome for an edge result: refused and expired commands failed. */
export function recordOf(result: CommandResult, sentAt: number | undefined, now: number): ResultRecord {
  const succeeded = result.outcome === Outcome.OUTCOME_SUCCEEDED;
  const prefix = edgeWords[result.outcome] ?? '';
  const repeat = result.alreadyDone ? ' (the first result of an earlier delivery)' : '';
  return {
    outcome: succeeded ? 'Succeeded' : 'Failed',
    message: `${prefix}${result.message}${repeat}`.slice(0, 1024),
    latencyMs: sentAt === undefined ? result.latencyMs : Math.max(0, Math.round(now - sentAt)),
  };
}

export class ResultWriter {
  readonly #api: ResourceClient<CommandProposal>;
  readonly #proposals: Informer<CommandProposal>;
  readonly #metrics: LinkMetrics;
  readonly #log: Logger;
  readonly #clock: Clock;

  constructor(
    api: ResourceClient<CommandProposal>,
    proposals: Informer<CommandProposal>,
    metrics: LinkMetrics,
    log: Logger,
    clock: Clock,
  ) {
    this.#clock = clock;
    this.#api = api;
    this.#proposals = proposals;
    this.#metrics = metrics;
    this.#log = log;
  }

  /** A proposal the cache holds, by UID (an answer after a restart names only the UID), and its roaster. */
  find(uid: string): (ProposalRef & { readonly roasterName: string }) | undefined {
    const p = this.#proposals.store.list().find((o) => o.metadata.uid === uid);
    if (p === undefined) return undefined;
    const sent = p.status?.dispatch?.time;
    return {
      namespace: p.metadata.namespace ?? '',
      name: p.metadata.name ?? '',
      uid,
      roasterName: p.spec.roasterRef.name,
      ...(sent !== undefined && { sentAt: Date.parse(sent) }),
    };
  }

  /** Writes the result unless one is there; false when the proposal already had one or is gone. */
  async write(ref: ProposalRef, record: ResultRecord): Promise<boolean> {
    const log = this.#log.child({ proposal: ref.name, namespace: ref.namespace, uid: ref.uid });
    const result = { ...record, time: new Date(this.#clock.now()).toISOString() };
    let wrote = false;
    try {
      const current =
        this.#proposals.store.get(keyOf(ref.namespace, ref.name)) ??
        (await this.#api.get(ref.namespace, ref.name));
      // Depends only on which proposal it is and that it has no result yet.
      await updateStatusIf(
        this.#api,
        current,
        [
          ['metadata', 'uid'],
          ['status', 'result'],
        ],
        (latest) => {
          // A proposal recreated under the same name is another proposal.
          wrote = latest.metadata.uid === ref.uid && latest.status?.result === undefined;
          return wrote ? { result } : undefined;
        },
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
      log.info('proposal is gone; its result is not recorded', { outcome: record.outcome });
      return false;
    }
    if (wrote) {
      this.#metrics.results.inc({ outcome: record.outcome });
      log.info('result recorded', { outcome: record.outcome, latencyMs: record.latencyMs });
    } else {
      log.info('proposal already has a result; keeping it', { outcome: record.outcome });
    }
    return wrote;
  }
}
