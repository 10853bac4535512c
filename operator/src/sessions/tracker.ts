// What the session controller follows of each roaster, in memory: the link's committed samples waiting to
// be analyzed, the idle analyzer that watches for a charge while no session runs, the running session's
// analyzer, and whether the roaster's sessions must be read again. It consumes the telemetry feed and the
// informers' events (as handlers, so the controller's predicates and maps stay pure) and says which
// roaster has news.
import type { CommandProposal, Roaster, RoastSession } from '@roast-operator/api';
import { generationChanged, type Informer, keyOf } from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import type { Sample } from '@roast-operator/proto';
import { RoastAnalyzer } from '@roast-operator/roast';
import type { TelemetryStore } from '@roast-operator/store';
import type { RoasterRef } from '../dispatch.ts';
import { roasterKeyOf } from '../objects.ts';
import type { OpenStore, StreamDevice, TelemetryFeed } from '../telemetry.ts';
import {
  type BeanChannel,
  beanChannelOf,
  freshWindow,
  marksSeen,
  preChargeMs,
  recordedMarks,
  roastSample,
} from './plan.ts';

/** The session a roaster runs, as this process follows it. */
export interface Live {
  session: RoastSession;
  readonly analyzer: RoastAnalyzer;
  /** Where its telemetry window starts on the sample clock (earlier samples are not the session's). */
  readonly startMs: number;
  marksSeen: number;
  /** When the numbers were last written, on the operator's clock. */
  metricsWrittenAt: number;
  /** Samples arrived since then. */
  newData: boolean;
  /** The profile named but not found, once an Event said so (said once per name). */
  profileMissing?: string;
}

/** One roaster as the controller follows it. */
export interface Follow {
  ref?: RoasterRef;
  device?: StreamDevice;
  /** Where the roaster's bean temperature is read (its model says; the stream's hello or the Roaster). */
  channel: BeanChannel;
  /** Committed samples not yet analyzed. */
  queue: Sample[];
  /** The latest sample analyzed. */
  last?: Sample;
  /** Watches for a charge while no session runs. */
  idle: RoastAnalyzer;
  /** The first sample time the idle analyzer holds. */
  idleFrom?: number | undefined;
  live?: Live;
  /** Read the roaster's sessions from the API server before going on. */
  reread: boolean;
  /** When an ended session's retention is over. */
  retentionAt: number;
}

/** Sample-clock time the idle analyzer keeps before starting over. */
const idleMemoryMs = 30 * 60_000;
export const newAnalyzer = () => new RoastAnalyzer({ unit: 'C' });

export interface TrackerSources {
  sessions: Informer<RoastSession>;
  roasters: Informer<Roaster>;
  proposals: Informer<CommandProposal>;
  feed?: TelemetryFeed | undefined;
  /** The store the link commits to; present whenever a feed is. */
  store?: OpenStore | undefined;
}

export class SessionTracker {
  readonly #follows = new Map<string, Follow>();
  readonly #sources: TrackerSources;

  /** Follows the sources; `news` is told the key of a roaster that has something new to look at. */
  constructor(sources: TrackerSources, news: (roasterKey: string) => void) {
    this.#sources = sources;
    const reread = (key: string) => {
      this.follow(key).reread = true;
    };
    // A new, changed (marks, weights) or deleted session; our own status writes are no news.
    sources.sessions.on((e) => {
      if (generationChanged(e)) reread(roasterKeyOf(e.object));
    });
    // A roaster created or deleted changes what can attach.
    sources.roasters.on((e) => {
      if (e.type !== 'modified') reread(keyOf(e.object.metadata.namespace, e.object.metadata.name ?? ''));
    });
    // A proposal naming a session other than the one followed may name one the cache does not know yet.
    sources.proposals.on((e) => {
      const key = roasterKeyOf(e.object);
      const named = e.object.spec.sessionRef?.name;
      if (named && named !== this.#follows.get(key)?.live?.session.metadata.name) reread(key);
    });
    sources.feed?.subscribe({
      connected: (ref, device) => {
        const key = keyOf(ref.namespace, ref.name);
        // A Roaster recreated under the same name is another machine: start over.
        const known = this.#follows.get(key)?.ref;
        if (known !== undefined && known.uid !== ref.uid) this.#follows.delete(key);
        Object.assign(this.follow(key), { ref, device, channel: beanChannelOf(device.model) });
        news(key);
      },
      samples: (ref, samples) => {
        const key = keyOf(ref.namespace, ref.name);
        const f = this.follow(key);
        if (f.ref !== undefined && f.ref.uid !== ref.uid) return;
        f.queue.push(...samples);
        news(key);
      },
      disconnected: (ref) => news(keyOf(ref.namespace, ref.name)),
    });
  }

  /** The roaster's state, created on first use. */
  follow(key: string): Follow {
    let f = this.#follows.get(key);
    if (f === undefined) {
      f = {
        queue: [],
        idle: newAnalyzer(),
        channel: 'ibts',
        reread: true,
        retentionAt: Number.POSITIVE_INFINITY,
      };
      this.#follows.set(key, f);
    }
    return f;
  }

  /** Starts watching for a charge afresh. */
  resetIdle(f: Follow): void {
    f.idle = newAnalyzer();
    f.idleFrom = undefined;
  }

  /**
   * Feeds the idle analyzer. It only has to notice a charge, so it forgets a long idle stretch (a roaster
   * left on for hours), keeping the sample before this one so a state change across the cut still shows.
   */
  watchIdle(f: Follow, s: Sample, previous: Sample | undefined): void {
    if (f.idleFrom === undefined) f.idleFrom = s.timeMs;
    if (s.timeMs - f.idleFrom > idleMemoryMs) {
      this.resetIdle(f);
      f.idleFrom = s.timeMs;
      if (previous !== undefined) f.idle.push(roastSample(previous, f.channel));
    }
    f.idle.push(roastSample(s, f.channel));
  }

  /**
   * Follows a session: opens its telemetry window in the store when it first runs, or runs again after
   * waiting without having begun its roast (a session planned by a person from the latest sample on — or from shortly before a charge the roaster just reported — one the
   * operator opened from shortly before its charge), then feeds the window's points to a new analyzer and
   * applies the marks status records. After a restart the window is already there and this rebuilds the
   * analyzer as it was.
   */
  async load(
    f: Follow,
    session: RoastSession,
    roaster: Roaster,
    log: Logger,
    startMs?: number,
  ): Promise<Live | undefined> {
    const analyzer = newAnalyzer();
    f.channel = beanChannelOf(roaster.spec.model);
    const uid = session.metadata.uid ?? '';
    const store = this.#sources.store?.();
    let start = Number.NEGATIVE_INFINITY;
    if (store === undefined && this.#sources.store !== undefined) return undefined;
    if (store) {
      let points = freshWindow(session) ? undefined : await store.sessionPoints(uid);
      if (points === undefined) {
        start = startMs ?? (await this.#attachStart(f, store, roaster));
        await store.putSession({ uid, roasterUid: roaster.metadata.uid ?? '', startMs: start });
        points = (await store.sessionPoints(uid)) ?? [];
        log.info('session attached', { session: session.metadata.name, windowStart: new Date(start) });
      } else {
        start = points[0]?.timeMs ?? start;
        log.info('session followed again from the store', {
          session: session.metadata.name,
          points: points.length,
        });
      }
      for (const p of points) analyzer.push(roastSample(p, f.channel));
      const last = points.at(-1);
      if (last !== undefined && (f.last === undefined || last.timeMs > f.last.timeMs)) f.last = last;
    }
    for (const mark of recordedMarks(session.status?.events)) analyzer.mark(mark);
    return {
      session,
      analyzer,
      startMs: start,
      marksSeen: marksSeen(session.spec.marks, session.status?.events),
      metricsWrittenAt: 0,
      newData: true,
    };
  }

  /** Where a session planned by a person starts: before the charge just seen, else at the latest sample. */
  async #attachStart(f: Follow, store: TelemetryStore, roaster: Roaster): Promise<number> {
    const charge = f.idle.events.charge;
    if (charge !== undefined) return charge.t * 1000 - preChargeMs;
    const latest = f.last ?? (await store.latestPoint(roaster.metadata.uid ?? ''));
    return latest?.timeMs ?? 0;
  }

  /** Ends the session's telemetry window just after the latest sample. */
  async closeWindow(f: Follow, live: Live): Promise<void> {
    const store = this.#sources.store?.();
    const roasterUid =
      f.ref?.uid ?? this.#sources.roasters.store.get(roasterKeyOf(live.session))?.metadata.uid;
    if (store === undefined || roasterUid === undefined) return;
    const endMs = Math.max(live.startMs, (f.last?.timeMs ?? live.startMs) + 1);
    await store.putSession({
      uid: live.session.metadata.uid ?? '',
      roasterUid,
      startMs: live.startMs,
      endMs,
    });
  }
}
