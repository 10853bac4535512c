// The operator proves the admission guard is live before trusting it: a server-side dry-run create of a
// CommandProposal that carries an approval must be refused by roast-proposal-create with its own message.
// Anything else — admitted, refused for another reason, no answer — means the guard cannot be shown to
// hold, and the operator reports not ready and dispatches nothing until it can.

import { HttpMethod } from '@kubernetes/client-node';
import { apiVersion, commandProposalNames } from '@roast-operator/api';
import { type Clock, sleep } from '@roast-operator/clock';
import { ApiError, collectionPath, type KubeClient, type Runnable } from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import { commandProposals } from '../objects.ts';

/** How roast-proposal-create refuses a proposal created with an approval (charts/…/policy-proposal-create.yaml). */
export const guardRefusal =
  "ValidatingAdmissionPolicy 'roast-proposal-create' with binding 'roast-proposal-create' denied request: a CommandProposal cannot be created with spec.approval";

export interface GuardState {
  readonly live: boolean;
  /** Why not, or what proved it. */
  readonly message: string;
}

export interface CanaryOptions {
  /** Where the dry-run proposal is addressed; it is never stored. */
  namespace: string;
  /** Between two checks while the guard holds. */
  periodMs: number;
  /** Between two checks while it does not: sooner, so a freshly installed guard is trusted soon. */
  retryMs: number;
  clock: Clock;
  log: Logger;
  /** Called when the guard turns live or stops being live. */
  onChange?: (state: GuardState) => void;
}

const canaryName = 'roast-operator-guard-canary';

/** A proposal the guard must refuse: it carries an approval at create. */
function canaryProposal(namespace: string) {
  return {
    apiVersion,
    kind: commandProposalNames.kind,
    metadata: { name: canaryName, namespace },
    spec: {
      roasterRef: { name: canaryName },
      command: { type: 'SetHeater', target: 0 },
      proposedBy: canaryName,
      rationale: 'Dry run: the admission guard must refuse a proposal created with an approval.',
      approval: { decision: 'Approved', approver: canaryName, reason: 'guard canary' },
    },
  };
}

/** What one answer to the canary says about the guard. */
export function judge(outcome: { admitted: true } | { error: unknown }): GuardState {
  if ('admitted' in outcome) {
    return {
      live: false,
      message:
        'a dry-run CommandProposal carrying an approval was admitted: ValidatingAdmissionPolicy roast-proposal-create or its binding is missing',
    };
  }
  const { error } = outcome;
  const refusal = error instanceof ApiError ? ((error.body as { message?: string }).message ?? '') : '';
  if (refusal.includes(guardRefusal)) {
    return { live: true, message: 'roast-proposal-create refused a dry-run proposal carrying an approval' };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return {
    live: false,
    message:
      `the dry-run proposal carrying an approval was not refused by roast-proposal-create's rule: ${detail}`.slice(
        0,
        1024,
      ),
  };
}

export class GuardCanary implements Runnable {
  readonly name = 'admission-guard-canary';
  // Readiness and dispatch of every replica depend on it, leader or not.
  readonly needLeaderElection = false;
  readonly #client: KubeClient;
  readonly #opts: CanaryOptions;
  #state: GuardState = { live: false, message: 'not checked yet' };

  constructor(client: KubeClient, opts: CanaryOptions) {
    this.#client = client;
    this.#opts = opts;
  }

  get state(): GuardState {
    return this.#state;
  }

  /** For /readyz: a message while the guard is not proven live. */
  readonly readyCheck = (): string | undefined =>
    this.#state.live ? undefined : `admission guard not live: ${this.#state.message}`;

  async check(signal?: AbortSignal): Promise<GuardState> {
    const path = collectionPath(commandProposals, this.#opts.namespace);
    try {
      await this.#client.request(HttpMethod.POST, path, {
        query: { dryRun: 'All', fieldManager: this.#client.fieldManager },
        body: canaryProposal(this.#opts.namespace),
        ...(signal && { signal }),
      });
      return judge({ admitted: true });
    } catch (error) {
      return judge({ error });
    }
  }

  async start(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.#set(await this.check(signal));
      try {
        await sleep(this.#opts.clock, this.#state.live ? this.#opts.periodMs : this.#opts.retryMs, signal);
      } catch {
        return;
      }
    }
  }

  #set(state: GuardState): void {
    const changed = state.live !== this.#state.live;
    this.#state = state;
    if (!changed) return;
    if (state.live) this.#opts.log.info('admission guard is live', { reason: state.message });
    else
      this.#opts.log.error('admission guard is not live: not ready, dispatching nothing', {
        reason: state.message,
      });
    this.#opts.onChange?.(state);
  }
}
