import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { VirtualClock } from '@roast-operator/clock';
import { describe, expect, it } from 'vitest';
import { defaultSafetyConfig, type SafetyConfig, safetyConfig } from '../safety/config.ts';
import type { InterlockCause } from '../safety/interlocks.ts';
import {
  type SimulatedEdge,
  type SimulatedEdgeOptions,
  settled,
  simulatedEdge,
} from '../testing/simulated-edge.ts';
import { EdgeStore } from './store.ts';

// The edge's local safety, exercised on the simulated R1 through the link API. Nothing upstream (governor,
// operator) is involved: these rules hold whatever sends the commands.

const deadline = (edge: SimulatedEdge, seconds = 30) => edge.clock.now() + seconds * 1000;

/** A roaster charged a moment ago with heater 6, fan 2, drum 9, working for a known session, link up. */
async function roasting(options: SimulatedEdgeOptions = {}): Promise<SimulatedEdge> {
  const edge = await simulatedEdge({
    session: 'batch-1',
    ...options,
    device: {
      ...options.device,
      roaster: { start: 'roasting', levels: { heater: 6, fan: 2, drum: 9 }, ...options.device?.roaster },
    },
  });
  edge.agent.linkUp();
  return edge;
}

const levelCommands = (edge: SimulatedEdge) =>
  edge.device.received.filter((c) => c.command.kind === 'heater' || c.command.kind === 'fan');

async function safeAndLatched(edge: SimulatedEdge, cause: InterlockCause | 'emergency-stop' | 'pre-stop') {
  await edge.until(
    () => edge.device.roaster.levels.heater === 0 && edge.device.roaster.levels.fan === 12,
    10_000,
  );
  expect(edge.agent.latches().map((l) => l.cause)).toContain(cause);
}

describe('limits', () => {
  it('refuses an out-of-limit target whatever sent it, and writes nothing', async () => {
    const edge = await roasting({ safety: safetyConfig({ heater: { min: 0, max: 7 } }) });
    const refused = [
      await edge.command({ kind: 'set', control: 'heater', target: 10, deadline: deadline(edge) }),
      await edge.command({ kind: 'set', control: 'heater', target: 8, deadline: deadline(edge) }),
      await edge.command({ kind: 'set', control: 'fan', target: 0, deadline: deadline(edge) }),
      await edge.command({ kind: 'set', control: 'drum', target: 3.5, deadline: deadline(edge) }),
    ];
    expect(refused.map((r) => [r.outcome, r.message])).toEqual([
      ['refused', 'heater target 10 is outside the limits 0–7'],
      ['refused', 'heater target 8 is outside the limits 0–7'],
      ['refused', 'fan target 0 is outside the limits 1–12'],
      ['refused', 'drum target 3.5 is not a whole level'],
    ]);
    expect(edge.agent.updateLimits({ heater: { min: 0, max: 5 } }).ok).toBe(true);
    const tightened = await edge.command({
      kind: 'set',
      control: 'heater',
      target: 6,
      deadline: deadline(edge),
    });
    expect(tightened.message).toBe('heater target 6 is outside the limits 0–5');
    expect(levelCommands(edge)).toEqual([]);
    expect(
      (await edge.command({ kind: 'set', control: 'heater', target: 5, deadline: deadline(edge) })).outcome,
    ).toBe('succeeded');
    await edge.stop();
  });

  it('stops a target in progress that newly pushed limits forbid', async () => {
    const edge = await roasting({ device: { roaster: { levels: { heater: 2, fan: 2, drum: 9 } } } });
    const ramp = edge.submit({ kind: 'set', control: 'heater', target: 9, deadline: deadline(edge) });
    await edge.until(() => edge.device.roaster.levels.heater === 4, 10_000);
    edge.agent.updateLimits({ heater: { min: 0, max: 6 } });
    expect(await settled(edge.clock, ramp, 5000)).toMatchObject({
      outcome: 'aborted',
      message: 'the limits changed: heater target 9 is outside the limits 0–6',
    });
    await edge.clock.advance(3000);
    expect(edge.device.roaster.levels.heater).toBeLessThanOrEqual(5);
    await edge.stop();
  });

  it('cannot be loosened by a pushed limit: the local ceiling still trips', async () => {
    const local = safetyConfig({ ceilingsC: { roasting: 200 } });
    const edge = await roasting({
      safety: local,
      device: { roaster: { levels: { heater: 9, fan: 1, drum: 9 } } },
    });
    const update = edge.agent.updateLimits({
      temperatureCeilingsCelsius: { roasting: 250 },
      heater: { min: 0, max: 9 },
    });
    expect(update).toMatchObject({
      ok: true,
      ignored: ['roasting ceiling 250 °C is above the local 200 °C'],
    });
    expect(edge.agent.hello().limits.ceilingsC.roasting).toBe(200);
    await edge.until(() => edge.agent.latches().length > 0, 15 * 60_000);
    const hottest = Math.max(...edge.readings.map((r) => Math.max(r.bt, r.ibts)));
    expect(hottest).toBeGreaterThan(200);
    expect(hottest).toBeLessThan(205);
    await safeAndLatched(edge, 'over-temperature');
    await edge.stop();
  });
});

describe('interlocks', () => {
  it.each<[string, SafetyConfig, InterlockCause]>([
    [
      'max(BT, IBTS) above the state ceiling',
      safetyConfig({ ceilingsC: { roasting: 190 } }),
      'over-temperature',
    ],
    ['exhaust above its ceiling', safetyConfig({ exhaustCeilingC: 160 }), 'exhaust-over-temperature'],
    ['rising too fast', safetyConfig({ riseRate: { maxCPerMin: 15, aboveC: 120 } }), 'rise-rate'],
  ])('%s: safe state and a latch', async (_, safety, cause) => {
    const edge = await roasting({ safety, device: { roaster: { levels: { heater: 9, fan: 1, drum: 9 } } } });
    await edge.until(() => edge.agent.latches().length > 0, 15 * 60_000);
    expect(edge.agent.latches()).toEqual([expect.objectContaining({ cause })]);
    await safeAndLatched(edge, cause);
    await edge.stop();
  });

  // At time scale 20 a tenth of a second of the agent's clock is two seconds of the roaster's: the alarm must
  // judge the roaster's rate, which a real-time stamp would multiply by 20.
  it.each<[number, number, InterlockCause[]]>([
    [100, 90, ['rise-rate']],
    [10, 540, []],
  ])(
    'at time scale 20, a bean sensor rising %i °C/min of roaster time for %i s latches %j',
    async (perMinute, seconds, causes) => {
      const edge = await roasting({ device: { timeScale: 20 } });
      const { device } = edge;
      const from = device.timeBase.now();
      // A scripted sensor: from 155 °C, rising steadily in the roaster's time.
      while (device.timeBase.now() - from < seconds * 1000 && edge.agent.latches().length === 0) {
        device.roaster.overrideSensor('ibts', 155 + ((device.timeBase.now() - from) / 60_000) * perMinute);
        await edge.clock.advance(100);
      }
      expect(edge.agent.latches().map((l) => l.cause)).toEqual(causes);
      if (causes.length === 0) {
        // Long enough on the agent's clock for the alarm's window, far above where it watches.
        expect(edge.clock.now() - edge.readings[0]!.at).toBeGreaterThan(25_000);
        expect(Math.max(...edge.readings.map((r) => r.ibts))).toBeGreaterThan(240);
      } else {
        // Within the alarm's 30 s window of roaster time, not after the sensor had risen far.
        expect(device.timeBase.now() - from).toBeLessThan(35_000);
        await safeAndLatched(edge, 'rise-rate');
      }
      await edge.stop();
    },
  );

  it('goes safe on stale data: no valid block for 5 s while heating', async () => {
    const edge = await roasting();
    const stalledAt = edge.clock.now();
    edge.device.faults.stall(8000);
    await edge.until(() => edge.agent.latches().length > 0, 10_000);
    expect(edge.clock.now() - stalledAt).toBeGreaterThanOrEqual(5000);
    expect(edge.clock.now() - stalledAt).toBeLessThan(6500);
    expect(edge.agent.latches()).toEqual([expect.objectContaining({ cause: 'stale-readings' })]);
    await safeAndLatched(edge, 'stale-readings');
    await edge.stop();
  });

  it('goes safe when the readings cannot be believed for 5 s (a dropped-out sensor)', async () => {
    const edge = await roasting();
    edge.device.roaster.overrideSensor('ibts', -1);
    await edge.until(() => edge.agent.latches().length > 0, 10_000);
    expect(edge.agent.latches()).toEqual([
      expect.objectContaining({
        cause: 'implausible-readings',
        detail: expect.stringMatching(/ibts reports no reading/),
      }),
    ]);
    expect(edge.latest().issue).toBe('ibts reports no reading (−1)');
    await safeAndLatched(edge, 'implausible-readings');
    await edge.stop();
  });

  it('holds while the link is silent, then goes safe after the timeout', async () => {
    const edge = await roasting({ safety: { ...defaultSafetyConfig, linkTimeoutSeconds: 60 } });
    const ramp = edge.submit({ kind: 'set', control: 'heater', target: 9, deadline: deadline(edge) });
    await edge.until(() => edge.device.roaster.levels.heater === 7, 10_000);
    edge.agent.linkDown();
    const lostAt = edge.clock.now();
    await edge.clock.advance(1000);
    expect((await ramp).outcome).toBe('aborted');
    const held = edge.device.roaster.levels;
    expect(held.heater).toBe(7);
    const refused = await edge.command({ kind: 'set', control: 'fan', target: 5, deadline: deadline(edge) });
    expect(refused.message).toMatch(/the link is down/);
    await edge.clock.advance(lostAt + 59_000 - edge.clock.now());
    expect(edge.device.roaster.levels).toEqual(held);
    expect(edge.agent.latches()).toEqual([]);
    await edge.clock.advance(1500);
    expect(edge.agent.latches()).toEqual([expect.objectContaining({ cause: 'link-lost' })]);
    await safeAndLatched(edge, 'link-lost');
    const latch = edge.agent.latches()[0]!;
    expect((await edge.command({ kind: 'reset', latchId: latch.id })).outcome).toBe('refused');
    edge.agent.linkUp();
    expect((await edge.command({ kind: 'reset', latchId: latch.id })).outcome).toBe('succeeded');
    await edge.stop();
  });

  it('makes safe a roaster found roasting at start with no session, and not one with a session', async () => {
    const unknown = await simulatedEdge({
      device: { roaster: { start: 'roasting', levels: { heater: 7, fan: 2, drum: 9 } } },
    });
    await safeAndLatched(unknown, 'found-roasting');
    await unknown.stop();
    const known = await roasting();
    await known.clock.advance(10_000);
    expect(known.agent.latches()).toEqual([]);
    expect(known.device.roaster.levels.heater).toBe(6);
    await known.stop();
  });
});

describe('commands', () => {
  it('refuses a PRS press from the wrong state and does not press', async () => {
    const edge = await simulatedEdge();
    edge.agent.linkUp();
    const wrong = await edge.command({ kind: 'press', fromState: 'charge', deadline: deadline(edge) });
    expect(wrong).toMatchObject({ outcome: 'refused', message: 'the roaster is off, not charge' });
    const unknown = await edge.command({ kind: 'press', fromState: 'preheating', deadline: deadline(edge) });
    expect(unknown).toMatchObject({
      outcome: 'refused',
      message: 'the edge does not press PRS from preheating',
    });
    expect(edge.device.received.filter((c) => c.command.kind === 'prs')).toEqual([]);
    expect((await edge.command({ kind: 'press', fromState: 'off', deadline: deadline(edge) })).outcome).toBe(
      'succeeded',
    );
    await edge.stop();
  });

  it('stops at once: heater 0 with nothing queued behind it, latched under the operator’s id', async () => {
    const edge = await roasting({ device: { roaster: { levels: { heater: 0, fan: 2, drum: 9 } } } });
    const ramp = edge.submit({ kind: 'set', control: 'heater', target: 9, deadline: deadline(edge) });
    await edge.until(() => edge.device.roaster.levels.heater === 5, 10_000);
    const stoppedAt = edge.clock.now();
    const stop = await edge.command({ kind: 'emergency-stop', latchId: 'op-7' });
    expect(stop).toMatchObject({
      outcome: 'succeeded',
      message: expect.stringMatching(/^latched op-7: heater 0, fan \d+$/),
    });
    expect(stop.latencyMs).toBeLessThan(1000);
    expect((await ramp).outcome).toBe('aborted');
    const afterStop = edge.device.received.filter((c) => c.at >= stoppedAt);
    expect(afterStop.map((c) => c.command)).not.toContainEqual({ kind: 'heater', step: 1 });
    // At most the cycle already under way finishes first; then the heater-down steps go out back to back.
    const firstDown = afterStop.findIndex((c) => c.command.kind === 'heater');
    expect(afterStop[firstDown]!.at - stoppedAt).toBeLessThan(10);
    const downs = afterStop.slice(firstDown, firstDown + 5);
    expect(downs.map((c) => c.command)).toEqual(Array(5).fill({ kind: 'heater', step: -1 }));
    expect(downs.at(-1)!.at).toBe(downs[0]!.at);
    expect(edge.agent.latches()).toEqual([expect.objectContaining({ id: 'op-7', cause: 'emergency-stop' })]);
    const refused = await edge.command({
      kind: 'set',
      control: 'heater',
      target: 3,
      deadline: deadline(edge),
    });
    expect(refused.message).toBe('latched (op-7: emergency-stop)');
    expect((await edge.command({ kind: 'reset', latchId: 'op-7' })).outcome).toBe('succeeded');
    expect(
      (await edge.command({ kind: 'set', control: 'heater', target: 3, deadline: deadline(edge) })).outcome,
    ).toBe('succeeded');
    await edge.stop();
  });

  it('holds one stop latch however many stops come in a row, and the reset of the newest clears it', async () => {
    const edge = await roasting();
    const results = [];
    for (let i = 1; i <= 34; i++)
      results.push(await edge.command({ kind: 'emergency-stop', latchId: `op-${i}` }));
    expect(results.every((r) => r.outcome === 'succeeded')).toBe(true);
    expect(results.at(-1)!.message).toMatch(/^latched op-34 \(replaces op-33\): heater 0, fan \d+$/);
    expect(edge.agent.hello().latches).toEqual([
      expect.objectContaining({ id: 'op-34', cause: 'emergency-stop' }),
    ]);
    expect(edge.store.latches().map((l) => l.id)).toEqual(['op-34']);
    const older = await edge.command({ kind: 'reset', latchId: 'op-33' });
    expect(older).toMatchObject({
      outcome: 'refused',
      message: 'no latch op-33; latched: op-34 (emergency-stop)',
    });
    const reset = await edge.command({ kind: 'reset', latchId: 'op-34' });
    expect(reset).toMatchObject({ outcome: 'succeeded', message: 'latch op-34 (emergency-stop) cleared' });
    expect(edge.agent.latches()).toEqual([]);
    const set = { kind: 'set', control: 'fan', target: 5, deadline: deadline(edge) } as const;
    expect((await edge.command(set)).outcome).toBe('succeeded');
    await edge.stop();
  });

  it('says a stop while preheating leaves the roaster heating itself, and presses nothing', async () => {
    const edge = await simulatedEdge();
    edge.agent.linkUp();
    expect((await edge.command({ kind: 'press', fromState: 'off', deadline: deadline(edge) })).outcome).toBe(
      'succeeded',
    );
    await edge.clock.advance(30_000);
    const before = edge.latest().bt;
    const stop = await edge.command({ kind: 'emergency-stop', latchId: 'op-1' });
    // The stop did all a stop does, so it succeeded; what it could not do is in its message.
    expect(stop).toMatchObject({
      outcome: 'succeeded',
      message: expect.stringMatching(
        /^latched op-1: heater 0, fan \d+, but the roaster is preheating and still heating: its own thermostat heats toward 239 °C .* Stop the preheat on the roaster itself/,
      ),
    });
    await edge.clock.advance(60_000);
    // What the message says: the R1 heats on by itself, and the edge pressed nothing.
    expect(edge.latest()).toMatchObject({ state: 'preheating', heater: 0 });
    expect(edge.latest().bt).toBeGreaterThan(before + 10);
    expect(edge.device.received.filter((c) => c.command.kind === 'prs')).toHaveLength(1);
    await edge.stop();
  });

  it('clears a latch only when its condition is gone', async () => {
    const edge = await roasting({
      safety: safetyConfig({ ceilingsC: { roasting: 190 } }),
      device: { roaster: { levels: { heater: 9, fan: 1, drum: 9 } } },
    });
    await edge.until(() => edge.agent.latches().length > 0, 15 * 60_000);
    const latch = edge.agent.latches()[0]!;
    const early = await edge.command({ kind: 'reset', latchId: latch.id });
    expect(early).toMatchObject({
      outcome: 'refused',
      message: expect.stringMatching(/the condition is still present/),
    });
    expect(edge.agent.latches()).toHaveLength(1);
    await edge.until(() => Math.max(edge.latest().bt, edge.latest().ibts) <= 189, 10 * 60_000);
    const late = await edge.command({ kind: 'reset', latchId: latch.id });
    expect(late).toMatchObject({
      outcome: 'succeeded',
      message: `latch ${latch.id} (over-temperature) cleared`,
    });
    expect(edge.agent.latches()).toEqual([]);
    expect((await edge.command({ kind: 'reset', latchId: latch.id })).message).toBe(
      `no latch ${latch.id}: nothing is latched`,
    );
    await edge.stop();
  });

  it('answers a repeated UID with the first result and does not run it again', async () => {
    const edge = await roasting();
    const command = {
      uid: 'proposal-1',
      kind: 'set',
      control: 'heater',
      target: 8,
      deadline: deadline(edge),
    } as const;
    const first = edge.agent.submit(command);
    const again = edge.agent.submit(command);
    await edge.until(() => edge.device.roaster.levels.heater === 8, 10_000);
    const [a, b] = await settled(edge.clock, Promise.all([first, again]), 10_000);
    expect(b).toEqual(a);
    const stepsBefore = levelCommands(edge).length;
    expect(await edge.agent.submit({ ...command, target: 2 })).toEqual(a);
    await edge.clock.advance(3000);
    expect(levelCommands(edge)).toHaveLength(stepsBefore);
    expect(stepsBefore).toBe(2);
    await edge.stop();
  });

  it('expires a command that starts after its startBy, never acts on it, and keeps that result', async () => {
    const edge = await roasting();
    const late = {
      uid: 'proposal-2',
      kind: 'set',
      control: 'heater',
      target: 8,
      deadline: deadline(edge),
      startBy: edge.clock.now() - 1,
    } as const;
    expect(edge.agent.result(late.uid)).toBeUndefined();
    const expired = await edge.agent.submit(late);
    expect(expired).toMatchObject({
      outcome: 'expired',
      message: 'not started by its deadline (0.0 s late); never attempted',
    });
    expect(edge.agent.result(late.uid)).toEqual(expired);
    expect(await edge.agent.submit({ ...late, startBy: deadline(edge) })).toEqual(expired);
    await edge.clock.advance(2000);
    expect(levelCommands(edge)).toEqual([]);
    await edge.stop();
  });
});

describe('lifecycle', () => {
  it('takes a heating roaster to the safe state on preStop, and latches', async () => {
    const edge = await roasting();
    const result = await settled(edge.clock, edge.agent.preStop(), 10_000);
    expect(result).toEqual({ safe: true, message: expect.stringMatching(/^heater 0, fan \d+$/) });
    await safeAndLatched(edge, 'pre-stop');
    await edge.stop();
  });

  it('leaves a cold roaster alone on preStop', async () => {
    const edge = await simulatedEdge();
    const result = await settled(edge.clock, edge.agent.preStop(), 10_000);
    expect(result).toEqual({ safe: true, message: 'the roaster is not heating' });
    expect(edge.agent.latches()).toEqual([]);
    await edge.stop();
  });

  it('keeps its latches and first results across a restart, and holds the roaster safe', async () => {
    const before = await roasting();
    const stop = { uid: 'proposal-9', kind: 'emergency-stop', latchId: 'op-9' } as const;
    const first = await settled(before.clock, before.agent.submit(stop), 10_000);
    expect(first.outcome).toBe('succeeded');
    await before.stop();

    const after = await simulatedEdge({
      store: before.store,
      reuseDevice: before.device,
      clock: before.clock,
    });
    after.agent.linkUp();
    expect(after.agent.hello().latches).toEqual([
      expect.objectContaining({ id: 'op-9', cause: 'emergency-stop' }),
    ]);
    expect(await after.agent.submit(stop)).toEqual(first);
    // Someone turns the heater up on the panel: the new agent holds the safe state too.
    const panelAt = after.clock.now();
    after.device.roaster.accept({ kind: 'heater', step: 1 });
    await after.until(() => after.latest().heater === 1, 2000);
    await after.until(() => after.latest().heater === 0, 2000);
    const sent = after.device.received.filter((c) => c.at >= panelAt).map((c) => c.command);
    expect(sent).toContainEqual({ kind: 'heater', step: -1 });
    expect((await after.command({ kind: 'reset', latchId: 'op-9' })).outcome).toBe('succeeded');
    await after.stop();
  });

  it('loads a store with a latch per stop, from an older agent, bounded: the newest stop, and resettable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-latches-'));
    try {
      const old = new DatabaseSync(join(dir, 'edge.sqlite'));
      old.exec(
        'CREATE TABLE latch (id TEXT PRIMARY KEY, cause TEXT NOT NULL, detail TEXT NOT NULL, since INTEGER NOT NULL)',
      );
      const insert = old.prepare('INSERT INTO latch (id, cause, detail, since) VALUES (?, ?, ?, ?)');
      for (let i = 1; i <= 40; i++)
        insert.run(`op-${i}`, 'emergency-stop', `emergency stop p-${i}`, 1000 + i);
      old.close();
      const clock = new VirtualClock();
      const edge = await roasting({ clock, store: EdgeStore.open(dir, clock.now()) });
      expect(edge.agent.hello().latches).toEqual([
        expect.objectContaining({ id: 'op-40', cause: 'emergency-stop' }),
      ]);
      expect(edge.store.latches().map((l) => l.id)).toEqual(['op-40']);
      expect((await edge.command({ kind: 'reset', latchId: 'op-40' })).outcome).toBe('succeeded');
      expect(edge.agent.latches()).toEqual([]);
      await edge.stop();
      edge.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits non-zero in a container when the roaster is unplugged', async () => {
    const edge = await roasting({ inContainer: true });
    edge.device.faults.unplug();
    await edge.until(() => edge.exits.length > 0, 5000);
    expect(edge.exits).toEqual([5]);
    expect(edge.events).toContainEqual(expect.objectContaining({ type: 'device', status: 'lost' }));
  });

  it('reconnects with backoff outside a container, and numbering goes on', async () => {
    const edge = await roasting();
    edge.device.faults.unplug();
    const lastSeq = edge.latest().seq;
    await edge.clock.advance(4000);
    expect(edge.agent.connected).toBe(false);
    edge.device.faults.replug();
    await edge.until(() => edge.agent.connected && edge.latest().seq > lastSeq, 60_000);
    const seqs = edge.readings.map((r) => r.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    const statuses = edge.events.flatMap((e) => (e.type === 'device' ? [e.status] : []));
    expect(statuses[0]).toBe('connected');
    expect(statuses.at(-1)).toBe('connected');
    expect(statuses.filter((s) => s === 'lost').length).toBeGreaterThanOrEqual(2);
    expect(edge.exits).toEqual([]);
    await edge.stop();
  });

  it('keeps device time going on across a reconnect of a time-scaled roaster', async () => {
    const edge = await roasting({ device: { timeScale: 20 } });
    await edge.clock.advance(2000);
    const before = edge.latest();
    edge.device.faults.unplug();
    await edge.clock.advance(4000);
    edge.device.faults.replug();
    await edge.until(() => edge.agent.connected && edge.latest().seq > before.seq, 60_000);
    const after = edge.readings.find((r) => r.seq === before.seq + 1)!;
    // The roaster's physics ran on while it was away: its time advanced 20 times the agent's.
    expect(after.deviceAt - before.deviceAt).toBe((after.at - before.at) * 20);
    const times = edge.readings.map((r) => r.deviceAt);
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
    await edge.stop();
  });

  it('refuses a device that does not match the Roaster model', async () => {
    const edge = await simulatedEdge({ model: 'AillioBulletR1V2', inContainer: true });
    expect(edge.events).toContainEqual(
      expect.objectContaining({
        type: 'device',
        status: 'refused',
        detail: 'model AillioBulletR1V2 needs a usb device, not a simulated one',
      }),
    );
    expect(edge.exits).toEqual([4]);
    expect(edge.device.received).toEqual([]);
  });
});
