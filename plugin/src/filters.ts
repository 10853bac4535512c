// The earlier system's command filters — status, roaster, session, type, limit — as a pure selection over
// parsed proposals. Names are matched without regard to case, and a command type may be given by its word
// (heater for SetHeater).
import { createdMs } from '@roast-operator/analytics';
import { type CommandProposal, CommandType, ProposalPhase } from '@roast-operator/api';
import type { Flags } from './args.ts';
import { wholeNumber } from './args.ts';
import { UsageError } from './refusal.ts';

export interface ProposalFilter {
  phases?: readonly ProposalPhase[];
  roaster?: string;
  session?: string;
  types?: readonly CommandType[];
  limit?: number;
}

/** Phases of a proposal still in play. */
export const openPhases: readonly ProposalPhase[] = ['Pending', 'AwaitingApproval', 'Approved', 'Dispatched'];

const typeWords: Readonly<Record<string, CommandType>> = {
  heater: 'SetHeater',
  fan: 'SetFan',
  drum: 'SetDrum',
  stop: 'EmergencyStop',
  reset: 'ResetLatch',
};

function pick<T extends string>(
  what: string,
  text: string,
  values: readonly T[],
  words: Record<string, T> = {},
): T[] {
  return text.split(',').map((word) => {
    const found =
      values.find((v) => v.toLowerCase() === word.trim().toLowerCase()) ?? words[word.trim().toLowerCase()];
    if (found === undefined) throw new UsageError(`--${what} ${word} is not one of ${values.join(', ')}`);
    return found;
  });
}

/** The filter the flags ask for; `limit` applies when --limit is not given. */
export function filterFromFlags(flags: Flags, defaults: ProposalFilter = {}): ProposalFilter {
  return {
    ...defaults,
    ...(flags.status !== undefined && { phases: pick('status', flags.status, ProposalPhase.options) }),
    ...(flags.roaster !== undefined && { roaster: flags.roaster }),
    ...(flags.session !== undefined && { session: flags.session }),
    ...(flags.type !== undefined && { types: pick('type', flags.type, CommandType.options, typeWords) }),
    ...(flags.limit !== undefined && { limit: wholeNumber('--limit', flags.limit, 1, 10_000) }),
  };
}

/** The proposals the filter selects, newest first, at most `limit`. */
export function selectProposals(proposals: readonly CommandProposal[], f: ProposalFilter): CommandProposal[] {
  return proposals
    .filter((p) => f.phases === undefined || f.phases.includes(p.status?.phase ?? 'Pending'))
    .filter((p) => f.roaster === undefined || p.spec.roasterRef.name === f.roaster)
    .filter((p) => f.session === undefined || p.spec.sessionRef?.name === f.session)
    .filter((p) => f.types === undefined || f.types.includes(p.spec.command.type))
    .sort(
      (a, b) => createdMs(b) - createdMs(a) || (b.metadata.name ?? '').localeCompare(a.metadata.name ?? ''),
    )
    .slice(0, f.limit);
}
