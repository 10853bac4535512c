import { VirtualClock } from '@roast-operator/clock';
import {
  decodeInfo1,
  decodeInfo2,
  decodeStatus1,
  decodeStatus2,
  encodeCommand,
  type R1Command,
  R1State,
} from '@roast-operator/r1';
import { describe, expect, it } from 'vitest';
import { DeviceGoneError, TransferTimeoutError } from '../device/device.ts';
import { SimulatedR1, type SimulatedR1Options } from './device.ts';

async function opened(options: SimulatedR1Options = {}) {
  const clock = new VirtualClock();
  const device = new SimulatedR1(clock, { roaster: { start: 'charge' }, ...options });
  await device.open();
  const write = (command: R1Command) => device.write(encodeCommand(command), 1000);
  /** Reads with the virtual clock running, as a driver's read would wait in real time. */
  const read = async (length = 64, timeoutMs = 1000) => {
    let outcome: { bytes: Uint8Array } | { error: unknown } | undefined;
    device.read(length, timeoutMs).then(
      (bytes) => {
        outcome = { bytes };
      },
      (error: unknown) => {
        outcome = { error };
      },
    );
    await clock.until(() => outcome !== undefined, 10_000, 1);
    return outcome!;
  };
  return { clock, device, write, read };
}

const bytesOf = (outcome: { bytes: Uint8Array } | { error: unknown }) => {
  if ('error' in outcome) throw outcome.error;
  return outcome.bytes;
};

describe('SimulatedR1', () => {
  it('answers the status and info requests with the R1 layouts', async () => {
    const { device, write, read } = await opened({ serial: 321, firmware: 290 });
    await write({ kind: 'info1' });
    expect(decodeInfo1(bytesOf(await read(32)))).toEqual({ serial: 321, firmware: 290 });
    await write({ kind: 'info2' });
    expect(decodeInfo2(bytesOf(await read(36))).roastCount).toBe(device.roaster.roastCount);
    await write({ kind: 'status1' });
    const status = decodeStatus1(bytesOf(await read()));
    expect(status?.state).toBe(R1State.charge);
    expect(status?.bt).toBeCloseTo(239, 0);
    await write({ kind: 'status2' });
    expect(decodeStatus2(bytesOf(await read())).preheatSetpoint).toBe(239);
    expect(device.ids).toEqual({ vendorId: 0x0483, productId: 0xa27e });
  });

  it('keeps an unread reply queued: the next read returns it', async () => {
    const { write, read } = await opened();
    await write({ kind: 'status2' });
    await write({ kind: 'status1' });
    expect(bytesOf(await read())[41]).not.toBe(10);
    expect(bytesOf(await read())[41]).toBe(10);
  });

  it('delivers a late reply after the read that waited for it timed out', async () => {
    const { device, write, read } = await opened();
    device.faults.lateReplies(1, 1500);
    await write({ kind: 'status1' });
    expect(await read()).toEqual({ error: expect.any(TransferTimeoutError) });
    expect(bytesOf(await read())[41]).toBe(10);
  });

  it('loses a dropped reply for good', async () => {
    const { device, write, read } = await opened();
    device.faults.dropReplies(1);
    await write({ kind: 'status1' });
    expect(await read()).toEqual({ error: expect.any(TransferTimeoutError) });
    expect(await read()).toEqual({ error: expect.any(TransferTimeoutError) });
  });

  it('takes no command while stalled and answers after', async () => {
    const { clock, device, write, read } = await opened({ roaster: { start: 'roasting' } });
    device.faults.stall(3000);
    let writeError: unknown;
    write({ kind: 'heater', step: 1 }).catch((error: unknown) => {
      writeError = error;
    });
    await clock.advance(1000);
    expect(writeError).toBeInstanceOf(TransferTimeoutError);
    await clock.advance(2500);
    expect(device.roaster.levels.heater).toBe(0);
    await write({ kind: 'status1' });
    expect(bytesOf(await read())[41]).toBe(10);
  });

  it('ignores bytes the R1 does not know', async () => {
    const { device, read } = await opened();
    await device.write(Uint8Array.of(0x99, 0x99), 1000);
    expect(device.received).toEqual([]);
    expect(await read()).toEqual({ error: expect.any(TransferTimeoutError) });
  });

  it('fails every transfer once unplugged, tells its listeners once, and opens again when replugged', async () => {
    const { clock, device, write } = await opened();
    let told = 0;
    device.onDisconnect(() => told++);
    let readError: unknown;
    device.read(64, 1000).catch((error: unknown) => {
      readError = error;
    });
    device.faults.unplug();
    device.faults.unplug();
    await clock.advance(1);
    expect(readError).toBeInstanceOf(DeviceGoneError);
    expect(told).toBe(1);
    await expect(write({ kind: 'status1' })).rejects.toBeInstanceOf(DeviceGoneError);
    await expect(device.open()).rejects.toBeInstanceOf(DeviceGoneError);
    device.faults.replug();
    await device.open();
    await write({ kind: 'status1' });
  });
});
