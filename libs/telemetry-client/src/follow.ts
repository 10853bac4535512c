// Following a session's telemetry live (`?follow=true`): the lines of one request, and a follow to the
// session's end that resumes by itself after the server said the caller lagged. For the plugin and the
// advisor, which must not import the operator.
import { FollowLine, followContentType, sessionPath } from './wire.ts';

export interface ReadApi {
  /** The read API's base URL, e.g. https://roast-operator.roast-system:8443. */
  readonly url: string;
  /** The caller's bearer token (a service account's, or a person's OIDC id-token). */
  readonly token: string;
  /** The fetch to use; the global one by default. */
  readonly fetch?: typeof fetch;
}

export interface FollowRequest {
  readonly namespace: string;
  readonly name: string;
  /** Only points after this time (RFC 3339): the last point seen, to resume. */
  readonly since?: string;
  readonly signal?: AbortSignal;
}

/** The read API refused the request or could not be reached; `code` is the HTTP status, 0 when none came. */
export class ReadApiError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = 'ReadApiError';
    this.code = code;
  }
}

async function open(api: ReadApi, req: FollowRequest): Promise<ReadableStream<Uint8Array>> {
  const query = new URLSearchParams({ follow: 'true', ...(req.since && { since: req.since }) });
  const url = `${api.url.replace(/\/$/, '')}${sessionPath(req.namespace, req.name)}?${query}`;
  let response: Response;
  try {
    response = await (api.fetch ?? fetch)(url, {
      headers: { Authorization: `Bearer ${api.token}`, Accept: followContentType },
      ...(req.signal && { signal: req.signal }),
    });
  } catch (err) {
    if (req.signal?.aborted) throw err;
    const why = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new ReadApiError(0, `the read API at ${api.url} did not answer (${why})`);
  }
  if (!response.ok || response.body === null) {
    const body: unknown = await response.json().catch(() => undefined);
    const message =
      typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string'
        ? body.message
        : response.statusText;
    throw new ReadApiError(response.status, message);
  }
  return response.body;
}

/** The lines of one follow request, parsed, until the server ends it (or the signal aborts). */
export async function* followOnce(api: ReadApi, req: FollowRequest): AsyncGenerator<FollowLine> {
  const body = await open(api, req);
  let rest = '';
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') yield FollowLine.parse(JSON.parse(line));
  }
  if (rest.trim() !== '') yield FollowLine.parse(JSON.parse(rest));
}

/**
 * Follows a session until it ends, every point once: after a `lagged` line (yielded too, so the caller
 * knows) it asks again from the last point seen. An `error` line, a refusal or a stream that breaks off
 * throws a ReadApiError; its caller may follow again with `since` = the last point it saw.
 */
export async function* followSession(api: ReadApi, req: FollowRequest): AsyncGenerator<FollowLine> {
  let since = req.since;
  for (;;) {
    let ended = false;
    for await (const line of followOnce(api, { ...req, ...(since && { since }) })) {
      if (line.type === 'points') since = line.points.at(-1)?.time ?? since;
      if (line.type === 'lagged') since = line.resumeSince ?? since;
      if (line.type === 'error') throw new ReadApiError(line.code, line.message);
      yield line;
      if (line.type === 'end') return;
      if (line.type === 'lagged') ended = true;
    }
    if (!ended)
      throw new ReadApiError(
        0,
        `the follow of ${req.namespace}/${req.name} broke off before the session ended`,
      );
  }
}
