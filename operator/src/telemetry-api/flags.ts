// The telemetry read API's flags, taken out of the operator's command line before the rest is parsed. Its
// store, TLS files and --insecure-demo are the link's flags: one store and one certificate for both ports.
import { parseArgs } from 'node:util';
import { splitArgs, UsageError } from '../flags.ts';

export const apiUsage = `Telemetry read API (served by the leader only; off without --api-port):
  --api-port N                       serve the read API over HTTPS on this port (0 picks a free one), with or
                                     without the gateway: it needs --store-path and --tls-cert/--tls-key, or
                                     plaintext with --insecure-demo
  --api-host HOST                    address to bind (default: 0.0.0.0)`;

export interface ApiFlags {
  port: number;
  host: string;
}

const options = {
  'api-port': { type: 'string' },
  'api-host': { type: 'string', default: '0.0.0.0' },
} as const;

/** The read API's flags, and the arguments left for the others. */
export function splitApiFlags(argv: readonly string[]): { api?: ApiFlags; rest: string[] } {
  const { mine, rest } = splitArgs(argv, options);
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(mine).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const text = values['api-port'];
  if (text === undefined) {
    if (mine.length > 0) throw new UsageError('--api-host needs --api-port');
    return { rest };
  }
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--api-port ${text} is not a port`);
  return { api: { port, host: values['api-host'] }, rest };
}

function parse(args: string[]) {
  return parseArgs({ args, options, strict: true, allowPositionals: false });
}
