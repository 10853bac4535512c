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
import { type R1Device, TransferTimeoutError, type UsbIds } from '../device/device.ts';
import type { Replay, ReplayFrame } from './replay.ts';

// A recorded roast on the device interface, beside the simulated R1: it parses the bytes the driver
// writes with the R1 codec and answers status requests with the frame of the recording being played, on
// its clock (`speed` times faster when asked). Its time base is the recording's own timeline: one second of
// it per recorded second, whatever the speed, so readings are stamped as the roast was. Commands are
// accepted as an R1 accepts them and change nothing: the recording is what it is. Replies wait on the IN
// endpoint until read, as on the USB device. After the last sample it keeps sending the last frame.

export type ReplayR1Options = {
  /** Recorded seconds played per second of the clock. */
  readonly speed?: number;
  /** The R1 V2's unless told otherwise, like the simulated R1. */
  readonly ids?: UsbIds;
};

type Waiter = { readonly resolve: (bytes: Uint8Array) => void; readonly timer: Timer };

export class ReplayR1 implements R1Device {
  readonly kind = 'replay';
  readonly ids: UsbIds;
  readonly usbSerial: string;
  readonly replay: Replay;
  /**
   * The recording's timeline as it plays: `speed` times faster than the transport clock, and at the
   * transport clock's time when the first sample plays. Device time `d` plays recorded second
   * `t₀ + (d − origin) / 1000`.
   */
  readonly timeBase: Clock;
  readonly #clock: Clock;
  readonly #speed: number;
  /** Clock time, and device time, at which the first sample plays. */
  readonly #origin: number;
  #inbox: Uint8Array[] = [];
  #waiter: Waiter | undefined;
  #opened = false;

  constructor(clock: Clock, replay: Replay, options: ReplayR1Options = {}) {
    const speed = options.speed ?? 1;
    if (!(speed > 0 && Number.isFinite(speed))) throw new RangeError(`replay speed ${speed}`);
    if (replay.frames.length === 0) throw new RangeError(`${replay.name}: nothing to replay`);
    this.#clock = clock;
    this.#speed = speed;
    this.#origin = clock.now();
    this.timeBase = scaledClock(clock, speed, this.#origin);
    this.replay = replay;
    this.ids = options.ids ?? { vendorId: R1UsbIds.vendorId, productId: R1UsbIds.productIds.r1Ibts };
    this.usbSerial = `REPLAY:${replay.name}`;
  }

  /** The recording's time (its own clock, s) being played at device time `deviceAt` (epoch ms). */
  positionAt(deviceAt: number): number {
    return this.replay.frames[0]!.t + (deviceAt - this.#origin) / 1000;
  }

  /** Transport clock time (epoch ms) at which the recording's second `t` plays. */
  timeOf(t: number): number {
    return this.#origin + ((t - this.replay.frames[0]!.t) * 1000) / this.#speed;
  }

  /** The index of the frame playing at device time `deviceAt`: the last one whose time has come. */
  frameIndexAt(deviceAt: number): number {
    const { frames } = this.replay;
    const position = this.positionAt(deviceAt);
    let [low, high] = [0, frames.length - 1];
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (frames[middle]!.t <= position) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** The frame playing now. */
  current(): ReplayFrame {
    return this.replay.frames[this.frameIndexAt(this.timeBase.now())]!;
  }

  async open(): Promise<void> {
    this.#opened = true;
  }

  async close(): Promise<void> {
    this.#opened = false;
  }

  /** A replay is never unplugged. */
  onDisconnect(): () => void {
    return () => {};
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.#assertOpen();
    const command = decodeCommand(bytes);
    // Requests are answered; presses, steps and drum levels are accepted and leave the recording as it is.
    const reply = command && this.#replyTo(command);
    if (reply) this.#queue(reply);
  }

  async read(length: number, timeoutMs: number): Promise<Uint8Array> {
    this.#assertOpen();
    if (this.#waiter) throw new Error('replay R1: a read is already pending on the IN endpoint');
    const ready = this.#inbox.shift();
    if (ready) return ready.subarray(0, length);
    const bytes = await new Promise<Uint8Array | undefined>((resolve) => {
      const timer = this.#clock.setTimer(() => {
        this.#waiter = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.#waiter = { resolve, timer };
    });
    if (!bytes) throw new TransferTimeoutError(`replay R1: no reply within ${timeoutMs} ms`);
    return bytes.subarray(0, length);
  }

  #replyTo(command: R1Command): Uint8Array | undefined {
    switch (command.kind) {
      case 'info1':
        return encodeInfo1({ serial: 0, firmware: 0 });
      case 'info2':
        return encodeInfo2({ roastCount: 0 });
      case 'status1':
        return encodeStatus1(this.current().status);
      case 'status2':
        // The panel's preheat setpoint is not in any recording.
        return encodeStatus2({ coilFan2: 0, preheatSetpoint: 0 });
      default:
        return undefined;
    }
  }

  /** A reply goes to a read already waiting, or waits for the next one. */
  #queue(reply: Uint8Array): void {
    const waiter = this.#waiter;
    if (!waiter) {
      this.#inbox.push(reply);
      return;
    }
    this.#waiter = undefined;
    waiter.timer.cancel();
    waiter.resolve(reply);
  }

  #assertOpen(): void {
    if (!this.#opened) throw new Error('replay R1 is not open');
  }
}
