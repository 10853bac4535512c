import {
  type ScheduleChange as Change,
  type Figures,
  fan8From4Min,
  realismFigures as figures,
  medianSchedule,
} from '@roast-operator/thermal';
import { beforeAll, describe, expect, it } from 'vitest';
import { roastThrough, simulatedEdge } from '../testing/simulated-edge.ts';
import type { SimRoasterOptions } from './roaster.ts';

// Realism asserted through the whole edge: the simulated R1 preheats from off, the driver polls its bytes
// at 10 Hz, and every press and level change goes through the link API — so the figures are what the
// gateway would see. The measures are the thermal model's own (figures.ts): a 1 Hz IBTS log smoothed by a
// centred 5 s moving mean. Targets: public Bullet R1 IBTS 400 g roasts (roast-physics §2.4, §4.3) and the
// directions of §4.5.

type Case = { readonly roaster?: Partial<SimRoasterOptions>; readonly schedule?: readonly Change[] };

async function roast(seed: number, { roaster, schedule }: Case = {}): Promise<Figures> {
  const edge = await simulatedEdge({ device: { roaster: { seed, ...roaster } } });
  const log = await roastThrough(edge, { schedule: schedule ?? medianSchedule, seconds: 600 });
  await edge.stop();
  return figures(log.ibts);
}

const seeds = [1, 2, 3];
const base = new Map<number, Figures>();

beforeAll(async () => {
  for (const seed of seeds) base.set(seed, await roast(seed));
}, 120_000);

describe.each(seeds)('400 g on the median schedule through the driver, seed %i', (seed) => {
  it('turns at 60 ± 15 s and 97 ± 8 °C', () => {
    const f = base.get(seed)!;
    expect(f.tpSeconds).toBeGreaterThanOrEqual(45);
    expect(f.tpSeconds).toBeLessThanOrEqual(75);
    expect(f.tpC).toBeGreaterThanOrEqual(89);
    expect(f.tpC).toBeLessThanOrEqual(105);
  });

  it('peaks at 22 ± 4 °C/min between 2.5 and 3.5 min, then declines minute by minute', () => {
    const f = base.get(seed)!;
    expect(f.rorPeak).toBeGreaterThanOrEqual(18);
    expect(f.rorPeak).toBeLessThanOrEqual(26);
    expect(f.rorPeakSeconds).toBeGreaterThanOrEqual(150);
    expect(f.rorPeakSeconds).toBeLessThanOrEqual(210);
    const [, ...afterPeak] = f.rorByMinute;
    expect(afterPeak[0]).toBeLessThan(f.rorPeak);
    afterPeak.slice(1).forEach((ror, i) => {
      expect(ror).toBeLessThan(afterPeak[i]!);
    });
  });

  it('reaches first crack (186 °C on IBTS) at 420 ± 45 s', () => {
    const fc = base.get(seed)!.fcSeconds;
    expect(fc).toBeGreaterThanOrEqual(375);
    expect(fc).toBeLessThanOrEqual(465);
  });
});

describe.each(seeds)('directions of roast-physics §4.5 through the driver, seed %i', (seed) => {
  it('200 g reaches first crack at least 60 s before 400 g', { timeout: 60_000 }, async () => {
    const fc = (await roast(seed, { roaster: { batchGrams: 200 } })).fcSeconds;
    expect(fc).toBeDefined();
    expect(base.get(seed)!.fcSeconds! - fc!).toBeGreaterThanOrEqual(60);
  });

  it('a 220 °C preheat reaches first crack at least 60 s after 239 °C', { timeout: 60_000 }, async () => {
    const fc = (await roast(seed, { roaster: { preheatC: 220 } })).fcSeconds;
    expect(fc).toBeDefined();
    expect(fc! - base.get(seed)!.fcSeconds!).toBeGreaterThanOrEqual(60);
  });

  it('fan 8 from 4:00 gives no first crack within 10 min', { timeout: 60_000 }, async () => {
    expect((await roast(seed, { schedule: fan8From4Min })).fcSeconds).toBeUndefined();
  });
});
