import { VirtualClock } from '@roast-operator/clock';
import { encodeCommand, R1ReplyBytes } from '@roast-operator/r1';
import { parseRecording } from '@roast-operator/roast/recordings';
import { describe, expect, it } from 'vitest';
import { type R1Device, TransferTimeoutError } from '../device/device.ts';
import { R1Driver, type Reading } from '../driver/driver.ts';
import { ReplayR1, type ReplayR1Options } from './device.ts';
import { bt, log } from './fixtures.ts';
import { replayOf } from './replay.ts';

// The replay device under the shared driver on virtual time: what the driver reads must be the recording,
// frame by frame, whatever is written to it.

/** The fixture plays from t = 10 s to its last sample at t = 36 s. */
const lastT = 36;

function playing(options: ReplayR1Options = {}) {
  const clock = new VirtualClock();
  const device = new ReplayR1(clock, replayOf(parseRecording(log(), 'fixture')), options);
  const driver = new R1Driver({ device, clock });
  const readings: Reading[] = [];
  driver.events.subscribe((e) => {
    if (e.type === 'reading') readings.push(e.reading);
  });
  return { clock, device, driver, readings };
}

/** Runs the driver for `ms` of virtual time; `during` may submit commands once it runs. */
async function drive<T>(edge: ReturnType<typeof playing>, ms: number, during?: () => Promise<T>[]) {
  const info = await edge.driver.connect();
  const running = edge.driver.run();
  const commands = during?.() ?? [];
  await edge.clock.advance(ms);
  edge.driver.stop();
  await edge.clock.advance(1000);
  await running;
  return { info, commands: await Promise.all(commands) };
}

/** Every reading carries exactly the frame playing when it was read (floats as the R1 sends them). */
function expectRecorded({ device, readings }: ReturnType<typeof playing>): void {
  for (const r of readings) {
    const { status } = device.replay.frames[device.frameIndexAt(r.at)]!;
    expect({
      bt: r.bt,
      btRor: r.btRor,
      ibts: r.ibts,
      exhaust: r.exhaust,
      heater: r.heater,
      fan: r.fan,
      drum: r.drum,
      stateCode: r.stateCode,
      clock: r.roasterClockSeconds,
    }).toEqual({
      bt: Math.fround(status.bt),
      btRor: Math.fround(status.btRor),
      ibts: Math.fround(status.dt),
      exhaust: Math.fround(status.exitTemp),
      heater: status.heater,
      fan: status.fan,
      drum: status.drum,
      stateCode: status.state,
      clock: status.clockMinutes * 60 + status.clockSeconds,
    });
  }
}

describe('ReplayR1 under the driver', () => {
  it('answers the info requests and plays every sample for its interval, then holds the last', async () => {
    const edge = playing();
    const { info } = await drive(edge, 40_000);
    expect(info).toEqual({ serial: 0, firmware: 0, roastCount: 0 });
    expectRecorded(edge);
    const played = edge.readings.map((r) => edge.device.positionAt(r.at));
    // 10 Hz over 40 s, each sample seen from its own time on, the last one held after t = 36 s.
    expect(edge.readings.length).toBeGreaterThanOrEqual(400);
    expect(new Set(edge.readings.map((r) => r.bt))).toEqual(new Set(bt.map(Math.fround)));
    expect(played.at(-1)).toBeGreaterThan(lastT + 10);
    expect(edge.readings.at(-1)?.bt).toBe(bt.at(-1));
    expect(edge.readings.find((r) => r.bt === 181)?.at).toBe(edge.device.timeOf(12));
  });

  it('plays `speed` recorded seconds per second of its clock', async () => {
    const edge = playing({ speed: 4 });
    await drive(edge, 2000);
    expectRecorded(edge);
    // 2 s of clock at 4× is 8 recorded seconds: the sample of t = 18 s.
    expect(edge.device.positionAt(edge.clock.now() - 1000)).toBe(18);
    expect(edge.readings.findLast((r) => r.at <= edge.device.timeOf(18))?.bt).toBe(110);
  });

  it('accepts commands as an R1 does and still sends the recording', async () => {
    const edge = playing();
    const deadline = edge.clock.now() + 5000;
    const { commands } = await drive(edge, 10_000, () => [
      edge.driver.press('charge', deadline),
      edge.driver.setLevel('heater', 9, deadline),
      edge.driver.setLevel('drum', 2, deadline),
    ]);
    expectRecorded(edge);
    // The driver sent them (a press, heater steps, drum levels) and saw nothing change.
    expect(commands.map((c) => c.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect(commands[0]?.message).toMatch(/no roasting within 2 s/);
    expect(new Set(edge.readings.map((r) => r.heater))).toEqual(new Set([5]));
  });
});

describe('ReplayR1 endpoints', () => {
  async function opened() {
    const clock = new VirtualClock();
    const device: R1Device = new ReplayR1(clock, replayOf(parseRecording(log(), 'fixture')));
    await device.open();
    return { clock, device };
  }

  it('times a read out when nothing was asked, and hands a reply to a read already waiting', async () => {
    const { clock, device } = await opened();
    const nothing = device.read(R1ReplyBytes.statusBlock, 250).catch((e: unknown) => e);
    await clock.advance(250);
    expect(await nothing).toBeInstanceOf(TransferTimeoutError);
    const waiting = device.read(R1ReplyBytes.info1, 1000);
    await device.write(encodeCommand({ kind: 'info1' }), 1000);
    expect((await waiting).length).toBe(R1ReplyBytes.info1);
  });

  it('keeps a reply nobody read for the next read, and ignores bytes an R1 driver never sends', async () => {
    const { device } = await opened();
    await device.write(encodeCommand({ kind: 'info2' }), 1000);
    await device.write(Uint8Array.of(0x99, 0x99), 1000);
    await device.write(encodeCommand({ kind: 'status2' }), 1000);
    expect((await device.read(64, 1000)).length).toBe(R1ReplyBytes.info2);
    expect((await device.read(64, 1000)).length).toBe(R1ReplyBytes.statusBlock);
  });

  it('refuses transfers before it is opened and a speed that is not positive', () => {
    const clock = new VirtualClock();
    const replay = replayOf(parseRecording(log(), 'fixture'));
    expect(() => new ReplayR1(clock, replay, { speed: 0 })).toThrow(RangeError);
    const closed: R1Device = new ReplayR1(clock, replay);
    return expect(closed.write(encodeCommand({ kind: 'info1' }), 1000)).rejects.toThrow(/not open/);
  });
});
