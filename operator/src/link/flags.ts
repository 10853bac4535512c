// The link gateway's flags, taken out of the operator's command line before the rest is parsed.
import { parseArgs } from 'node:util';
import { splitArgs, UsageError } from '../flags.ts';
import type { ServingFiles } from '../serving-certificate.ts';
import type { TokenReviewOptions } from './auth.ts';

/** The chart's default audience for the edge's projected token (edge.gatewayAudience). */
export const defaultAudience = 'roast-gateway';

export const linkUsage = `Link gateway (served by the leader only; off without --gateway-port):
  --gateway-port N                   serve edge agents' gRPC streams on this port (0 picks a free one)
  --gateway-host HOST                address to bind (default: 0.0.0.0)
  --store-path FILE                  the telemetry store's SQLite file (required with --gateway-port)
  --tls-cert FILE --tls-key FILE     the serving certificate and key (PEM), re-read when renewed (required)
  --edge-service-account NS/NAME     the edge DaemonSet's service account, the only one admitted (required)
  --token-audience AUD               the audience edge tokens carry (default: ${defaultAudience})
  --token-review-seconds N           how often a live stream's token is reviewed again (1–30, default 30)
  --insecure-demo                    plaintext, no token review, instead of the four above: for a demo only`;

/** What the leader serves from: the telemetry store and the serving certificate (gateway and read API). */
export interface ServingFlags {
  insecureDemo: boolean;
  storePath: string;
  /** Unless insecureDemo. */
  tls?: ServingFiles;
}

export interface LinkFlags extends ServingFlags {
  port: number;
  host: string;
  tokenReview?: TokenReviewOptions;
}

/** Flags of the gateway alone; the others are shared with the read API. */
const gatewayOnly = ['gateway-host', 'edge-service-account', 'token-audience', 'token-review-seconds'];

/** A deleted pod or a rotated token loses its stream within twice this. */
const maxReviewSeconds = 30;

const options = {
  'gateway-port': { type: 'string' },
  'gateway-host': { type: 'string', default: '0.0.0.0' },
  'insecure-demo': { type: 'boolean', default: false },
  'store-path': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'edge-service-account': { type: 'string' },
  'token-audience': { type: 'string', default: defaultAudience },
  'token-review-seconds': { type: 'string', default: String(maxReviewSeconds) },
} as const;

type Values = ReturnType<typeof parse>['values'];

/**
 * The link's flags, and the arguments left for the operator's own parser. With `forApi` (the read API runs)
 * the store and TLS flags may come without a gateway: then they are returned as `serving`.
 */
export function splitLinkFlags(
  argv: readonly string[],
  forApi = false,
): { link?: LinkFlags; serving?: ServingFlags; rest: string[] } {
  const { mine, rest } = splitArgs(argv, options);
  let values: Values;
  try {
    values = parse(mine).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values['gateway-port'] === undefined) {
    if (mine.length === 0 && !forApi) return { rest };
    const given = (flag: string) => mine.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
    if (!forApi || gatewayOnly.some(given))
      throw new UsageError('the link gateway flags need --gateway-port');
    return { serving: servingOf(values, '--api-port'), rest };
  }
  const port = Number(values['gateway-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--gateway-port ${values['gateway-port']} is not a port`);
  }
  const link = { port, host: values['gateway-host'], ...servingOf(values, '--gateway-port') };
  if (link.insecureDemo) return { link, rest };
  return { link: { ...link, tokenReview: tokenReview(values) }, rest };
}

/** The store and the certificate, which `by` (the flag that serves) needs. */
function servingOf(values: Values, by: string): ServingFlags {
  const storePath = values['store-path'];
  if (storePath === undefined) throw new UsageError(`${by} needs --store-path`);
  if (values['insecure-demo']) return { storePath, insecureDemo: true };
  const certFile = values['tls-cert'];
  const keyFile = values['tls-key'];
  if (certFile === undefined || keyFile === undefined)
    throw new UsageError(`${by} needs --tls-cert and --tls-key (or --insecure-demo)`);
  return { storePath, insecureDemo: false, tls: { certFile, keyFile } };
}

/** Token review: what the gateway needs unless plaintext was asked for by name. */
function tokenReview(values: Values): TokenReviewOptions {
  const account = values['edge-service-account'];
  const [namespace, name, ...more] = account?.split('/') ?? [];
  if (!namespace || !name || more.length > 0)
    throw new UsageError('--gateway-port needs --edge-service-account namespace/name (or --insecure-demo)');
  const seconds = Number(values['token-review-seconds']);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > maxReviewSeconds)
    throw new UsageError(`--token-review-seconds is a whole number from 1 to ${maxReviewSeconds}`);
  return {
    audience: values['token-audience'],
    edgeServiceAccount: { namespace, name },
    reviewPeriodMs: seconds * 1000,
  };
}

function parse(args: string[]) {
  return parseArgs({ args, options, strict: true, allowPositionals: false });
}
