// Command-line flags and environment of the operator process.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import type { ManagerOptions } from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import type { OperatorOptions } from './operator.ts';
import { defaultBounds, type ProposalBounds } from './proposals/bounds.ts';

export const usage = `Usage: roast-operator [flags]

  --kubeconfig PATH                  kubeconfig to use (default: $KUBECONFIG, else the in-cluster config)
  --watch-namespace NS               watch one namespace only (default: $WATCH_NAMESPACE, else all)
  --leader-elect / --no-leader-elect lead through a Lease before acting (default: on)
  --leader-election-namespace NS     namespace of the Lease (default: $POD_NAMESPACE)
  --leader-election-id NAME          name of the Lease (default: roast-operator)
  --probe-address HOST:PORT          where /healthz, /readyz and /metrics are served (default: :8081)
  --canary-period DURATION           how often the admission guard is proven live (default: 5m)
  --canary-namespace NS              where the dry-run canary proposal is addressed
                                     (default: the watched namespace, else $POD_NAMESPACE, else default)
  --retention DURATION               how long ended proposals and sessions are kept (default: 7d)
  --telemetry-retention DURATION     how long telemetry is kept in the store (default: 30d)
  --telemetry-retention-period DURATION
                                     how often old telemetry is deleted (default: 1h)
  --workers N                        roasters each controller works on at once (default: 4)
  --open-proposals-per-proposer N    open proposals one proposer may have on a roaster; the next is
                                     refused (default: 50; never EmergencyStop or ResetLatch)
  --retained-unsent-proposals N      ended proposals never sent that a roaster keeps; older ones are
                                     deleted before --retention (default: 200)
  --retained-sent-proposals N        ended proposals that were sent that a roaster keeps, besides those of
                                     its active session and its circuit breaker's window (default: 500)

Durations: 90s, 5m, 1h30m, 7d, 250ms. $POD_NAME and $POD_NAMESPACE (the downward API) name the operator's
pod: the Lease holder's identity and the object of Events about the admission guard. $LOG_LEVEL sets the
log level (debug, info, warn, error).`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Flags {
  kubeconfig?: string;
  watchNamespace?: string;
  leaderElection?: { namespace: string; name: string; identity: string };
  probes: { host: string; port: number };
  canary: { namespace: string; periodMs: number; retryMs: number };
  retentionMs: number;
  telemetryRetention: { retentionMs: number; periodMs: number };
  workers: number;
  proposalBounds: ProposalBounds;
  pod?: { namespace: string; name: string };
}

const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `5m`, `1h30m`, `7d`, `250ms` → milliseconds. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(`${text} is not a duration such as 90s, 5m, 1h30m or 7d`);
  }
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * units[unit!]!, 0);
}

function address(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  const port = Number(text.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--probe-address ${text} is not HOST:PORT`);
  }
  return { host: text.slice(0, colon) || '0.0.0.0', port };
}

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} ${text} is not a positive integer`);
  return n;
}

// A failing guard is checked again sooner than a live one, so a fresh install is trusted within seconds.
const canaryRetryMs = 10_000;

export function parseFlags(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Flags {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const podNamespace = env.POD_NAMESPACE || undefined;
  const podName = env.POD_NAME || undefined;
  const watchNamespace = values['watch-namespace'] ?? (env.WATCH_NAMESPACE || undefined);
  const leaseNamespace = values['leader-election-namespace'] ?? podNamespace;
  if (values['leader-elect'] && leaseNamespace === undefined) {
    throw new UsageError('leader election needs --leader-election-namespace or $POD_NAMESPACE');
  }
  const periodMs = parseDuration(values['canary-period']);
  const kubeconfig = values.kubeconfig ?? (env.KUBECONFIG || undefined);
  return {
    ...(kubeconfig !== undefined && { kubeconfig }),
    ...(watchNamespace !== undefined && { watchNamespace }),
    ...(values['leader-elect'] && {
      leaderElection: {
        namespace: leaseNamespace!,
        name: values['leader-election-id'],
        identity: `${podName ?? hostname()}_${randomUUID().slice(0, 8)}`,
      },
    }),
    probes: address(values['probe-address']),
    canary: {
      namespace: values['canary-namespace'] ?? watchNamespace ?? podNamespace ?? 'default',
      periodMs,
      retryMs: Math.min(periodMs, canaryRetryMs),
    },
    retentionMs: parseDuration(values.retention),
    telemetryRetention: {
      retentionMs: parseDuration(values['telemetry-retention']),
      periodMs: parseDuration(values['telemetry-retention-period']),
    },
    workers: positive(values.workers, '--workers'),
    proposalBounds: {
      openPerProposer: positive(values['open-proposals-per-proposer'], '--open-proposals-per-proposer'),
      endedUnsent: positive(values['retained-unsent-proposals'], '--retained-unsent-proposals'),
      endedSent: positive(values['retained-sent-proposals'], '--retained-sent-proposals'),
    },
    ...(podName !== undefined &&
      podNamespace !== undefined && { pod: { namespace: podNamespace, name: podName } }),
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    allowNegative: true,
    options: {
      kubeconfig: { type: 'string' },
      'watch-namespace': { type: 'string' },
      'leader-elect': { type: 'boolean', default: true },
      'leader-election-namespace': { type: 'string' },
      'leader-election-id': { type: 'string', default: 'roast-operator' },
      'probe-address': { type: 'string', default: ':8081' },
      'canary-period': { type: 'string', default: '5m' },
      'canary-namespace': { type: 'string' },
      retention: { type: 'string', default: '7d' },
      'telemetry-retention': { type: 'string', default: '30d' },
      'telemetry-retention-period': { type: 'string', default: '1h' },
      workers: { type: 'string', default: '4' },
      'open-proposals-per-proposer': { type: 'string', default: String(defaultBounds.openPerProposer) },
      'retained-unsent-proposals': { type: 'string', default: String(defaultBounds.endedUnsent) },
      'retained-sent-proposals': { type: 'string', default: String(defaultBounds.endedSent) },
    },
  });
}

/** The cluster to talk to: the kubeconfig named, else the pod's service account. */
export function loadKubeConfig(flags: Pick<Flags, 'kubeconfig'>): KubeConfig {
  const config = new KubeConfig();
  if (flags.kubeconfig === undefined) config.loadFromCluster();
  else config.loadFromFile(flags.kubeconfig);
  return config;
}

/** The process's manager from flags: cluster access, leader election and probes. */
export function managerOptions(flags: Flags, logger: Logger): ManagerOptions {
  return {
    kubeConfig: loadKubeConfig(flags),
    fieldManager: 'roast-operator',
    logger,
    probes: flags.probes,
    ...(flags.leaderElection && { leaderElection: flags.leaderElection }),
  };
}

/** Operator options from flags; the rest (a link, hooks) from the caller. */
export function operatorOptions(
  flags: Flags,
  extra: Omit<OperatorOptions, keyof Flags> = {},
): OperatorOptions {
  const { kubeconfig: _, leaderElection: __, probes: ___, ...rest } = flags;
  return { ...rest, ...extra };
}

/**
 * Takes the flags named in `options` (parseArgs' option config) out of `argv`, so one part of the process
 * parses its own flags strictly and leaves the rest to the others: `mine` and `rest`, each in order. A
 * string flag given as `--flag value` takes the next argument with it.
 */
export function splitArgs(
  argv: readonly string[],
  options: Readonly<Record<string, { type: 'string' | 'boolean' }>>,
): { mine: string[]; rest: string[] } {
  const typeOf = (arg: string) =>
    arg.startsWith('--') ? options[arg.slice(2).split('=')[0] ?? '']?.type : undefined;
  const mine: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const type = typeOf(arg);
    const target = type === undefined ? rest : mine;
    target.push(arg);
    if (type === 'string' && !arg.includes('=') && i + 1 < argv.length) target.push(argv[++i]!);
  }
  return { mine, rest };
}
