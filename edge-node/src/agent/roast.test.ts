import { realismFigures as figures, medianSchedule } from '@roast-operator/thermal';
import { describe, expect, it } from 'vitest';
import { sample } from '../link/convert.ts';
import { defaultSafetyConfig } from '../safety/config.ts';
import {
  advanceDeviceTo,
  roastThrough,
  type SimulatedEdge,
  simulatedEdge,
  steepestRise,
} from '../testing/simulated-edge.ts';

// A whole roast through the link API and the shared driver, the way the gateway will run one: preheat,
// charge, the median schedule's setpoint changes, drop, cool, shutdown. While the beans roast the
// simulated R1 misbehaves every 15 s — a reply 1.5 s late, then a 2.5 s stall — as a flaky USB link does.

describe('a whole roast on the simulated R1', () => {
  it('runs preheat → charge → setpoints → drop → cool and survives late replies and stalls', {
    timeout: 30_000,
  }, async () => {
    const edge = await simulatedEdge({ device: { roaster: { seed: 5 } } });
    const { clock, device } = edge;
    let injected = 0;
    const inject = () => {
      const seconds = device.roaster.roastSeconds;
      if (device.roaster.state === 'roasting' && seconds !== undefined && seconds > 10 && seconds < 590) {
        if (injected++ % 2 === 0) device.faults.lateReplies(1, 1500);
        else device.faults.stall(2500);
      }
      clock.setTimer(inject, 15_000);
    };
    inject();

    const log = await roastThrough(edge, { schedule: medianSchedule, seconds: 600 });
    expect(log.results.every((r) => r.outcome === 'succeeded')).toBe(true);
    expect(log.results).toHaveLength(2 + 3 + 7);
    expect(injected).toBeGreaterThanOrEqual(35);

    const drop = await edge.command({ kind: 'press', fromState: 'roasting', deadline: clock.now() + 10_000 });
    expect(drop.outcome).toBe('succeeded');
    await clock.advance(90_000);
    const cool = await edge.command({ kind: 'press', fromState: 'cooling', deadline: clock.now() + 10_000 });
    expect(cool.outcome).toBe('succeeded');
    await edge.until(() => edge.latest().state === 'off', 5 * 60_000);

    const states = edge.events.flatMap((e) => (e.type === 'state' ? [e.to] : []));
    expect(states).toEqual(['off', 'preheating', 'charge', 'roasting', 'cooling', 'shutdown', 'off']);
    expect(edge.agent.latches()).toEqual([]);
    // The faults cost readings but never 5 s of them, and every reading is numbered once, in order.
    const gaps = edge.readings.slice(1).map((r, i) => r.at - edge.readings[i]!.at);
    expect(Math.max(...gaps)).toBeGreaterThan(2500);
    expect(Math.max(...gaps)).toBeLessThan(5000);
    expect(edge.readings.every((r, i) => i === 0 || r.seq === edge.readings[i - 1]!.seq + 1)).toBe(true);
    expect(edge.readings.filter((r) => r.issue !== undefined).map((r) => [r.state, r.issue])).toEqual([]);
    // A real-time roaster: its time base is the agent's clock.
    expect(edge.readings.every((r) => r.deviceAt === r.at)).toBe(true);
    // The roast itself still reaches first crack on time.
    const fc = figures(log.ibts).fcSeconds;
    expect(fc).toBeGreaterThanOrEqual(375);
    expect(fc).toBeLessThanOrEqual(465);
    await edge.stop();
  });
});

const firstIn = (edge: SimulatedEdge, state: string) => edge.readings.find((r) => r.state === state)!;

describe('a whole roast on a simulated R1 twenty times faster than real time', () => {
  it('runs from off to off with no interlock, its telemetry on the roaster’s time', {
    timeout: 60_000,
  }, async () => {
    const edge = await simulatedEdge({ device: { timeScale: 20, roaster: { seed: 5 } } });
    const { clock } = edge;
    const log = await roastThrough(edge, { schedule: medianSchedule, seconds: 600 });
    expect(log.results.every((r) => r.outcome === 'succeeded')).toBe(true);
    const drop = await edge.command({ kind: 'press', fromState: 'roasting', deadline: clock.now() + 10_000 });
    expect(drop.outcome).toBe('succeeded');
    await advanceDeviceTo(edge, edge.device.timeBase.now() + 90_000);
    const cool = await edge.command({ kind: 'press', fromState: 'cooling', deadline: clock.now() + 10_000 });
    expect(cool.outcome).toBe('succeeded');
    await edge.until(() => edge.latest().state === 'off', 60_000);

    const states = edge.events.flatMap((e) => (e.type === 'state' ? [e.to] : []));
    expect(states).toEqual(['off', 'preheating', 'charge', 'roasting', 'cooling', 'shutdown', 'off']);
    expect(edge.agent.latches()).toEqual([]);
    expect(edge.readings.filter((r) => r.issue !== undefined).map((r) => [r.state, r.issue])).toEqual([]);

    // Telemetry: charge to drop is the ten roasted minutes (the drop is pressed just after the log's
    // 600th second), though the agent's clock saw half a minute of them.
    const samples = edge.readings.map(sample);
    expect(samples.every((s, i) => i === 0 || s.timeMs > samples[i - 1]!.timeMs)).toBe(true);
    const [charged, dropped] = [firstIn(edge, 'roasting'), firstIn(edge, 'cooling')];
    const sampleSeconds = (sample(dropped).timeMs - sample(charged).timeMs) / 1000;
    expect(sampleSeconds).toBeGreaterThanOrEqual(600);
    expect(sampleSeconds).toBeLessThan(615);
    expect((dropped.at - charged.at) / 1000).toBeCloseTo(sampleSeconds / 20, 0);
    expect(figures(log.ibts).fcSeconds).toBeGreaterThanOrEqual(375);
    expect(figures(log.ibts).fcSeconds).toBeLessThanOrEqual(465);

    // What the alarm fits on the roaster's time stays under its limit; on the agent's clock the same
    // readings would have tripped it.
    const { maxCPerMin } = defaultSafetyConfig.riseRate;
    expect(steepestRise(edge.readings, (r) => r.deviceAt)).toBeLessThan(maxCPerMin);
    expect(steepestRise(edge.readings, (r) => r.at)).toBeGreaterThan(maxCPerMin * 5);
    await edge.stop();
  });
});
