// The operator process: one manager with the shared informers, the CommandProposal controller, the
// Roaster controller (autonomy side), the RoastSession controller and telemetry retention, presence, and
// the admission-guard canary.
import type { KubeConfig } from '@kubernetes/client-node';
import { type Clock, systemClock } from '@roast-operator/clock';
import { type EventInput, type EventRecorder, type KubeObject, Manager, pods } from '@roast-operator/kube';
import { createLogger, type Logger } from '@roast-operator/log';
import type { Dispatcher } from './dispatch.ts';
import { GuardCanary, type GuardState } from './guard/canary.ts';
import {
  byRoaster,
  bySession,
  commandProposals,
  roasterIndex,
  roasters,
  roastSessions,
  sessionIndex,
} from './objects.ts';
import { PresenceTracker } from './presence.ts';
import { ProposalController, type ProposalHooks } from './proposals/controller.ts';
import { RoasterController } from './roasters/controller.ts';
import { SessionController } from './sessions/controller.ts';
import { TelemetryRetention } from './sessions/retention.ts';
import type { TelemetryFeed } from './telemetry.ts';

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  /** Watch one namespace only; all namespaces when omitted. */
  watchNamespace?: string;
  /** Lead through this Lease; run unconditionally when omitted. */
  leaderElection?: { namespace: string; name: string; identity: string };
  /** Where /healthz, /readyz and /metrics are served; port 0 picks a free one. */
  probes?: { host?: string; port: number };
  canary: { namespace: string; periodMs: number; retryMs: number };
  /** How long a proposal or session is kept after it ended. */
  retentionMs: number;
  /** How long telemetry is kept in the store, and how often older telemetry is deleted. */
  telemetryRetention?: { retentionMs: number; periodMs: number };
  /** Roasters each controller works on at once. */
  workers: number;
  /** The operator's own pod, which Events about the guard are recorded on. */
  pod?: { namespace: string; name: string };
  /** The link to edge agents; without one, approved proposals wait (NoLink) and expire. */
  dispatcher?: Dispatcher;
  /** The link's telemetry, which sessions follow; without one they attach but see no roast. */
  telemetry?: TelemetryFeed;
  hooks?: ProposalHooks;
  clock?: Clock;
  logger?: Logger;
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

  constructor(opts: OperatorOptions) {
    this.#opts = opts;
    const clock = opts.clock ?? systemClock;
    const manager = new Manager({
      kubeConfig: opts.kubeConfig,
      fieldManager: 'roast-operator',
      logger: opts.logger ?? createLogger(),
      ...(opts.probes && { probes: opts.probes }),
      ...(opts.leaderElection && { leaderElection: opts.leaderElection }),
    });
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
    this.#proposals = new ProposalController({
      manager,
      ...informers,
      presence,
      guardLive,
      retentionMs: opts.retentionMs,
      workers: opts.workers,
      clock,
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
      ...(opts.telemetry && { feed: opts.telemetry }),
    });
    if (opts.telemetry && opts.telemetryRetention) {
      manager.add(
        new TelemetryRetention({
          feed: opts.telemetry,
          ...opts.telemetryRetention,
          clock,
          log: manager.log.child({ component: 'telemetry-retention' }),
        }),
      );
    }
    manager.add(this.guard);
    manager.addReadyCheck('admission-guard', this.guard.readyCheck);
  }

  /** Runs until stopped; rejects when leadership is lost or a runnable fails (the process should exit). */
  start(): Promise<void> {
    return this.manager.start();
  }

  stop(): Promise<void> {
    return this.manager.stop();
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
