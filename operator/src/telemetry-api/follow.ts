// One live follow of a session (`?follow=true`), like `kubectl logs -f`: JSON lines (application/x-ndjson),
// the session first, its status whenever phase or events change, its points as the store commits them, a
// heartbeat after a quiet while, and `end` once the session ended and every point was sent.
//
// Points are read from the store after the last one sent (woken by the link's commits, and polled), so a
// follow holds no queue of its own: a slow reader only falls behind. One whose socket stays full for
// `lagMs` is told it lagged (with the time of the last point sent) and the stream ends; it resumes with
// since = that time and misses nothing. Nobody else waits for it.
import type { ServerResponse } from 'node:http';
import { endedSessionPhases, type RoastSession } from '@roast-operator/api';
import { type Clock, wakeableSleep } from '@roast-operator/clock';
import type { Sample } from '@roast-operator/proto';
import type { TelemetryStore } from '@roast-operator/store';
import { apiGroup, apiVersion, type FollowLine, followContentType } from '@roast-operator/telemetry-client';
import { originOf, toPoint } from './curve.ts';

export interface FollowLimits {
  /** A heartbeat line after this long without any other. */
  readonly heartbeatMs: number;
  /** The store is read at least this often, commits or not. */
  readonly pollMs: number;
  /** How long a caller's socket may stay full before it is told it lagged. */
  readonly lagMs: number;
  /** Points per `points` line at most. */
  readonly pointsPerLine: number;
  /** How long a caller told it lagged has to read what is buffered before its connection is dropped. */
  readonly abandonMs: number;
}

export const defaultFollowLimits: FollowLimits = {
  heartbeatMs: 15_000,
  pollMs: 1000,
  lagMs: 10_000,
  pointsPerLine: 500,
  abandonMs: 60_000,
};

/** Where a follow reads from: the session in the operator's cache, and the store while this operator leads. */
export interface FollowSource {
  session(): RoastSession | undefined;
  store(): TelemetryStore | undefined;
}

/** How a follow ended: the session ended, the caller lagged, the caller went away, or it could not go on. */
export type FollowEnd = 'end' | 'lagged' | 'closed' | 'error';

export class FollowStream {
  /** `namespace/name` of the session's roaster: the link's commits for it wake this follow. */
  readonly roasterKey: string;
  readonly #res: ServerResponse;
  readonly #source: FollowSource;
  readonly #clock: Clock;
  readonly #limits: FollowLimits;
  #cursorMs: number;
  #lastWriteAt: number;
  #woken = false;
  #wake: (() => void) | undefined;

  constructor(
    res: ServerResponse,
    session: RoastSession,
    source: FollowSource,
    opts: { sinceMs?: number | undefined; clock: Clock; limits: FollowLimits },
  ) {
    this.#res = res;
    this.#source = source;
    this.#clock = opts.clock;
    this.#limits = opts.limits;
    this.#cursorMs = opts.sinceMs ?? Number.NEGATIVE_INFINITY;
    this.#lastWriteAt = opts.clock.now();
    this.roasterKey = `${session.metadata.namespace}/${session.spec.roasterRef.name}`;
  }

  /** New points may be stored: read now rather than at the next poll. */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /** Streams until the session ends, the caller lags or leaves, or `stopping` aborts (the operator stops leading). */
  async run(first: RoastSession, stopping: AbortSignal): Promise<FollowEnd> {
    const gone = new AbortController();
    this.#res.once('close', () => gone.abort());
    const wakeOnAbort = () => this.#wake?.();
    for (const s of [stopping, gone.signal]) s.addEventListener('abort', wakeOnAbort, { once: true });
    this.#res.writeHead(200, { 'Content-Type': followContentType, 'Cache-Control': 'no-store' });
    const { namespace = '', name = '', uid = '' } = first.metadata;
    const identity = {
      namespace,
      name,
      uid,
      roaster: first.spec.roasterRef.name,
      phase: first.status?.phase ?? 'Pending',
    };
    if (!(await this.#send({ type: 'session', apiVersion: `${apiGroup}/${apiVersion}`, session: identity })))
      return 'lagged';
    let statusKey = '';
    for (;;) {
      if (gone.signal.aborted) return 'closed';
      if (stopping.aborted)
        return this.#fail(
          503,
          'this operator stops serving the read API: follow again with since = the last point seen',
        );
      const session = this.#source.session();
      if (session === undefined || session.metadata.uid !== uid)
        return this.#fail(404, `RoastSession ${namespace}/${name} was deleted`);
      const phase = session.status?.phase ?? 'Pending';
      const events = session.status?.events ?? {};
      const key = JSON.stringify([phase, events]);
      if (key !== statusKey) {
        statusKey = key;
        if (!(await this.#send({ type: 'status', phase, events }))) return 'lagged';
      }
      const store = this.#source.store();
      if (store === undefined)
        return this.#fail(
          503,
          'the telemetry store closed (this operator stopped leading): follow again with since = the last point seen',
        );
      this.#woken = false;
      const samples = (await store.sessionPoints(uid)) ?? [];
      const sent = await this.#sendPoints(samples, session);
      if (sent === undefined) return 'lagged';
      if (endedSessionPhases.has(phase)) {
        // Ended: once a read finds nothing new, every point of the session's window was sent.
        if (sent > 0) continue;
        await this.#send({ type: 'end', phase });
        this.#res.end();
        return 'end';
      }
      if (!this.#woken) await this.#idle(stopping, gone.signal);
      if (this.#clock.now() - this.#lastWriteAt >= this.#limits.heartbeatMs)
        if (!(await this.#send({ type: 'heartbeat', time: new Date(this.#clock.now()).toISOString() })))
          return 'lagged';
    }
  }

  /** The samples after the cursor, in lines; how many were sent, or undefined when the caller lagged. */
  async #sendPoints(samples: readonly Sample[], session: RoastSession): Promise<number | undefined> {
    const fresh = samples.filter((s) => s.timeMs > this.#cursorMs);
    if (fresh.length === 0) return 0;
    const origin = originOf(samples, session.status?.events?.charge?.time);
    const at = origin?.ms ?? 0;
    const originField = origin && { origin: { time: new Date(origin.ms).toISOString(), from: origin.from } };
    for (let i = 0; i < fresh.length; i += this.#limits.pointsPerLine) {
      const chunk = fresh.slice(i, i + this.#limits.pointsPerLine);
      // The line goes to the socket's buffer either way: the caller reads it before any lagged line, whose
      // resumeSince is this line's last point.
      this.#cursorMs = chunk.at(-1)!.timeMs;
      const points = chunk.map((s) => toPoint(s, at));
      if (!(await this.#send({ type: 'points', ...originField, points }))) return undefined;
    }
    return fresh.length;
  }

  /** Waits for a commit, the next poll or heartbeat, or either signal. */
  async #idle(...signals: AbortSignal[]): Promise<void> {
    if (signals.some((s) => s.aborted)) return;
    const untilHeartbeat = this.#lastWriteAt + this.#limits.heartbeatMs - this.#clock.now();
    const sleep = wakeableSleep(this.#clock, Math.max(1, Math.min(this.#limits.pollMs, untilHeartbeat)));
    this.#wake = sleep.wake;
    await sleep.done;
    this.#wake = undefined;
  }

  /**
   * Writes a line. True once the socket takes it (at once, or after draining); false when the caller did
   * not read for `lagMs`: then it is told it lagged and the stream ends.
   */
  async #send(line: FollowLine): Promise<boolean> {
    this.#lastWriteAt = this.#clock.now();
    if (this.#res.write(`${JSON.stringify(line)}\n`)) return true;
    if (await this.#drained()) return true;
    const resumeSince = Number.isFinite(this.#cursorMs) ? new Date(this.#cursorMs).toISOString() : undefined;
    const lagged: FollowLine = {
      type: 'lagged',
      ...(resumeSince && { resumeSince }),
      message: `the caller did not read for ${this.#limits.lagMs} ms: follow again with since = resumeSince`,
    };
    this.#res.end(`${JSON.stringify(lagged)}\n`);
    // A caller that never reads again does not hold the connection.
    const drop = this.#clock.setTimer(() => this.#res.destroy(), this.#limits.abandonMs);
    this.#res.once('close', () => drop.cancel());
    return false;
  }

  /** Resolves true when the socket drains (or closes), false after `lagMs` of a full socket. */
  #drained(): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (drained: boolean) => {
        timer.cancel();
        this.#res.off('drain', onDrain);
        this.#res.off('close', onDrain);
        resolve(drained);
      };
      const onDrain = () => done(true);
      const timer = this.#clock.setTimer(() => done(false), this.#limits.lagMs);
      this.#res.once('drain', onDrain);
      this.#res.once('close', onDrain);
    });
  }

  async #fail(code: number, message: string): Promise<FollowEnd> {
    await this.#send({ type: 'error', code, message });
    this.#res.end();
    return 'error';
  }
}
