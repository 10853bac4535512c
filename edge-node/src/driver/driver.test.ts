import { VirtualClock } from '@roast-operator/clock';
import type { R1Command } from '@roast-operator/r1';
import { describe, expect, it } from 'vitest';
import { SimulatedR1, type SimulatedR1Options } from '../sim/device.ts';
import { settled } from '../testing/simulated-edge.ts';
import { R1Driver } from './driver.ts';
import type { DriverEvent, Reading } from './reading.ts';

// The driver against the simulated R1, on virtual time. The simulated roaster acts on a command 150 ms
// after it arrives, so the block read right after a step still shows the old level: a driver that stepped
// from every block, or queued steps as Artisan does, would overshoot.

type Rig = {
  clock: VirtualClock;
  device: SimulatedR1;
  driver: R1Driver;
  readings: Reading[];
  events: DriverEvent[];
  /** Commands the driver wrote, with whether they went out blind. */
  sent: { at: number; command: R1Command; blind: boolean }[];
  stop(): Promise<void>;
};

async function rig(options: SimulatedR1Options = {}): Promise<Rig> {
  const clock = new VirtualClock();
  const device = new SimulatedR1(clock, options);
  const driver = new R1Driver({ device, clock });
  const events: DriverEvent[] = [];
  driver.events.subscribe((e) => events.push(e));
  const connecting = driver.connect();
  await clock.advance(100);
  await connecting;
  const running = driver.run();
  await clock.advance(300);
  return {
    clock,
    device,
    driver,
    events,
    get readings() {
      return events.flatMap((e) => (e.type === 'reading' ? [e.reading] : []));
    },
    get sent() {
      return events.flatMap((e) =>
        e.type === 'sent' ? [{ at: e.at, command: e.command, blind: e.blind }] : [],
      );
    },
    async stop() {
      driver.stop();
      await clock.advance(2000);
      await running;
    },
  };
}

const steps = (sent: Rig['sent'], kind: 'heater' | 'fan', step: 1 | -1) =>
  sent.filter((s) => s.command.kind === kind && 'step' in s.command && s.command.step === step);

/** A charged roaster, so every control accepts commands. */
const roasting: SimulatedR1Options = {
  roaster: { start: 'roasting', levels: { heater: 0, fan: 1, drum: 5 } },
};

describe('R1Driver', () => {
  it('reads the info blocks and polls about ten times a second', async () => {
    const r = await rig({ serial: 1234, firmware: 300 });
    const before = r.readings.length;
    await r.clock.advance(10_000);
    expect(r.readings.length - before).toBeGreaterThanOrEqual(95);
    expect(r.readings.length - before).toBeLessThanOrEqual(101);
    expect(r.device.received.filter((c) => c.command.kind === 'info1')).toHaveLength(1);
    await r.stop();
  });

  it('steps one level per applied step: heater 0 → 9 is exactly nine steps, never past the target', async () => {
    const r = await rig(roasting);
    const outcome = await settled(r.clock, r.driver.setLevel('heater', 9, r.clock.now() + 30_000), 60_000);
    expect(outcome.outcome).toBe('succeeded');
    expect(steps(r.sent, 'heater', 1)).toHaveLength(9);
    expect(steps(r.sent, 'heater', -1)).toHaveLength(0);
    expect(Math.max(...r.readings.map((x) => x.heater))).toBe(9);
    expect(r.device.roaster.levels.heater).toBe(9);
    await r.stop();
  });

  it('sets the drum with one absolute command', async () => {
    const r = await rig(roasting);
    expect(
      (await settled(r.clock, r.driver.setLevel('drum', 9, r.clock.now() + 10_000), 60_000)).outcome,
    ).toBe('succeeded');
    expect(r.sent.map((s) => s.command)).toEqual([{ kind: 'drum', level: 9 }]);
    await r.stop();
  });

  it('wakes at once on a new command instead of waiting for the next poll', async () => {
    const r = await rig(roasting);
    await r.clock.advance(1050); // mid-way between two polls
    const asked = r.clock.now();
    void r.driver.setLevel('fan', 2, asked + 10_000);
    await r.clock.advance(20);
    expect(r.sent[0]?.at).toBeDefined();
    expect(r.sent[0]!.at - asked).toBeLessThan(10);
    await r.stop();
  });

  it('does not overshoot when the replies after a step are lost', async () => {
    const r = await rig(roasting);
    let dropped = false;
    r.driver.events.subscribe((e) => {
      if (e.type === 'sent' && !dropped) {
        dropped = true;
        r.device.faults.dropReplies(2);
      }
    });
    const outcome = await settled(r.clock, r.driver.setLevel('heater', 4, r.clock.now() + 30_000), 60_000);
    expect(outcome.outcome).toBe('succeeded');
    expect(r.events.some((e) => e.type === 'transfer-failed')).toBe(true);
    expect(steps(r.sent, 'heater', 1)).toHaveLength(4);
    expect(Math.max(...r.readings.map((x) => x.heater))).toBe(4);
    await r.stop();
  });

  // After each step the next reply comes late: past the 1 s timeout and caught by the drain (1.2 s), or
  // after the drain gave up, so it lands in the next pair and only the alignment check catches it (1.6 s).
  it.each([1200, 1600])(
    'never trusts a reply %i ms late: levels only move toward the target',
    async (lateMs) => {
      const r = await rig(roasting);
      let faults = 0;
      r.driver.events.subscribe((e) => {
        if (e.type === 'sent' && faults < 5) {
          faults++;
          r.device.faults.lateReplies(1, lateMs);
        }
      });
      const outcome = await settled(r.clock, r.driver.setLevel('heater', 8, r.clock.now() + 60_000), 60_000);
      expect(outcome.outcome).toBe('succeeded');
      expect(r.events.filter((e) => e.type === 'resync').length).toBeGreaterThanOrEqual(5);
      const heaters = r.readings.map((x) => x.heater);
      heaters.forEach((level, i) => {
        expect(level).toBeGreaterThanOrEqual(heaters[i - 1] ?? 0);
      });
      expect(steps(r.sent, 'heater', 1)).toHaveLength(8);
      expect(Math.max(...heaters)).toBe(8);
      await r.stop();
    },
  );

  it('rides out a stall and finishes the step sequence afterwards', async () => {
    const r = await rig(roasting);
    const pending = r.driver.setLevel('fan', 9, r.clock.now() + 60_000);
    await r.clock.advance(600);
    r.device.faults.stall(3000);
    const outcome = await settled(r.clock, pending, 60_000);
    expect(outcome.outcome).toBe('succeeded');
    expect(r.events.filter((e) => e.type === 'transfer-failed').length).toBeGreaterThanOrEqual(2);
    expect(r.events.some((e) => e.type === 'resync')).toBe(true);
    expect(Math.max(...r.readings.map((x) => x.fan))).toBe(9);
    expect(r.device.roaster.levels.fan).toBe(9);
    await r.stop();
  });

  it('skips the odd block the R1 sends outside a roast without resyncing', async () => {
    const r = await rig();
    await r.clock.advance(31_000);
    const cycles = r.events.filter((e) => e.type === 'cycle');
    expect(cycles.filter((e) => e.type === 'cycle' && !e.trusted).length).toBeGreaterThanOrEqual(2);
    expect(r.events.some((e) => e.type === 'resync')).toBe(false);
    await r.stop();
  });

  it('presses PRS from the expected state and sees the new state', async () => {
    const r = await rig();
    const outcome = await settled(r.clock, r.driver.press('off', r.clock.now() + 10_000), 60_000);
    expect(outcome).toEqual({ outcome: 'succeeded', message: 'off → preheating' });
    expect(r.device.roaster.state).toBe('preheating');
    await r.stop();
  });

  it('refuses a press from the wrong state without pressing', async () => {
    const r = await rig();
    const outcome = await settled(r.clock, r.driver.press('roasting', r.clock.now() + 10_000), 60_000);
    expect(outcome).toEqual({ outcome: 'refused', message: 'the roaster is off, not roasting' });
    expect(r.sent.filter((s) => s.command.kind === 'prs')).toHaveLength(0);
    expect(r.device.roaster.state).toBe('off');
    await r.stop();
  });

  it('fails a press whose new state does not show within 2 s, and never presses again', async () => {
    const r = await rig();
    // The roaster stops answering just as the press goes out: the write times out and nothing changes.
    r.driver.events.subscribe((e) => {
      if (e.type === 'sent' && e.command.kind === 'prs') r.device.faults.stall(2500);
    });
    const outcome = await settled(r.clock, r.driver.press('off', r.clock.now() + 10_000), 60_000);
    expect(outcome.outcome).toBe('failed');
    expect(outcome.message).toMatch(/no preheating within 2 s; not pressed again/);
    await r.clock.advance(5000);
    expect(r.sent.filter((s) => s.command.kind === 'prs')).toHaveLength(1);
    expect(r.device.roaster.state).toBe('off');
    await r.stop();
  });

  it('ends a target the roaster does not take after three steps, saying why, well before its deadline', async () => {
    // In cooling the R1 ignores heater steps.
    const r = await rig({ roaster: { start: 'roasting' } });
    await settled(r.clock, r.driver.press('roasting', r.clock.now() + 5000), 60_000);
    const asked = r.clock.now();
    const outcome = await settled(r.clock, r.driver.setLevel('heater', 5, asked + 30_000), 60_000);
    expect(outcome).toEqual({
      outcome: 'failed',
      message: expect.stringMatching(
        /^heater did not move: 3 steps over [23]\.\d s left it at 0, not 5, while the roaster is cooling$/,
      ),
    });
    expect(r.clock.now() - asked).toBeLessThan(4000);
    expect(steps(r.sent, 'heater', 1)).toHaveLength(3);
    await r.stop();
  });

  it('fails a target not reached by its deadline', async () => {
    const r = await rig(roasting);
    const outcome = await settled(r.clock, r.driver.setLevel('heater', 9, r.clock.now() + 500), 60_000);
    expect(outcome).toEqual({
      outcome: 'failed',
      message: expect.stringMatching(/^heater not at 9 by the deadline \(at [1-8]\)$/),
    });
    await r.stop();
  });

  it('ends a target with no valid block to judge it by after 5 s', async () => {
    const r = await rig(roasting);
    r.device.faults.stall(8000);
    const asked = r.clock.now();
    const outcome = await settled(r.clock, r.driver.setLevel('fan', 6, asked + 30_000), 60_000);
    expect(outcome).toEqual({
      outcome: 'failed',
      message: expect.stringMatching(
        /^no valid status block from the roaster for [5-7]\.\d s: fan left at 1, not 6$/,
      ),
    });
    expect(r.clock.now() - asked).toBeLessThan(8000);
    await r.stop();
  });

  it('goes safe at once: heater-down steps back to back, nothing queued behind, heater 0 and fan up held', async () => {
    const r = await rig(roasting);
    const ramp = r.driver.setLevel('heater', 9, r.clock.now() + 60_000);
    await r.clock.until(() => r.device.roaster.levels.heater >= 5, 30_000, 10);
    const stopAt = r.clock.now();
    const safe = r.driver.enterSafeState(10);
    await r.clock.advance(1);
    await safe;
    expect(await ramp).toEqual({ outcome: 'aborted', message: 'pre-empted by the safe state' });
    const after = r.device.received.filter((c) => c.at >= stopAt);
    const level = r.readings.at(-1)!.heater;
    // The first commands after the stop are heater-down steps with no status request between them.
    const leading = after.slice(0, level).map((c) => c.command);
    expect(leading).toEqual(Array(level).fill({ kind: 'heater', step: -1 }));
    await r.clock.advance(3000);
    expect(r.device.roaster.levels.heater).toBe(0);
    expect(steps(r.sent, 'heater', 1).every((s) => s.at <= stopAt)).toBe(true);
    expect(r.device.roaster.levels.fan).toBe(10);
    expect((await r.driver.setLevel('heater', 3, r.clock.now() + 1000)).outcome).toBe('refused');
    // A heater turned up on the panel while holding is stepped back down.
    r.device.roaster.accept({ kind: 'heater', step: 1 });
    await r.clock.advance(2000);
    expect(r.device.roaster.levels.heater).toBe(0);
    await r.stop();
  });

  it('stamps readings on the device’s time base, and on the agent’s clock for liveness', async () => {
    const r = await rig({ timeScale: 20 });
    await r.clock.advance(2000);
    const [first] = r.readings;
    for (const reading of r.readings) {
      expect(reading.deviceAt - first!.deviceAt).toBe((reading.at - first!.at) * 20);
    }
    const change = r.events.find((e) => e.type === 'state');
    expect(change).toMatchObject({ at: first!.at, deviceAt: first!.deviceAt });
    await r.stop();
  });

  it('never stamps behind the previous connection’s last reading, and leaves a device ahead of it alone', async () => {
    const origin = Date.UTC(2026, 0, 1);
    const clock = new VirtualClock(origin);
    const device = new SimulatedR1(clock, { timeScale: 20 });
    const stamps = async (deviceTimeFrom: number): Promise<Reading[]> => {
      const driver = new R1Driver({ device, clock, deviceTimeFrom });
      const readings: Reading[] = [];
      driver.events.subscribe((e) => {
        if (e.type === 'reading') readings.push(e.reading);
      });
      await settled(clock, driver.connect(), 1000);
      const running = driver.run();
      await clock.advance(500);
      driver.stop();
      await settled(clock, running, 2000);
      await driver.close();
      return readings;
    };
    // The same device picked up again: its time went on meanwhile, past the previous end; it is not moved.
    const same = await stamps(device.timeBase.now() - 60_000);
    expect(same.length).toBeGreaterThan(0);
    for (const x of same) expect(x.deviceAt - origin).toBe((x.at - origin) * 20);
    // A device whose time base is behind the previous end is moved forward, so time goes on from there.
    const end = device.timeBase.now() + 3_600_000;
    const moved = await stamps(end);
    expect(moved[0]!.deviceAt).toBeGreaterThanOrEqual(end);
    expect(moved[0]!.deviceAt - end).toBeLessThan(20 * 200);
    for (const x of moved) expect(x.deviceAt - moved[0]!.deviceAt).toBe((x.at - moved[0]!.at) * 20);
  });
});
