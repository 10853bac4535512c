// The link gateway's flags, taken out of the operator's command line before the rest is parsed.
import { parseArgs } from 'node:util';
import { UsageError } from '../flags.ts';

export const linkUsage = `Link gateway (served by the leader only; off without --gateway-port):
  --gateway-port N                   serve edge agents' gRPC streams on this port (0 picks a free one)
  --gateway-host HOST                address to bind (default: 0.0.0.0)
  --insecure-demo                    plaintext, no token review: for a demo only, and required for now
  --store-path FILE                  the telemetry store's SQLite file (required with --gateway-port)`;

export interface LinkFlags {
  port: number;
  host: string;
  insecureDemo: boolean;
  storePath: string;
}

const options = {
  'gateway-port': { type: 'string' },
  'gateway-host': { type: 'string', default: '0.0.0.0' },
  'insecure-demo': { type: 'boolean', default: false },
  'store-path': { type: 'string' },
} as const;

/** The link's flags, and the arguments left for the operator's own parser. */
export function splitLinkFlags(argv: readonly string[]): { link?: LinkFlags; rest: string[] } {
  const ours = new Set(Object.keys(options));
  const isOurs = (arg: string) => ours.has(arg.replace(/^--/, '').split('=')[0] ?? '');
  const mine: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const target = isOurs(arg) ? mine : rest;
    target.push(arg);
    // A string flag given as `--flag value` takes the next argument with it.
    const takesValue = isOurs(arg) && !arg.includes('=') && arg !== '--insecure-demo';
    if (takesValue && i + 1 < argv.length) target.push(argv[++i]!);
  }
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(mine).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values['gateway-port'] === undefined) {
    if (mine.length > 0) throw new UsageError('--insecure-demo and --store-path need --gateway-port');
    return { rest };
  }
  const port = Number(values['gateway-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--gateway-port ${values['gateway-port']} is not a port`);
  }
  if (values['store-path'] === undefined) throw new UsageError('--gateway-port needs --store-path');
  // TLS with token review is not built yet: plaintext must be asked for by name.
  if (!values['insecure-demo'])
    throw new UsageError('--gateway-port needs --insecure-demo until TLS is built');
  return {
    link: { port, host: values['gateway-host'], insecureDemo: true, storePath: values['store-path'] },
    rest,
  };
}

function parse(args: string[]) {
  return parseArgs({ args, options, strict: true, allowPositionals: false });
}
