import { realismFigures as figures, medianSchedule } from '@roast-operator/thermal';
import { describe, expect, it } from 'vitest';
import { roastThrough, simulatedEdge } from '../sim/harness.ts';

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
    // The roast itself still reaches first crack on time.
    const fc = figures(log.ibts).fcSeconds;
    expect(fc).toBeGreaterThanOrEqual(375);
    expect(fc).toBeLessThanOrEqual(465);
    await edge.stop();
  });
});
