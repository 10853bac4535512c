// A session's telemetry as it grows, from the read API's live follow (`follow=true`, JSON lines): one
// request held open while the roast goes on, resumed from the last point held after the server says the
// caller lagged (the client does that) or after the connection drops (done here, with backoff), so every
// point arrives once. `watch` and the console both hold one per session they show.
//
// There is no polling fallback: the follow is part of the read API this plugin is released with, and a
// read API that answers a follow with something else is named in the error, so the operator is upgraded
// rather than a second, slower way of reading kept alive beside this one.
import { Backoff, type Clock, sleep } from '@roast-operator/clock';
import {
  type CurvePoint,
  type FollowLine,
  followSession,
  ReadApiError,
  type SessionTelemetry,
} from '@roast-operator/telemetry-client';
import { z } from 'zod';
import { Refusal } from './refusal.ts';
import type { TelemetryServer } from './telemetry.ts';
import { escapeText } from './text.ts';

type Origin = SessionTelemetry['origin'];

/**
 * Points read before the origin moved (the first point until the charge, then the charge) put on the new
 * one: `t` is seconds since the origin, as the read API counts it.
 */
export function onOrigin(points: readonly CurvePoint[], was: Origin, now: Origin): readonly CurvePoint[] {
  if (now === undefined || was?.time === now.time) return points;
  const originMs = Date.parse(now.time);
  return points.map((p) => ({ ...p, t: (Date.parse(p.time) - originMs) / 1000 }));
}

/** The curve so far with one more line of the follow applied; undefined until the `session` line. */
export function applyLine(had: SessionTelemetry | undefined, line: FollowLine): SessionTelemetry | undefined {
  if (line.type === 'session')
    return {
      apiVersion: line.apiVersion,
      kind: 'RoastSessionTelemetry',
      events: {},
      more: false,
      points: [],
      ...had,
      session: line.session,
    };
  if (had === undefined) return undefined;
  switch (line.type) {
    case 'status':
      return { ...had, session: { ...had.session, phase: line.phase }, events: line.events };
    case 'end':
      return { ...had, session: { ...had.session, phase: line.phase } };
    case 'points': {
      // A resumed request starts after the last point held; a point not after it would be a repeat.
      const lastMs = Date.parse(had.points.at(-1)?.time ?? '') || -Infinity;
      const fresh = line.points.filter((p) => Date.parse(p.time) > lastMs);
      const origin = line.origin ?? had.origin;
      return { ...had, origin, points: [...onOrigin(had.points, had.origin, line.origin), ...fresh] };
    }
    default:
      return had;
  }
}

/** Spacing of the follows after a drop: quick at first, at most every 15 s while the read API is away. */
const reconnect = { initialMs: 1000, maxMs: 15_000, jitter: 0.5 };

/** What became of a follow that failed: the sentence the user reads, and whether to follow again. */
export function followFailure(
  server: TelemetryServer,
  session: string,
  err: unknown,
): { sentence: string; transient: boolean } {
  const why = (e: unknown) =>
    escapeText(
      e instanceof Error
        ? `${e.message}${e.cause instanceof Error ? `: ${e.cause.message}` : ''}`
        : String(e),
    );
  if (err instanceof ReadApiError)
    return err.code === 0
      ? {
          sentence: `Following RoastSession ${session} failed: ${why(err)}; check --telemetry-server`,
          transient: true,
        }
      : {
          sentence: `Following RoastSession ${session} was refused by the read API (${err.code}): ${why(err)}`,
          transient: [429, 502, 503, 504].includes(err.code),
        };
  // A line that is not JSON, or not a follow line: the answer of a read API without follow.
  if (err instanceof SyntaxError || err instanceof z.ZodError)
    return {
      sentence: `The read API at ${server.url} does not follow sessions live: it answered follow=true with something other than its JSON lines; upgrade the operator to the release of this plugin`,
      transient: false,
    };
  return { sentence: `Following RoastSession ${session} broke off: ${why(err)}`, transient: true };
}

export class SessionFollower {
  readonly session: string;
  readonly #namespace: string;
  readonly #server: TelemetryServer;
  readonly #clock: Clock;
  readonly #stop = new AbortController();
  readonly #listeners = new Set<() => void>();
  #telemetry: SessionTelemetry | undefined;
  #ended = false;
  #failure: Refusal | undefined;
  #reconnecting: string | undefined;
  #started: Promise<SessionTelemetry> | undefined;

  constructor(server: TelemetryServer, namespace: string, session: string, clock: Clock) {
    this.#namespace = namespace;
    this.#server = server;
    this.session = session;
    this.#clock = clock;
  }

  /**
   * Opens the follow; resolves with the session and its status as soon as the read API sent them, or
   * rejects with the refusal of the first request (a wrong address or name is not retried).
   */
  start(): Promise<SessionTelemetry> {
    this.#started ??= new Promise((resolve, reject) => {
      void this.#run(resolve, reject);
    });
    return this.#started;
  }

  /** The curve and events so far. */
  get telemetry(): SessionTelemetry | undefined {
    return this.#telemetry;
  }

  /** The session ended and every point of it arrived. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Why the follow stopped for good (a refusal after it had started): nothing more will arrive. */
  get failure(): Refusal | undefined {
    return this.#failure;
  }

  /** While the follow reconnects after a drop: what happened, for a status line. */
  get reconnecting(): string | undefined {
    return this.#reconnecting;
  }

  /** Calls `fn` after each change: new points, status, the end, a drop or a failure. */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  close(): void {
    this.#stop.abort();
  }

  #changed(): void {
    for (const fn of this.#listeners) fn();
  }

  async #run(resolve: (t: SessionTelemetry) => void, reject: (err: Refusal) => void): Promise<void> {
    const signal = this.#stop.signal;
    const backoff = new Backoff(reconnect);
    const api = { url: this.#server.url, token: this.#server.token };
    for (;;) {
      try {
        const since = this.#telemetry?.points.at(-1)?.time;
        const request = {
          namespace: this.#namespace,
          name: this.session,
          signal,
          ...(since && { since }),
        };
        for await (const line of followSession(api, request)) {
          this.#telemetry = applyLine(this.#telemetry, line);
          if (this.#telemetry && line.type === 'status') resolve(this.#telemetry);
          if (line.type !== 'heartbeat') {
            backoff.reset();
            this.#reconnecting = undefined;
          }
          if (line.type === 'end') {
            this.#ended = true;
            if (this.#telemetry) resolve(this.#telemetry);
          }
          this.#changed();
        }
        return;
      } catch (err) {
        if (signal.aborted) return reject(new Refusal(`Stopped following RoastSession ${this.session}`));
        // Before the first line nothing is retried: that is where a wrong address or name shows.
        const { sentence, transient } = followFailure(this.#server, this.session, err);
        if (this.#telemetry === undefined || !transient) {
          this.#failure = new Refusal(sentence, { cause: err });
          reject(this.#failure);
          this.#changed();
          return;
        }
        const waitMs = backoff.next();
        this.#reconnecting = `${sentence}; following again in ${Math.ceil(waitMs / 1000)} s`;
        this.#changed();
        try {
          await sleep(this.#clock, waitMs, signal);
        } catch {
          return reject(new Refusal(`Stopped following RoastSession ${this.session}`));
        }
      }
    }
  }
}
