// The Roaster controller, autonomy side. It writes only what field manager roast-autonomy owns — with a
// server-side apply of exactly those fields, so the link's fields (phase, connection, device, levels,
// telemetry; roast-link) and the spec are never touched — and only when they differ from what it wants.
import { type CommandProposal, fieldManagers, type Roaster, type RoastSession } from '@roast-operator/api';
import type { Clock } from '@roast-operator/clock';
import {
  type Controller,
  type EventRecorder,
  type Informer,
  keyOf,
  type Manager,
  parseKey,
  type ReconcileResult,
  type ResourceClient,
  watch,
} from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import { byRoaster, roasterKeyOf, roasters } from '../objects.ts';
import type { PresenceTracker } from '../presence.ts';
import { requeueAt } from '../requeue.ts';
import { type AutonomyStatus, autonomyStatus, conditionEvents, differs } from './autonomy.ts';

export interface RoasterControllerOptions {
  manager: Manager;
  roasters: Informer<Roaster>;
  proposals: Informer<CommandProposal>;
  sessions: Informer<RoastSession>;
  presence: PresenceTracker;
  guardLive: () => boolean;
  linkConfigured: boolean;
  workers: number;
  clock: Clock;
}

export class RoasterController {
  readonly controller: Controller<Roaster>;
  readonly #opts: RoasterControllerOptions;
  readonly #api: ResourceClient<Roaster>;
  readonly #events: EventRecorder;

  constructor(opts: RoasterControllerOptions) {
    this.#opts = opts;
    const { manager } = opts;
    this.#api = manager.client.resource(roasters);
    this.#events = manager.recorder('roasting.simcorp.io/roaster-controller');
    this.controller = manager.controller({
      name: 'roaster-autonomy',
      for: opts.roasters,
      watches: [
        // Stops and resets move the latch; results move the circuit breaker.
        watch(opts.proposals, (p) => [roasterKeyOf(p)]),
        // A session's source decides whether its results count.
        watch(opts.sessions, (s) => [roasterKeyOf(s)]),
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
    // Read from the API server: a status computed from a cached Roaster that lags our own last apply would
    // reset the latch's `since` or report a transition twice.
    const roaster = await this.#api.getIfExists(namespace, name);
    if (roaster === undefined) return {};
    const now = this.#opts.clock.now();
    const proposals = this.#opts.proposals.store.byIndex(byRoaster, key);
    const { status, wakeAt } = autonomyStatus({
      now,
      roaster,
      proposals,
      session: (session) => this.#opts.sessions.store.get(keyOf(namespace, session)),
      presence: this.#opts.presence.presence(key),
      guardLive: this.#opts.guardLive(),
      linkConfigured: this.#opts.linkConfigured,
    });
    if (differs(roaster.status, status)) await this.#apply(roaster, status, log.child({ roaster: key }));
    return requeueAt(wakeAt, now);
  }

  async #apply(roaster: Roaster, status: AutonomyStatus, log: Logger): Promise<void> {
    const { namespace, name = '' } = roaster.metadata;
    await this.#api.apply(
      { metadata: { namespace, name }, status },
      // Forced: these fields are roast-autonomy's alone, whoever wrote them last.
      { subresource: 'status', force: true, fieldManager: fieldManagers.autonomy },
    );
    log.info('roaster autonomy status', {
      level: status.effectiveAutonomy.level,
      latch: status.latch?.id,
      conditions: status.conditions.map((c) => `${c.type}=${c.status}:${c.reason}`),
    });
    for (const event of conditionEvents(roaster.status?.conditions, status.conditions))
      this.#events.event(roaster, event);
  }
}
