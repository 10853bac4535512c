import type { R1StateName } from '@roast-operator/r1';
import { describe, expect, it } from 'vitest';
import type { Reading } from '../driver/reading.ts';
import { defaultSafetyConfig } from './config.ts';
import { InterlockWatch } from './watch.ts';

const block = (at: number, state: R1StateName, over: Partial<Reading> = {}): Reading => ({
  seq: at,
  at,
  deviceAt: at,
  bt: 180,
  btRor: 0,
  ibts: 170,
  exhaust: 150,
  heater: 5,
  fan: 3,
  drum: 5,
  stateCode: 6,
  state,
  preheatSetpoint: 0,
  roasterClockSeconds: 0,
  ...over,
});

const causes = (watch: InterlockWatch, now: number) =>
  watch.evaluate(now, new Set(), defaultSafetyConfig).map((c) => c.cause);

describe('InterlockWatch', () => {
  it('finds nothing before a roaster is watched, then staleness from the first connection', () => {
    const watch = new InterlockWatch(30, 0);
    watch.linkUp();
    expect(causes(watch, 60_000)).toEqual([]);
    watch.watchFrom(60_000);
    watch.watchFrom(70_000);
    expect(causes(watch, 64_000)).toEqual([]);
    expect(causes(watch, 65_000)).toEqual(['stale-readings']);
  });

  it('counts link loss from the start until the first link up, and from the first of several downs', () => {
    const watch = new InterlockWatch(30, 0);
    watch.watchFrom(0);
    watch.observe(block(59_000, 'roasting'), true);
    expect(causes(watch, 60_000)).toEqual(['link-lost']);
    watch.linkUp();
    expect(watch.linkIsUp).toBe(true);
    expect(watch.linkDown(100_000)).toBe(true);
    expect(watch.linkDown(150_000)).toBe(false);
    watch.observe(block(159_000, 'roasting'), true);
    expect(causes(watch, 160_000)).toEqual(['link-lost']);
  });

  it('flags a roast found at start without a session until it ends, and only the first block counts', () => {
    const watch = new InterlockWatch(30, 0);
    watch.linkUp();
    watch.watchFrom(0);
    watch.observe(block(100, 'roasting'), false);
    expect(causes(watch, 200)).toEqual(['found-roasting']);
    watch.observe(block(300, 'cooling'), false);
    expect(causes(watch, 400)).toEqual([]);
    watch.observe(block(500, 'roasting'), false);
    expect(causes(watch, 600)).toEqual([]);
  });

  it('says why a reading is not believable, and keeps the last believable one for the ceilings', () => {
    const watch = new InterlockWatch(30, 0);
    watch.linkUp();
    watch.watchFrom(0);
    expect(watch.observe(block(100, 'roasting'), true)).toBeUndefined();
    expect(watch.observe(block(200, 'roasting', { bt: -1 }), true)).toMatch(/bt/);
    expect(watch.heating).toBe(true);
    expect(causes(watch, 5_100)).toEqual(['implausible-readings']);
  });
});
