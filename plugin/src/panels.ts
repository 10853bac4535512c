// What a person looks at before deciding: the proposal's safety panel (command, roaster, proposer, rationale,
// what the governor said) and a roaster's latch with the edge's interlocks. Pure text, every value escaped.
import { createdMs } from '@roast-operator/analytics';
import type { CommandProposal, Roaster } from '@roast-operator/api';
import { describeCommand } from './proposals.ts';
import { age, escapeText, fields } from './text.ts';

export function proposalPanel(p: CommandProposal, nowMs: number): string {
  const governor = p.status?.governor;
  const expiresAt = p.status?.expiresAt;
  const lines = fields([
    ['Proposal', p.metadata.name],
    ['Command', describeCommand(p.spec.command)],
    ['Roaster', p.spec.roasterRef.name],
    ['Session', p.spec.sessionRef?.name],
    ['Proposed by', p.spec.proposedBy],
    ['Proposed', `${age((nowMs - createdMs(p)) / 1000)} ago`],
    ['Rationale', p.spec.rationale],
    ['Phase', p.status?.phase ?? 'Pending'],
    ['Governor', governor && `${governor.decision} by rule ${governor.rule} at ${governor.level}`],
    ...(governor?.reasons ?? []).map((r) => ['  because', r] as const),
    ['Expires', expiresAt && `in ${age((Date.parse(expiresAt) - nowMs) / 1000)}`],
    ['Decision', p.spec.approval && `${p.spec.approval.decision} by ${p.spec.approval.approver}`],
    ['  reason', p.spec.approval?.reason],
    [
      'Result',
      p.status?.result &&
        `${p.status.result.outcome}${p.status.result.message ? `: ${p.status.result.message}` : ''}`,
    ],
  ]);
  return lines;
}

/** Whether the edge reports its interlocks clear: the InterlocksClear condition, else no edge latch active. */
export function interlocksClear(r: Roaster): boolean {
  const condition = r.status?.conditions?.find((c) => c.type === 'InterlocksClear');
  if (condition) return condition.status === 'True';
  return !(r.status?.edgeLatches ?? []).some((l) => l.conditionActive);
}

export function latchPanel(r: Roaster): string {
  const latch = r.status?.latch;
  const edge = r.status?.edgeLatches ?? [];
  return [
    fields([
      ['Roaster', r.metadata.name],
      ['Phase', r.status?.phase],
      ['Latch', latch?.id],
      ['  cause', latch?.cause],
      ['  since', latch?.since],
      ['  detail', latch?.message],
      ['Interlocks', interlocksClear(r) ? 'clear' : 'NOT clear'],
    ]),
    ...edge.map(
      (l) =>
        `  edge latch ${escapeText(l.id)}: ${escapeText(l.cause)}${l.conditionActive ? ' (still active)' : ' (condition gone)'}${l.message ? ` — ${escapeText(l.message)}` : ''}`,
    ),
  ].join('\n');
}
