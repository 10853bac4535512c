// kubectl roast: the command table, help, and the run loop that turns any failure into one sentence on
// stderr and exit code 1 (2 for a usage mistake).
import type { Clock } from '@roast-operator/clock';
import { checkFlags, type Flag, type Flags, parseInvocation } from './args.ts';
import { consoleCommand } from './commands/console.ts';
import { decide } from './commands/decide.ts';
import { exportSession } from './commands/export.ts';
import { reset, stop } from './commands/latch.ts';
import { get, history } from './commands/list.ts';
import { mark } from './commands/mark.ts';
import { plan } from './commands/plan.ts';
import { profile, profileUsage } from './commands/profile.ts';
import { propose } from './commands/propose.ts';
import { summary } from './commands/summary.ts';
import { watch } from './commands/watch.ts';
import { Connection } from './connection.ts';
import type { Context, Io } from './context.ts';
import { levelHelp } from './proposals.ts';
import { Refusal, refusalMessage, UsageError } from './refusal.ts';

export interface CommandSpec {
  readonly usage: string;
  readonly summary: string;
  readonly flags: readonly Flag[];
  run(ctx: Context): Promise<void>;
}

const filters: readonly Flag[] = ['status', 'roaster', 'session', 'type', 'limit', 'output'];

export const commands: Readonly<Record<string, CommandSpec>> = {
  approve: {
    usage: 'approve NAME [--reason TEXT] [--yes]',
    summary: 'approve a proposal awaiting approval, as you, after showing what it does',
    flags: ['reason', 'yes'],
    run: (ctx) => decide(ctx, 'Approved'),
  },
  reject: {
    usage: 'reject NAME --reason TEXT [--yes]',
    summary: 'reject a proposal awaiting approval, as you, with a reason',
    flags: ['reason', 'yes'],
    run: (ctx) => decide(ctx, 'Rejected'),
  },
  stop: {
    usage: 'stop ROASTER [--rationale TEXT]',
    summary: 'emergency stop: heater 0, fan up, latched; asks nothing',
    flags: ['rationale'],
    run: stop,
  },
  reset: {
    usage: 'reset ROASTER [--rationale TEXT] [--yes]',
    summary: "clear the roaster's latch, after showing what latched and the edge's interlocks",
    flags: ['rationale', 'yes'],
    run: reset,
  },
  mark: {
    usage: 'mark SESSION first-crack|dry-end|first-crack-end|second-crack|present|note [--note TEXT]',
    summary: 'mark what you see or that you are at the roaster',
    flags: ['note'],
    run: mark,
  },
  plan: {
    usage: 'plan ROASTER [--name SESSION] [--profile PROFILE]',
    summary: 'plan the next batch: a RoastSession, following a RoastProfile of the namespace',
    flags: ['name', 'profile'],
    run: plan,
  },
  propose: {
    usage:
      'propose ROASTER heater|fan|drum LEVEL | preheat|charge|drop|cool [--rationale TEXT] [--session S] [--ttl SECONDS]',
    summary: `propose a command (levels: ${levelHelp})`,
    flags: ['rationale', 'session', 'ttl'],
    run: propose,
  },
  get: {
    usage: 'get [NAME] [--status PHASE] [--roaster R] [--session S] [--type T] [--limit N] [-o json]',
    summary: 'proposals still in play, or one proposal in full',
    flags: filters,
    run: get,
  },
  history: {
    usage: 'history [--status PHASE] [--roaster R] [--session S] [--type T] [--limit N] [-o json]',
    summary: 'every proposal, newest first (20 unless --limit)',
    flags: filters,
    run: history,
  },
  export: {
    usage:
      'export SESSION --format csv|json|alog [--output-file FILE] [--telemetry-server URL] [--token TOKEN]',
    summary: "a session's curve and events from the telemetry read API; alog opens in Artisan",
    flags: ['format', 'output-file', 'telemetry-server', 'token'],
    run: exportSession,
  },
  watch: {
    usage: 'watch SESSION [--interval SECONDS] [--telemetry-server URL] [--token TOKEN]',
    summary: 'follow a roast: readings, BT curve, events, pending approvals, the latch (polls the read API)',
    flags: ['interval', 'telemetry-server', 'token'],
    run: watch,
  },
  console: {
    usage:
      'console [--port N] [--address HOST --tls-cert FILE --tls-key FILE] [--telemetry-server URL] [--token TOKEN]',
    summary:
      'the roastery in a local web page acting as you: fleet, live roast, approvals, emergency stop, history',
    flags: ['port', 'address', 'tls-cert', 'tls-key', 'telemetry-server', 'token'],
    run: consoleCommand,
  },
  profile: {
    usage: profileUsage,
    summary: 'a RoastProfile from an Artisan recording or a finished roast: YAML for Git, or --apply it',
    flags: ['name', 'apply', 'telemetry-server', 'token'],
    run: profile,
  },
  summary: {
    usage: 'summary [--roaster R] [-o json]',
    summary: 'pending approvals, success rates, 24 h and 7 d totals, recent failures',
    flags: ['roaster', 'output'],
    run: summary,
  },
};

export function helpText(): string {
  const width = Math.max(...Object.values(commands).map((c) => c.usage.split(' ')[0]!.length));
  return [
    'kubectl roast: work the roastery with your own Kubernetes identity.',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --kubeconfig FILE, --context NAME and -n NAMESPACE, as kubectl does.',
    'kubectl roast COMMAND --help shows how to call one.',
  ].join('\n');
}

/** Runs the plugin; returns the exit code. */
export async function run(argv: readonly string[], io: Io, clock: Clock): Promise<number> {
  let connection: Connection | undefined;
  try {
    const { command, args, flags } = parseInvocation(argv);
    if (command === undefined || command === 'help') {
      io.out(helpText());
      return command === undefined && !flags.help ? 2 : 0;
    }
    const spec = commands[command];
    if (spec === undefined)
      throw new UsageError(
        `kubectl roast has no command ${command}: it has ${Object.keys(commands).join(', ')}`,
      );
    if (flags.help) {
      io.out(`kubectl roast ${spec.usage}\n\n${spec.summary}`);
      return 0;
    }
    checkFlags(command, flags, spec.flags);
    await spec.run(context(io, flags, args, clock, () => (connection ??= Connection.open(flags))));
    return 0;
  } catch (err) {
    io.err(refusalMessage('kubectl roast', err));
    return err instanceof UsageError ? 2 : 1;
  } finally {
    await connection?.close();
  }
}

function context(
  io: Io,
  flags: Flags,
  args: readonly string[],
  clock: Clock,
  connection: () => Connection,
): Context {
  return { io, flags, args, clock, connection };
}

export { Refusal };
