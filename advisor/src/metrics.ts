// What the advisor counts, on the manager's registry beside the controller runtime's. Every label is
// bounded: outcomes are the proposal's end phases, rejection reasons two categories, fallbacks
// libs/phrasing's five.
import type { Control, Reason } from '@roast-operator/advisor';
import type { ProposalPhase } from '@roast-operator/api';
import { Counter, type Registry } from 'prom-client';

/** How an advisor proposal ended, as counted. */
export const proposalOutcomes = ['Succeeded', 'Failed', 'Rejected', 'Expired', 'Blocked', 'Aborted'] as const;
export type ProposalOutcome = (typeof proposalOutcomes)[number];
export const isOutcome = (phase: ProposalPhase | undefined): phase is ProposalOutcome =>
  (proposalOutcomes as readonly string[]).includes(phase ?? '');

/** A rejection's reason, as a category: whether the person said why (the text itself goes to the log). */
export const rejectionReasons = ['given', 'none'] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

const controls = ['heater', 'fan', 'drum'] as const satisfies readonly Control[];
const reasons = [
  'scorching',
  'slowDevelopment',
  'fastRise',
  'aheadOfProfile',
  'behindProfile',
] as const satisfies readonly Reason[];
/** Who wrote a proposal's rationale: the template, the model, or the template after the model failed. */
const rationaleBy = ['template', 'model', 'budget', 'timeout', 'rateLimited', 'error', 'malformed'] as const;

/** Why no proposal was made although the advice recommended one. */
export const holds = ['openProposal', 'backingOff', 'latched'] as const;
export type Hold = (typeof holds)[number];

export class AdvisorMetrics {
  readonly #proposed: Counter<'control' | 'reason'>;
  readonly #ended: Counter<'outcome'>;
  readonly #rejected: Counter<'reason'>;
  readonly #held: Counter<'hold'>;
  readonly #overtaken: Counter;
  readonly #phrasing: Counter<'by'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#proposed = new Counter({
      name: 'roast_advisor_proposals_total',
      help: 'Proposals the advisor made, by control and the rule it was a case of.',
      labelNames: ['control', 'reason'],
      registers,
    });
    this.#ended = new Counter({
      name: 'roast_advisor_proposals_ended_total',
      help: 'Advisor proposals that ended, by how: Succeeded (approved and done), Rejected, Expired, Blocked, Failed, Aborted.',
      labelNames: ['outcome'],
      registers,
    });
    this.#rejected = new Counter({
      name: 'roast_advisor_rejections_total',
      help: 'Advisor proposals a person rejected, by whether a reason was given; each starts a back-off.',
      labelNames: ['reason'],
      registers,
    });
    this.#held = new Counter({
      name: 'roast_advisor_held_total',
      help: 'Recommendations not proposed: an open proposal for the roaster, a back-off after a rejection, or a latched roaster.',
      labelNames: ['hold'],
      registers,
    });
    this.#overtaken = new Counter({
      name: 'roast_advisor_overtaken_total',
      help: 'Open proposals the roast overtook (the advice changed); they are left to expire.',
      registers,
    });
    this.#phrasing = new Counter({
      name: 'roast_advisor_rationales_total',
      help: 'Rationales of proposals made, by who wrote them: template, model, or the template after a model fallback (budget, timeout, rateLimited, error, malformed).',
      labelNames: ['by'],
      registers,
    });
    this.#zero();
  }

  /** Every label set at zero from the start, so rate() and increase() see the first one. */
  #zero(): void {
    for (const control of controls) for (const reason of reasons) this.#proposed.inc({ control, reason }, 0);
    for (const outcome of proposalOutcomes) this.#ended.inc({ outcome }, 0);
    for (const reason of rejectionReasons) this.#rejected.inc({ reason }, 0);
    for (const hold of holds) this.#held.inc({ hold }, 0);
    for (const by of rationaleBy) this.#phrasing.inc({ by }, 0);
  }

  proposed(control: Control, reason: Reason): void {
    this.#proposed.inc({ control, reason });
  }
  ended(outcome: ProposalOutcome): void {
    this.#ended.inc({ outcome });
  }
  rejected(reason: RejectionReason): void {
    this.#rejected.inc({ reason });
  }
  held(hold: Hold): void {
    this.#held.inc({ hold });
  }
  overtaken(): void {
    this.#overtaken.inc();
  }
  rationale(by: (typeof rationaleBy)[number]): void {
    this.#phrasing.inc({ by });
  }
}
