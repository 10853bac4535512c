import { randomUUID } from 'node:crypto';
import { Backoff, type Clock, type Timer, wakeableSleep } from '@roast-operator/clock';
import type { Logger } from '@roast-operator/log';
import type { R1Control } from '@roast-operator/r1';
import type { CommandResult, EdgeCommand, EmergencyStop, ResetLatch } from '../commands.ts';
import { DeviceGoneError, type R1Device } from '../device/device.ts';
import { deviceMismatch, type EdgeModel } from '../device/models.ts';
import { R1Driver } from '../driver/driver.ts';
import type { DriverEvent, JobOutcome, Reading } from '../driver/reading.ts';
import { seconds } from '../durations.ts';
import type { AgentEvent, AgentReading, DeviceStatus, EdgeLink, Hello, LimitsUpdate } from '../edge-link.ts';
import type { SafetyConfig } from '../safety/config.ts';
import { refusal } from '../safety/gate.ts';
import type { Condition } from '../safety/interlocks.ts';
import { LatchBook } from '../safety/latch-book.ts';
import type { Latch } from '../safety/latches.ts';
import { levelRefusal, type PushedLimits, type SafetyLimits, tighten } from '../safety/limits.ts';
import { type SafeStateReport, safeStateReport } from '../safety/safe-state.ts';
import { InterlockWatch } from '../safety/watch.ts';
import { Topic, type Unsubscribe } from '../topic.ts';
import type { EdgeStore } from './store.ts';

// The edge agent: finds and opens the roaster, runs the shared driver over it, keeps the local interlocks
// armed on every cycle and on a timer of its own, and offers the link (the gRPC client to the gateway) the
// contract in edge-link.ts.

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
  readonly #latches: LatchBook;
  #session: string | undefined;
  #driver: R1Driver | undefined;
  #device: Hello['device'];
  #nextSeq = 0;
  /** The device time of the latest reading: the next connection's device time goes on from it. */
  #lastDeviceAt: number | undefined;
  #stopping = false;
  #loop: Promise<void> | undefined;
  /** Ends the wait before the next attempt to find the roaster. */
  #pause: (() => void) | undefined;
  #tick: Timer | undefined;
  readonly #watch: InterlockWatch;

  constructor(options: AgentOptions) {
    this.#o = options;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#newId = options.newId ?? randomUUID;
    const report = (error: unknown) => this.#log.error('listener failed', { err: error });
    this.#readings = new Topic(report);
    this.#events = new Topic(report);
    this.#limits = options.safety.limits;
    this.#latches = new LatchBook(options.store, options.log, (change) => this.#events.publish(change));
    this.#session = options.store.session();
    this.#watch = new InterlockWatch(options.safety.riseRate.windowSeconds, options.clock.now());
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
    if (!this.#watch.heating) return { safe: true, message: 'the roaster is not heating' };
    // The hook and the SIGTERM after it both come here: one latch for both.
    const id = this.#latches.byCause('pre-stop')?.id ?? this.#newId();
    this.#latches.latch('pre-stop', 'the edge agent is stopping', id, this.#clock.now());
    const { safe, message } = await this.#goSafe(driver);
    return { safe, message };
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
    return [...this.#latches.held];
  }

  conditions(): readonly Condition[] {
    return this.#watch.conditions;
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
    this.#watch.linkUp();
    this.#log.info('link up');
  }

  linkDown(): void {
    if (!this.#watch.linkDown(this.#clock.now())) return;
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
      linkUp: this.#watch.linkIsUp,
      latches: this.#latches.held,
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
    const { latch, superseded } = this.#latches.latch(
      'emergency-stop',
      `emergency stop ${command.uid}`,
      command.latchId ?? this.#newId(),
      this.#clock.now(),
    );
    const older = superseded.map((l) => ` (replaces ${l.id})`).join('');
    const latched = `latched ${latch.id}${older}`;
    const driver = this.#driver;
    if (!driver) return { outcome: 'failed', message: `${latched}, but no roaster is connected` };
    const safe = await this.#goSafe(driver);
    // Succeeded once the safe state shows; the message says when the roaster still heats by itself.
    return { outcome: safe.confirmed ? 'succeeded' : 'failed', message: `${latched}: ${safe.message}` };
  }

  #reset(command: ResetLatch): JobOutcome {
    this.#evaluate();
    const reset = this.#latches.reset(command.latchId, this.#watch.conditions, command.uid);
    if (!reset.ok) return { outcome: 'refused', message: reset.message };
    if (this.#latches.held.length === 0) this.#driver?.releaseHold();
    return { outcome: 'succeeded', message: reset.message };
  }

  /** Takes the roaster to the safe state and waits for a block that shows heater 0. */
  async #goSafe(driver: R1Driver): Promise<SafeStateReport> {
    await driver.enterSafeState(this.#o.safety.safeFan);
    const shown = await driver.nextReading((r) => r.heater === 0, confirmSafeMs);
    return safeStateReport(shown, confirmSafeMs);
  }

  /** Runs the interlocks; a new condition latches, and any latch puts the roaster in the safe state. */
  #evaluate(): void {
    const now = this.#clock.now();
    const config = { ...this.#o.safety, limits: this.#limits };
    const conditions = this.#watch.evaluate(now, this.#latches.latchedInterlocks, config);
    this.#latches.latchConditions(conditions, now, this.#newId);
    const driver = this.#driver;
    if (this.#latches.held.length > 0 && driver && !driver.holding) {
      driver.enterSafeState(this.#o.safety.safeFan).catch((error: unknown) => {
        this.#log.error('could not enter the safe state', { err: error });
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
    this.#nextSeq = reading.seq + 1;
    this.#lastDeviceAt = reading.deviceAt;
    const issue = this.#watch.observe(reading, this.#session !== undefined);
    this.#readings.publish({ ...reading, issue });
  }

  async #deviceLoop(): Promise<void> {
    const backoff = new Backoff(reconnectBackoff);
    while (!this.#stopping) {
      const status = await this.#serveDevice();
      if (this.#stopping) return;
      if (status === 'connected') backoff.reset();
      else if (this.#o.inContainer) {
        this.#o.exit(exitCodeOf[status]);
        return;
      }
      const pause = wakeableSleep(this.#clock, backoff.next());
      this.#pause = pause.wake;
      await pause.done;
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
      this.#watch.watchFrom(this.#clock.now());
      this.#report('connected', `serial ${info.serial}, firmware ${info.firmware}`);
      if (this.#latches.held.length > 0) await driver.enterSafeState(this.#o.safety.safeFan);
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
