// CommandProposals as the API returns them, built tersely for tables of cases.
import { apiVersion, CommandProposal, type CommandType, type ProposalPhase } from '@roast-operator/api';

export const now = Date.parse('2026-12-07T12:00:00Z');
export const hoursAgo = (h: number): string => new Date(now - h * 3_600_000).toISOString();

export interface ProposalCase {
  name: string;
  type?: CommandType;
  phase?: ProposalPhase;
  /** Hours before `now` the proposal was created. */
  age: number;
  outcome?: 'Succeeded' | 'Failed' | 'Unknown';
  message?: string;
  resultAge?: number;
  expiresIn?: number;
}

export function proposal(c: ProposalCase): CommandProposal {
  const type = c.type ?? 'SetHeater';
  // Parsed as a client parses what the API returns (the timestamp is a string on the wire).
  return CommandProposal.parse({
    apiVersion,
    kind: 'CommandProposal',
    metadata: { name: c.name, namespace: 'roastery', creationTimestamp: hoursAgo(c.age) },
    spec: {
      roasterRef: { name: 'bullet-1' },
      command: type === 'SetHeater' ? { type, target: 7 } : { type },
      proposedBy: 'alice',
      ttlSeconds: 60,
    },
    status: {
      ...(c.phase && { phase: c.phase }),
      ...(c.expiresIn !== undefined && { expiresAt: new Date(now + c.expiresIn * 1000).toISOString() }),
      ...(c.outcome && {
        result: {
          outcome: c.outcome,
          ...(c.message && { message: c.message }),
          ...(c.resultAge !== undefined && { time: hoursAgo(c.resultAge) }),
        },
      }),
    },
  });
}
