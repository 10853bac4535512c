// The boundary between the shared driver and a roaster: raw bytes in and out of the R1's two bulk
// endpoints. The USB adapter, the simulated R1 and the replay of a recording implement it byte for byte, so
// everything above it — the poll loop, resync, stepping, safety — runs unchanged against any of them.

import type { Clock } from '@roast-operator/clock';

export type UsbIds = { readonly vendorId: number; readonly productId: number };

export type DeviceKind = 'usb' | 'simulated' | 'replay';

export interface R1Device {
  readonly kind: DeviceKind;
  /** The ids the device reports; the agent refuses a device whose ids do not match the Roaster's model. */
  readonly ids: UsbIds;
  /** The USB serial-number string descriptor, when the device has one. */
  readonly usbSerial: string | undefined;
  /**
   * The clock the roaster's physics live on, when it is not the agent's: a simulated roaster's physics
   * clock, a replay's recording played at its speed. Readings are stamped with it for everything about the
   * roast (telemetry times, rates of rise); liveness stays on the agent's clock. A real R1 has none.
   */
  readonly timeBase?: Clock;
  /** Selects configuration 1 and claims interface 1. */
  open(): Promise<void>;
  /** Writes to the OUT endpoint (3). Rejects with TransferTimeoutError or DeviceGoneError. */
  write(bytes: Uint8Array, timeoutMs: number): Promise<void>;
  /** Reads up to `length` bytes from the IN endpoint (1). Rejects like `write`. */
  read(length: number, timeoutMs: number): Promise<Uint8Array>;
  close(): Promise<void>;
  /** Called once when the device goes away (unplugged, powered off). */
  onDisconnect(listener: () => void): () => void;
}

/** The transfer did not complete in time; the roaster may still answer it later. */
export class TransferTimeoutError extends Error {
  override readonly name = 'TransferTimeoutError';
}

/** The device is gone: every further transfer fails until it is found and opened again. */
export class DeviceGoneError extends Error {
  override readonly name = 'DeviceGoneError';
}

/** `0x0483:0xa27e` */
export function formatIds(ids: UsbIds): string {
  const hex = (value: number) => `0x${value.toString(16).padStart(4, '0')}`;
  return `${hex(ids.vendorId)}:${hex(ids.productId)}`;
}
