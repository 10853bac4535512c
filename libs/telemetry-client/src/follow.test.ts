// The client against a real HTTP server on loopback that answers as the read API does: lines split across
// chunks, a lagged stream resumed from its resumeSince, an error line, a refusal.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type FollowLine, followSession, ReadApiError } from './index.ts';

const point = (second: number) => ({
  t: second,
  time: new Date(Date.UTC(2026, 11, 7, 9, 0, second)).toISOString(),
  heater: 7,
  fan: 3,
  drum: 6,
  stateCode: 6,
});
const session = {
  type: 'session',
  apiVersion: 'telemetry.roasting.simcorp.io/v1alpha1',
  session: { namespace: 'roastery', name: 'guji-1', uid: 'u-1', roaster: 'bullet-1', phase: 'Drying' },
};
const line = (l: object) => `${JSON.stringify(l)}\n`;

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A server answering each request with the next of `answers`; returns its URL and the requests' queries. */
async function serve(answers: ((req: IncomingMessage, res: ServerResponse) => void)[]) {
  const queries: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    queries.push(new URL(req.url ?? '/', 'http://x').searchParams);
    expect(req.headers.authorization).toBe('Bearer t0k3n');
    answers.shift()?.(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  return {
    api: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, token: 't0k3n' },
    queries,
  };
}

async function all(lines: AsyncIterable<FollowLine>): Promise<FollowLine[]> {
  const out: FollowLine[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

describe('followSession', () => {
  it('reads lines split across chunks, resumes after lagged from resumeSince, and stops at end', async () => {
    const lagged = {
      type: 'lagged',
      resumeSince: point(1).time,
      message: 'the caller did not read for 10000 ms',
    };
    const { api, queries } = await serve([
      (_, res) => {
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
        const text = line(session) + line({ type: 'points', points: [point(0), point(1)] }) + line(lagged);
        res.write(text.slice(0, 37));
        res.end(text.slice(37));
      },
      (_, res) => {
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
        res.end(
          line(session) +
            line({ type: 'points', points: [point(2)] }) +
            line({ type: 'end', phase: 'Completed' }),
        );
      },
    ]);
    const lines = await all(followSession(api, { namespace: 'roastery', name: 'guji-1' }));
    expect(lines.map((l) => l.type)).toEqual(['session', 'points', 'lagged', 'session', 'points', 'end']);
    expect(queries.map((q) => Object.fromEntries(q))).toEqual([
      { follow: 'true' },
      { follow: 'true', since: point(1).time },
    ]);
  });

  it('throws the code and message of an error line, and of a refusal', async () => {
    const { api } = await serve([
      (_, res) => {
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
        res.end(line(session) + line({ type: 'error', code: 503, message: 'the telemetry store closed' }));
      },
      (_, res) => {
        res.writeHead(403, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'Status',
            code: 403,
            message: 'User "x" cannot get roastsessions/telemetry',
          }),
        );
      },
    ]);
    const follow = (since?: string) =>
      all(followSession(api, { namespace: 'roastery', name: 'guji-1', ...(since && { since }) }));
    await expect(follow()).rejects.toEqual(new ReadApiError(503, 'the telemetry store closed'));
    await expect(follow(point(0).time)).rejects.toMatchObject({
      code: 403,
      message: 'User "x" cannot get roastsessions/telemetry',
    });
  });

  it('says a stream that broke off before the session ended', async () => {
    const { api } = await serve([
      (_, res) => {
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
        res.end(line(session));
      },
    ]);
    await expect(all(followSession(api, { namespace: 'roastery', name: 'guji-1' }))).rejects.toMatchObject({
      code: 0,
      message: 'the follow of roastery/guji-1 broke off before the session ended',
    });
  });
});
