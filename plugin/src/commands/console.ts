// console: the roastery in a local web page, acting with the user's identity, until Ctrl-C. It binds
// 127.0.0.1 on a free port (or --port) and prints a URL with a token made for this launch; listening
// anywhere else takes an explicit --address and a certificate (--tls-cert, --tls-key), since the page
// carries the user's authority. The curve comes from the telemetry read API when one is given.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { wholeNumber } from '../args.ts';
import { ConsoleRoutes } from '../console/routes.ts';
import { ConsoleServer } from '../console/server.ts';
import { type Context, step } from '../context.ts';
import { UsageError } from '../refusal.ts';
import { type TelemetryServer, telemetryServer } from '../telemetry.ts';

const loopback = '127.0.0.1';

export async function consoleCommand(ctx: Context): Promise<void> {
  if (ctx.args.length > 0) throw new UsageError('kubectl roast console takes no arguments');
  const host = ctx.flags.address ?? loopback;
  const port = ctx.flags.port === undefined ? 0 : wholeNumber('--port', ctx.flags.port, 0, 65535);
  const tls = await certificate(ctx, host);
  if (!ctx.io.interrupted) throw new UsageError('kubectl roast console runs only from a terminal or a shell');
  const conn = ctx.connection();
  const user = await step('asking the API server who you are', () => conn.user());
  const routes = new ConsoleRoutes(conn, await readApi(ctx), ctx.clock);
  const server = await step(`listening on ${host}`, () =>
    ConsoleServer.start({
      routes,
      host,
      port,
      tls,
      token: randomBytes(24).toString('base64url'),
    }),
  );
  try {
    ctx.io.out(`Console for ${user} in namespace ${conn.namespace}: ${server.url}`);
    ctx.io.out('Open it in your browser; it acts as you. Ctrl-C stops it.');
    await ctx.io.interrupted();
  } finally {
    routes.close();
    await server.close();
  }
}

/** The read API when one is named; without one the console runs and the page says how to add it. */
async function readApi(ctx: Context): Promise<TelemetryServer | undefined> {
  if (ctx.flags['telemetry-server'] === undefined && !process.env.ROAST_TELEMETRY_SERVER) return undefined;
  return telemetryServer(ctx.connection(), ctx.flags);
}

async function certificate(ctx: Context, host: string) {
  const { 'tls-cert': cert, 'tls-key': key } = ctx.flags;
  if (host !== loopback && (cert === undefined || key === undefined))
    throw new UsageError(
      `listening on ${host} lets other machines reach a page that acts as you: give --tls-cert FILE and --tls-key FILE for it, or leave out --address to stay on ${loopback}`,
    );
  if ((cert === undefined) !== (key === undefined))
    throw new UsageError('give both --tls-cert FILE and --tls-key FILE, or neither');
  if (cert === undefined || key === undefined) return undefined;
  return {
    cert: await step(`reading ${cert}`, () => readFile(cert, 'utf8')),
    key: await step(`reading ${key}`, () => readFile(key, 'utf8')),
  };
}
