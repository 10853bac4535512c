// summary: the earlier system's dashboard figures from the proposals in the namespace (libs/analytics).
import { summarize } from '@roast-operator/analytics';
import { type Context, step } from '../context.ts';
import { age, percent, table } from '../text.ts';
import { outputFormat } from './output.ts';

export async function summary(ctx: Context): Promise<void> {
  const conn = ctx.connection();
  const [proposals, sessions] = await step(
    `listing CommandProposals and RoastSessions in namespace ${conn.namespace}`,
    () => Promise.all([conn.proposals(ctx.flags.roaster), conn.sessions()]),
  );
  const s = summarize(proposals, sessions, ctx.clock.now());
  if (outputFormat(ctx) === 'json') {
    ctx.io.out(JSON.stringify(s, null, 2));
    return;
  }
  const totals = (label: string, t: typeof s.last24h) => [
    label,
    t.proposed,
    t.succeeded,
    t.failed,
    t.blocked,
    t.rejected,
    t.expired,
    t.aborted,
    t.open,
    percent(t.successRate),
  ];
  const sections = [
    `Namespace ${conn.namespace}${ctx.flags.roaster ? `, Roaster ${ctx.flags.roaster}` : ''} (simulated and replayed roasts not counted)`,
    '',
    table(
      [
        'WINDOW',
        'PROPOSED',
        'SUCCEEDED',
        'FAILED',
        'BLOCKED',
        'REJECTED',
        'EXPIRED',
        'ABORTED',
        'OPEN',
        'SUCCESS',
      ],
      [totals('24h', s.last24h), totals('7d', s.last7d)],
    ),
    '',
    `Pending approvals: ${s.pendingApprovals.length}`,
    ...(s.pendingApprovals.length > 0
      ? [
          table(
            ['NAME', 'ROASTER', 'COMMAND', 'PROPOSER', 'WAITING', 'EXPIRES IN'],
            s.pendingApprovals.map((p) => [
              p.name,
              p.roaster,
              p.target === undefined ? p.type : `${p.type} ${p.target}`,
              p.proposedBy,
              age(p.ageSeconds),
              p.expiresInSeconds === undefined ? undefined : age(p.expiresInSeconds),
            ]),
          ),
        ]
      : []),
    '',
    'Success by command type (7d):',
    s.byType.length > 0
      ? table(
          ['TYPE', 'SUCCEEDED', 'FAILED', 'SUCCESS'],
          s.byType.map((r) => [r.type, r.succeeded, r.failed, percent(r.successRate)]),
        )
      : 'none proposed',
    '',
    'Recent failures (7d):',
    s.recentFailures.length > 0
      ? table(
          ['NAME', 'ROASTER', 'COMMAND', 'OUTCOME', 'WHEN', 'MESSAGE'],
          s.recentFailures.map((f) => [f.name, f.roaster, f.type, f.outcome, f.time, f.message]),
        )
      : 'none',
  ];
  ctx.io.out(sections.join('\n'));
}
