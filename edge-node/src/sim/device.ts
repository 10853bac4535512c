import { type Clock, scaledClock, type Timer } from '@roast-operator/clock';
import {
  decodeCommand,
  encodeInfo1,
  encodeInfo2,
  encodeStatus1,
  encodeStatus2,
  type R1Command,
  R1UsbIds,
} from '@roast-operator/r1';
import { DeviceGoneError, type R1Device, TransferTimeoutError, type UsbIds } from '../device/device.ts';
import { SimRoaster, type SimRoasterOptions } from './roaster.ts';

// The simulated R1 on the device interface: it parses the bytes the driver writes with the R1 codec, acts
// on commands through the simulated roaster, and queues each reply on its IN endpoint the way the USB
// device does — a reply nobody reads in time stays queued and is what the next read returns. Faults on
// demand: late replies, lost replies, stalls, unplugging. Transfers wait on the transport clock, the
// roaster's physics on its own (faster in end-to-end runs): that is the device's time base, the one its
// readings are stamped with.

export type SimulatedR1Options = {
  /** The roaster's physics run this many times faster than the transport clock (1 unless told). */
  readonly timeScale?: number;
  readonly roaster?: Partial<SimRoasterOptions>;
  /** The R1 V2 (IBTS) unless told otherwise. */
  readonly ids?: UsbIds;
  /** The signed 16-bit "serial" of info 1. */
  readonly serial?: number;
  readonly firmware?: number;
  /** USB answers within about a millisecond. */
  readonly replyLatencyMs?: number;
};

export type SentCommand = { readonly at: number; readonly command: R1Command };

type Reply = { readonly bytes: Uint8Array; readonly readyAt: number };

type Waiter = {
  readonly resolve: (bytes: Uint8Array) => void;
  readonly reject: (error: Error) => void;
  timer: Timer;
};

/** About ten minutes of polling. */
const receivedKept = 12_000;

/** Seconds between the invalid blocks the R1 sends when not roasting (aillio-bullet-protocol.md §3.1). */
const oddMessageEverySeconds = 15;

export class SimulatedR1 implements R1Device {
  readonly kind = 'simulated';
  readonly ids: UsbIds;
  readonly usbSerial: string;
  readonly roaster: SimRoaster;
  /** The physics clock: the transport clock at time scale 1. */
  readonly timeBase: Clock;
  /** How many times faster than the transport clock the physics run. */
  readonly timeScale: number;
  /** The commands the roaster received, in order, the latest `receivedKept`: what the driver did. */
  readonly received: SentCommand[] = [];
  readonly #clock: Clock;
  readonly #serial: number;
  readonly #firmware: number;
  readonly #latencyMs: number;
  #inbox: Reply[] = [];
  #waiter: Waiter | undefined;
  #deliveryTimer: Timer | undefined;
  #gone = false;
  #opened = false;
  #stalledUntil = 0;
  #late: { count: number; byMs: number } = { count: 0, byMs: 0 };
  #dropped = 0;
  #nextOddMessage: number;
  readonly #disconnectListeners = new Set<() => void>();

  constructor(clock: Clock, options: SimulatedR1Options = {}) {
    this.#clock = clock;
    this.timeScale = options.timeScale ?? 1;
    this.timeBase = this.timeScale === 1 ? clock : scaledClock(clock, this.timeScale);
    this.roaster = new SimRoaster(this.timeBase, options.roaster);
    this.ids = options.ids ?? { vendorId: R1UsbIds.vendorId, productId: R1UsbIds.productIds.r1Ibts };
    this.#serial = options.serial ?? 4711;
    this.#firmware = options.firmware ?? 281;
    this.usbSerial = `SIM${String(this.#serial).padStart(6, '0')}`;
    this.#latencyMs = options.replyLatencyMs ?? 1;
    this.#nextOddMessage = clock.now() + oddMessageEverySeconds * 1000;
  }

  /** Fault injection. */
  readonly faults = {
    /** The next `count` replies arrive `byMs` after they were asked for. */
    lateReplies: (count: number, byMs: number) => {
      this.#late = { count, byMs };
    },
    /** The next `count` replies never arrive. */
    dropReplies: (count: number) => {
      this.#dropped = count;
    },
    /** For `ms` the roaster answers nothing and takes no command; replies due meanwhile come after. */
    stall: (ms: number) => {
      this.#stalledUntil = this.#clock.now() + ms;
    },
    /** Unplugged: every transfer fails from now on, and listeners hear of it once. */
    unplug: () => {
      if (this.#gone) return;
      this.#gone = true;
      this.#opened = false;
      this.#inbox = [];
      this.#deliveryTimer?.cancel();
      this.#settleWaiter(new DeviceGoneError('simulated R1 unplugged'));
      for (const listener of this.#disconnectListeners) listener();
    },
    /** Plugged in again: it can be opened anew. */
    replug: () => {
      this.#gone = false;
    },
  };

  async open(): Promise<void> {
    this.#assertPresent();
    this.#opened = true;
  }

  async close(): Promise<void> {
    this.#opened = false;
  }

  onDisconnect(listener: () => void): () => void {
    this.#disconnectListeners.add(listener);
    return () => this.#disconnectListeners.delete(listener);
  }

  async write(bytes: Uint8Array, timeoutMs: number): Promise<void> {
    this.#assertOpen();
    if (this.#stalled()) return this.#timeout(timeoutMs, 'write');
    const command = decodeCommand(bytes);
    // The roaster ignores bytes it does not understand, as any USB device would.
    if (command === undefined) return;
    this.received.push({ at: this.#clock.now(), command });
    // Bounded: a demo polls for days.
    if (this.received.length > receivedKept) this.received.splice(0, this.received.length - receivedKept);
    const reply = this.#replyTo(command);
    if (reply) this.#queueReply(reply);
    else this.roaster.accept(command);
  }

  async read(length: number, timeoutMs: number): Promise<Uint8Array> {
    this.#assertOpen();
    if (this.#waiter) throw new Error('simulated R1: a read is already pending on the IN endpoint');
    const ready = this.#stalled() ? undefined : this.#takeReady();
    if (ready) return ready.subarray(0, length);
    return new Promise((resolve, reject) => {
      const timer = this.#clock.setTimer(() => {
        this.#waiter = undefined;
        reject(new TransferTimeoutError(`simulated R1: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = { resolve: (bytes) => resolve(bytes.subarray(0, length)), reject, timer };
      this.#scheduleDelivery();
    });
  }

  #replyTo(command: R1Command): Uint8Array | undefined {
    switch (command.kind) {
      case 'info1':
        return encodeInfo1({ serial: this.#serial, firmware: this.#firmware });
      case 'info2':
        return encodeInfo2({ roastCount: this.roaster.roastCount });
      case 'status1':
        return encodeStatus1(this.#oddMessageDue() ? null : this.roaster.status1());
      case 'status2':
        return encodeStatus2(this.roaster.status2());
      default:
        return undefined;
    }
  }

  /** Outside a roast the R1 answers one block in 15 s without readings (byte 41 ≠ 10). */
  #oddMessageDue(): boolean {
    const now = this.#clock.now();
    if (now < this.#nextOddMessage || this.roaster.state === 'roasting') return false;
    this.#nextOddMessage = now + oddMessageEverySeconds * 1000;
    return true;
  }

  #queueReply(bytes: Uint8Array): void {
    if (this.#dropped > 0) {
      this.#dropped--;
      return;
    }
    let delay = this.#latencyMs;
    if (this.#late.count > 0) {
      this.#late.count--;
      delay = this.#late.byMs;
    }
    this.#inbox.push({ bytes, readyAt: this.#clock.now() + delay });
    this.#scheduleDelivery();
  }

  /** Hands the first ready reply to a pending read, now or when it (or the end of a stall) is due. */
  #scheduleDelivery(): void {
    this.#deliveryTimer?.cancel();
    this.#deliveryTimer = undefined;
    const first = this.#inbox[0];
    if (!this.#waiter || !first) return;
    const dueAt = Math.max(first.readyAt, this.#stalledUntil);
    this.#deliveryTimer = this.#clock.setTimer(() => {
      this.#deliveryTimer = undefined;
      const ready = this.#stalled() ? undefined : this.#takeReady();
      if (ready) this.#settleWaiter(ready);
      else this.#scheduleDelivery();
    }, dueAt - this.#clock.now());
  }

  #takeReady(): Uint8Array | undefined {
    const first = this.#inbox[0];
    if (!first || first.readyAt > this.#clock.now()) return undefined;
    this.#inbox.shift();
    return first.bytes;
  }

  #settleWaiter(outcome: Uint8Array | Error): void {
    const waiter = this.#waiter;
    if (!waiter) return;
    this.#waiter = undefined;
    waiter.timer.cancel();
    if (outcome instanceof Error) waiter.reject(outcome);
    else waiter.resolve(outcome);
  }

  #stalled(): boolean {
    return this.#clock.now() < this.#stalledUntil;
  }

  #timeout(ms: number, what: string): Promise<never> {
    return new Promise((_, reject) => {
      this.#clock.setTimer(
        () =>
          reject(
            this.#gone
              ? new DeviceGoneError('simulated R1 unplugged')
              : new TransferTimeoutError(`simulated R1: ${what} timed out`),
          ),
        ms,
      );
    });
  }

  #assertPresent(): void {
    if (this.#gone) throw new DeviceGoneError('simulated R1 unplugged');
  }

  #assertOpen(): void {
    this.#assertPresent();
    if (!this.#opened) throw new Error('simulated R1 is not open');
  }
}
