import type { R1Command, R1StateName } from '@roast-operator/r1';
import type { Outcome } from '../commands.ts';

// What the driver publishes: trusted readings, state changes, what it sent and how transfers went, and the
// outcome of the level targets and presses it was given.

/** One trusted status pair. Temperatures in °C, as the roaster sends them. */
export type Reading = {
  /** Counts trusted pairs since the agent started, across reconnects. */
  readonly seq: number;
  /**
   * Epoch milliseconds on the agent's clock when the pair was read: liveness (staleness, watchdogs,
   * deadlines, latencies) is judged on it.
   */
  readonly at: number;
  /**
   * Epoch milliseconds on the device's time base when the pair was read: the roast's physics (telemetry
   * times, rates of rise) live on it. The same as `at` on a real roaster; monotonic within a boot.
   */
  readonly deviceAt: number;
  /** Bytes 0–3: BT. On the R1 V2 a fast channel that reads the drum while it is empty. */
  readonly bt: number;
  /** Bytes 4–7: the roaster's own rate of rise of BT, °C/min. */
  readonly btRor: number;
  /** Bytes 8–11: the IBTS bean sensor on the R1 V2 (the drum on the original R1). */
  readonly ibts: number;
  /** Bytes 16–19: exit air. */
  readonly exhaust: number;
  readonly heater: number;
  readonly fan: number;
  readonly drum: number;
  readonly stateCode: number;
  /** Undefined for a code the R1 driver does not know. */
  readonly state: R1StateName | undefined;
  /** Block 2 bytes 40–41, °C. */
  readonly preheatSetpoint: number;
  /** The roaster's clock, bytes 24–25, s. */
  readonly roasterClockSeconds: number;
};

export type DeviceInfo = { readonly serial: number; readonly firmware: number; readonly roastCount: number };

/** The roaster's state code changed; the agent passes it on to the link unchanged. */
export type StateChange = {
  readonly type: 'state';
  readonly at: number;
  readonly deviceAt: number;
  readonly from: R1StateName | undefined;
  readonly to: R1StateName | undefined;
  readonly code: number;
};

export type DriverEvent =
  | { readonly type: 'reading'; readonly reading: Reading }
  | StateChange
  | { readonly type: 'sent'; readonly at: number; readonly command: R1Command; readonly blind: boolean }
  | { readonly type: 'transfer-failed'; readonly at: number; readonly error: string }
  | { readonly type: 'resync'; readonly at: number; readonly drained: number }
  /** Ends every loop iteration, trusted or not: the agent's interlocks run on it. */
  | { readonly type: 'cycle'; readonly at: number; readonly trusted: boolean };

export type JobOutcome = { readonly outcome: Outcome; readonly message: string };
