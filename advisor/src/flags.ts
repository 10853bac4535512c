// Command-line flags and environment of the advisor process, checked with zod: a wrong flag is refused
// with what was wrong and the usage.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';

export const usage = `Usage: roast-advisor --read-api URL [flags]

  --kubeconfig PATH                  kubeconfig to use (default: $KUBECONFIG, else the in-cluster config)
  --watch-namespace NS               follow roasts in one namespace only (default: $WATCH_NAMESPACE, else
                                     every namespace the account may read)
  --read-api URL                     the operator's telemetry read API, e.g. https://roast-operator.roast-system:8443
                                     (a private CA: $NODE_EXTRA_CA_CERTS)
  --token-file PATH                  bearer token for the read API, read for every follow (default: the
                                     kubeconfig's token, else the pod's service-account token)
  --leader-elect / --no-leader-elect lead through a Lease before advising (default: on)
  --leader-election-namespace NS     namespace of the Lease (default: $POD_NAMESPACE)
  --leader-election-id NAME          name of the Lease (default: roast-advisor)
  --probe-address HOST:PORT          where /healthz, /readyz and /metrics are served (default: :8081)
  --proposal-ttl DURATION            how long a proposal stays valid, 1s-300s; an overtaken one expires
                                     within it (default: 60s)
  --backoff DURATION                 quiet time for a roaster after a person rejects a proposal (default: 5m)
  --evaluate-every DURATION          shortest time between two judgements of one roast (default: 2s)
  --llm                              have a language model phrase the rationale (default: off)
  --llm-model NAME                   the model (default: claude-haiku-4-5)
  --llm-key-file PATH                file holding the API key, e.g. a mounted Secret (required with --llm)
  --llm-base-url URL                 the Messages API's base URL (default: the SDK's)
  --llm-budget N                     model calls per roast; past it the template rationale (default: 20)
  --llm-timeout DURATION             longest wait for the model; then the template (default: 5s)

Durations: 90s, 5m, 1h30m, 250ms. $POD_NAME and $POD_NAMESPACE (the downward API) name the pod: the Lease
holder's identity. $LOG_LEVEL sets the log level (debug, info, warn, error).`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `5m`, `1h30m`, `250ms` as milliseconds. */
const duration = z.string().transform((text, ctx) => {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    ctx.addIssue({ code: 'custom', message: `${text} is not a duration such as 90s, 5m or 1h30m` });
    return z.NEVER;
  }
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * units[unit!]!, 0);
});

const address = z.string().transform((text, ctx) => {
  const colon = text.lastIndexOf(':');
  const port = Number(text.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    ctx.addIssue({ code: 'custom', message: `${text} is not HOST:PORT` });
    return z.NEVER;
  }
  return { host: text.slice(0, colon) || '0.0.0.0', port };
});

const Values = z.object({
  kubeconfig: z.string().optional(),
  'watch-namespace': z.string().min(1).optional(),
  'read-api': z.url({ protocol: /^https?$/, error: 'needs the read API as an http(s) URL' }),
  'token-file': z.string().optional(),
  'leader-elect': z.boolean(),
  'leader-election-namespace': z.string().min(1).optional(),
  'leader-election-id': z.string().min(1),
  'probe-address': address,
  'proposal-ttl': duration.refine((ms) => ms >= 1000 && ms <= 300_000, 'must be between 1s and 300s'),
  backoff: duration,
  'evaluate-every': duration,
  llm: z.boolean(),
  'llm-model': z.string().min(1),
  'llm-key-file': z.string().optional(),
  'llm-base-url': z.url().optional(),
  'llm-budget': z.coerce.number().int('must be a whole number').min(0),
  'llm-timeout': duration.refine((ms) => ms > 0, 'must be above 0'),
});

export interface Flags {
  kubeconfig?: string;
  watchNamespace?: string;
  readApi: { url: string; tokenFile?: string };
  leaderElection?: { namespace: string; name: string; identity: string };
  probes: { host: string; port: number };
  proposalTtlS: number;
  backoffMs: number;
  evaluateEveryMs: number;
  llm?: { model: string; keyFile: string; baseURL?: string; callsPerRoast: number; timeoutMs: number };
}

export function parseFlags(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Flags {
  let raw: Record<string, unknown>;
  try {
    raw = parse(argv).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const parsed = Values.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--${String(issue.path[0] ?? '')}: ${issue.message}`);
  }
  const v = parsed.data;
  const watchNamespace = v['watch-namespace'] ?? (env.WATCH_NAMESPACE || undefined);
  const leaseNamespace = v['leader-election-namespace'] ?? (env.POD_NAMESPACE || undefined);
  if (v['leader-elect'] && leaseNamespace === undefined)
    throw new UsageError('leader election needs --leader-election-namespace or $POD_NAMESPACE');
  if (v.llm && v['llm-key-file'] === undefined)
    throw new UsageError('--llm needs --llm-key-file: the API key, e.g. from a mounted Secret');
  const kubeconfig = v.kubeconfig ?? (env.KUBECONFIG || undefined);
  return {
    ...(kubeconfig !== undefined && { kubeconfig }),
    ...(watchNamespace !== undefined && { watchNamespace }),
    readApi: { url: v['read-api'], ...(v['token-file'] !== undefined && { tokenFile: v['token-file'] }) },
    ...(v['leader-elect'] && {
      leaderElection: {
        namespace: leaseNamespace!,
        name: v['leader-election-id'],
        identity: `${env.POD_NAME || hostname()}_${randomUUID().slice(0, 8)}`,
      },
    }),
    probes: v['probe-address'],
    proposalTtlS: Math.round(v['proposal-ttl'] / 1000),
    backoffMs: v.backoff,
    evaluateEveryMs: v['evaluate-every'],
    ...(v.llm && {
      llm: {
        model: v['llm-model'],
        keyFile: v['llm-key-file']!,
        ...(v['llm-base-url'] !== undefined && { baseURL: v['llm-base-url'] }),
        callsPerRoast: v['llm-budget'],
        timeoutMs: v['llm-timeout'],
      },
    }),
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
      'read-api': { type: 'string' },
      'token-file': { type: 'string' },
      'leader-elect': { type: 'boolean', default: true },
      'leader-election-namespace': { type: 'string' },
      'leader-election-id': { type: 'string', default: 'roast-advisor' },
      'probe-address': { type: 'string', default: ':8081' },
      'proposal-ttl': { type: 'string', default: '60s' },
      backoff: { type: 'string', default: '5m' },
      'evaluate-every': { type: 'string', default: '2s' },
      llm: { type: 'boolean', default: false },
      'llm-model': { type: 'string', default: 'claude-haiku-4-5' },
      'llm-key-file': { type: 'string' },
      'llm-base-url': { type: 'string' },
      'llm-budget': { type: 'string', default: '20' },
      'llm-timeout': { type: 'string', default: '5s' },
    },
  });
}
