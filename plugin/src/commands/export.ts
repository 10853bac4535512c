// export SESSION --format csv|json|alog [--output-file FILE]: a session's curve and events from the
// operator's telemetry read API — CSV as the API writes it, its JSON with every page joined, or an
// Artisan profile (.alog). To stdout unless --output-file.
import { writeFile } from 'node:fs/promises';
import { toAlog } from '../alog.ts';
import { type Context, step } from '../context.ts';
import { UsageError } from '../refusal.ts';
import { sessionCsv, sessionTelemetry, telemetryServer } from '../telemetry.ts';

const formats = ['csv', 'json', 'alog'] as const;

export async function exportSession(ctx: Context): Promise<void> {
  const [session] = ctx.args;
  const format = formats.find((f) => f === ctx.flags.format);
  if (session === undefined)
    throw new UsageError('name the session: kubectl roast export SESSION --format csv|json|alog');
  if (format === undefined) throw new UsageError(`say which format: --format ${formats.join(', --format ')}`);
  const conn = ctx.connection();
  const server = await telemetryServer(conn, ctx.flags);
  let text: string;
  if (format === 'csv') text = await sessionCsv(conn, server, session);
  else {
    const telemetry = await sessionTelemetry(conn, server, session);
    if (format === 'json') text = `${JSON.stringify(telemetry, null, 2)}\n`;
    else {
      const object = await step(`reading RoastSession ${session}`, () => conn.session(session));
      text = toAlog(telemetry, object);
    }
  }
  const file = ctx.flags['output-file'];
  if (file === undefined) ctx.io.write(text);
  else {
    await step(`writing ${file}`, () => writeFile(file, text));
    ctx.io.err(`Wrote RoastSession ${session} as ${format} to ${file}.`);
  }
}
