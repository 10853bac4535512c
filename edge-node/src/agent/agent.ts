import { randomUUID } from 'node:crypto';
import { type Clock, type Timer, wakeableSleep } from '@roast-operator/clock';
import type { Logger } from '@roast-operator/log';
import type { R1Control, R1StateName } from '@roast-operator/r1';
import type { CommandResult, EdgeCommand, EmergencyStop, ResetLatch } from '../commands.ts';
import { DeviceGoneError, type R1Device, type UsbIds } from '../device/device.ts';
import { deviceMismatch, type EdgeModel } from '../device/models.ts';
import { R1Driver } from '../driver/driver.ts';
import type { DeviceInfo, DriverEvent, JobOutcome, Reading, StateChange } from '../driver/reading.ts';
import { seconds } from '../durations.ts';
import type { SafetyConfig } from '../safety/config.ts';
import { refusal } from '../safety/gate.ts';
import {
  activeConditions,
  type Condition,
  type InterlockCause,
  isHeating,
  RiseWindow,
} from '../safety/interlocks.ts';
import {
  boundLatches,
  type Latch,
  type LatchCause,
  newLatches,
  resetRefusal,
  withLatch,
} from '../safety/latches.ts';
import { levelRefusal, type PushedLimits, type SafetyLimits, tighten } from '../safety/limits.ts';
import { implausibility, type Temperatures } from '../safety/plausibility.ts';
import { type SafeStateReport, safeStateReport } from '../safety/safe-state.ts';
import { Topic, type Unsubscribe } from '../topic.ts';
import type { EdgeStore } from './store.ts';

// The edge agent: finds and opens the roaster, runs the shared driver over it, keeps the local interlocks
// armed on every cycle and on a timer of its own, and offers the link (the gRPC client to the gateway) one
// small API: hello, readings, events, commands by UID, limits, resets, and link up/down for the watchdog.

/** A reading as the link streams it: the driver's, plus why its temperatures are not believable, if so. */
export type AgentReading = Reading & { readonly issue: string | undefined };

export type DeviceStatus = 'connected' | 'missing' | 'refused' | 'lost' | 'failed';

export type AgentEvent =
  | StateChange
  | { readonly type: 'result'; readonly command: EdgeCommand; readonly result: CommandResult }
  | { readonly type: 'latched'; readonly latch: Latch }
  | { readonly type: 'latch-cleared'; readonly latch: Latch; readonly byCommand: string }
  | { readonly type: 'device'; readonly at: number; readonly status: DeviceStatus; readonly detail: string }
  | { readonly type: 'limits'; readonly limits: SafetyLimits; readonly ignored: readonly string[] };

export type Hello = {
  readonly model: EdgeModel;
  readonly device:
    | (DeviceInfo & {
        readonly kind: R1Device['kind'];
        readonly ids: UsbIds;
        readonly usbSerial: string | undefined;
      })
    | undefined;
  /** New for every agent process: with a reading's seq it names each reading once. */
  readonly bootEpoch: string;
  readonly agentVersion: string;
  readonly nodeName: string | undefined;
  readonly podName: string | undefined;
  /** Whether the roaster answers now; `device` describes the last one that did. */
  readonly connected: boolean;
  readonly latches: readonly Latch[];
  readonly limits: SafetyLimits;
};

export type LimitsUpdate =
  | { readonly ok: true; readonly limits: SafetyLimits; readonly ignored: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** What the link uses. */
export interface EdgeLink {
  /** The agent's clock, epoch milliseconds: command deadlines are on it. */
  now(): number;
  hello(): Hello;
  onReading(listener: (reading: AgentReading) => void): Unsubscribe;
  onEvent(listener: (event: AgentEvent) => void): Unsubscribe;
  /** Runs a command once per UID; a repeated UID gets the first result. */
  submit(command: EdgeCommand): Promise<CommandResult>;
  /** The first result of a finished command, from the store; undefined for a UID never seen or running. */
  result(uid: string): CommandResult | undefined;
  latches(): readonly Latch[];
  /** The interlock conditions present now: a latch with one of their causes cannot be reset yet. */
  conditions(): readonly Condition[];
  /** Replaces the pushed limits; they only ever tighten the local ones. */
  updateLimits(pushed: PushedLimits): LimitsUpdate;
  linkUp(): void;
  linkDown(): void;
  /** The session the roaster works for (from hello's answer and session updates), or undefined. */
  setSession(name: string | undefined): void;
}

export type AgentOptions = {
  /** The edge's own clock: the loop and the watchdog. Never time-scaled. */
  readonly clock: Clock;
  readonly model: EdgeModel;
  readonly findDevice: () => Promise<R1Device | undefined>;
  readonly store: EdgeStore;
  readonly safety: SafetyConfig;
  readonly agentVersion: string;
  readonly nodeName?: string;
  readonly podName?: string;
  /** In a container a replugged roaster gets a device node outside the pod's cgroup: exit and restart. */
  readonly inContainer: boolean;
  readonly exit: (code: number) => void;
  readonly log: Logger;
  readonly newId?: () => string;
};

/** Exit codes in a container, so the pod's restarts say why. */
export const exitCodes = { deviceMissing: 3, deviceRefused: 4, deviceLost: 5, deviceFailed: 6 } as const;

const exitCodeOf: Record<Exclude<DeviceStatus, 'connected'>, number> = {
  missing: exitCodes.deviceMissing,
  refused: exitCodes.deviceRefused,
  lost: exitCodes.deviceLost,
  failed: exitCodes.deviceFailed,
};

/** Interlocks are also checked on a timer, so a driver stuck in a transfer cannot delay them. */
const safetyTickMs = 500;
/** Outside a container, the wait before looking for the roaster again doubles from 1 s to 30 s. */
const reconnectBackoff = { initialMs: 1000, maxMs: 30_000 };
/** How long an emergency stop or preStop waits for a block showing heater 0. */
const confirmSafeMs = 5000;

export class EdgeAgent implements EdgeLink {
  readonly bootEpoch = randomUUID();
  readonly #o: AgentOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #newId: () => string;
  readonly #readings: Topic<AgentReading>;
  readonly #events: Topic<AgentEvent>;
  readonly #inflight = new Map<string, Promise<CommandResult>>();
  #limits: SafetyLimits;
  #latches: Latch[];
  #session: string | undefined;
  #driver: R1Driver | undefined;
  #device: Hello['device'];
  #nextSeq = 0;
  /** The device time of the latest reading: the next connection's device time goes on from it. */
  #lastDeviceAt: number | undefined;
  #linkDownSince: number | undefined;
  #stopping = false;
  #loop: Promise<void> | undefined;
  /** Ends the wait before the next attempt to find the roaster. */
  #pause: (() => void) | undefined;
  #tick: Timer | undefined;
  // What the interlocks look at.
  #watchingSince: number | undefined;
  #state: R1StateName | undefined;
  #heater: number | undefined;
  #trusted: Temperatures | undefined;
  #latestIssue: string | undefined;
  readonly #rise: RiseWindow;
  #startCheck: 'pending' | 'roasting-without-session' | 'done' = 'pending';
  #conditions: Condition[] = [];

  constructor(options: AgentOptions) {
    this.#o = options;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#newId = options.newId ?? randomUUID;
    const report = (error: unknown) => this.#log.error('listener failed', { error });
    this.#readings = new Topic(report);
    this.#events = new Topic(report);
    this.#limits = options.safety.limits;
    this.#rise = new RiseWindow(options.safety.riseRate.windowSeconds);
    this.#latches = this.#loadLatches();
    this.#session = options.store.session();
    // No link yet: the watchdog counts from start.
    this.#linkDownSince = options.clock.now();
  }

  /** Starts looking for the roaster and keeps it driven until `stop()`. */
  start(): void {
    this.#loop ??= this.#deviceLoop();
    this.#scheduleTick();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#tick?.cancel();
    this.#driver?.stop();
    this.#pause?.();
    await this.#loop;
  }

  get connected(): boolean {
    return this.#driver !== undefined;
  }

  /** Trusted status pairs read since start: readiness reports it, so a stuck loop shows. */
  get readingCount(): number {
    return this.#nextSeq;
  }

  /** The preStop hook: a heating roaster is taken to the safe state and latched before the pod goes. */
  async preStop(): Promise<{ safe: boolean; message: string }> {
    const driver = this.#driver;
    if (!driver) return { safe: false, message: 'no roaster connected' };
    if (!isHeating(this.#state, this.#heater)) return { safe: true, message: 'the roaster is not heating' };
    // The hook and the SIGTERM after it both come here: one latch for both.
    const id = this.#latches.find((l) => l.cause === 'pre-stop')?.id ?? this.#newId();
    this.#latch('pre-stop', 'the edge agent is stopping', id);
    return this.#goSafe(driver);
  }

  now(): number {
    return this.#clock.now();
  }

  hello(): Hello {
    return {
      model: this.#o.model,
      device: this.#device,
      bootEpoch: this.bootEpoch,
      agentVersion: this.#o.agentVersion,
      nodeName: this.#o.nodeName,
      podName: this.#o.podName,
      connected: this.connected,
      latches: this.latches(),
      limits: this.#limits,
    };
  }

  onReading(listener: (reading: AgentReading) => void): Unsubscribe {
    return this.#readings.subscribe(listener);
  }

  onEvent(listener: (event: AgentEvent) => void): Unsubscribe {
    return this.#events.subscribe(listener);
  }

  latches(): readonly Latch[] {
    return [...this.#latches];
  }

  conditions(): readonly Condition[] {
    return this.#conditions;
  }

  result(uid: string): CommandResult | undefined {
    return this.#o.store.result(uid);
  }

  submit(command: EdgeCommand): Promise<CommandResult> {
    const running = this.#inflight.get(command.uid);
    if (running) return running;
    const acceptedAt = this.#clock.now();
    const begun = this.#o.store.begin(command.uid, acceptedAt);
    if (begun.state === 'done') return Promise.resolve(begun.result);
    const run = this.#execute(command)
      .catch(
        (error: unknown): JobOutcome => ({ outcome: 'unknown', message: `edge error: ${String(error)}` }),
      )
      .then(({ outcome, message }) => {
        const result: CommandResult = {
          uid: command.uid,
          outcome,
          message,
          latencyMs: this.#clock.now() - acceptedAt,
        };
        this.#o.store.finish(result);
        this.#inflight.delete(command.uid);
        this.#log.info('command finished', { uid: command.uid, kind: command.kind, outcome, message });
        this.#events.publish({ type: 'result', command, result });
        return result;
      });
    this.#inflight.set(command.uid, run);
    return run;
  }

  updateLimits(pushed: PushedLimits): LimitsUpdate {
    const result = tighten(this.#o.safety.limits, pushed);
    if (!result.ok) {
      this.#log.warn('pushed limits refused', { reason: result.reason });
      return result;
    }
    this.#limits = result.limits;
    if (result.ignored.length > 0)
      this.#log.warn('pushed limits may only tighten', { ignored: result.ignored });
    // A target in progress that the new limits forbid stops where it is.
    const forbidden = Object.entries(this.#driver?.targets ?? {}).flatMap(([control, target]) => {
      const reason = levelRefusal(result.limits, control as R1Control, target);
      return reason === undefined ? [] : [reason];
    });
    if (forbidden.length > 0) this.#driver?.cancelCommands(`the limits changed: ${forbidden.join('; ')}`);
    this.#events.publish({ type: 'limits', limits: result.limits, ignored: result.ignored });
    return result;
  }

  linkUp(): void {
    this.#linkDownSince = undefined;
    this.#log.info('link up');
  }

  linkDown(): void {
    if (this.#linkDownSince !== undefined) return;
    this.#linkDownSince = this.#clock.now();
    // Hold: commands in progress stop where they are; the levels stay; interlocks stay armed.
    this.#driver?.cancelCommands('the link went down: holding the current levels');
    this.#log.warn('link down: holding', { safeAfterSeconds: this.#o.safety.linkTimeoutSeconds });
  }

  setSession(name: string | undefined): void {
    this.#session = name;
    this.#o.store.setSession(name);
  }

  async #execute(command: EdgeCommand): Promise<JobOutcome> {
    const now = this.#clock.now();
    if ('startBy' in command && command.startBy !== undefined && now > command.startBy) {
      return {
        outcome: 'expired',
        message: `not started by its deadline (${seconds(now - command.startBy)} late); never attempted`,
      };
    }
    const refused = refusal(command, {
      now,
      connected: this.#driver !== undefined,
      linkUp: this.#linkDownSince === undefined,
      latches: this.#latches,
      limits: this.#limits,
    });
    if (refused !== undefined) return { outcome: 'refused', message: refused };
    const driver = this.#driver;
    switch (command.kind) {
      case 'emergency-stop':
        return this.#emergencyStop(command);
      case 'reset':
        return this.#reset(command);
      case 'set':
        return driver ? driver.setLevel(command.control, command.target, command.deadline) : notConnected;
      case 'press':
        return driver ? driver.press(command.fromState, command.deadline) : notConnected;
    }
  }

  async #emergencyStop(command: EmergencyStop): Promise<JobOutcome> {
    const { latch, superseded } = this.#latch(
      'emergency-stop',
      `emergency stop ${command.uid}`,
      command.latchId ?? this.#newId(),
    );
    const older = superseded.map((l) => ` (replaces ${l.id})`).join('');
    const latched = `latched ${latch.id}${older}`;
    const driver = this.#driver;
    if (!driver) return { outcome: 'failed', message: `${latched}, but no roaster is connected` };
    const safe = await this.#goSafe(driver);
    return { outcome: safe.safe ? 'succeeded' : 'failed', message: `${latched}: ${safe.message}` };
  }

  #reset(command: ResetLatch): JobOutcome {
    this.#evaluate();
    const refused = resetRefusal(this.#latches, command.latchId, this.#conditions);
    if (refused !== undefined) return { outcome: 'refused', message: refused };
    const latch = this.#latches.find((l) => l.id === command.latchId)!;
    this.#latches = this.#latches.filter((l) => l !== latch);
    this.#o.store.removeLatches([latch]);
    this.#log.info('latch reset', { latchId: latch.id, cause: latch.cause, uid: command.uid });
    this.#events.publish({ type: 'latch-cleared', latch, byCommand: command.uid });
    if (this.#latches.length === 0) this.#driver?.releaseHold();
    return { outcome: 'succeeded', message: `latch ${latch.id} (${latch.cause}) cleared` };
  }

  /** Takes the roaster to the safe state and waits for a block that shows heater 0. */
  async #goSafe(driver: R1Driver): Promise<SafeStateReport> {
    await driver.enterSafeState(this.#o.safety.safeFan);
    const shown = await this.#nextReading(driver, (r) => r.heater === 0, confirmSafeMs);
    return safeStateReport(shown, confirmSafeMs);
  }

  #nextReading(
    driver: R1Driver,
    match: (r: Reading) => boolean,
    withinMs: number,
  ): Promise<Reading | undefined> {
    return new Promise((resolve) => {
      let timer: Timer | undefined;
      const unsubscribe = driver.events.subscribe((event) => {
        if (event.type !== 'reading' || !match(event.reading)) return;
        finish(event.reading);
      });
      const finish = (reading: Reading | undefined) => {
        unsubscribe();
        timer?.cancel();
        resolve(reading);
      };
      timer = this.#clock.setTimer(() => finish(undefined), withinMs);
    });
  }

  /** Latches under `id`, superseding the older latch of the same cause (at most one per cause). */
  #latch(cause: LatchCause, detail: string, id: string): { latch: Latch; superseded: Latch[] } {
    const existing = this.#latches.find((l) => l.id === id);
    if (existing) return { latch: existing, superseded: [] };
    const latch: Latch = { id, cause, detail, since: this.#clock.now() };
    const { latches, superseded } = withLatch(this.#latches, latch);
    this.#latches = latches;
    this.#o.store.addLatch(latch, superseded);
    this.#log.warn('latched', { latchId: id, cause, detail, superseded: superseded.map((l) => l.id) });
    this.#events.publish({ type: 'latched', latch });
    return { latch, superseded };
  }

  /** The stored latches, bounded as new ones are: a store an older agent wrote may hold one per stop. */
  #loadLatches(): Latch[] {
    const { latches, superseded } = boundLatches(this.#o.store.latches());
    if (superseded.length > 0) {
      this.#o.store.removeLatches(superseded);
      this.#log.warn('stored latches superseded by newer ones of the same cause', {
        kept: latches.map((l) => l.id),
        dropped: superseded.length,
      });
    }
    return latches;
  }

  /** Runs the interlocks; a new condition latches, and any latch puts the roaster in the safe state. */
  #evaluate(): void {
    if (this.#watchingSince === undefined) return;
    const conditions = activeConditions(
      {
        now: this.#clock.now(),
        state: this.#state,
        heater: this.#heater,
        trusted: this.#trusted,
        latestIssue: this.#latestIssue,
        watchingSince: this.#watchingSince,
        riseCPerMin: this.#rise.rate(),
        linkDownSince: this.#linkDownSince,
        roastingWithoutSession: this.#startCheck === 'roasting-without-session',
        latched: new Set(this.#latches.map((l) => l.cause as InterlockCause)),
      },
      { ...this.#o.safety, limits: this.#limits },
    );
    this.#conditions = conditions;
    for (const latch of newLatches(this.#latches, conditions, this.#clock.now(), this.#newId)) {
      this.#latch(latch.cause, latch.detail, latch.id);
    }
    const driver = this.#driver;
    if (this.#latches.length > 0 && driver && !driver.holding) {
      driver.enterSafeState(this.#o.safety.safeFan).catch((error: unknown) => {
        this.#log.error('could not enter the safe state', { error });
      });
    }
  }

  #scheduleTick(): void {
    if (this.#stopping) return;
    this.#tick = this.#clock.setTimer(() => {
      this.#evaluate();
      this.#scheduleTick();
    }, safetyTickMs);
  }

  #onDriverEvent(event: DriverEvent): void {
    if (event.type === 'reading') this.#observe(event.reading);
    else if (event.type === 'state') this.#events.publish(event);
    else if (event.type === 'cycle') this.#evaluate();
  }

  #observe(reading: Reading): void {
    const issue = implausibility(reading, this.#trusted);
    this.#latestIssue = issue;
    this.#state = reading.state;
    this.#heater = reading.heater;
    this.#nextSeq = reading.seq + 1;
    this.#lastDeviceAt = reading.deviceAt;
    if (issue === undefined) {
      const { at, deviceAt, stateCode, bt, ibts, exhaust } = reading;
      this.#trusted = { at, deviceAt, stateCode, bt, ibts, exhaust };
      this.#rise.add(deviceAt, Math.max(bt, ibts));
    }
    this.#checkFoundRoasting(reading);
    this.#readings.publish({ ...reading, issue });
  }

  /** Only the first block after start can show a roast nobody accounts for; it lasts until that ends. */
  #checkFoundRoasting(reading: Reading): void {
    const unaccounted = reading.state === 'roasting' && this.#session === undefined;
    if (this.#startCheck === 'pending') this.#startCheck = unaccounted ? 'roasting-without-session' : 'done';
    else if (this.#startCheck === 'roasting-without-session' && !unaccounted) this.#startCheck = 'done';
  }

  async #deviceLoop(): Promise<void> {
    const { initialMs, maxMs } = reconnectBackoff;
    let backoffMs = initialMs;
    while (!this.#stopping) {
      const status = await this.#serveDevice();
      if (this.#stopping) return;
      if (status === 'connected') backoffMs = initialMs;
      else if (this.#o.inContainer) {
        this.#o.exit(exitCodeOf[status]);
        return;
      }
      const pause = wakeableSleep(this.#clock, backoffMs);
      this.#pause = pause.wake;
      await pause.done;
      backoffMs = Math.min(backoffMs * 2, maxMs);
    }
  }

  /** Finds, checks, opens and drives one device until it goes away or the agent stops. */
  async #serveDevice(): Promise<DeviceStatus> {
    const device = await this.#o.findDevice().catch((error: unknown) => {
      this.#report('missing', `looking for the roaster failed: ${String(error)}`);
      return null;
    });
    if (device === null) return 'missing';
    if (device === undefined) return this.#report('missing', 'no Bullet R1 found');
    const mismatch = deviceMismatch(this.#o.model, device);
    if (mismatch !== undefined) return this.#report('refused', mismatch);
    const driver = new R1Driver({
      device,
      clock: this.#clock,
      log: this.#log,
      firstSeq: this.#nextSeq,
      deviceTimeFrom: this.#lastDeviceAt,
    });
    const unsubscribe = driver.events.subscribe((event) => this.#onDriverEvent(event));
    try {
      const info = await driver.connect();
      this.#device = { ...info, kind: device.kind, ids: device.ids, usbSerial: device.usbSerial };
      this.#driver = driver;
      this.#watchingSince ??= this.#clock.now();
      this.#report('connected', `serial ${info.serial}, firmware ${info.firmware}`);
      if (this.#latches.length > 0) await driver.enterSafeState(this.#o.safety.safeFan);
      await driver.run();
      return 'connected';
    } catch (error) {
      if (error instanceof DeviceGoneError) return this.#report('lost', error.message);
      return this.#report('failed', String(error));
    } finally {
      this.#driver = undefined;
      unsubscribe();
      await driver.close();
    }
  }

  #report<S extends DeviceStatus>(status: S, detail: string): S {
    const at = this.#clock.now();
    if (status === 'connected') this.#log.info('roaster connected', { detail });
    else this.#log.error(`roaster ${status}`, { detail, exitsInContainer: this.#o.inContainer });
    this.#events.publish({ type: 'device', at, status, detail });
    return status;
  }
}

const notConnected: JobOutcome = { outcome: 'refused', message: 'no roaster connected' };
