// The follow's lines applied to the curve (pure), and the follower against a real HTTP server on loopback
// that answers as the read API does: a connection that breaks off, a refusal, a server without follow.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VirtualClock } from '@roast-operator/clock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyLine, onOrigin, SessionFollower } from './follow.ts';

const point = (time: string, t: number) => ({ t, time, heater: 7, fan: 1, drum: 1, stateCode: 2 });

describe('points already read when the origin moves', () => {
  const before = [point('2026-12-07T10:00:00.000Z', 0), point('2026-12-07T10:00:30.500Z', 30.5)];
  const first = { time: '2026-12-07T10:00:00.000Z', from: 'firstPoint' as const };
  const charge = { time: '2026-12-07T10:01:00.000Z', from: 'charge' as const };

  it('are put on the charge once there is one, negative before it', () => {
    expect(onOrigin(before, first, charge).map((p) => p.t)).toEqual([-60, -29.5]);
  });

  it('stay as they are while the origin stays, or when the answer names none', () => {
    expect(onOrigin(before, first, first)).toBe(before);
    expect(onOrigin(before, first, undefined)).toBe(before);
  });
});

describe('the curve as the follow lines arrive', () => {
  const session = {
    type: 'session' as const,
    apiVersion: 'telemetry.roasting.simcorp.io/v1alpha1',
    session: { namespace: 'roastery', name: 'guji-1', uid: 'u-1', roaster: 'bullet-1', phase: 'Preheating' },
  };
  const first = { time: '2026-12-07T10:00:00.000Z', from: 'firstPoint' as const };
  const charge = { time: '2026-12-07T10:00:01.000Z', from: 'charge' as const };
  const p0 = point('2026-12-07T10:00:00.000Z', 0);
  const p1 = point('2026-12-07T10:00:01.000Z', 1);
  const p2 = point('2026-12-07T10:00:02.000Z', 1);
  const replay = (lines: Parameters<typeof applyLine>[1][]) =>
    lines.reduce<ReturnType<typeof applyLine>>(applyLine, undefined);

  it('starts at the session line and takes status, points and the end in turn', () => {
    const charged = { time: charge.time, secondsSinceCharge: 0, source: 'StateCode' as const };
    const t = replay([
      session,
      { type: 'status', phase: 'Drying', events: { charge: charged } },
      { type: 'points', origin: first, points: [p0, p1] },
      { type: 'heartbeat', time: p1.time },
      { type: 'end', phase: 'Completed' },
    ]);
    expect(t).toMatchObject({
      kind: 'RoastSessionTelemetry',
      session: { name: 'guji-1', phase: 'Completed' },
      events: { charge: charged },
      origin: first,
      more: false,
    });
    expect(t?.points).toEqual([p0, p1]);
  });

  it('ignores lines before the session line', () => {
    expect(replay([{ type: 'points', points: [p0] }])).toBeUndefined();
  });

  it('keeps what it held across a resumed request, without repeating a point, and moves it to a new origin', () => {
    const t = replay([
      session,
      { type: 'points', origin: first, points: [p0, p1] },
      { type: 'lagged', resumeSince: p1.time, message: 'the caller did not read for 10000 ms' },
      { ...session, session: { ...session.session, phase: 'Charged' } },
      { type: 'points', origin: charge, points: [p1, p2] },
    ]);
    expect(t?.session.phase).toBe('Charged');
    expect(t?.origin).toEqual(charge);
    expect(t?.points.map((p) => [p.time, p.t])).toEqual([
      [p0.time, -1],
      [p1.time, 0],
      [p2.time, 1],
    ]);
  });
});

describe('following a session', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  /** A server answering each request with the next of `answers`; returns its address and the queries. */
  async function serve(answers: ((res: ServerResponse) => void)[]) {
    const queries: Record<string, string>[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      queries.push(Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams));
      answers.shift()?.(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 't0k3n', queries };
  }
  const ndjson = (res: ServerResponse, lines: object[], end: boolean) => {
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    const text = lines.map((l) => `${JSON.stringify(l)}\n`).join('');
    if (end) res.end(text);
    else res.write(text);
  };
  const session = {
    type: 'session',
    apiVersion: 'telemetry.roasting.simcorp.io/v1alpha1',
    session: { namespace: 'roastery', name: 'guji-1', uid: 'u-1', roaster: 'bullet-1', phase: 'Drying' },
  };
  const status = { type: 'status', phase: 'Drying', events: {} };
  const origin = { time: '2026-12-07T10:00:00.000Z', from: 'firstPoint' };
  const p = (s: number) => point(`2026-12-07T10:00:0${s}.000Z`, s);

  it('follows again from the last point after the connection broke off, and ends with the session', async () => {
    const clock = new VirtualClock();
    const api = await serve([
      (res) => ndjson(res, [session, status, { type: 'points', origin, points: [p(0), p(1)] }], true),
      (res) =>
        ndjson(
          res,
          [session, status, { type: 'points', origin, points: [p(2)] }, { type: 'end', phase: 'Completed' }],
          true,
        ),
    ]);
    const follower = new SessionFollower(api, 'roastery', 'guji-1', clock);
    let changes = 0;
    follower.onChange(() => changes++);
    expect((await follower.start()).session.name).toBe('guji-1');
    await vi.waitFor(() => expect(follower.reconnecting).toBeDefined());
    expect(follower.reconnecting).toMatch(
      /^Following RoastSession guji-1 failed: the follow of roastery\/guji-1 broke off before the session ended; check --telemetry-server; following again in [01] s$/,
    );
    await clock.advance(15_000);
    await vi.waitFor(() => expect(follower.ended).toBe(true));
    expect(api.queries).toEqual([{ follow: 'true' }, { follow: 'true', since: p(1).time }]);
    expect(follower.telemetry?.points.map((q) => q.time)).toEqual([p(0).time, p(1).time, p(2).time]);
    expect(follower.telemetry?.session.phase).toBe('Completed');
    expect([follower.reconnecting, follower.failure]).toEqual([undefined, undefined]);
    expect(changes).toBeGreaterThanOrEqual(6);
  });

  it('refuses at once what the first request was refused, and a read API that does not follow', async () => {
    const api = await serve([
      (res) => {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', code: 404, message: 'roastsessions "nope" not found' }));
      },
      (res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'RoastSessionTelemetry', more: false, points: [] }, null, 2));
      },
    ]);
    await expect(new SessionFollower(api, 'roastery', 'nope', new VirtualClock()).start()).rejects.toThrow(
      'Following RoastSession nope was refused by the read API (404): roastsessions "nope" not found',
    );
    await expect(new SessionFollower(api, 'roastery', 'guji-1', new VirtualClock()).start()).rejects.toThrow(
      `The read API at ${api.url} does not follow sessions live: it answered follow=true with something other than its JSON lines; upgrade the operator to the release of this plugin`,
    );
  });
});
