import { R1Usb, R1UsbIds } from '@roast-operator/r1';
import { DeviceGoneError, type R1Device, TransferTimeoutError, type UsbIds } from './device.ts';

// The thin adapter over usb@3.1.0's WebUSB API. In that release `transferIn(endpoint, length, timeout)`
// and `transferOut(endpoint, data, timeout)` take the timeout in milliseconds as a third argument
// (default 1000) and hand it to the native layer, which cancels the transfer when it expires: the promise
// rejects with "transferIn error: Cancelled", and a vanished device gives "…: Disconnected". A cancelled IN
// transfer does not consume a reply the roaster sends later, which is why the driver drains and resyncs
// after a timeout. Only one transfer may be pending per endpoint ("endpoint already in use"); the driver
// serialises all transfers.

/** The members of usb@3's UsbDevice this adapter uses. */
type WebUsbDevice = {
  readonly vendorId: number;
  readonly productId: number;
  readonly handle: string;
  readonly serialNumber: string | null;
  readonly configuration: { readonly configurationValue: number } | undefined;
  open(): Promise<void>;
  close(): Promise<void>;
  selectConfiguration(value: number): Promise<void>;
  detachKernelDriver(interfaceNumber: number): Promise<void>;
  claimInterface(interfaceNumber: number): Promise<void>;
  releaseInterface(interfaceNumber: number): Promise<void>;
  transferIn(endpoint: number, length: number, timeoutMs: number): Promise<{ data?: DataView }>;
  transferOut(endpoint: number, data: Uint8Array, timeoutMs: number): Promise<{ bytesWritten: number }>;
};

/** How a failed transfer of usb@3.1.0 maps onto the device interface. */
export function transferError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/\bDisconnected\b|no such device|not found/i.test(message)) return new DeviceGoneError(message);
  // Cancelled is the native timeout; a stall or fault leaves the link in the same doubt, so the driver
  // treats it the same way: resync before trusting another block.
  return new TransferTimeoutError(message, { cause: error });
}

/**
 * The first attached Bullet R1 of either revision, or undefined. The caller checks its ids against the
 * Roaster's model; finding the other revision is reported, not skipped, so a swapped roaster is visible.
 */
export async function findUsbR1(): Promise<R1Device | undefined> {
  // Loaded on demand: the simulated path never needs the native binding.
  const { usb } = await import('usb');
  for (const productId of Object.values(R1UsbIds.productIds)) {
    const found = await usb.findDeviceByIds(R1UsbIds.vendorId, productId);
    if (found) return new UsbR1(found as unknown as WebUsbDevice, usb);
  }
  return undefined;
}

type DisconnectSource = {
  addEventListener(type: 'disconnect', listener: (event: Event) => void): void;
  removeEventListener(type: 'disconnect', listener: (event: Event) => void): void;
};

class UsbR1 implements R1Device {
  readonly kind = 'usb';
  readonly ids: UsbIds;
  readonly usbSerial: string | undefined;
  readonly #device: WebUsbDevice;
  readonly #events: DisconnectSource;

  constructor(device: WebUsbDevice, events: DisconnectSource) {
    this.#device = device;
    this.#events = events;
    this.ids = { vendorId: device.vendorId, productId: device.productId };
    this.usbSerial = readSerial(device);
  }

  async open(): Promise<void> {
    const device = this.#device;
    await device.open();
    // Artisan selects configuration 1 only when another one is active (R1:L176-182).
    if (device.configuration?.configurationValue !== R1Usb.configurationValue) {
      await device.selectConfiguration(R1Usb.configurationValue);
    }
    // Artisan detaches a kernel driver and ignores failures (R1:L168-175); none is bound on most hosts.
    await device.detachKernelDriver(R1Usb.interfaceNumber).catch(() => {});
    await device.claimInterface(R1Usb.interfaceNumber);
  }

  async write(bytes: Uint8Array, timeoutMs: number): Promise<void> {
    await this.#device.transferOut(R1Usb.endpointOut, bytes, timeoutMs).catch((error: unknown) => {
      throw transferError(error);
    });
  }

  async read(length: number, timeoutMs: number): Promise<Uint8Array> {
    const result = await this.#device
      .transferIn(R1Usb.endpointIn, length, timeoutMs)
      .catch((error: unknown) => {
        throw transferError(error);
      });
    const data = result.data;
    return data ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(0);
  }

  async close(): Promise<void> {
    await this.#device.releaseInterface(R1Usb.interfaceNumber).catch(() => {});
    await this.#device.close();
  }

  onDisconnect(listener: () => void): () => void {
    const handle = this.#device.handle;
    const onEvent = (event: Event) => {
      const gone = (event as Event & { device?: { handle?: string } }).device;
      if (gone?.handle === handle) listener();
    };
    this.#events.addEventListener('disconnect', onEvent);
    return () => this.#events.removeEventListener('disconnect', onEvent);
  }
}

/** The serial descriptor; reading it opens the device briefly and may fail without permission. */
function readSerial(device: WebUsbDevice): string | undefined {
  try {
    return device.serialNumber ?? undefined;
  } catch {
    return undefined;
  }
}
