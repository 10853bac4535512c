// approve NAME [--reason] / reject NAME --reason: the safety panel, a confirmation, then spec.approval
// written once with the user's own name (as the API server authenticates it) — the admission policies check
// the rest: the approve verb, separation of duties, the phase.
import type { ApprovalDecision, CommandProposal } from '@roast-operator/api';
import type { Connection } from '../connection.ts';
import { type Context, confirm, step } from '../context.ts';
import { proposalPanel } from '../panels.ts';
import { describeCommand } from '../proposals.ts';
import { Refusal, UsageError } from '../refusal.ts';

export async function decide(ctx: Context, decision: ApprovalDecision): Promise<void> {
  const verb = decision === 'Approved' ? 'approve' : 'reject';
  const [name] = ctx.args;
  const reason = ctx.flags.reason;
  if (name === undefined) throw new UsageError(`name the proposal: kubectl roast ${verb} NAME`);
  if (decision === 'Rejected' && !reason)
    throw new UsageError(
      `a rejection needs a reason for the proposer and the audit log: kubectl roast reject ${name} --reason "…"`,
    );
  const conn = ctx.connection();
  const proposal = await step(`reading CommandProposal ${name}`, () => conn.proposal(name));
  ctx.io.out(proposalPanel(proposal, ctx.clock.now()));
  checkDecidable(proposal);
  const user = await step('asking the API server who you are', () => conn.user());
  const what = `${describeCommand(proposal.spec.command)} on Roaster ${proposal.spec.roasterRef.name}`;
  await confirm(
    ctx,
    `${verb === 'approve' ? 'Approve' : 'Reject'} ${what} as ${user}?`,
    `${verb === 'approve' ? 'approving' : 'rejecting'} ${name}`,
  );
  await writeDecision(conn, name, { decision, approver: user, reason });
  ctx.io.out(`${decision} ${name} (${what}) as ${user}.`);
}

/** Refuses a proposal that is not AwaitingApproval: a decision is written once and never changed. */
export function checkDecidable(proposal: CommandProposal): void {
  const phase = proposal.status?.phase ?? 'Pending';
  if (phase !== 'AwaitingApproval')
    throw new Refusal(
      `CommandProposal ${proposal.metadata.name} is ${phase}, not AwaitingApproval: only a proposal awaiting approval can be decided, and a decision is never changed; propose the command again if it is still wanted`,
    );
}

/** Writes `spec.approval`; the admission policies check the approve verb, separation of duties, the phase. */
export async function writeDecision(
  conn: Connection,
  name: string,
  d: { decision: ApprovalDecision; approver: string; reason?: string | undefined },
): Promise<void> {
  const approval = { decision: d.decision, approver: d.approver, ...(d.reason && { reason: d.reason }) };
  await step(`${d.decision === 'Approved' ? 'approving' : 'rejecting'} CommandProposal ${name}`, () =>
    conn.resource('proposal').patch(conn.namespace, name, { spec: { approval } }, { type: 'merge' }),
  );
}
