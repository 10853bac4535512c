// The CommandProposal controller. Its work-queue key is the roaster (namespace/roasterName), so all
// proposals of one roaster are governed and dispatched one at a time, in order, and proposals of different
// roasters in parallel. Each reconcile reads the roaster and its proposals from the API server rather than
// the cache: a cache that lags behind the controller's own last write could let a second step through the
// L4 envelope. Every transition is a status patch that holds only while what it was planned from holds.
// EmergencyStops never wait for the key: they are sent from the cache as their watch events arrive, and a
// reconcile steps its stops first, then what ends regardless of order (expiry, refusals, retention) a few
// writes at once — stopping for a stop that arrives meanwhile — and only then the rest, in order.
import type { CommandProposal, Roaster, RoastSession } from '@roast-operator/api';
import type { Clock } from '@roast-operator/clock';
import { proposalDeadline, type Ruling, rules } from '@roast-operator/governor';
import {
  AlreadyOwnedError,
  type Controller,
  type EventRecorder,
  type Informer,
  isConflict,
  keyOf,
  type Manager,
  PreconditionFailed,
  parseKey,
  patchStatusIf,
  type ReconcileResult,
  type ResourceClient,
  type Runnable,
  setControllerReference,
  updateStatusIf,
  watch,
} from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import { type Dispatcher, type DispatchReceipt, type DispatchRequest, NotSent } from '../dispatch.ts';
import { governedProposal } from '../governing.ts';
import {
  byRoaster,
  bySession,
  commandProposals,
  isStop,
  phaseOf,
  roasterKeyOf,
  roasters,
  roastSessions,
} from '../objects.ts';
import type { PresenceTracker } from '../presence.ts';
import { requeueAt } from '../requeue.ts';
import { defaultBounds, governorReads, type ProposalBounds, retainedBeyondBound } from './bounds.ts';
import {
  approvedBy,
  dispatchedTransition,
  dispatchRecord,
  dispatchRequest,
  errorText,
  roasterRef,
} from './dispatching.ts';
import { bulkSteps, humanProposal, type LinkState, type Plan, plan, type Situation } from './plan.ts';
import { cachedSessions, readProposals, type SessionLookup, sessionsOf } from './reads.ts';
import { StopLane } from './stop-lane.ts';
import {
  autonomousEvent,
  type StatusPatch,
  type Transition,
  transitionEvent,
  transitionStatus,
  waitingStatus,
} from './transitions.ts';

export interface ProposalHooks {
  /** Awaited just before a Pending proposal is governed (tests slow governing down with it). */
  beforeGovern?: (proposal: CommandProposal) => Promise<void>;
}

export interface ProposalControllerOptions {
  manager: Manager;
  proposals: Informer<CommandProposal>;
  roasters: Informer<Roaster>;
  sessions: Informer<RoastSession>;
  presence: PresenceTracker;
  /** Whether the admission guard is proven live now. */
  guardLive: () => boolean;
  dispatcher?: Dispatcher;
  retentionMs: number;
  /** How many open proposals one proposer may have on a roaster, and how many ended unsent ones are kept. */
  bounds?: ProposalBounds;
  /** Roasters governed at once. */
  workers: number;
  clock: Clock;
  hooks?: ProposalHooks;
}

// A proposal moves through at most Pending → Approved → Dispatched in one reconcile; the bound only stops
// a faulty plan from spinning.
const maxSteps = 6;

/** What one reconcile read: the roaster's proposals (kept up to date with our writes), the roaster, sessions. */
interface Read {
  readonly proposals: CommandProposal[];
  readonly roaster: Roaster | undefined;
  readonly session: SessionLookup;
  /** Ended proposals never sent beyond the number kept, as read. */
  readonly retainedBeyond: ReadonlySet<string>;
}

/**
 * Writes a reconcile's bulk steps make at once: enough that a thousand expiring proposals take a second or
 * two, few enough that the API server still answers a person's EmergencyStop promptly meanwhile.
 */
const bulkWrites = 8;

/** What a transition is planned from: a status write holds only while these are as read. */
const transitionDependsOn = [
  ['metadata', 'generation'],
  ['status', 'phase'],
  ['status', 'dispatch', 'time'],
  ['status', 'result'],
] as const;

/** How soon a reconcile whose write lost its race reads again. */
const staleRetryMs = 50;

/** A write lost its race: what the step was planned from changed since it was read. */
class Stale extends Error {
  override name = 'Stale';
}

export class ProposalController {
  readonly controller: Controller<CommandProposal>;
  readonly #opts: ProposalControllerOptions;
  readonly #api: ResourceClient<CommandProposal>;
  readonly #roasterApi: ResourceClient<Roaster>;
  readonly #sessionApi: ResourceClient<RoastSession>;
  readonly #events: EventRecorder;
  readonly #log: Logger;
  /** Where EmergencyStops are sent, from the cache or the reconcile, and recorded with their receipt. */
  readonly #stops: StopLane | undefined;

  constructor(opts: ProposalControllerOptions) {
    this.#opts = opts;
    const { manager } = opts;
    this.#api = manager.client.resource(commandProposals);
    this.#roasterApi = manager.client.resource(roasters);
    this.#sessionApi = manager.client.resource(roastSessions);
    this.#events = manager.recorder('roasting.simcorp.io/commandproposal-controller');
    this.#log = manager.log.child({ controller: 'commandproposal' });
    this.#stops = opts.dispatcher && new StopLane(opts.dispatcher);
    this.controller = manager.controller({
      name: 'commandproposal',
      for: opts.proposals,
      key: roasterKeyOf,
      watches: [
        // A roaster that connects, latches or changes limits may let waiting proposals go, or stop them.
        watch(opts.roasters, (r) => [keyOf(r.metadata.namespace, r.metadata.name ?? '')]),
        // A session decides which roaster its proposals may command, and owns them once it exists.
        watch(opts.sessions, (s) => this.#roastersNaming(s)),
      ],
      concurrency: opts.workers,
      reconcile: (key, ctx) => this.reconcile(key, ctx.log, ctx.signal),
    });
    if (this.#stops) manager.add(this.#stopsOnArrival());
  }

  get #bounds(): ProposalBounds {
    return this.#opts.bounds ?? defaultBounds;
  }

  /**
   * Sends each new EmergencyStop as its watch event arrives, from the cache, off the roaster's work-queue
   * key: no reconcile of its roaster (bulk expiry, retention, governing, retries) is ever ahead of it. Runs
   * on the leader only, as the controller does.
   */
  #stopsOnArrival(): Runnable {
    const { proposals, roasters: roasterCache, sessions } = this.#opts;
    return {
      name: 'emergency-stop-lane',
      needLeaderElection: true,
      start: async (signal) => {
        try {
          await Promise.all([proposals, roasterCache, sessions].map((i) => i.waitForSync(signal)));
        } catch {
          return; // stopped before the caches synced
        }
        const off = proposals.on((event) => {
          if (!isStop(event.object.spec.command)) return;
          const uid = event.object.metadata.uid ?? '';
          this.#stops?.cached(uid, event.type === 'deleted' ? undefined : event.object);
          if (event.type === 'deleted') return;
          const key = roasterKeyOf(event.object);
          if (event.type === 'added') this.#stops?.arrived(key);
          const log = this.#log.child({ roaster: key, proposal: event.object.metadata.name });
          this.#stopsFromCache(key, log, signal).catch((err: unknown) =>
            log.error('EmergencyStop could not be sent on arrival; its reconcile sends it', { err }),
          );
        });
        if (!signal.aborted)
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        off();
      },
    };
  }

  /** Looks at every roaster with proposals again (the guard changed). */
  requeueAll(): void {
    for (const p of this.#opts.proposals.store.list()) this.controller.enqueue(roasterKeyOf(p));
  }

  #roastersNaming(session: RoastSession): string[] {
    const key = keyOf(session.metadata.namespace, session.metadata.name ?? '');
    const naming = this.#opts.proposals.store.byIndex(bySession, key);
    return [...new Set(naming.map(roasterKeyOf))];
  }

  async reconcile(key: string, log: Logger, signal: AbortSignal): Promise<ReconcileResult> {
    const arrivals = this.#stops?.arrivals(key);
    // A stop that arrives after this is read: the work below stops, and the next reconcile records it first.
    const stopArrived = () => this.#stops !== undefined && this.#stops.arrivals(key) !== arrivals;
    await this.#stopsFromCache(key, log, signal);
    const read = await this.#read(key);
    const { proposals } = read;
    let wakeAt = Number.POSITIVE_INFINITY;
    try {
      // Stops are read first (see readProposals): none waits for the bulk steps or for the other proposals.
      const stops = proposals.filter((p) => isStop(p.spec.command)).length;
      for (let i = 0; i < stops; i++) wakeAt = Math.min(wakeAt, await this.#advance(key, i, read, signal));
      if (!(await this.#bulk(key, read, stopArrived))) return this.#yielded(log);
      // Ended stops may have been deleted in bulk: the rest start after the stops still there.
      for (let i = proposals.filter((p) => isStop(p.spec.command)).length; i < proposals.length; i++) {
        if (stopArrived()) return this.#yielded(log);
        wakeAt = Math.min(wakeAt, await this.#advance(key, i, read, signal));
      }
    } catch (err) {
      if (!(err instanceof Stale) && !isConflict(err)) throw err;
      // Read everything again soon: the change that beat us is news.
      log.debug('proposal changed while governed; reading again', { err });
      return { requeueAfter: staleRetryMs };
    }
    return requeueAt(wakeAt, this.#opts.clock.now());
  }

  async #read(key: string): Promise<Read> {
    const { namespace = '', name } = parseKey(key);
    // Proposals first: the roaster read after them is at least as new as every proposal governed against it.
    const proposals = await readProposals(this.#api, namespace, name);
    const roaster = await this.#roasterApi.getIfExists(namespace, name);
    const session = await sessionsOf(this.#opts.sessions, this.#sessionApi, namespace, proposals);
    const sessions = this.#opts.sessions.store.byIndex(byRoaster, key);
    const needed = governorReads(roaster, sessions, this.#opts.clock.now());
    const retainedBeyond = retainedBeyondBound(proposals, this.#bounds, needed);
    return { proposals, roaster, session, retainedBeyond };
  }

  /**
   * Takes the steps that need no order (see bulkStep) `bulkWrites` at a time. Deleted proposals leave the
   * read; ended ones are kept up to date. Returns false when it stopped because a new EmergencyStop arrived:
   * the reconcile ends at once, and the next one records the stop before anything else.
   */
  async #bulk(key: string, read: Read, stopArrived: () => boolean): Promise<boolean> {
    const steps = bulkSteps(this.#situation(key, read)).map(({ proposal, step }) => ({ p: proposal, step }));
    const gone = new Set<CommandProposal>();
    try {
      for (let at = 0; at < steps.length; at += bulkWrites) {
        if (stopArrived()) return false;
        const chunk = steps.slice(at, at + bulkWrites);
        const settled = await Promise.allSettled(
          chunk.map(({ p, step }) => this.#bulkStep(p, step, read.roaster)),
        );
        chunk.forEach(({ p }, i) => {
          const outcome = settled[i]!;
          if (outcome.status === 'rejected') return;
          if (outcome.value === undefined) gone.add(p);
          else read.proposals[read.proposals.indexOf(p)] = outcome.value;
        });
        const failed = settled.find((o) => o.status === 'rejected');
        if (failed) throw failed.reason;
      }
      return true;
    } finally {
      const kept = read.proposals.filter((p) => !gone.has(p));
      read.proposals.splice(0, read.proposals.length, ...kept);
    }
  }

  /** The reconcile stopped for a new EmergencyStop: the next one, at once, records it before anything else. */
  #yielded(log: Logger): ReconcileResult {
    log.info('a new EmergencyStop arrived; its roaster’s other work waits for it');
    return { requeueAfter: 1 };
  }

  /** One bulk step: the proposal as written, or undefined once deleted. */
  async #bulkStep(p: CommandProposal, step: Plan, roaster: Roaster | undefined) {
    const log = this.#log.child({ roaster: roasterKeyOf(p), proposal: p.metadata.name });
    if (step.kind === 'delete') {
      await this.#delete(p, log);
      return undefined;
    }
    if (step.kind !== 'move') return p;
    return this.#move(p, { ...step, ...this.#deadline(p, roaster) }, roaster, log);
  }

  /** New EmergencyStops go out before the fresh reads (see StopLane.sendFromCache). */
  async #stopsFromCache(key: string, log: Logger, signal: AbortSignal): Promise<void> {
    const proposals = this.#opts.proposals.store.byIndex(byRoaster, key);
    const roaster = this.#opts.roasters.store.get(key);
    if (roaster === undefined) return;
    const session = cachedSessions(this.#opts.sessions, parseKey(key).namespace ?? '');
    const read = { proposals, roaster, session, retainedBeyond: new Set<string>() };
    const planned = (p: CommandProposal) => plan(p, this.#situation(key, read));
    const request = (p: CommandProposal) => dispatchRequest(p, roaster, this.#opts.clock.now());
    await this.#stops?.sendFromCache(proposals, planned, request, log, signal);
  }

  /** Steps one proposal as far as it goes now; returns when to look at it again (Infinity: on a change). */
  async #advance(key: string, index: number, read: Read, signal: AbortSignal): Promise<number> {
    const { proposals, roaster } = read;
    const log = this.#log.child({
      roaster: key,
      proposal: proposals[index]!.metadata.name,
      ...(proposals[index]!.spec.sessionRef && { session: proposals[index]!.spec.sessionRef.name }),
    });
    proposals[index] = await this.#adopt(proposals[index]!, read.session, log);
    for (let step = 0; step < maxSteps; step++) {
      const p = proposals[index]!;
      if (phaseOf(p) === 'Pending') await this.#beforeGoverning(key, p);
      const next = plan(p, this.#recordable(p, this.#situation(key, read)));
      const outcome = await this.#carryOut(p, next, roaster, log, signal);
      if (outcome.proposal) proposals[index] = outcome.proposal;
      // A stop's receipt is kept until it is recorded past sending (or ended otherwise).
      this.#stops?.settle(proposals[index]!);
      if (!outcome.proposal || outcome.wakeAt !== undefined)
        return outcome.wakeAt ?? Number.POSITIVE_INFINITY;
    }
    log.warn('proposal still moving after the most steps one reconcile takes; looking again soon');
    return this.#opts.clock.now() + 1000;
  }

  /**
   * A stop this process already sent is recorded as sent with its receipt, whatever the link does now: a
   * stream that dropped since must not turn a stop that went out into one waiting for the link.
   */
  #recordable(p: CommandProposal, s: Situation): Situation {
    return this.#stops?.next(p) === 'record' ? { ...s, link: 'up' } : s;
  }

  /** A human's proposal is presence at the roaster, and counts before anything after it is decided. */
  async #beforeGoverning(key: string, p: CommandProposal): Promise<void> {
    if (humanProposal(p, this.#opts.clock.now())) this.#opts.presence.observe(key);
    await this.#opts.hooks?.beforeGovern?.(p);
  }

  #situation(key: string, { proposals, roaster, session, retainedBeyond }: Read): Situation {
    return {
      now: this.#opts.clock.now(),
      roaster,
      proposals,
      session,
      sessions: this.#opts.sessions.store.byIndex(byRoaster, key),
      presence: this.#opts.presence.presence(key),
      guardLive: this.#opts.guardLive(),
      link: this.#link(roaster),
      retentionMs: this.#opts.retentionMs,
      bounds: this.#bounds,
      retainedBeyond,
    };
  }

  #link(roaster: Roaster | undefined): LinkState {
    const { dispatcher } = this.#opts;
    if (dispatcher === undefined) return 'none';
    return roaster !== undefined && dispatcher.isConnected(roasterRef(roaster)) ? 'up' : 'down';
  }

  /** Sets the proposal's session as its owner, once the session exists and belongs to the same roaster. */
  async #adopt(p: CommandProposal, sessions: SessionLookup, log: Logger): Promise<CommandProposal> {
    const name = p.spec.sessionRef?.name;
    if (name === undefined || p.metadata.deletionTimestamp !== undefined) return p;
    const session = sessions(name);
    if (session === undefined || session.spec.roasterRef.name !== p.spec.roasterRef.name) return p;
    if (p.metadata.ownerReferences?.some((r) => r.uid === session.metadata.uid)) return p;
    try {
      return await setControllerReference(this.#api, p, session);
    } catch (err) {
      if (!(err instanceof AlreadyOwnedError)) throw err;
      log.warn('proposal already has another controller; not setting its session as owner', { err });
      return p;
    }
  }

  async #carryOut(
    p: CommandProposal,
    next: Plan,
    roaster: Roaster | undefined,
    log: Logger,
    signal: AbortSignal,
  ): Promise<{ proposal?: CommandProposal; wakeAt?: number }> {
    switch (next.kind) {
      case 'idle':
        return next.wakeAt === undefined ? {} : { wakeAt: next.wakeAt };
      case 'wait': {
        const status = waitingStatus(p, next.reason, next.message, new Date(this.#opts.clock.now()));
        if (status) log.info('proposal waits', { reason: next.reason, message: next.message });
        const written = status ? await this.#write(p, status) : p;
        return { proposal: written, wakeAt: next.wakeAt ?? Number.POSITIVE_INFINITY };
      }
      case 'move':
        return { proposal: await this.#move(p, { ...next, ...this.#deadline(p, roaster) }, roaster, log) };
      case 'dispatch':
        // `plan` dispatches only to a roaster that exists.
        return this.#dispatch(p, next, roaster!, log, signal);
      case 'delete':
        await this.#delete(p, log);
        return {};
    }
  }

  #deadline(p: CommandProposal, roaster: Roaster | undefined): { expiresAt?: number } {
    return roaster === undefined ? {} : { expiresAt: proposalDeadline(governedProposal(p), roaster) };
  }

  async #move(
    p: CommandProposal,
    t: Transition,
    roaster: Roaster | undefined,
    log: Logger,
    from = phaseOf(p),
  ): Promise<CommandProposal> {
    const written = await this.#write(p, transitionStatus(p, t, new Date(this.#opts.clock.now())));
    log.info('proposal transition', {
      from,
      to: t.to,
      ...(t.governor && { rule: t.governor.rule, level: t.governor.level }),
      message: t.message,
    });
    this.#events.event(written, transitionEvent(from, t));
    if (t.governor?.rule === rules.autonomous && roaster)
      this.#events.event(roaster, autonomousEvent(written, t));
    return written;
  }

  /**
   * A status write that holds only if what the step was planned from still holds (the spec, the phase, the
   * dispatch and the result); a lost race throws Stale. Labels or annotations changed meanwhile do not.
   */
  async #write(p: CommandProposal, status: StatusPatch): Promise<CommandProposal> {
    try {
      return await patchStatusIf(this.#api, p, transitionDependsOn, status);
    } catch (err) {
      if (err instanceof PreconditionFailed) throw new Stale(err.message, { cause: err });
      throw err;
    }
  }

  async #dispatch(
    p: CommandProposal,
    next: Plan & { kind: 'dispatch' },
    roaster: Roaster,
    log: Logger,
    signal: AbortSignal,
  ): Promise<{ proposal?: CommandProposal; wakeAt?: number }> {
    const request = dispatchRequest(p, roaster, this.#opts.clock.now());
    if (isStop(p.spec.command)) return this.#sendFirst(p, next.governor, request, roaster, log, signal);
    // Recorded before it is sent: if this write loses its race, nothing was sent.
    const now = new Date(this.#opts.clock.now());
    const dispatched = dispatchedTransition(this.#deadline(p, roaster), { sentAt: now });
    // Approved and Dispatched in one write; each still gets its Event.
    if (next.approved) this.#events.event(p, transitionEvent('AwaitingApproval', approvedBy(next.approved)));
    const recorded = await this.#move(p, dispatched, roaster, log, next.approved ? 'Approved' : undefined);
    return { proposal: await this.#send(recorded, request, log, signal) };
  }

  /** An EmergencyStop: sent through the lane first, recorded after (absolute, idempotent, safe direction). */
  async #sendFirst(
    p: CommandProposal,
    governor: Ruling | undefined,
    request: DispatchRequest,
    roaster: Roaster,
    log: Logger,
    signal: AbortSignal,
  ): Promise<{ proposal?: CommandProposal; wakeAt?: number }> {
    const retryAt = this.#opts.clock.now() + 1000;
    const approved: Transition | undefined = governor && {
      to: 'Approved',
      message: governor.reasons.join(' '),
      governor,
      ...this.#deadline(p, roaster),
    };
    let receipt: DispatchReceipt;
    try {
      const out = await this.#stops!.send(p, request, signal);
      receipt = out.receipt;
      if (out.sent) log.info('EmergencyStop sent', { node: receipt.node, pod: receipt.pod });
    } catch (err) {
      log.error('EmergencyStop could not be sent; trying again shortly', { err });
      const governed = approved ? await this.#move(p, approved, roaster, log) : p;
      const message = `The EmergencyStop could not be sent (${errorText(err)}); trying again every second.`;
      const status = waitingStatus(governed, 'LinkDown', message, new Date(this.#opts.clock.now()));
      return { proposal: status ? await this.#write(governed, status) : governed, wakeAt: retryAt };
    }
    // One write records both steps; each still gets its Event.
    if (approved) this.#events.event(p, transitionEvent('Pending', approved));
    const dispatched = {
      ...dispatchedTransition(this.#deadline(p, roaster), receipt),
      ...(governor && { governor }),
    };
    return { proposal: await this.#move(p, dispatched, roaster, log, approved ? 'Approved' : undefined) };
  }

  /** Sends an already recorded command once, and fills in where it went or how sending failed. */
  async #send(
    recorded: CommandProposal,
    request: DispatchRequest,
    log: Logger,
    signal: AbortSignal,
  ): Promise<CommandProposal> {
    let status: StatusPatch;
    try {
      const receipt = await this.#opts.dispatcher!.dispatch(request, signal);
      log.info('command sent', { node: receipt.node, pod: receipt.pod });
      status = { dispatch: dispatchRecord(receipt) };
    } catch (err) {
      const outcome = err instanceof NotSent ? 'Failed' : 'Unknown';
      log.error('sending the command failed; not sending it again', { err, outcome });
      const time = new Date(this.#opts.clock.now()).toISOString();
      status = { result: { outcome, message: errorText(err), time } };
    }
    // Filling in only: the phase stays, and a result the link already wrote is never replaced.
    return updateStatusIf(this.#api, recorded, [['status', 'result']], (latest) =>
      latest.status?.result ? undefined : status,
    );
  }

  async #delete(p: CommandProposal, log: Logger): Promise<void> {
    if (await this.#api.deleteIfUnchanged(p)) log.info('deleted proposal after its retention period');
  }
}
