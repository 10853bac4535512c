// The telemetry read API: HTTPS on its own port, served only while this operator leads (the leader alone
// holds the telemetry store open). One resource, a RoastSession's curve and events:
//
//   GET /apis/telemetry.roasting.simcorp.io/v1alpha1/namespaces/{ns}/roastsessions/{name}
//
// Every request is authenticated (TokenReview) and authorized (SubjectAccessReview for get on
// roastsessions/telemetry of that session) before the session or the store is read. With follow=true the
// answer is a live stream of JSON lines until the session ends (follow.ts), a few per caller. See docs/api.md.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RoastSession } from '@roast-operator/api';
import { type Clock, systemClock } from '@roast-operator/clock';
import { type Informer, keyOf, type Manager, type Runnable } from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import type { Sample } from '@roast-operator/proto';
import type { TelemetryStore } from '@roast-operator/store';
import { apiGroup, apiVersion, type SessionTelemetry } from '@roast-operator/telemetry-client';
import { Counter, Gauge } from 'prom-client';
import { roastSessions } from '../objects.ts';
import { ServingCertificate, type ServingFiles } from '../serving-certificate.ts';
import type { TelemetryFeed } from '../telemetry.ts';
import { Access, type AccessOptions } from './access.ts';
import { originOf, selectPoints, toCsv, toPoint } from './curve.ts';
import { defaultFollowLimits, type FollowEnd, type FollowLimits, FollowStream } from './follow.ts';
import { defaultFollowSlots, type FollowSlotLimits, FollowSlots } from './follow-slots.ts';
import {
  contentTypes,
  maxPointsPerResponse,
  parsePath,
  parseQuery,
  type ReadQuery,
  type SessionRef,
} from './query.ts';
import { Failure } from './refusals.ts';

export interface TelemetryApiOptions {
  /** The open telemetry store, or undefined while it is not (answered 503). */
  store: () => TelemetryStore | undefined;
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Plaintext: only with the operator's explicit `--insecure-demo`. Callers are still reviewed. */
  insecureDemo: boolean;
  /** Required unless `insecureDemo`. */
  tls?: ServingFiles;
  watchNamespace?: string;
  /** Review caching (TTL, size) and rate limits; the registry is the manager's. */
  access?: Omit<AccessOptions, 'registry'>;
  /** Points per response at most (default and ceiling: maxPointsPerResponse). */
  maxPoints?: number;
  /** The link's commits, which wake follows at once (without it they poll the store). */
  feed?: TelemetryFeed;
  /** Follow streams: how many, how often they read, when a caller has lagged. */
  follow?: Partial<FollowLimits & FollowSlotLimits>;
  clock?: Clock;
}

/** What the API reaches through the manager. */
interface Parts {
  log: Logger;
  sessions: Informer<RoastSession>;
  access: Access;
  requests: Counter<'code'>;
  follows: Gauge;
  followEnds: Counter<'reason'>;
}

/** How long a request waits for the session cache's first list before answering 503. */
const syncWaitMs = 5000;

export class TelemetryApi implements Runnable {
  readonly name = 'telemetry-api';
  readonly needLeaderElection = true;
  readonly #opts: TelemetryApiOptions;
  readonly #a: Parts;
  readonly #clock: Clock;
  readonly #followLimits: FollowLimits;
  readonly #slots: FollowSlots;
  readonly #feed: TelemetryFeed | undefined;
  readonly #streams = new Set<FollowStream>();
  readonly #running = new Set<Promise<FollowEnd>>();
  #stopping: AbortSignal = new AbortController().signal;
  #port: number | undefined;

  /** Sets itself up on the manager: its client, its RoastSession cache, metrics registry and leadership. */
  constructor(manager: Manager, opts: TelemetryApiOptions) {
    if (!opts.insecureDemo && opts.tls === undefined)
      throw new Error('the telemetry read API needs TLS files, or --insecure-demo');
    this.#opts = opts;
    const { watchNamespace } = opts;
    const registers = [manager.metrics.registry];
    this.#a = {
      log: manager.log.child({ component: 'telemetry-api' }),
      sessions: manager.informer(
        roastSessions,
        watchNamespace === undefined ? {} : { namespace: watchNamespace },
      ),
      access: new Access(manager.client, { ...opts.access, registry: manager.metrics.registry }),
      requests: new Counter({
        name: 'roast_telemetry_api_requests_total',
        help: 'Requests to the telemetry read API, by HTTP status code.',
        labelNames: ['code'],
        registers,
      }),
      follows: new Gauge({
        name: 'roast_telemetry_api_follows',
        help: 'Follow streams of the telemetry read API open now.',
        registers,
      }),
      followEnds: new Counter({
        name: 'roast_telemetry_api_follow_ends_total',
        help: 'Follow streams ended, by why: end (the session ended), lagged (the caller read too slowly), closed (the caller left), error.',
        labelNames: ['reason'],
        registers,
      }),
    };
    const { feed, follow = {}, clock = systemClock } = opts;
    this.#clock = clock;
    this.#followLimits = { ...defaultFollowLimits, ...follow };
    this.#slots = new FollowSlots({ ...defaultFollowSlots, ...follow });
    this.#feed = feed;
    manager.add(this);
  }

  /** The port served, once started. */
  get port(): number | undefined {
    return this.#port;
  }

  /** Who was reviewed by the API server and who from the cache. */
  get access(): Access {
    return this.#a.access;
  }

  async start(signal: AbortSignal): Promise<void> {
    const { log } = this.#a;
    const { tls, insecureDemo } = this.#opts;
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res);
    const certificate = tls && !insecureDemo ? await ServingCertificate.open(tls, log) : undefined;
    const secure = certificate && createHttpsServer({ ...certificate.current }, handler);
    const server = secure ?? createHttpServer(handler);
    certificate?.onRenewal((pair) => secure?.setSecureContext(pair));
    this.#stopping = signal;
    const unsubscribe = this.#feed?.subscribe({
      connected: () => {},
      disconnected: () => {},
      samples: (roaster) => {
        const key = `${roaster.namespace}/${roaster.name}`;
        for (const stream of this.#streams) if (stream.roasterKey === key) stream.wake();
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#opts.port, this.#opts.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#port = (server.address() as AddressInfo).port;
    if (certificate) log.info('telemetry read API serving TLS', { port: this.#port });
    else log.warn('telemetry read API serving plaintext (--insecure-demo)', { port: this.#port });
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    certificate?.stop();
    unsubscribe?.();
    // Follows say why they end (follow again) before their connections close.
    await Promise.allSettled(this.#running);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    this.#port = undefined;
    log.info('telemetry read API stopped');
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const a = this.#a;
    let code: number;
    try {
      code = await this.#answer(req, res);
    } catch (err) {
      const failure = err instanceof Failure ? err : new Failure(500, 'the telemetry could not be read');
      if (failure !== err) a.log.error('telemetry read API request failed', { err, path: req.url });
      else
        a.log.debug('telemetry read API request refused', { code: failure.code, message: failure.message });
      code = failure.code;
      send(res, code, contentTypes.json, JSON.stringify(failure.body()), failure.headers);
    }
    a.requests.inc({ code: String(code) });
  }

  /** Answers one request; throws a `Failure` to refuse it. */
  async #answer(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const { access } = this.#a;
    // Who is asking comes first: nothing about paths or sessions is told to a caller without a valid token.
    const client = req.socket.remoteAddress ?? 'unknown';
    const user = await access.authenticate(req.headers.authorization, client);
    if (req.method !== 'GET')
      throw new Failure(405, `${req.method} is not allowed: this API is read-only`, { Allow: 'GET' });
    const url = new URL(req.url ?? '/', 'https://telemetry.invalid');
    const ref = parsePath(url.pathname);
    if (ref === undefined)
      throw new Failure(
        404,
        `no such path ${url.pathname}: GET /apis/${apiGroup}/${apiVersion}/namespaces/{namespace}/roastsessions/{name}`,
      );
    const query = parseQuery(url.searchParams, req.headers.accept);
    await access.authorize(user, ref, client);
    const session = await this.#session(ref);
    const store = this.#opts.store();
    if (store === undefined)
      throw new Failure(503, 'the telemetry store is not open: this operator is not leading; try again');
    // authenticate refuses a review without a user name, so every follow counts against its caller's.
    if (query.follow) return this.#follow(res, session, user.username ?? '', query.sinceMs, ref);
    const samples = (await store.sessionPoints(session.metadata.uid ?? '')) ?? [];
    const answer = telemetryOf(
      session,
      samples,
      query,
      Math.min(this.#opts.maxPoints ?? maxPointsPerResponse, maxPointsPerResponse),
    );
    const headers = {
      'Cache-Control': 'no-store',
      'Roast-More': String(answer.more),
      ...(answer.origin && { 'Roast-Origin': `${answer.origin.time}; from=${answer.origin.from}` }),
      ...(answer.stepMs !== undefined && { 'Roast-Step-Ms': String(answer.stepMs) }),
    };
    if (query.format === 'csv') send(res, 200, contentTypes.csv, toCsv(answer.points), headers);
    else send(res, 200, contentTypes.json, JSON.stringify(answer), headers);
    return 200;
  }

  /** Streams the session live, in a slot of the caller's; the answer's code is 200 once streaming began. */
  async #follow(
    res: ServerResponse,
    session: RoastSession,
    caller: string,
    sinceMs: number | undefined,
    ref: SessionRef,
  ): Promise<number> {
    const a = this.#a;
    const giveBack = this.#slots.take(caller);
    const key = keyOf(ref.namespace, ref.name);
    const stream = new FollowStream(
      res,
      session,
      { session: () => a.sessions.store.get(key), store: () => this.#opts.store() },
      { sinceMs, clock: this.#clock, limits: this.#followLimits },
    );
    this.#streams.add(stream);
    a.follows.set(this.#slots.open);
    a.log.info('follow started', { caller, session: key });
    const running = stream.run(session, this.#stopping);
    this.#running.add(running);
    try {
      const end = await running;
      a.followEnds.inc({ reason: end });
      a.log.info('follow ended', { caller, session: key, end });
    } finally {
      this.#running.delete(running);
      this.#streams.delete(stream);
      giveBack();
      a.follows.set(this.#slots.open);
    }
    return 200;
  }

  /** The RoastSession from the operator's cache (the API server is not asked on every poll). */
  async #session(ref: SessionRef): Promise<RoastSession> {
    const { sessions } = this.#a;
    const { watchNamespace } = this.#opts;
    if (watchNamespace !== undefined && ref.namespace !== watchNamespace)
      throw new Failure(404, `this operator serves namespace ${watchNamespace}, not ${ref.namespace}`);
    try {
      await sessions.waitForSync(AbortSignal.timeout(syncWaitMs));
    } catch {
      throw new Failure(503, 'the operator has not read the RoastSessions yet; try again');
    }
    const obj = sessions.store.get(keyOf(ref.namespace, ref.name));
    if (obj === undefined)
      throw new Failure(
        404,
        `roastsessions.roasting.simcorp.io "${ref.name}" not found in namespace ${ref.namespace}`,
      );
    return obj;
  }
}

/** The answer for a session and its stored samples (in time order). */
export function telemetryOf(
  session: RoastSession,
  samples: readonly Sample[],
  query: ReadQuery,
  cap: number,
): SessionTelemetry {
  const origin = originOf(samples, session.status?.events?.charge?.time);
  const selection = selectPoints(samples, query, origin?.ms ?? 0, cap);
  return {
    apiVersion: `${apiGroup}/${apiVersion}`,
    kind: 'RoastSessionTelemetry',
    session: {
      namespace: session.metadata.namespace ?? '',
      name: session.metadata.name ?? '',
      uid: session.metadata.uid ?? '',
      roaster: session.spec.roasterRef.name,
      phase: session.status?.phase ?? 'Pending',
    },
    events: session.status?.events ?? {},
    ...(origin && { origin: { time: new Date(origin.ms).toISOString(), from: origin.from } }),
    ...(selection.stepMs !== undefined && { stepMs: selection.stepMs }),
    more: selection.more,
    points: selection.samples.map((s) => toPoint(s, origin?.ms ?? 0)),
  };
}

function send(
  res: ServerResponse,
  code: number,
  contentType: string,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(code, { 'Content-Type': contentType, ...headers });
  res.end(body);
}
