import { R1UsbIds } from '@roast-operator/r1';
import { type DeviceKind, formatIds, type UsbIds } from './device.ts';

// The Roaster models the edge can drive, named as the Roaster API names them. Both physical models speak
// the R1 protocol; each is one USB product id, so a V1 plugged in where Git says V2 is refused rather than
// driven with the wrong expectations (the V2's bytes 8–11 are the IBTS bean sensor, the V1's the drum).

export const edgeModels = {
  AillioBulletR1: { device: 'usb', usb: { vendorId: R1UsbIds.vendorId, productId: R1UsbIds.productIds.r1 } },
  AillioBulletR1V2: {
    device: 'usb',
    usb: { vendorId: R1UsbIds.vendorId, productId: R1UsbIds.productIds.r1Ibts },
  },
  Simulated: { device: 'simulated', usb: undefined },
  Replay: { device: 'replay', usb: undefined },
} as const satisfies Record<string, { device: DeviceKind; usb: UsbIds | undefined }>;

export type EdgeModel = keyof typeof edgeModels;

export function isEdgeModel(name: string): name is EdgeModel {
  return Object.hasOwn(edgeModels, name);
}

/**
 * Why a device may not serve a Roaster of `model`, or undefined when it may. A simulated or replayed device
 * never stands in for another model (its readings would be recorded as a real roast), and a USB device
 * must carry exactly the model's ids.
 */
export function deviceMismatch(
  model: EdgeModel,
  device: { readonly kind: DeviceKind; readonly ids: UsbIds },
): string | undefined {
  const expected = edgeModels[model];
  if (device.kind !== expected.device) {
    return `model ${model} needs a ${expected.device} device, not a ${device.kind} one`;
  }
  const usb = expected.usb;
  if (usb && (usb.vendorId !== device.ids.vendorId || usb.productId !== device.ids.productId)) {
    return `model ${model} is USB ${formatIds(usb)}, the device is ${formatIds(device.ids)}`;
  }
  return undefined;
}
