import { describe, expect, it } from 'vitest';
import type { DeviceKind, UsbIds } from './device.ts';
import { deviceMismatch, type EdgeModel, isEdgeModel } from './models.ts';

const v1: UsbIds = { vendorId: 0x0483, productId: 0x5741 };
const v2: UsbIds = { vendorId: 0x0483, productId: 0xa27e };
const r2: UsbIds = { vendorId: 0x0483, productId: 0xa4cd };
const other: UsbIds = { vendorId: 0x1234, productId: 0x5741 };

describe('deviceMismatch', () => {
  it.each<[EdgeModel, DeviceKind, UsbIds, string | undefined]>([
    ['AillioBulletR1', 'usb', v1, undefined],
    ['AillioBulletR1V2', 'usb', v2, undefined],
    ['AillioBulletR1', 'usb', v2, 'model AillioBulletR1 is USB 0x0483:0x5741, the device is 0x0483:0xa27e'],
    [
      'AillioBulletR1V2',
      'usb',
      v1,
      'model AillioBulletR1V2 is USB 0x0483:0xa27e, the device is 0x0483:0x5741',
    ],
    [
      'AillioBulletR1V2',
      'usb',
      r2,
      'model AillioBulletR1V2 is USB 0x0483:0xa27e, the device is 0x0483:0xa4cd',
    ],
    [
      'AillioBulletR1',
      'usb',
      other,
      'model AillioBulletR1 is USB 0x0483:0x5741, the device is 0x1234:0x5741',
    ],
    ['Simulated', 'simulated', v2, undefined],
    ['Simulated', 'usb', v2, 'model Simulated needs a simulated device, not a usb one'],
    ['AillioBulletR1V2', 'simulated', v2, 'model AillioBulletR1V2 needs a usb device, not a simulated one'],
    ['Replay', 'replay', v2, undefined],
    ['Replay', 'simulated', v2, 'model Replay needs a replay device, not a simulated one'],
    ['AillioBulletR1V2', 'replay', v2, 'model AillioBulletR1V2 needs a usb device, not a replay one'],
  ])('%s on a %s device %o', (model, kind, ids, reason) => {
    expect(deviceMismatch(model, { kind, ids })).toBe(reason);
  });

  it('knows the Roaster model names and nothing else', () => {
    expect(['AillioBulletR1', 'AillioBulletR1V2', 'Simulated', 'Replay'].every(isEdgeModel)).toBe(true);
    expect(isEdgeModel('AillioBulletR2')).toBe(false);
    expect(isEdgeModel('toString')).toBe(false);
  });
});
