import { type Clock, wakeableSleep } from '@roast-operator/clock';
import type { Logger } from '@roast-operator/log';
import {
  decodeInfo1,
  decodeInfo2,
  encodeCommand,
  nextStep,
  type R1Command,
  type R1Control,
  R1Ranges,
  R1ReplyBytes,
  type R1StateName,
  type R1Targets,
  R1Usb,
} from '@roast-operator/r1';
import { DeviceGoneError, type R1Device, TransferTimeoutError } from '../device/device.ts';
import { pressTarget } from '../presses.ts';
import { Topic } from '../topic.ts';
import { type Pair, readingOf } from './pair.ts';
import type { DeviceInfo, DriverEvent, JobOutcome, Reading } from './reading.ts';
import { LevelTargets } from './targets.ts';

// The R1 driver, shared by every device: a ~10 Hz loop that asks for both status blocks, trusts a pair
// only when it is aligned, and sends at most one command per trusted pair — a PRS press, or one step
// toward the targets (heater and fan ±1, drum absolute) computed by r1's nextStep from the levels the
// pair reports. A new command wakes the loop at once. After a failed transfer it drains the IN endpoint
// before trusting another block, since a late reply would otherwise be read as the answer to the next
// request. Level targets and the steps on their way are kept by LevelTargets (targets.ts). Each reading carries two times: the agent's clock, for
// liveness, and the device's time base, for the roast's physics (they differ only for a simulated roaster
// run faster than real time, or a replay played at a speed).

/** The loop's timings. */
const timings = {
  /** Time between the starts of two cycles: about 10 Hz, as Artisan polls. */
  pollMs: 100,
  /** Every transfer's timeout; Artisan relies on pyusb's 1000 ms. */
  transferTimeoutMs: R1Usb.transferTimeoutMs,
  /** A drain read that waits this long without a reply ends the drain. */
  drainTimeoutMs: 250,
  /** A PRS press must show its new state within this time. */
  pressVerifyMs: 2000,
} as const;

type PressJob = {
  readonly from: R1StateName;
  readonly to: R1StateName;
  readonly deadline: number;
  readonly settle: (o: JobOutcome) => void;
  sentAt?: number;
};

export class R1Driver {
  readonly events: Topic<DriverEvent>;
  readonly #device: R1Device;
  readonly #clock: Clock;
  readonly #log: Logger | undefined;
  /** The device's time now, never behind the time the previous connection ended on. */
  readonly #deviceNow: () => number;
  #nextSeq: number;
  #latest: Reading | undefined;
  readonly #levels = new LevelTargets();
  #press: PressJob | undefined;
  /** The safe state's targets, held until released; while set, nothing else is driven. */
  #hold: R1Targets | undefined;
  #resync = false;
  #running = false;
  #wakeRequested = false;
  #wake: (() => void) | undefined;
  #io: Promise<unknown> = Promise.resolve();

  constructor(options: {
    device: R1Device;
    clock: Clock;
    log?: Logger;
    /** The first reading's seq, so numbering continues across reconnects. */
    firstSeq?: number;
    /**
     * The device time of the last reading before this connection: a device whose time base is behind it
     * is moved forward to it, so device time never runs backwards across reconnects. The same device's
     * time base has run on meanwhile and is not moved.
     */
    deviceTimeFrom?: number;
  }) {
    this.#device = options.device;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#nextSeq = options.firstSeq ?? 0;
    const base = options.device.timeBase ?? options.clock;
    const behind = Math.max(0, (options.deviceTimeFrom ?? Number.NEGATIVE_INFINITY) - base.now());
    this.#deviceNow = () => base.now() + behind;
    this.events = new Topic((error) => this.#log?.error('driver event listener failed', { err: error }));
  }

  get latest(): Reading | undefined {
    return this.#latest;
  }

  get holding(): boolean {
    return this.#hold !== undefined;
  }

  /** The targets of the level commands in progress. */
  get targets(): R1Targets {
    return this.#levels.targets;
  }

  /** Opens the device and reads both info blocks (serial, firmware, roast count). */
  async connect(): Promise<DeviceInfo> {
    await this.#device.open();
    return this.#exclusive(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const info1 = decodeInfo1(await this.#request({ kind: 'info1' }, R1ReplyBytes.info1));
          const info2 = decodeInfo2(await this.#request({ kind: 'info2' }, R1ReplyBytes.info2));
          return { serial: info1.serial, firmware: info1.firmware, roastCount: info2.roastCount };
        } catch (error) {
          if (error instanceof DeviceGoneError || attempt === 3) throw error;
          await this.#drain();
        }
      }
    });
  }

  /** Polls until `stop()`; rejects with DeviceGoneError when the device goes away. */
  async run(): Promise<void> {
    this.#running = true;
    const unlisten = this.#device.onDisconnect(() => this.#wakeUp());
    try {
      while (this.#running) {
        const started = this.#clock.now();
        await this.#exclusive(() => this.#cycle());
        await this.#idle(started + timings.pollMs - this.#clock.now());
      }
    } finally {
      unlisten();
      this.#running = false;
      this.#abortAll('the driver stopped');
    }
  }

  stop(): void {
    this.#running = false;
    this.#wakeUp();
  }

  /** Drives `control` to `target`; settles when a block shows it, at the deadline, or when pre-empted. */
  setLevel(control: R1Control, target: number, deadline: number): Promise<JobOutcome> {
    if (this.#hold) return Promise.resolve({ outcome: 'refused', message: 'holding the safe state' });
    return new Promise((settle) => {
      this.#levels.add(control, target, deadline, this.#clock.now(), settle);
      this.#wakeUp();
    });
  }

  /** Presses PRS once, only while the roaster is in `from`, and waits for the state it leads to. */
  press(from: R1StateName, deadline: number): Promise<JobOutcome> {
    const to = pressTarget(from);
    if (this.#hold) return Promise.resolve({ outcome: 'refused', message: 'holding the safe state' });
    if (to === undefined) return Promise.resolve({ outcome: 'refused', message: `no press from ${from}` });
    if (this.#press) return Promise.resolve({ outcome: 'refused', message: 'another press is in progress' });
    return new Promise((settle) => {
      this.#press = { from, to, deadline, settle };
      this.#wakeUp();
    });
  }

  /**
   * The safe state: every command in progress is aborted, heater-down steps for the last known heater
   * level go out at once without waiting for blocks, and heater 0 with the fan at `fan` or above is held
   * until `releaseHold()`. It never presses PRS.
   */
  async enterSafeState(fan: number): Promise<void> {
    this.#hold = { heater: R1Ranges.heater.min, fan: Math.max(fan, this.#latest?.fan ?? fan) };
    this.#abortAll('pre-empted by the safe state');
    await this.#exclusive(() => this.#heaterDownBlind());
    this.#wakeUp();
  }

  /** The next reading that `match`es, or undefined when none comes within `withinMs`. */
  nextReading(match: (r: Reading) => boolean, withinMs: number): Promise<Reading | undefined> {
    return new Promise((resolve) => {
      const finish = (reading: Reading | undefined) => {
        unsubscribe();
        timer.cancel();
        resolve(reading);
      };
      const unsubscribe = this.events.subscribe((event) => {
        if (event.type === 'reading' && match(event.reading)) finish(event.reading);
      });
      const timer = this.#clock.setTimer(() => finish(undefined), withinMs);
    });
  }

  /** Stops the commands in progress where they are: the levels stay as they are now. */
  cancelCommands(message: string): void {
    this.#abortAll(message);
  }

  releaseHold(): void {
    this.#hold = undefined;
  }

  async close(): Promise<void> {
    await this.#device.close().catch(() => {});
  }

  async #cycle(): Promise<void> {
    let trusted = false;
    try {
      if (this.#resync) await this.#drain();
      const reading = this.#trust(await this.#readPair());
      if (reading) {
        trusted = true;
        this.#observe(reading);
        const command = this.#choose(reading);
        if (command) await this.#send(command, false);
      }
    } catch (error) {
      if (!(error instanceof TransferTimeoutError)) throw error;
      this.#transferFailed(error);
    }
    this.#expire();
    this.events.publish({ type: 'cycle', at: this.#clock.now(), trusted });
  }

  async #readPair(): Promise<Pair> {
    const block1 = await this.#request({ kind: 'status1' }, R1ReplyBytes.statusBlock);
    const block2 = await this.#request({ kind: 'status2' }, R1ReplyBytes.statusBlock);
    return { block1, block2 };
  }

  /** The reading of a pair, or undefined; replies out of step call for a drain and resync first. */
  #trust(pair: Pair): Reading | undefined {
    const trusted = readingOf(pair, () => ({
      seq: this.#nextSeq++,
      at: this.#clock.now(),
      deviceAt: this.#deviceNow(),
    }));
    if (trusted !== 'out-of-step') return trusted;
    this.#resync = true;
    return undefined;
  }

  #observe(reading: Reading): void {
    const previous = this.#latest;
    this.#latest = reading;
    this.events.publish({ type: 'reading', reading });
    if (previous?.stateCode !== reading.stateCode) {
      this.events.publish({
        type: 'state',
        at: reading.at,
        deviceAt: reading.deviceAt,
        from: previous?.state,
        to: reading.state,
        code: reading.stateCode,
      });
    }
    this.#levels.observe(reading, this.#clock.now());
    this.#verifyPress(reading);
  }

  #verifyPress(reading: Reading): void {
    const press = this.#press;
    if (press?.sentAt === undefined) return;
    if (reading.state === press.to) {
      this.#finishPress({ outcome: 'succeeded', message: `${press.from} → ${press.to}` });
    } else if (reading.state !== press.from) {
      this.#finishPress({
        outcome: 'failed',
        message: `pressed in ${press.from}, the roaster went to ${reading.state ?? reading.stateCode}`,
      });
    }
  }

  /** The one command this cycle sends, if any: a waiting press first, else a step toward the targets. */
  #choose(reading: Reading): R1Command | undefined {
    const press = this.#press;
    if (press && press.sentAt === undefined) {
      if (reading.state !== press.from) {
        this.#finishPress({
          outcome: 'refused',
          message: `the roaster is ${reading.state ?? reading.stateCode}, not ${press.from}`,
        });
      } else {
        press.sentAt = this.#clock.now();
        return { kind: 'prs' };
      }
    }
    return nextStep(reading, this.#levels.open(this.#hold ?? this.targets));
  }

  async #send(command: R1Command, blind: boolean): Promise<void> {
    this.#levels.sent(command, this.#latest, this.#clock.now());
    this.events.publish({ type: 'sent', at: this.#clock.now(), command, blind });
    await this.#device.write(encodeCommand(command), timings.transferTimeoutMs);
  }

  /** Heater-down steps for every level the heater may be at, without waiting for a block in between. */
  async #heaterDownBlind(): Promise<void> {
    const latest = this.#latest;
    if (!latest) return;
    const level = this.#levels.heaterAtMost(latest);
    try {
      for (let i = 0; i < level; i++) await this.#send({ kind: 'heater', step: -1 }, true);
    } catch (error) {
      if (!(error instanceof TransferTimeoutError)) throw error;
      this.#transferFailed(error);
    }
    this.#levels.sentHeaterDown(latest, this.#clock.now());
  }

  #expire(): void {
    const now = this.#clock.now();
    this.#levels.expire(now, this.#latest);
    const press = this.#press;
    if (press?.sentAt !== undefined && now - press.sentAt > timings.pressVerifyMs) {
      this.#finishPress({
        outcome: 'failed',
        message: `pressed in ${press.from}, no ${press.to} within ${timings.pressVerifyMs / 1000} s; not pressed again`,
      });
    } else if (press?.sentAt === undefined && press && press.deadline <= now) {
      this.#finishPress({ outcome: 'failed', message: 'no valid block to press from before the deadline' });
    }
  }

  #finishPress(outcome: JobOutcome): void {
    const press = this.#press;
    this.#press = undefined;
    press?.settle(outcome);
  }

  #abortAll(message: string): void {
    this.#levels.abortAll(message);
    // A press already sent is left to its verification: aborting it would hide whether it happened.
    if (this.#press?.sentAt === undefined) this.#finishPress({ outcome: 'aborted', message });
  }

  async #request(command: R1Command, length: number): Promise<Uint8Array> {
    const { transferTimeoutMs } = timings;
    await this.#device.write(encodeCommand(command), transferTimeoutMs);
    return this.#device.read(length, transferTimeoutMs);
  }

  /** Reads and discards whatever the roaster still has queued, until it stays silent. */
  async #drain(): Promise<void> {
    let drained = 0;
    for (; drained < 16; drained++) {
      try {
        await this.#device.read(R1ReplyBytes.statusBlock, timings.drainTimeoutMs);
      } catch (error) {
        if (error instanceof TransferTimeoutError) break;
        throw error;
      }
    }
    this.#resync = false;
    this.events.publish({ type: 'resync', at: this.#clock.now(), drained });
  }

  #transferFailed(error: Error): void {
    this.#resync = true;
    this.events.publish({ type: 'transfer-failed', at: this.#clock.now(), error: error.message });
  }

  /** Every transfer goes through here: the R1's endpoints take one transfer at a time. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#io.then(work, work);
    this.#io = run.catch(() => {});
    return run;
  }

  async #idle(ms: number): Promise<void> {
    if (!this.#running || this.#wakeRequested || ms <= 0) {
      this.#wakeRequested = false;
      return;
    }
    const sleep = wakeableSleep(this.#clock, ms);
    this.#wake = sleep.wake;
    await sleep.done;
    this.#wake = undefined;
    this.#wakeRequested = false;
  }

  #wakeUp(): void {
    this.#wakeRequested = true;
    this.#wake?.();
  }
}
