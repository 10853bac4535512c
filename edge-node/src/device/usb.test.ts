import { describe, expect, it } from 'vitest';
import { DeviceGoneError, TransferTimeoutError } from './device.ts';
import { transferError } from './usb.ts';

// The error texts usb@3.1.0's native layer produces (nusb's TransferError names after the operation).
describe('transferError', () => {
  it.each<[string, typeof TransferTimeoutError | typeof DeviceGoneError]>([
    ['transferIn error: Cancelled', TransferTimeoutError],
    ['transferOut error: Cancelled', TransferTimeoutError],
    ['transferIn error: Stall', TransferTimeoutError],
    ['transferIn error: Fault', TransferTimeoutError],
    ['transferIn error: Disconnected', DeviceGoneError],
    ['transferOut error: Disconnected', DeviceGoneError],
    ['open error: device not found', DeviceGoneError],
  ])('%s', (message, kind) => {
    const mapped = transferError(new Error(message));
    expect(mapped).toBeInstanceOf(kind);
    expect(mapped.message).toBe(message);
  });
});
