// The operator's controllers, set up on the process's manager: the shared informers, the CommandProposal
// controller, the Roaster controller (autonomy side), the RoastSession controller and telemetry retention,
// presence, and the admission-guard canary.
import { type Clock, systemClock } from '@roast-operator/clock';
import {
  type EventInput,
  type EventRecorder,
  type KubeObject,
  type Manager,
  pods,
} from '@roast-operator/kube';
import type { Dispatcher } from './dispatch.ts';
import { GuardCanary, type GuardState } from './guard/canary.ts';
import { FleetMetrics } from './metrics/fleet.ts';
import {
  byRoaster,
  bySession,
  commandProposals,
  roasterIndex,
  roasters,
  roastProfiles,
  roastSessions,
  sessionIndex,
} from './objects.ts';
import { PresenceTracker } from './presence.ts';
import type { ProposalBounds } from './proposals/bounds.ts';
import { ProposalController, type ProposalHooks } from './proposals/controller.ts';
import { RoasterController } from './roasters/controller.ts';
import { SessionController } from './sessions/controller.ts';
import { TelemetryRetention } from './sessions/retention.ts';
import type { OpenStore, TelemetryFeed } from './telemetry.ts';

export interface OperatorOptions {
  /** Watch one namespace only; all namespaces when omitted. */
  watchNamespace?: string;
  canary: { namespace: string; periodMs: number; retryMs: number };
  /** How long a proposal or session is kept after it ended. */
  retentionMs: number;
  /** How long telemetry is kept in the store, and how often older telemetry is deleted. */
  telemetryRetention?: { retentionMs: number; periodMs: number };
  /** Roasters each controller works on at once. */
  workers: number;
  /** How many open proposals one proposer may have on a roaster, and how many ended unsent ones are kept. */
  proposalBounds?: ProposalBounds;
  /** The operator's own pod, which Events about the guard are recorded on. */
  pod?: { namespace: string; name: string };
  /** The link to edge agents; without one, approved proposals wait (NoLink) and expire. */
  dispatcher?: Dispatcher;
  /** The link's telemetry, which sessions follow, and the store it commits to; without them sessions attach but see no roast. */
  telemetry?: { feed: TelemetryFeed; store: OpenStore };
  hooks?: ProposalHooks;
  clock?: Clock;
}

export class Operator {
  readonly manager: Manager;
  readonly guard: GuardCanary;
  readonly #proposals: ProposalController;
  readonly #roasters: RoasterController;
  readonly #sessions: SessionController;
  readonly #opts: OperatorOptions;
  readonly #events: EventRecorder;
  #pod: Promise<KubeObject> | undefined;

  /** Sets the controllers up on `manager`; they run when it starts. */
  constructor(manager: Manager, opts: OperatorOptions) {
    this.#opts = opts;
    const clock = opts.clock ?? systemClock;
    this.manager = manager;
    this.#events = manager.recorder('roasting.simcorp.io/roast-operator');
    const scope = opts.watchNamespace === undefined ? {} : { namespace: opts.watchNamespace };
    const informers = {
      roasters: manager.informer(roasters, scope),
      proposals: manager.informer(commandProposals, {
        ...scope,
        indexes: { [byRoaster]: roasterIndex, [bySession]: sessionIndex },
      }),
      sessions: manager.informer(roastSessions, {
        ...scope,
        indexes: { [byRoaster]: roasterIndex },
      }),
      profiles: manager.informer(roastProfiles, scope),
    };
    const presence = new PresenceTracker(clock);
    // Before any controller subscribes: a human's action is recorded before anything after it is decided.
    presence.follow(informers.proposals, informers.sessions);
    this.guard = new GuardCanary(manager.client, {
      ...opts.canary,
      clock,
      log: manager.log.child({ component: 'admission-guard-canary' }),
      onChange: (state) => this.#guardChanged(state),
    });
    const guardLive = () => this.guard.state.live;
    new FleetMetrics(manager.metrics.registry, { ...informers, clock, guardLive });
    this.#proposals = new ProposalController({
      manager,
      ...informers,
      presence,
      guardLive,
      retentionMs: opts.retentionMs,
      workers: opts.workers,
      clock,
      ...(opts.proposalBounds && { bounds: opts.proposalBounds }),
      ...(opts.dispatcher && { dispatcher: opts.dispatcher }),
      ...(opts.hooks && { hooks: opts.hooks }),
    });
    this.#roasters = new RoasterController({
      manager,
      ...informers,
      presence,
      guardLive,
      linkConfigured: opts.dispatcher !== undefined,
      workers: opts.workers,
      clock,
    });
    this.#sessions = new SessionController({
      manager,
      ...informers,
      retentionMs: opts.retentionMs,
      workers: opts.workers,
      clock,
      ...(opts.telemetry && { feed: opts.telemetry.feed, store: opts.telemetry.store }),
    });
    if (opts.telemetry && opts.telemetryRetention) {
      manager.add(
        new TelemetryRetention({
          store: opts.telemetry.store,
          ...opts.telemetryRetention,
          clock,
          log: manager.log.child({ component: 'telemetry-retention' }),
        }),
      );
    }
    manager.add(this.guard);
    manager.addReadyCheck('admission-guard', this.guard.readyCheck);
  }

  #guardChanged(state: GuardState): void {
    // Waiting proposals may go (or must wait), and every roaster's Ready says so.
    this.#roasters.requeueAll();
    this.#proposals.requeueAll();
    void this.#recordOnPod({
      type: state.live ? 'Normal' : 'Warning',
      reason: state.live ? 'AdmissionGuardLive' : 'AdmissionGuardNotLive',
      action: 'ProveAdmissionGuard',
      note: state.live ? state.message : `Not ready; dispatching nothing: ${state.message}`,
    });
  }

  /** An Event about the operator itself, on its pod, so `kubectl describe pod` shows it. */
  async #recordOnPod(event: EventInput): Promise<void> {
    const { pod } = this.#opts;
    if (pod === undefined) return;
    // The pod as stored carries its uid, which `kubectl describe` matches Events by; a local run has none.
    this.#pod ??= this.manager.client
      .resource(pods)
      .get(pod.namespace, pod.name)
      .catch(
        (): KubeObject => ({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: pod.name, namespace: pod.namespace },
        }),
      );
    this.#events.event(await this.#pod, event);
  }
}
