// get [NAME] / history: proposals with the earlier system's filters. `get` shows those still in play (or one
// proposal's panel), `history` every one, newest first (20 unless --limit). `-o json` prints the objects.
import { createdMs } from '@roast-operator/analytics';
import type { CommandProposal } from '@roast-operator/api';
import { type Context, step } from '../context.ts';
import { filterFromFlags, openPhases, type ProposalFilter, selectProposals } from '../filters.ts';
import { proposalPanel } from '../panels.ts';
import { describeCommand } from '../proposals.ts';
import { age, table } from '../text.ts';
import { outputFormat } from './output.ts';

export async function get(ctx: Context): Promise<void> {
  const [name] = ctx.args;
  if (name !== undefined) {
    const conn = ctx.connection();
    const proposal = await step(`reading CommandProposal ${name}`, () => conn.proposal(name));
    if (outputFormat(ctx) === 'json') ctx.io.out(JSON.stringify(proposal, null, 2));
    else ctx.io.out(proposalPanel(proposal, ctx.clock.now()));
    return;
  }
  await list(ctx, { phases: openPhases });
}

export const history = (ctx: Context): Promise<void> => list(ctx, { limit: 20 });

async function list(ctx: Context, defaults: ProposalFilter): Promise<void> {
  const filter = filterFromFlags(ctx.flags, defaults);
  const conn = ctx.connection();
  const all = await step(`listing CommandProposals in namespace ${conn.namespace}`, () =>
    conn.proposals(filter.roaster),
  );
  const selected = selectProposals(all, filter);
  if (outputFormat(ctx) === 'json') {
    ctx.io.out(JSON.stringify(selected, null, 2));
    return;
  }
  if (selected.length === 0) {
    ctx.io.out(`No proposals in namespace ${conn.namespace} match.`);
    return;
  }
  ctx.io.out(proposalTable(selected, ctx.clock.now()));
}

export function proposalTable(proposals: readonly CommandProposal[], nowMs: number): string {
  return table(
    ['NAME', 'ROASTER', 'COMMAND', 'PHASE', 'GOVERNOR', 'PROPOSER', 'APPROVER', 'RESULT', 'AGE'],
    proposals.map((p) => [
      p.metadata.name,
      p.spec.roasterRef.name,
      describeCommand(p.spec.command),
      p.status?.phase ?? 'Pending',
      p.status?.governor && `${p.status.governor.decision}/${p.status.governor.rule}`,
      p.spec.proposedBy,
      p.spec.approval && `${p.spec.approval.approver} (${p.spec.approval.decision})`,
      p.status?.result?.outcome,
      age((nowMs - createdMs(p)) / 1000),
    ]),
  );
}
