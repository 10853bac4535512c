import { VirtualClock } from '@roast-operator/clock';
import type { R1StateName } from '@roast-operator/r1';
import { layeredBulletR1Params } from '@roast-operator/thermal';
import { describe, expect, it } from 'vitest';
import { SimRoaster, type SimStart } from './roaster.ts';

async function after(clock: VirtualClock, roaster: SimRoaster, ms: number): Promise<SimRoaster> {
  await clock.advance(ms);
  return roaster;
}

describe('SimRoaster', () => {
  it.each<[SimStart, number, R1StateName]>([
    ['off', 1, 'preheating'],
    ['off', 2, 'charge'],
    ['charge', 1, 'roasting'],
    ['charge', 2, 'cooling'],
    ['charge', 3, 'shutdown'],
    ['roasting', 1, 'cooling'],
    ['roasting', 3, 'shutdown'],
  ])('from %s, %i PRS presses lead to %s', async (start, presses, state) => {
    const clock = new VirtualClock();
    const roaster = new SimRoaster(clock, { start });
    for (let i = 0; i < presses; i++) {
      roaster.accept({ kind: 'prs' });
      await clock.advance(1000);
    }
    expect(roaster.state).toBe(state);
  });

  it('ends a shutdown by itself, and a press in shutdown does nothing', async () => {
    const clock = new VirtualClock();
    const roaster = new SimRoaster(clock, { start: 'roasting', shutdownSeconds: 60 });
    roaster.accept({ kind: 'prs' });
    roaster.accept({ kind: 'prs' });
    await clock.advance(1000);
    expect(roaster.state).toBe('shutdown');
    roaster.accept({ kind: 'prs' });
    await clock.advance(58_000);
    expect(roaster.state).toBe('shutdown');
    await clock.advance(2000);
    expect(roaster.state).toBe('off');
  });

  it('preheats to the panel setpoint by itself, then holds it while waiting for the charge', async () => {
    const clock = new VirtualClock();
    const roaster = new SimRoaster(clock, { preheatC: 230 });
    roaster.accept({ kind: 'prs' });
    await clock.until(() => roaster.state === 'charge', 30 * 60_000, 1000);
    expect(roaster.status2().preheatSetpoint).toBe(230);
    const drum: number[] = [];
    for (let i = 0; i < 300; i++) drum.push((await after(clock, roaster, 1000)).readings().drum);
    // The fast channel's noise is 0.2 °C; the drum itself stays within a few hundredths of the setpoint.
    expect(Math.min(...drum)).toBeGreaterThan(229);
    expect(Math.max(...drum)).toBeLessThan(231);
  });

  it('acts on a command after its delay, one step per command, within the R1 ranges', async () => {
    const clock = new VirtualClock();
    const roaster = new SimRoaster(clock, {
      start: 'roasting',
      commandDelayMs: 150,
      levels: { heater: 8, fan: 1, drum: 5 },
    });
    roaster.accept({ kind: 'heater', step: 1 });
    roaster.accept({ kind: 'fan', step: -1 });
    roaster.accept({ kind: 'drum', level: 12 });
    await clock.advance(100);
    expect(roaster.levels).toEqual({ heater: 8, fan: 1, drum: 5 });
    await clock.advance(100);
    expect(roaster.levels).toEqual({ heater: 9, fan: 1, drum: 5 });
    roaster.accept({ kind: 'heater', step: 1 });
    roaster.accept({ kind: 'drum', level: 9 });
    await clock.advance(200);
    expect(roaster.levels).toEqual({ heater: 9, fan: 1, drum: 9 });
  });

  it('runs no heater in cooling and cools with the fan at full speed', async () => {
    const clock = new VirtualClock();
    const roaster = new SimRoaster(clock, { start: 'roasting', levels: { heater: 6, fan: 3, drum: 9 } });
    roaster.accept({ kind: 'prs' });
    await clock.advance(1000);
    roaster.accept({ kind: 'heater', step: 1 });
    await clock.advance(1000);
    expect(roaster.levels).toEqual({ heater: 0, fan: 12, drum: 9 });
  });

  it('gives the same roast for the same seed and commands, and another for another seed', async () => {
    const run = async (seed: number) => {
      const clock = new VirtualClock();
      const roaster = new SimRoaster(clock, {
        seed,
        start: 'charge',
        levels: { heater: 7, fan: 1, drum: 9 },
      });
      roaster.accept({ kind: 'prs' });
      const log: number[] = [];
      for (let i = 0; i < 120; i++) log.push((await after(clock, roaster, 1000)).status1().dt);
      return log;
    };
    expect(await run(7)).toEqual(await run(7));
    expect(await run(7)).not.toEqual(await run(8));
  });

  it('runs the layered bean/drum plant when told: preheats, turns after charge, reaches first crack', async () => {
    const clock = new VirtualClock();
    const roaster = new SimRoaster(clock, {
      start: 'off',
      levels: { heater: 7, fan: 2, drum: 9 },
      plant: { kind: 'layered', params: layeredBulletR1Params },
    });
    roaster.accept({ kind: 'prs' });
    for (let s = 0; s < 1800 && roaster.state !== 'charge'; s++) await clock.advance(1000);
    expect(roaster.state).toBe('charge');
    expect(roaster.readings().drum).toBeCloseTo(239, 0);
    roaster.accept({ kind: 'prs' });
    const ibts: number[] = [];
    for (let s = 0; s < 540; s++) ibts.push((await after(clock, roaster, 1000)).status1().dt);
    const lowest = Math.min(...ibts.slice(0, 180));
    expect(ibts.indexOf(lowest)).toBeGreaterThan(30);
    expect(ibts.indexOf(lowest)).toBeLessThan(120);
    expect(ibts.findIndex((v) => v >= 186)).toBeGreaterThan(240);
    expect(ibts.findIndex((v) => v >= 186)).toBeLessThan(540);
  });

  it('reports what an overridden sensor says until the override is cleared', async () => {
    const clock = new VirtualClock();
    const roaster = new SimRoaster(clock, { start: 'charge' });
    roaster.overrideSensor('ibts', -1);
    expect(roaster.status1().dt).toBe(-1);
    roaster.overrideSensor('ibts', undefined);
    expect(roaster.status1().dt).toBeGreaterThan(100);
  });
});
