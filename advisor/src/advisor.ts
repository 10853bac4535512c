// The advisor: follows every running roast with a profile that its account may read (an informer on
// sessions, the read API's follow stream for each running one), asks libs/advisor for at most one change,
// and proposes it as a CommandProposal in its own name — never a second open one per roaster, not while it
// backs off after a rejection, never while the roaster's stop latch holds. A proposal the roast has
// overtaken is left to expire (spec.ttlSeconds is short; the account may not delete proposals).
import { HttpMethod } from '@kubernetes/client-node';
import { type Advice, advise, type Recommendation } from '@roast-operator/advisor';
import {
  apiVersion,
  type Command,
  type CommandProposal,
  type CommandType,
  commandProposalNames,
  endedSessionPhases,
  type Roaster,
  type RoastProfile,
  type RoastSession,
} from '@roast-operator/api';
import { Backoff, type Clock, sleep, systemClock } from '@roast-operator/clock';
import { commandProposals, roasters, roastProfiles, roastSessions } from '@roast-operator/kinds';
import {
  type Informer,
  type KubeObject,
  keyOf,
  type Manager,
  objectKey,
  type Runnable,
} from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import type { RationalePhraser } from '@roast-operator/phrasing';
import {
  type CurvePoint,
  followSession,
  ReadApiError,
  type RoastEvents,
} from '@roast-operator/telemetry-client';
import { bulletR1Params, type Corrections, type ThermalParams } from '@roast-operator/thermal';
import { evidenceAnnotation, rationaleOf } from './evidence.ts';
import { holdOf, overtakes } from './gate.ts';
import { type FollowedRoast, limitsOf, liveRoastOf, profileOf } from './inputs.ts';
import { AdvisorMetrics, isOutcome } from './metrics.ts';

export interface ReadApiAccess {
  readonly url: string;
  /** The bearer token, read afresh for every follow: a projected token rotates. */
  readonly token: () => Promise<string>;
}

export interface AdvisorOptions {
  readonly readApi: ReadApiAccess;
  /** Watch one namespace; all the account may read otherwise. */
  readonly namespace?: string;
  /** How long a proposal stays valid, s (1-300): an overtaken one expires within it. */
  readonly proposalTtlS: number;
  /** How long the advisor keeps quiet for a roaster after a person rejected its proposal. */
  readonly backoffMs: number;
  /** The shortest wall-clock time between two judgements of one roast. */
  readonly evaluateEveryMs: number;
  readonly model?: ThermalParams;
  readonly phraser?: RationalePhraser;
  readonly clock?: Clock;
}

const commandOf: Record<Recommendation['control'], CommandType> = {
  heater: 'SetHeater',
  fan: 'SetFan',
  drum: 'SetDrum',
};
const controlOf: Partial<Record<CommandType, Recommendation['control']>> = {
  SetHeater: 'heater',
  SetFan: 'fan',
  SetDrum: 'drum',
};
const running = (s: RoastSession) =>
  s.spec.profileRef !== undefined &&
  ['Charged', 'Drying', 'Maillard', 'Development'].includes(s.status?.phase ?? '');
const ended = (p: CommandProposal) => isOutcome(p.status?.phase);
const nameOf = (o: KubeObject) => o.metadata.name ?? '';

interface OpenProposal {
  readonly name: string;
  /** Unknown for one just created that the cache has not shown yet. */
  readonly command?: Command;
}

interface Roast extends FollowedRoast {
  points: CurvePoint[];
  events: RoastEvents | undefined;
  dropped: boolean;
  lastRecommendationAt?: number;
  previousFit?: Corrections;
  lastJudgedMs: number;
}

export class Advisor implements Runnable {
  readonly name = 'advisor';
  readonly needLeaderElection = true;
  readonly metrics: AdvisorMetrics;
  readonly #manager: Manager;
  readonly #opts: AdvisorOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #sessions: Informer<RoastSession>;
  readonly #roasters: Informer<Roaster>;
  readonly #proposals: Informer<CommandProposal>;
  readonly #profiles: Informer<RoastProfile>;
  readonly #follows = new Map<string, { stop: AbortController; done: Promise<void> }>();
  /** Per roaster key: the advisor's proposal created and not yet seen ended, and the back-off. */
  readonly #open = new Map<string, string>();
  readonly #backoffUntil = new Map<string, number>();
  readonly #overtaken = new Set<string>();
  #identity = '';

  constructor(manager: Manager, opts: AdvisorOptions) {
    this.#manager = manager;
    this.#opts = opts;
    this.#log = manager.log.child({ component: 'advisor' });
    this.#clock = opts.clock ?? systemClock;
    this.metrics = new AdvisorMetrics(manager.metrics.registry);
    const scope = opts.namespace === undefined ? {} : { namespace: opts.namespace };
    this.#sessions = manager.informer(roastSessions, scope);
    this.#roasters = manager.informer(roasters, scope);
    this.#proposals = manager.informer(commandProposals, scope);
    this.#profiles = manager.informer(roastProfiles, scope);
    manager.addReadyCheck('advisor-caches', () =>
      [this.#sessions, this.#roasters, this.#proposals, this.#profiles].every((i) => i.hasSynced())
        ? undefined
        : 'caches not synced',
    );
    manager.add(this);
  }

  async start(signal: AbortSignal): Promise<void> {
    await Promise.all(
      [this.#sessions, this.#roasters, this.#proposals, this.#profiles].map((i) => i.waitForSync(signal)),
    );
    this.#identity = await this.#whoAmI();
    this.#log.info('advising', { as: this.#identity });
    const offProposals = this.#proposals.on((e) => {
      if (e.type === 'modified') this.#proposalChanged(e.old, e.object);
    });
    const offSessions = this.#sessions.on(() => this.#syncFollows(signal));
    this.#syncFollows(signal);
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    offProposals();
    offSessions();
    for (const follow of this.#follows.values()) follow.stop.abort();
    await Promise.all([...this.#follows.values()].map((f) => f.done));
  }

  /** The name the API server stamps on this process's requests, which admission checks proposedBy against. */
  async #whoAmI(): Promise<string> {
    const review = await this.#manager.client.request<{ status?: { userInfo?: { username?: string } } }>(
      HttpMethod.POST,
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } },
    );
    const name = review.status?.userInfo?.username;
    if (!name) throw new Error('the API server did not say who this advisor is (SelfSubjectReview)');
    return name;
  }

  /** Starts following each running session with a profile; stops following those that ended or went. */
  #syncFollows(signal: AbortSignal): void {
    if (signal.aborted) return;
    const wanted = new Set(this.#sessions.store.list().filter(running).map(objectKey));
    for (const key of wanted) {
      if (this.#follows.has(key)) continue;
      const stop = new AbortController();
      const done = this.#follow(key, AbortSignal.any([signal, stop.signal])).finally(() => {
        if (this.#follows.get(key)?.stop === stop) this.#follows.delete(key);
      });
      this.#follows.set(key, { stop, done });
    }
    for (const [key, follow] of this.#follows) {
      const session = this.#sessions.store.get(key);
      const phase = session?.status?.phase;
      if (session !== undefined && !endedSessionPhases.has(phase ?? 'Pending')) continue;
      // An emergency stop aborts the session: its roast is over for the advisor too.
      this.#log.info('the roast ended; no longer following it', { session: key, phase: phase ?? 'deleted' });
      follow.stop.abort();
    }
  }

  /** Follows one roast to its end, resuming after a break from the last point seen. */
  async #follow(key: string, signal: AbortSignal): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const log = this.#log.child({ session: key });
    const roast: Roast = { points: [], events: undefined, dropped: false, lastJudgedMs: 0 };
    const backoff = new Backoff({ initialMs: 500, maxMs: 10_000 });
    log.info('following the roast');
    try {
      while (!signal.aborted) {
        try {
          const api = { url: this.#opts.readApi.url, token: await this.#opts.readApi.token() };
          const since = roast.points.at(-1)?.time;
          for await (const line of followSession(api, { namespace, name, signal, ...(since && { since }) })) {
            backoff.reset();
            if (line.type === 'status') {
              roast.events = line.events;
              roast.dropped = roast.dropped || line.events.drop !== undefined;
            } else if (line.type === 'points') {
              if (line.origin?.from === 'charge') roast.points.push(...line.points);
              await this.#judgeSafely(key, roast, log);
            } else if (line.type === 'end') {
              log.info('the roast ended', { phase: line.phase });
              return;
            }
          }
        } catch (err) {
          if (signal.aborted) return;
          const code = err instanceof ReadApiError ? err.code : undefined;
          log.warn('following the roast failed; following again from the last point seen', { err, code });
          await sleep(this.#clock, backoff.next(), signal).catch(() => undefined);
        }
      }
    } finally {
      this.#opts.phraser?.forget(key);
    }
  }

  /** A judgement or proposal that fails (the API server refused, the cache lags) must not end the follow. */
  async #judgeSafely(key: string, roast: Roast, log: Logger): Promise<void> {
    try {
      await this.#judge(key, roast, log);
    } catch (err) {
      log.warn('judging the roast or proposing failed; trying again with the next points', { err });
    }
  }

  /** Judges the roast at most every evaluateEveryMs, and proposes what libs/advisor recommends if it may. */
  async #judge(key: string, roast: Roast, log: Logger): Promise<void> {
    const nowMs = this.#clock.now();
    if (nowMs - roast.lastJudgedMs < this.#opts.evaluateEveryMs) return;
    roast.lastJudgedMs = nowMs;
    const session = this.#sessions.store.get(key);
    if (session === undefined || session.spec.profileRef === undefined) return;
    const ns = session.metadata.namespace ?? '';
    const roaster = this.#roasters.store.get(keyOf(ns, session.spec.roasterRef.name));
    const profileObject = this.#profiles.store.get(keyOf(ns, session.spec.profileRef.name));
    if (roaster === undefined || profileObject === undefined) {
      log.debug('roaster or profile not in the cache yet', { profile: session.spec.profileRef.name });
      return;
    }
    const profile = profileOf(profileObject.spec);
    const advice: Advice = advise({
      profile: session.spec.profile?.batchGrams
        ? { ...profile, batchGrams: session.spec.profile.batchGrams }
        : profile,
      live: liveRoastOf(roast),
      limits: limitsOf(roaster),
      model: this.#opts.model ?? bulletR1Params,
      ...(roast.previousFit && { previousFit: roast.previousFit }),
    });
    if (advice.fit) roast.previousFit = advice.fit;
    const roasterKey = objectKey(roaster);
    const open = this.#openProposal(roasterKey);
    const recommendation = advice.recommendation;
    if (open !== undefined) this.#noteOvertaken(open, recommendation, log);
    if (recommendation === null || advice.evidence === null) {
      log.debug('no recommendation', { why: advice.none });
      return;
    }
    const hold = holdOf(
      {
        latched: roaster.status?.latch !== undefined,
        ...(open && { openProposal: open.name }),
        ...(this.#backoffUntil.has(roasterKey) && { backoffUntilMs: this.#backoffUntil.get(roasterKey)! }),
      },
      nowMs,
    );
    if (hold !== undefined) {
      this.metrics.held(hold);
      log.debug('holding a recommendation back', {
        hold,
        control: recommendation.control,
        to: recommendation.to,
      });
      return;
    }
    roast.lastRecommendationAt = advice.evidence.at;
    await this.#propose(session, roaster, recommendation, advice, log);
  }

  async #propose(
    session: RoastSession,
    roaster: Roaster,
    recommendation: Recommendation,
    advice: Advice,
    log: Logger,
  ): Promise<void> {
    const ns = roaster.metadata.namespace ?? '';
    const evidence = advice.evidence!;
    const phrased = this.#opts.phraser
      ? await this.#opts.phraser.phrase({ roast: objectKey(session), recommendation, evidence })
      : { text: recommendation.rationale, by: 'template' as const };
    const by = phrased.by === 'model' ? 'model' : (phrased.fallback ?? 'template');
    const rationale = rationaleOf(phrased.text, recommendation, phrased.by === 'model');
    const created = await this.#manager.client.resource(commandProposals).create({
      apiVersion,
      kind: commandProposalNames.kind,
      metadata: {
        generateName: `${session.metadata.name}-advice-`,
        namespace: ns,
        annotations: evidenceAnnotation(recommendation, evidence),
      },
      spec: {
        roasterRef: { name: nameOf(roaster) },
        sessionRef: { name: nameOf(session) },
        command: { type: commandOf[recommendation.control], target: recommendation.to },
        proposedBy: this.#identity,
        rationale,
        ttlSeconds: this.#opts.proposalTtlS,
      },
    } as KubeObject);
    this.#open.set(objectKey(roaster), nameOf(created));
    this.metrics.proposed(recommendation.control, recommendation.reason);
    this.metrics.rationale(by);
    log.info('proposed', {
      proposal: nameOf(created),
      roaster: nameOf(roaster),
      control: recommendation.control,
      from: recommendation.from,
      to: recommendation.to,
      reason: recommendation.reason,
      confidence: recommendation.confidence,
      rationaleBy: by,
      rationale,
    });
  }

  /** The advisor's own proposal to this roaster that has not ended: the one it just made, or one in the cache. */
  #openProposal(roasterKey: string): OpenProposal | undefined {
    const [ns = ''] = roasterKey.split('/');
    const justMade = this.#open.get(roasterKey);
    if (justMade !== undefined) {
      const seen = this.#proposals.store.get(keyOf(ns, justMade));
      if (seen === undefined) return { name: justMade };
      if (ended(seen)) this.#open.delete(roasterKey);
    }
    const mine = this.#proposals.store
      .list(ns)
      .find(
        (p) =>
          p.spec.proposedBy === this.#identity &&
          keyOf(ns, p.spec.roasterRef.name) === roasterKey &&
          !ended(p),
      );
    return mine && { name: nameOf(mine), command: mine.spec.command };
  }

  #noteOvertaken(open: OpenProposal, now: Recommendation | null, log: Logger): void {
    const control = open.command && controlOf[open.command.type];
    const to = open.command?.target;
    if (control === undefined || to === undefined || this.#overtaken.has(open.name)) return;
    if (!overtakes({ control, to }, now)) return;
    this.#overtaken.add(open.name);
    this.metrics.overtaken();
    log.info('the roast overtook the open proposal; letting it expire', {
      proposal: open.name,
      proposed: `${control}→${to}`,
      now: now === null ? 'no change' : `${now.control}→${now.to}`,
    });
  }

  /** Counts how the advisor's proposals end; a rejection starts a back-off for the roaster. */
  #proposalChanged(old: CommandProposal, next: CommandProposal): void {
    if (next.spec.proposedBy !== this.#identity || ended(old) || !isOutcome(next.status?.phase)) return;
    const outcome = next.status.phase;
    this.metrics.ended(outcome);
    const name = nameOf(next);
    this.#overtaken.delete(name);
    const roasterKey = keyOf(next.metadata.namespace, next.spec.roasterRef.name);
    if (this.#open.get(roasterKey) === name) this.#open.delete(roasterKey);
    if (outcome !== 'Rejected') {
      this.#log.info('proposal ended', { proposal: name, outcome });
      return;
    }
    const reason = next.spec.approval?.reason;
    this.metrics.rejected(reason ? 'given' : 'none');
    this.#backoffUntil.set(roasterKey, this.#clock.now() + this.#opts.backoffMs);
    this.#log.warn('a person rejected a proposal; backing off', {
      proposal: name,
      roaster: roasterKey,
      by: next.spec.approval?.approver,
      reason: reason ?? '(none given)',
      backoffMs: this.#opts.backoffMs,
    });
  }
}
