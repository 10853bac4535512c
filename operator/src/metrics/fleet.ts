// The fleet's Prometheus metrics, read from the operator's informer caches the way kube-state-metrics reads
// the API: what each proposal went through (counted once, as the cache sees it change, so a restart or a
// relist counts nothing twice), each finished roast's figures, and at every scrape the state of each Roaster
// (link, autonomy, latches, proposals waiting for a person) and of the sessions kept. No controller calls
// into it. Label values come from labels.ts, every one from a closed list.
import {
  CommandOutcome,
  type CommandProposal,
  CommandType,
  type Roaster,
  type RoastSession,
  SessionPhase,
} from '@roast-operator/api';
import type { Clock } from '@roast-operator/clock';
import { type Informer, type InformerEvent, keyOf, objectKey } from '@roast-operator/kube';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { byRoaster, terminalProposalPhases } from '../objects.ts';
import {
  autonomy,
  completedRoast,
  connected,
  decisionBetween,
  decisions,
  dispatchedBetween,
  edgeLatchesByInterlock,
  origin,
  origins,
  roastingPhases,
  ruleLabel,
  ruleLabels,
  sessionSource,
  sessionSources,
  terminalBetween,
} from './labels.ts';

type Cached<T extends Roaster | CommandProposal | RoastSession> = Pick<Informer<T>, 'store' | 'on'>;

export interface FleetSources {
  readonly roasters: Cached<Roaster>;
  readonly proposals: Cached<CommandProposal>;
  readonly sessions: Cached<RoastSession>;
  readonly clock: Clock;
  /** Whether the admission-guard canary last proved the guard live. */
  readonly guardLive: () => boolean;
}

type RoasterLabel = 'roaster_namespace' | 'roaster';
const roasterLabels = ['roaster_namespace', 'roaster'] as const;
const roasterOf = (r: Roaster) => ({
  roaster_namespace: r.metadata.namespace ?? '',
  roaster: r.metadata.name ?? '',
});

export class FleetMetrics {
  readonly #clock: Clock;
  /** When each proposal still to be dispatched was decided, as this process saw it. */
  readonly #decidedAt = new Map<string, number>();
  readonly #proposals: Counter<'command' | 'origin' | 'phase'>;
  readonly #rules: Counter<'rule'>;
  readonly #results: Counter<'command' | 'outcome'>;
  readonly #decision: Histogram<'origin' | 'decision'>;
  readonly #dispatch: Histogram;
  readonly #roastSeconds: Histogram<'source'>;
  readonly #developmentRatio: Histogram<'source'>;
  readonly #firstCrackError: Histogram<'source'>;

  constructor(registry: Registry, sources: FleetSources) {
    this.#clock = sources.clock;
    const registers = [registry];
    this.#proposals = new Counter({
      name: 'roast_proposals_total',
      help: 'Proposals that ended, by command type, origin (human, agent) and the phase they ended in.',
      labelNames: ['command', 'origin', 'phase'],
      registers,
    });
    this.#rules = new Counter({
      name: 'roast_proposal_rules_total',
      help: 'Proposals that ended, by the governor rule that decided them (none: ended before the governor ruled).',
      labelNames: ['rule'],
      registers,
    });
    this.#results = new Counter({
      name: 'roast_command_results_total',
      help: 'Results of dispatched commands written to proposals, by command type and outcome.',
      labelNames: ['command', 'outcome'],
      registers,
    });
    this.#decision = new Histogram({
      name: 'roast_proposal_decision_seconds',
      help: 'From a proposal’s creation to its decision (Allowed, Approved, Blocked, Rejected, Expired, Aborted), by origin.',
      labelNames: ['origin', 'decision'],
      buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
      registers,
    });
    this.#dispatch = new Histogram({
      name: 'roast_proposal_dispatch_seconds',
      help: 'From a proposal’s approval (by a person or the governor) to its command being sent to the edge.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    });
    /** A figure of each completed roast, by where its telemetry came from. */
    const perRoast = (name: string, help: string, buckets: number[]) =>
      new Histogram({
        name,
        help: `${help}, by telemetry source.`,
        labelNames: ['source'],
        buckets,
        registers,
      });
    this.#roastSeconds = perRoast(
      'roast_session_roast_seconds',
      'Total roast time (charge to drop) of completed sessions',
      [240, 360, 480, 540, 600, 660, 720, 840, 960, 1200],
    );
    this.#developmentRatio = perRoast(
      'roast_session_development_ratio',
      'Development time ratio (first crack to drop over total time) of completed sessions',
      [0.1, 0.14, 0.17, 0.2, 0.22, 0.24, 0.26, 0.28, 0.3, 0.35],
    );
    this.#firstCrackError = perRoast(
      'roast_session_first_crack_error_seconds',
      'First crack’s time minus the time its profile implies, of completed sessions with such a profile',
      [-120, -60, -30, -15, -5, 5, 15, 30, 60, 120],
    );
    this.#startAtZero();
    sources.proposals.on((event) => this.#proposalChanged(event));
    sources.sessions.on((event) => this.#sessionChanged(event));
    this.#stateGauges(registers, sources);
  }

  #proposalChanged(event: InformerEvent<CommandProposal>): void {
    const uid = event.object.metadata.uid ?? '';
    if (event.type === 'deleted') {
      this.#decidedAt.delete(uid);
      return;
    }
    if (event.type !== 'modified') return;
    const { old, object: p } = event;
    const command = p.spec.command.type;
    const decision = decisionBetween(old, p);
    if (decision !== undefined) {
      const now = this.#clock.now();
      const created = Date.parse(p.metadata.creationTimestamp ?? '');
      if (Number.isFinite(created))
        this.#decision.observe({ origin: origin(p), decision }, Math.max(0, now - created) / 1000);
      if (decision === 'Allowed' || decision === 'Approved') this.#decidedAt.set(uid, now);
    }
    const sent = dispatchedBetween(old, p);
    const decided = this.#decidedAt.get(uid);
    if (sent !== undefined && decided !== undefined && Number.isFinite(sent))
      this.#dispatch.observe(Math.max(0, sent - decided) / 1000);
    const ended = terminalBetween(old, p);
    if (ended === undefined) return;
    this.#decidedAt.delete(uid);
    this.#proposals.inc({ command, origin: origin(p), phase: ended });
    this.#rules.inc({ rule: ruleLabel(p) });
    const outcome = p.status?.result?.outcome;
    if (outcome !== undefined) this.#results.inc({ command, outcome });
  }

  /**
   * Every label set of the counters and histograms at zero from the start: rate() and increase() see a
   * series' first count only when the series was there, at zero, before it.
   */
  #startAtZero(): void {
    for (const command of CommandType.options) {
      for (const origin of origins)
        for (const phase of terminalProposalPhases) this.#proposals.inc({ command, origin, phase }, 0);
      for (const outcome of CommandOutcome.options) this.#results.inc({ command, outcome }, 0);
    }
    for (const rule of ruleLabels) this.#rules.inc({ rule }, 0);
    for (const origin of origins) for (const decision of decisions) this.#decision.zero({ origin, decision });
    this.#dispatch.zero({});
    for (const source of sessionSources)
      for (const histogram of [this.#roastSeconds, this.#developmentRatio, this.#firstCrackError])
        histogram.zero({ source });
  }

  #sessionChanged(event: InformerEvent<RoastSession>): void {
    if (event.type !== 'modified') return;
    const figures = completedRoast(event.old, event.object);
    if (figures === undefined) return;
    const labels = { source: sessionSource(event.object) };
    this.#roastSeconds.observe(labels, figures.totalSeconds);
    if (figures.developmentRatio !== undefined)
      this.#developmentRatio.observe(labels, figures.developmentRatio);
    if (figures.firstCrackErrorSeconds !== undefined)
      this.#firstCrackError.observe(labels, figures.firstCrackErrorSeconds);
  }

  /** Gauges computed from the caches at each scrape, so they are never stale and never leak a deleted object. */
  #stateGauges(registers: Registry[], { roasters, proposals, sessions, guardLive }: FleetSources): void {
    new Gauge({
      name: 'roast_admission_guard_live',
      help: 'Whether the admission-guard canary last proved the admission policies refuse what they must (1) or not (0).',
      registers,
      collect() {
        this.set(guardLive() ? 1 : 0);
      },
    });
    const perRoaster = (
      name: string,
      help: string,
      value: (r: Roaster) => number | undefined,
    ): Gauge<RoasterLabel> =>
      new Gauge({
        name,
        help,
        labelNames: roasterLabels,
        registers,
        collect() {
          this.reset();
          for (const r of roasters.store.list()) {
            const v = value(r);
            if (v !== undefined) this.set(roasterOf(r), v);
          }
        },
      });
    perRoaster(
      'roast_roaster_connected',
      'Whether the Roaster’s edge agent link is up (1) or not (0).',
      (r) => (connected(r) ? 1 : 0),
    );
    const sessionPhase = (namespace: string | undefined, name: string | undefined) =>
      name === undefined ? undefined : sessions.store.get(keyOf(namespace, name))?.status?.phase;
    perRoaster(
      'roast_roaster_roasting',
      'Whether beans are in the drum (1): the Roaster’s active session is charged and not yet dropped.',
      (r) => {
        const phase = sessionPhase(r.metadata.namespace, r.status?.activeSession?.name);
        return phase !== undefined && roastingPhases.has(phase) ? 1 : 0;
      },
    );
    perRoaster(
      'roast_roaster_autonomy_configured_level',
      'The autonomy level the Roaster’s spec allows, 1-5 (L1-L5).',
      (r) => autonomy(r)?.configured,
    );
    new Gauge({
      name: 'roast_roaster_autonomy_level',
      help: 'The effective autonomy level, 1-5 (L1-L5), with the reason it is below the configured one (AtConfiguredLevel when it is not).',
      labelNames: [...roasterLabels, 'reason'],
      registers,
      collect() {
        this.reset();
        for (const r of roasters.store.list()) {
          const figures = autonomy(r);
          if (figures) this.set({ ...roasterOf(r), reason: figures.reason }, figures.effective);
        }
      },
    });
    new Gauge({
      name: 'roast_roaster_latched',
      help: 'Whether the Roaster’s emergency-stop latch is set (1, with its cause) or clear (0, cause None).',
      labelNames: [...roasterLabels, 'cause'],
      registers,
      collect() {
        this.reset();
        for (const r of roasters.store.list())
          this.set({ ...roasterOf(r), cause: r.status?.latch?.cause ?? 'None' }, r.status?.latch ? 1 : 0);
      },
    });
    new Gauge({
      name: 'roast_roaster_edge_latches',
      help: 'Latches the Roaster’s edge agent reports holding, by the interlock that set them.',
      labelNames: [...roasterLabels, 'interlock'],
      registers,
      collect() {
        this.reset();
        for (const r of roasters.store.list())
          for (const [interlock, count] of edgeLatchesByInterlock(r))
            this.set({ ...roasterOf(r), interlock }, count);
      },
    });
    perRoaster(
      'roast_proposals_awaiting_approval',
      'Proposals of the Roaster waiting for a person’s approval now.',
      (r) =>
        proposals.store.byIndex(byRoaster, objectKey(r)).filter((p) => p.status?.phase === 'AwaitingApproval')
          .length,
    );
    new Gauge({
      name: 'roast_sessions',
      help: 'RoastSessions the operator keeps, by phase (ended ones until their retention runs out).',
      labelNames: ['phase'],
      registers,
      collect() {
        const counts = new Map<string, number>(SessionPhase.options.map((phase) => [phase, 0]));
        for (const s of sessions.store.list()) {
          const phase = s.status?.phase ?? 'Pending';
          counts.set(phase, (counts.get(phase) ?? 0) + 1);
        }
        for (const [phase, count] of counts) this.set({ phase }, count);
      },
    });
  }
}
