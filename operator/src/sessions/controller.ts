// The RoastSession controller (leader only). Its work-queue key is the roaster, so one roaster's session
// work — attaching, feeding the analyzer, writing status, ending — is serial. Telemetry arrives through the
// link's feed after each commit and is queued per roaster; a reconcile drains the queue into the active
// session's RoastAnalyzer (or, with no session running, into an idle analyzer that watches for a charge),
// then writes what changed: phase, events and counts at once, numbers at most every 5 s.
//
// Which session runs is read from the API server, not the cache, whenever sessions or the roaster change
// (a cache lagging behind our own writes could follow an ended session again). The analyzer lives in
// memory; after a restart it is rebuilt from the store's points of the session's window, with the marks
// that status records, so nothing is lost or recorded twice.
import {
  type CommandProposal,
  fieldManagers,
  type ProfileDeviation,
  type Roaster,
  type RoastProfile,
  type RoastSession,
  type RoastSessionStatus,
  type SessionPhase,
} from '@roast-operator/api';
import type { Clock } from '@roast-operator/clock';
import {
  type Controller,
  type EventRecorder,
  generationChanged,
  type Informer,
  isConflict,
  isNotFound,
  keyOf,
  type Manager,
  parseKey,
  type ReconcileResult,
  type ResourceClient,
  watch,
} from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import { profileDeviation } from '@roast-operator/profile';
import type { TelemetryStore } from '@roast-operator/store';
import { bySession, listOfRoaster, roasterKeyOf, roasters, roastSessions, stateOfCode } from '../objects.ts';
import { requeueAt } from '../requeue.ts';
import { type OpenStore, sessionSource, type TelemetryFeed } from '../telemetry.ts';
import { deviationPatch, liveRoastOf } from './deviation.ts';
import {
  activeSession,
  commandCounts,
  createdByAnnotation,
  isTerminalSession,
  newMarks,
  operatorCreator,
  preChargeMs,
  queuedReason,
  retention,
  roasterLabel,
  roastSample,
  sessionConditions,
  sessionName,
  sessionPhase,
  sessionPhaseOf,
  sessionQueued,
  statusMetrics,
  terminalSessionPhases,
  weightLossPercent,
} from './plan.ts';
import { sameCounts, sessionStep } from './step.ts';
import { type Follow, type Live, SessionTracker } from './tracker.ts';

export interface SessionControllerOptions {
  manager: Manager;
  sessions: Informer<RoastSession>;
  roasters: Informer<Roaster>;
  proposals: Informer<CommandProposal>;
  /** The RoastProfiles sessions name, for their deviation. */
  profiles: Informer<RoastProfile>;
  /** The link's telemetry; without one sessions attach and count commands but see no roast. */
  feed?: TelemetryFeed;
  /** The store the link commits to; present whenever a feed is. */
  store?: OpenStore;
  /** How long an ended session is kept. */
  retentionMs: number;
  workers: number;
  clock: Clock;
}

const storeRetryMs = 1000;

/** A merge patch of a session's status: a field set to null is removed. */
type StatusPatch = { [K in keyof RoastSessionStatus]?: RoastSessionStatus[K] | null };

export class SessionController {
  readonly controller: Controller<RoastSession>;
  readonly #opts: SessionControllerOptions;
  readonly #api: ResourceClient<RoastSession>;
  readonly #roasterApi: ResourceClient<Roaster>;
  readonly #events: EventRecorder;
  readonly #tracker: SessionTracker;

  constructor(opts: SessionControllerOptions) {
    this.#opts = opts;
    const { manager } = opts;
    this.#api = manager.client.resource(roastSessions);
    this.#roasterApi = manager.client.resource(roasters);
    this.#events = manager.recorder('roasting.simcorp.io/roastsession-controller');
    this.controller = manager.controller({
      name: 'roastsession',
      for: opts.sessions,
      key: roasterKeyOf,
      // Our own status writes are no news; a new, changed (marks, weights) or deleted session is.
      predicate: generationChanged,
      watches: [
        // A latch may abort the roast; a roaster created or deleted changes what can attach.
        watch(opts.roasters, (r) => [keyOf(r.metadata.namespace, r.metadata.name ?? '')]),
        // Commands of a session are counted in its status, also after it ended (a result comes late).
        watch(opts.proposals, (p) => [roasterKeyOf(p)]),
      ],
      concurrency: opts.workers,
      reconcile: (key, ctx) => this.reconcile(key, ctx.log),
    });
    this.#tracker = new SessionTracker(opts, (key) => this.controller.enqueue(key));
  }

  /** The store, or undefined while it is not open (a link is configured but this process does not lead yet). */
  #store(): TelemetryStore | undefined {
    return this.#opts.store?.();
  }

  async reconcile(key: string, log: Logger): Promise<ReconcileResult> {
    const { namespace = '', name } = parseKey(key);
    const f = this.#tracker.follow(key);
    const now = this.#opts.clock.now();
    const wakes: number[] = [];
    if (f.reread || now >= f.retentionAt) {
      const ok = await this.#attach(f, namespace, name, log);
      if (!ok) return { requeueAfter: storeRetryMs };
    }
    wakes.push(f.retentionAt);
    // Samples wait for a store when a session is to be loaded from it.
    const samples = f.queue.splice(0).sort((a, b) => a.timeMs - b.timeMs);
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      if (f.last !== undefined && s.timeMs <= f.last.timeMs) continue;
      f.last = s;
      if (f.live) {
        if (s.timeMs >= f.live.startMs) {
          f.live.analyzer.push(roastSample(s, f.channel));
          f.live.newData = true;
        }
        continue;
      }
      this.#tracker.watchIdle(f, s, samples[i - 1]);
      const charge = f.idle.events.charge;
      if (charge === undefined) continue;
      // The rest of this batch is in the store already: the loaded session reads it from there.
      const opened = await this.#onCharge(f, namespace, name, charge.t * 1000, log);
      if (!opened) {
        f.queue.unshift(...samples.slice(i + 1));
        return { requeueAfter: storeRetryMs };
      }
    }
    if (f.live) wakes.push(await this.#update(f, f.live, namespace, name, log));
    return requeueAt(Math.min(...wakes), this.#opts.clock.now());
  }

  // --- Which session runs --------------------------------------------------------------------------------

  /**
   * Reads the roaster's sessions from the API server, deletes ended ones whose retention is over, and
   * follows the active one (the oldest that has not ended), recording it on the Roaster. False when the
   * session to follow needs the store and it is not open yet.
   */
  async #attach(f: Follow, namespace: string, name: string, log: Logger): Promise<boolean> {
    f.reread = false;
    const roaster = await this.#roasterApi.getIfExists(namespace, name);
    const sessions = await listOfRoaster(this.#api, namespace, name);
    f.retentionAt = Number.POSITIVE_INFINITY;
    const now = this.#opts.clock.now();
    for (const s of sessions.filter(isTerminalSession)) {
      const r = retention(s, now, this.#opts.retentionMs);
      if (r.delete) {
        await this.#delete(s, log);
        continue;
      }
      f.retentionAt = Math.min(f.retentionAt, r.wakeAt!);
      await this.#afterEnd(s);
    }
    const active = activeSession(sessions);
    if (f.live && f.live.session.metadata.uid !== active?.metadata.uid) {
      // Deleted, or ended by someone else: its window closes where the roaster is now.
      log.info('session no longer runs here', { session: f.live.session.metadata.name });
      await this.#tracker.closeWindow(f, f.live);
      f.live = undefined;
      this.#tracker.resetIdle(f);
    }
    if (active && f.live) f.live.session = active;
    else if (active && roaster) {
      const live = await this.#tracker.load(f, active, roaster, log);
      if (live === undefined) {
        f.reread = true;
        return false;
      }
      f.live = live;
    }
    await this.#markWaiting(sessions, active);
    if (roaster) await this.#recordActive(roaster, active, log);
    return true;
  }

  /** Sessions planned after the running one say that they wait. */
  async #markWaiting(sessions: readonly RoastSession[], active: RoastSession | undefined) {
    const waiting = sessions.filter(
      (s) => !isTerminalSession(s) && s !== active && s.metadata.deletionTimestamp == null,
    );
    for (const s of waiting) {
      if (sessionQueued(s)) continue;
      const message = `Waits for session ${active?.metadata.name ?? '(none)'} on this roaster: a roast that began runs to its end; before that, a person at the roaster runs this session next by marking present on it.`;
      await this.#patch(s, { phase: 'Pending', ...this.#conditions(s, 'Pending', message, queuedReason) });
    }
  }

  /**
   * The roaster reported a charge with no session running: read again (a session planned by a person may
   * have just appeared, and runs instead), else open one named after the charge time and follow it.
   */
  async #onCharge(
    f: Follow,
    namespace: string,
    name: string,
    chargeMs: number,
    log: Logger,
  ): Promise<boolean> {
    if (!(await this.#attach(f, namespace, name, log))) return false;
    if (f.live) return true;
    const roaster = await this.#roasterApi.getIfExists(namespace, name);
    if (roaster === undefined) {
      this.#tracker.resetIdle(f);
      return true;
    }
    const session = await this.#create(roaster, chargeMs, log);
    const live = await this.#tracker.load(f, session, roaster, log, chargeMs - preChargeMs);
    if (live === undefined) return false;
    f.live = live;
    await this.#recordActive(roaster, session, log);
    return true;
  }

  async #create(roaster: Roaster, chargeMs: number, log: Logger): Promise<RoastSession> {
    const { namespace, name: roasterName } = roaster.metadata;
    const name = sessionName(roasterName ?? '', chargeMs);
    const body = {
      metadata: {
        name,
        namespace,
        labels: { [roasterLabel]: roasterName ?? '' },
        annotations: { [createdByAnnotation]: operatorCreator },
      },
      spec: { roasterRef: { name: roasterName ?? '' } },
    };
    try {
      const session = await this.#api.create(body);
      log.info('opened a session for a charge', { session: name });
      return session;
    } catch (err) {
      // The same charge seen again (after a restart): the session is already there.
      if (!isConflict(err)) throw err;
      return this.#api.get(namespace, name);
    }
  }

  /** Roaster status.activeSession, server-side applied as roast-session (absent when none runs). */
  async #recordActive(roaster: Roaster, active: RoastSession | undefined, log: Logger): Promise<void> {
    const want = active?.metadata.name;
    if (roaster.status?.activeSession?.name === want) return;
    const { namespace, name, uid } = roaster.metadata;
    try {
      await this.#roasterApi.apply(
        {
          // The UID makes the apply fail rather than write onto a recreated Roaster of the same name.
          metadata: { namespace, name: name ?? '', uid },
          status: want === undefined ? {} : { activeSession: { name: want } },
        },
        { subresource: 'status', force: true, fieldManager: fieldManagers.session },
      );
      log.info('roaster active session', { session: want ?? '(none)' });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  // --- Status --------------------------------------------------------------------------------------------

  /** Marks, phase, events, counts and numbers of the running session; returns when to look again. */
  async #update(f: Follow, live: Live, namespace: string, roasterName: string, log: Logger): Promise<number> {
    const { analyzer } = live;
    const s = live.session;
    const now = this.#opts.clock.now();
    // A mark counts at the roaster's latest sample when first seen: marks carry no time of their own.
    const marks = newMarks(s.spec.marks, live.marksSeen);
    if (f.last !== undefined) {
      for (const m of marks) analyzer.mark({ kind: m.kind, t: f.last.timeMs / 1000 });
      live.marksSeen = s.spec.marks?.length ?? 0;
    }
    const roaster = this.#opts.roasters.store.get(keyOf(namespace, roasterName));
    const next = sessionPhase({
      current: sessionPhaseOf(s),
      active: true,
      events: analyzer.events,
      roast: analyzer.phase,
      state: f.last === undefined ? undefined : stateOfCode(f.last.stateCode),
      latched: roaster?.status?.latch !== undefined,
    });
    // The readings the spike filter still holds, and pending marks, belong to the roast that ended.
    if (terminalSessionPhases.has(next.phase)) analyzer.finish();
    const step = sessionStep({
      session: s,
      next,
      events: analyzer.events,
      counts: this.#commands(s),
      source: f.device && sessionSource(f.device),
      newData: live.newData,
      metricsWrittenAt: live.metricsWrittenAt,
      now,
    });
    if (!step.write) return step.wakeAt ?? Number.POSITIVE_INFINITY;
    const store = this.#store();
    const uid = s.metadata.uid ?? '';
    const metrics =
      step.charged && store
        ? statusMetrics(analyzer.metrics, await store.sessionCounts(uid), weightLossPercent(s))
        : undefined;
    const status = {
      ...step.status,
      ...(metrics && { metrics, ...deviationPatch(this.#deviation(live, log), s.status?.deviation) }),
    };
    live.session = await this.#patch(s, status);
    live.metricsWrittenAt = now;
    live.newData = false;
    if (step.changed.length > 0)
      log.info('session events', { session: s.metadata.name, changed: step.changed });
    if (step.from) this.#transition(live.session, step.from, next.phase, next.message, log);
    if (step.terminal) {
      await this.#tracker.closeWindow(f, live);
      f.live = undefined;
      this.#tracker.resetIdle(f);
      f.reread = true;
      return now;
    }
    return Number.POSITIVE_INFINITY;
  }

  /** The roast against the profile the session names, from the cache; undefined without one. */
  #deviation(live: Live, log: Logger): ProfileDeviation | undefined {
    const s = live.session;
    const ref = s.spec.profileRef;
    if (ref === undefined) return undefined;
    const profile = this.#opts.profiles.store.get(keyOf(s.metadata.namespace, ref.name));
    if (profile === undefined) {
      if (live.profileMissing !== ref.name) {
        live.profileMissing = ref.name;
        log.info('session names a profile that does not exist', {
          session: s.metadata.name,
          profile: ref.name,
        });
        this.#events.event(s, {
          type: 'Warning',
          reason: 'ProfileNotFound',
          action: 'CompareWithProfile',
          note: `RoastProfile ${ref.name} does not exist in namespace ${s.metadata.namespace}: no deviation is shown until it does.`,
        });
      }
      return undefined;
    }
    live.profileMissing = undefined;
    const roast = liveRoastOf(live.analyzer.snapshot());
    return roast && profileDeviation(ref.name, profile.spec, roast);
  }

  /** What still changes once a session ended: late command results, and the roasted weight. */
  async #afterEnd(s: RoastSession): Promise<void> {
    const commands = this.#commands(s);
    const loss = weightLossPercent(s);
    const patch: Partial<RoastSessionStatus> = {
      ...(!sameCounts(commands, s.status?.commands) && { commands }),
      ...(loss !== undefined &&
        loss !== s.status?.metrics?.weightLossPercent && { metrics: { weightLossPercent: loss } }),
    };
    if (Object.keys(patch).length > 0) await this.#patch(s, patch);
  }

  /** Counts of the proposals naming the session, from the cache (counts are no decision). */
  #commands(s: RoastSession) {
    const key = keyOf(s.metadata.namespace, s.metadata.name ?? '');
    return commandCounts(this.#opts.proposals.store.byIndex(bySession, key));
  }

  #conditions(s: RoastSession, phase: SessionPhase, message: string, reason: string) {
    const generation = s.metadata.generation;
    return {
      ...(generation !== undefined && { observedGeneration: generation }),
      conditions: sessionConditions(s, phase, message, reason, new Date(this.#opts.clock.now())),
    };
  }

  #transition(s: RoastSession, from: SessionPhase, to: SessionPhase, message: string, log: Logger): void {
    log.info('session phase', { session: s.metadata.name, from, to, message });
    this.#events.event(s, {
      type: to === 'Aborted' || to === 'Failed' ? 'Warning' : 'Normal',
      reason: to,
      action: 'FollowRoast',
      note: `${from} → ${to}: ${message}`,
    });
  }

  /** A status merge patch (null removes a field): only this controller writes a session's status. */
  async #patch(s: RoastSession, status: StatusPatch): Promise<RoastSession> {
    return this.#api.patch(
      s.metadata.namespace,
      s.metadata.name ?? '',
      { status },
      {
        type: 'merge',
        subresource: 'status',
      },
    );
  }

  async #delete(s: RoastSession, log: Logger): Promise<void> {
    if (await this.#api.deleteIfUnchanged(s))
      log.info('deleted session after its retention period', { session: s.metadata.name });
  }
}
