// The Roaster controller, autonomy side. It writes only what field manager roast-autonomy owns — with a
// server-side apply of exactly those fields, so the link's fields (phase, connection, device, levels,
// telemetry; roast-link) and the spec are never touched — and only when they differ from what it wants.
import { fieldManagers, type Roaster, type RoastSession } from '@roast-operator/api';
import type { Clock } from '@roast-operator/clock';
import {
  apiVersionOf,
  type Controller,
  type EventRecorder,
  type Informer,
  isNotFound,
  type KubeObject,
  keyOf,
  type Manager,
  parseKey,
  type ReconcileResult,
  type ResourceClient,
} from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import {
  byRoaster,
  parseAll,
  parseProposal,
  parseRoaster,
  parseSession,
  roasterKeyOf,
  roasters,
} from '../objects.ts';
import type { PresenceTracker } from '../presence.ts';
import { requeueAt } from '../requeue.ts';
import { type AutonomyStatus, autonomyStatus, conditionEvents, differs } from './autonomy.ts';

export interface RoasterControllerOptions {
  manager: Manager;
  roasters: Informer<KubeObject>;
  proposals: Informer<KubeObject>;
  sessions: Informer<KubeObject>;
  presence: PresenceTracker;
  guardLive: () => boolean;
  linkConfigured: boolean;
  workers: number;
  clock: Clock;
}

const bound = (obj: KubeObject) =>
  roasterKeyOf(obj as unknown as { metadata: object; spec: { roasterRef: { name: string } } });

export class RoasterController {
  readonly controller: Controller<KubeObject>;
  readonly #opts: RoasterControllerOptions;
  readonly #api: ResourceClient<KubeObject>;
  readonly #events: EventRecorder;

  constructor(opts: RoasterControllerOptions) {
    this.#opts = opts;
    const { manager } = opts;
    this.#api = manager.client.resource(roasters);
    this.#events = manager.recorder('roasting.simcorp.io/roaster-controller');
    this.controller = manager.controller<KubeObject>({
      name: 'roaster-autonomy',
      for: opts.roasters,
      watches: [
        // Stops and resets move the latch; results move the circuit breaker.
        { informer: opts.proposals, map: (p) => [bound(p)] },
        // A session's source decides whether its results count.
        { informer: opts.sessions, map: (s) => [bound(s)] },
      ],
      concurrency: opts.workers,
      reconcile: (key, ctx) => this.reconcile(key, ctx.log),
    });
    // Presence lapses and returns, and the guard's health is part of Ready: neither is an object to watch.
    opts.presence.onObserved((key) => this.controller.enqueue(key));
  }

  /** Looks at every roaster again (the guard changed). */
  requeueAll(): void {
    for (const key of this.#opts.roasters.store.keys()) this.controller.enqueue(key);
  }

  async reconcile(key: string, log: Logger): Promise<ReconcileResult> {
    const { namespace = '', name } = parseKey(key);
    const roaster = await this.#read(namespace, name, log);
    if (roaster === undefined) return {};
    const now = this.#opts.clock.now();
    const proposals = parseAll(this.#opts.proposals.store.byIndex(byRoaster, key), parseProposal, log);
    const { status, wakeAt } = autonomyStatus({
      now,
      roaster,
      proposals,
      session: (session) => this.#session(namespace, session, log),
      presence: this.#opts.presence.presence(key),
      guardLive: this.#opts.guardLive(),
      linkConfigured: this.#opts.linkConfigured,
    });
    if (differs(roaster.status, status)) await this.#apply(roaster, status, log.child({ roaster: key }));
    return requeueAt(wakeAt, now);
  }

  // Read from the API server: a status computed from a cached Roaster that lags our own last apply would
  // reset the latch's `since` or report a transition twice.
  async #read(namespace: string, name: string, log: Logger): Promise<Roaster | undefined> {
    try {
      return parseRoaster(await this.#api.get(namespace, name), log);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  #session(namespace: string, name: string, log: Logger): RoastSession | undefined {
    const obj = this.#opts.sessions.store.get(keyOf(namespace, name));
    return obj === undefined ? undefined : parseSession(obj, log);
  }

  async #apply(roaster: Roaster, status: AutonomyStatus, log: Logger): Promise<void> {
    const { namespace, name } = roaster.metadata;
    await this.#api.apply(
      {
        apiVersion: apiVersionOf(roasters),
        kind: roasters.kind,
        metadata: { namespace, name },
        status,
      } as KubeObject,
      // Forced: these fields are roast-autonomy's alone, whoever wrote them last.
      { subresource: 'status', force: true, fieldManager: fieldManagers.autonomy },
    );
    log.info('roaster autonomy status', {
      level: status.effectiveAutonomy.level,
      latch: status.latch?.id,
      conditions: status.conditions.map((c) => `${c.type}=${c.status}:${c.reason}`),
    });
    const regarding = roaster as unknown as KubeObject;
    for (const event of conditionEvents(roaster.status?.conditions, status.conditions))
      this.#events.event(regarding, event);
  }
}
