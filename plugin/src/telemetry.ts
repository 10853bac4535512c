// The operator's telemetry read API, as the user: the same bearer token the kubeconfig gives the API server
// (the read API reviews it with a TokenReview and checks `get` on roastsessions/telemetry). Where it
// listens is not discoverable from the API server, so --telemetry-server or ROAST_TELEMETRY_SERVER says so.
// Answers are read page by page (`more`, then `since` the last point) and parsed at this boundary; a live
// roast is followed in follow.ts.
import { SessionTelemetry, sessionPath as telemetryPath } from '@roast-operator/telemetry-client';
import { z } from 'zod';
import type { Flags } from './args.ts';
import type { Connection } from './connection.ts';
import { Refusal, UsageError } from './refusal.ts';
import { escapeText } from './text.ts';

const Failure = z.object({ message: z.string() });

export interface TelemetryServer {
  /** The read API's base URL, e.g. https://roast-operator.roast-system:8443. */
  url: string;
  /** The bearer token sent. */
  token: string;
}

/** Where the read API is and the user's token for it, or a UsageError saying how to give them. */
export async function telemetryServer(
  conn: Connection,
  flags: Flags,
  env = process.env,
): Promise<TelemetryServer> {
  const url = flags['telemetry-server'] ?? env.ROAST_TELEMETRY_SERVER;
  if (!url)
    throw new UsageError(
      "Say where the operator's telemetry read API listens: --telemetry-server https://HOST:PORT or ROAST_TELEMETRY_SERVER (the operator's --api-port, behind the chart's operator Service)",
    );
  if (!/^https?:\/\//.test(url))
    throw new UsageError(`--telemetry-server ${url} is not an http:// or https:// URL`);
  const token = flags.token ?? (await kubeconfigToken(conn));
  if (!token)
    throw new UsageError(
      'The telemetry read API takes a bearer token, and your kubeconfig user has none (it signs in with a client certificate): pass --token, e.g. from kubectl create token',
    );
  return { url: url.replace(/\/$/, ''), token };
}

/** The bearer token client-node would send for the current user (static, file, exec or OIDC). */
async function kubeconfigToken(conn: Connection): Promise<string | undefined> {
  const options: { headers?: Record<string, string> } = {};
  await conn.client.kubeConfig.applyToHTTPSOptions(options);
  return /^Bearer (.+)$/.exec(options.headers?.Authorization ?? '')?.[1];
}

async function read(server: TelemetryServer, path: string, query: URLSearchParams): Promise<Response> {
  const url = `${server.url}${path}?${query}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { Authorization: `Bearer ${server.token}` } });
  } catch (err) {
    const why = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new Refusal(
      `Reading the telemetry failed: the read API at ${server.url} did not answer (${escapeText(why)}); check --telemetry-server`,
    );
  }
  if (!response.ok) {
    const body = Failure.safeParse(await response.json().catch(() => undefined));
    throw new Refusal(
      `Reading the telemetry was refused by the read API (${response.status}): ${escapeText(body.success ? body.data.message : response.statusText)}`,
    );
  }
  return response;
}

const sessionPath = (conn: Connection, session: string) => telemetryPath(conn.namespace, session);

/** The curve (after `after`, else all of it) and the events of a session, every page joined. */
export async function sessionTelemetry(
  conn: Connection,
  server: TelemetryServer,
  session: string,
  after?: string,
): Promise<SessionTelemetry> {
  let answer: SessionTelemetry | undefined;
  for (let since: string | undefined = after; ; ) {
    const query = new URLSearchParams({ format: 'json', ...(since && { since }) });
    const page = SessionTelemetry.parse(await (await read(server, sessionPath(conn, session), query)).json());
    answer = answer ? { ...page, points: [...answer.points, ...page.points] } : page;
    since = page.points.at(-1)?.time;
    if (!page.more || since === undefined) return answer;
  }
}

/** The curve as the read API writes CSV, every page joined under one header. */
export async function sessionCsv(
  conn: Connection,
  server: TelemetryServer,
  session: string,
): Promise<string> {
  let header: string | undefined;
  const rows: string[] = [];
  for (let since: string | undefined; ; ) {
    const query = new URLSearchParams({ format: 'csv', ...(since && { since }) });
    const response = await read(server, sessionPath(conn, session), query);
    const [first, ...lines] = (await response.text()).split('\n').filter((l) => l !== '');
    header ??= first;
    rows.push(...lines);
    const timeColumn = (header ?? '').split(',').indexOf('time');
    since = lines.at(-1)?.split(',')[timeColumn];
    if (response.headers.get('Roast-More') !== 'true' || since === undefined) break;
  }
  return `${[header ?? '', ...rows].join('\n')}\n`;
}
