import { join } from 'node:path';
import { VirtualClock } from '@roast-operator/clock';
import { encodeCommand, R1ReplyBytes } from '@roast-operator/r1';
import { parseRecording, type Recording, readRecording } from '@roast-operator/roast/recordings';
import { recordingsDir } from '@roast-operator/roast/validation';
import { describe, expect, it } from 'vitest';
import { type R1Device, TransferTimeoutError } from '../device/device.ts';
import { R1Driver } from '../driver/driver.ts';
import type { Reading } from '../driver/reading.ts';
import { sample } from '../link/convert.ts';
import { defaultSafetyConfig } from '../safety/config.ts';
import { bt, log } from '../testing/recording.ts';
import { edgeOn, steepestRise } from '../testing/simulated-edge.ts';
import { ReplayR1, type ReplayR1Options } from './device.ts';
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
    const { status } = device.replay.frames[device.frameIndexAt(r.deviceAt)]!;
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
    const played = edge.readings.map((r) => edge.device.positionAt(r.deviceAt));
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
    expect(edge.readings.findLast((r) => r.at <= edge.device.timeOf(18))?.bt).toBe(110);
    // Readings are stamped on the recording's timeline: 4 recorded seconds per second of the clock.
    const [first] = edge.readings;
    for (const r of edge.readings) expect(r.deviceAt - first!.deviceAt).toBe((r.at - first!.at) * 4);
    expect(edge.device.positionAt(edge.device.timeBase.now())).toBe(10 + 3 * 4);
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

describe('a recorded roast through the agent', () => {
  const recorded = (name: string) =>
    readRecording(join(recordingsDir(), `scottjames__coffee-roasting__${name}.json`));

  async function replayed(recording: Recording, speed: number) {
    const clock = new VirtualClock();
    const device = new ReplayR1(clock, replayOf(recording), { speed });
    const edge = await edgeOn(device, { clock, model: 'Replay', session: 'replayed' });
    edge.agent.linkUp();
    // A tenth of a second of the agent's clock past the last sample.
    await clock.advance(device.timeOf(recording.samples.at(-1)!.t) - clock.now() + 100);
    return edge;
  }

  // 694.5 s: 19.5 s before the CHARGE mark, 555 s of roast, 120 s after the DROP.
  const normal = recorded('roast_26-06-28_R64_Kenya_Nyer');

  it.each([1, 20])('at speed %i: telemetry on the recording’s time, and no interlock', async (speed) => {
    const edge = await replayed(normal, speed);
    expect(edge.agent.latches()).toEqual([]);
    const times = edge.readings.map((r) => sample(r).timeMs);
    // Readings come every 0.1 s of the agent's clock, 0.1 × speed s of the recording.
    const span = normal.samples.at(-1)!.t - normal.samples[0]!.t + 0.1 * speed;
    expect(Math.abs((times.at(-1)! - times[0]!) / 1000 - span)).toBeLessThanOrEqual(0.1 * speed + 0.01);
    const first = (state: string) => edge.readings.find((r) => r.state === state)!;
    const roastSeconds = (sample(first('cooling')).timeMs - sample(first('roasting')).timeMs) / 1000;
    const marked = normal.marks.drop!.t - normal.marks.charge!.t;
    expect(Math.abs(roastSeconds - marked)).toBeLessThanOrEqual(2 + 0.1 * speed);
    const { maxCPerMin } = defaultSafetyConfig.riseRate;
    expect(steepestRise(edge.readings, (r) => r.deviceAt)).toBeLessThan(maxCPerMin);
    // Played faster, the same readings stamped on the agent's clock would have tripped the alarm.
    if (speed > 1) expect(steepestRise(edge.readings, (r) => r.at)).toBeGreaterThan(maxCPerMin);
    await edge.stop();
  });

  // Its ET, which plays as IBTS, leaps from 145 °C to 194 °C in the 4 s around the CHARGE mark (27.3 s).
  const leaping = recorded('roast_25-10-11_1319');

  it.each([1, 20])(
    'at speed %i: a rise too fast in the recording trips the alarm where it happens',
    async (speed) => {
      const edge = await replayed(leaping, speed);
      expect(edge.agent.latches().map((l) => l.cause)).toEqual(['rise-rate']);
      const [latch] = edge.agent.latches();
      const tripped = edge.readings.findLast((r) => r.at <= latch!.since)!;
      expect(edge.device.positionAt(tripped.deviceAt)).toBeGreaterThanOrEqual(27.3);
      expect(edge.device.positionAt(tripped.deviceAt)).toBeLessThan(31.3);
      await edge.stop();
    },
  );
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
