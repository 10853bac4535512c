import { describe, expect, it } from 'vitest';
import { defaultSafetyConfig } from './config.ts';
import {
  activeConditions,
  type InterlockCause,
  isHeating,
  type Observation,
  RiseWindow,
  riseRate,
} from './interlocks.ts';

const now = 1_000_000;
const calm: Observation = {
  now,
  state: 'roasting',
  heater: 6,
  trusted: { at: now - 100, deviceAt: now - 100, stateCode: 6, bt: 180, ibts: 170, exhaust: 190 },
  latestIssue: undefined,
  watchingSince: now - 600_000,
  riseCPerMin: 12,
  linkDownSince: undefined,
  roastingWithoutSession: false,
  latched: new Set(),
};

const config = defaultSafetyConfig; // roasting ceiling 260 °C, exhaust 280 °C, rise 40 °C/min above 150 °C

describe('activeConditions', () => {
  it.each<[string, Partial<Observation>, InterlockCause[]]>([
    ['a normal roast', {}, []],
    ['BT above the roasting ceiling', { trusted: { ...calm.trusted!, bt: 261 } }, ['over-temperature']],
    ['IBTS above the roasting ceiling', { trusted: { ...calm.trusted!, ibts: 262 } }, ['over-temperature']],
    ['at the ceiling is fine', { trusted: { ...calm.trusted!, bt: 260 } }, []],
    ['the preheating ceiling is higher', { state: 'preheating', trusted: { ...calm.trusted!, bt: 300 } }, []],
    [
      'an unknown state gets the strictest ceiling',
      { state: undefined, heater: undefined, trusted: { ...calm.trusted!, bt: 261 } },
      ['over-temperature'],
    ],
    [
      'exhaust above its ceiling',
      { trusted: { ...calm.trusted!, exhaust: 281 } },
      ['exhaust-over-temperature'],
    ],
    ['rising too fast above 150 °C', { riseCPerMin: 45 }, ['rise-rate']],
    [
      'rising fast below 150 °C (just after a charge)',
      { riseCPerMin: 60, trusted: { ...calm.trusted!, bt: 120, ibts: 90 } },
      [],
    ],
    ['rising fast with the heater off', { riseCPerMin: 45, heater: 0 }, []],
    [
      'no reading for 5 s while heating',
      { trusted: { ...calm.trusted!, at: now - 5000 } },
      ['stale-readings'],
    ],
    ['no reading for 4.9 s', { trusted: { ...calm.trusted!, at: now - 4900 } }, []],
    // A simulated roaster at time scale 20 is far ahead of the agent: freshness is the agent's to judge.
    [
      'stale on the agent’s clock, fresh on a faster device’s',
      { trusted: { ...calm.trusted!, at: now - 5000, deviceAt: now + 20 * 600_000 } },
      ['stale-readings'],
    ],
    [
      'fresh on the agent’s clock, old on a slower device’s',
      { trusted: { ...calm.trusted!, deviceAt: now - 600_000 } },
      [],
    ],
    ['stale but not heating', { heater: 0, trusted: { ...calm.trusted!, at: now - 60_000 } }, []],
    [
      'stale while preheating, whatever the heater level',
      { state: 'preheating', heater: 0, trusted: { ...calm.trusted!, at: now - 60_000 } },
      ['stale-readings'],
    ],
    [
      'implausible readings only',
      { trusted: { ...calm.trusted!, at: now - 6000 }, latestIssue: 'bt reports no reading (−1)' },
      ['implausible-readings'],
    ],
    [
      'no block yet, 4.9 s after watching began',
      { state: undefined, heater: undefined, trusted: undefined, watchingSince: now - 4900 },
      [],
    ],
    [
      'no block ever, from when watching began',
      { state: undefined, heater: undefined, trusted: undefined, watchingSince: now - 5000 },
      ['stale-readings'],
    ],
    ['link down 59 s', { linkDownSince: now - 59_000 }, []],
    ['link down 60 s while heating', { linkDownSince: now - 60_000 }, ['link-lost']],
    ['link down long with the heater off', { linkDownSince: now - 600_000, heater: 0 }, []],
    ['found roasting without a session', { roastingWithoutSession: true }, ['found-roasting']],
    [
      'a latched link loss lasts while the link is down, heating or not',
      { linkDownSince: now - 600_000, heater: 0, latched: new Set(['link-lost']) },
      ['link-lost'],
    ],
    [
      'latched stale readings last until a reading comes, heating or not',
      { heater: 0, trusted: { ...calm.trusted!, at: now - 60_000 }, latched: new Set(['stale-readings']) },
      ['stale-readings'],
    ],
    [
      'another cause latched does not keep this one',
      { heater: 0, trusted: { ...calm.trusted!, at: now - 60_000 }, latched: new Set(['link-lost']) },
      [],
    ],
    [
      'several at once',
      { trusted: { ...calm.trusted!, bt: 300, exhaust: 300 }, linkDownSince: now - 61_000 },
      ['over-temperature', 'exhaust-over-temperature', 'link-lost'],
    ],
  ])('%s', (_, change, causes) => {
    expect(activeConditions({ ...calm, ...change }, config).map((c) => c.cause)).toEqual(causes);
  });

  it('says what it saw', () => {
    expect(activeConditions({ ...calm, trusted: { ...calm.trusted!, bt: 265.04 } }, config)).toEqual([
      { cause: 'over-temperature', detail: 'max(BT, IBTS) 265.0 °C is above the roasting ceiling 260 °C' },
    ]);
  });
});

describe('isHeating', () => {
  it.each<[Parameters<typeof isHeating>[0], number | undefined, boolean]>([
    ['off', 0, false],
    ['preheating', 0, true],
    ['charge', 0, true],
    ['roasting', 0, false],
    ['roasting', 1, true],
    ['cooling', 0, false],
    [undefined, undefined, true],
  ])('%s at heater %s', (state, heater, heating) => {
    expect(isHeating(state, heater)).toBe(heating);
  });
});

describe('riseRate', () => {
  it.each<[string, { at: number; value: number }[], number | undefined]>([
    ['none', [], undefined],
    ['one point', [{ at: 0, value: 1 }], undefined],
    [
      'one time',
      [
        { at: 0, value: 1 },
        { at: 0, value: 2 },
      ],
      undefined,
    ],
    [
      '10 °C in 30 s',
      [
        { at: 1e12, value: 150 },
        { at: 1e12 + 30_000, value: 160 },
      ],
      20,
    ],
    [
      'falling',
      [
        { at: 0, value: 200 },
        { at: 60_000, value: 190 },
        { at: 120_000, value: 180 },
      ],
      -10,
    ],
  ])('%s', (_, points, rate) => {
    const got = riseRate(points);
    if (rate === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(rate, 9);
  });
});

describe('RiseWindow', () => {
  // Points every 2 s rising 1 °C each: 30 °C/min.
  const fill = (window: RiseWindow, seconds: number) => {
    for (let t = 0; t <= seconds; t += 2) window.add(t * 1000, 150 + t / 2);
  };

  it.each<[string, number, number | undefined]>([
    ['no rate before the points span most of the window', 22, undefined],
    ['a rate once they span 80 % of it', 24, 30],
    ['only the window’s points count', 600, 30],
  ])('%s', (_, seconds, rate) => {
    const window = new RiseWindow(30);
    fill(window, seconds);
    const got = window.rate();
    if (rate === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(rate, 9);
  });

  it('forgets what left the window: a rise after a plateau is fitted alone', () => {
    const window = new RiseWindow(30);
    for (let t = 0; t <= 100; t += 2) window.add(t * 1000, 150);
    for (let t = 102; t <= 140; t += 2) window.add(t * 1000, 150 + (t - 100) * 2);
    expect(window.rate()).toBeCloseTo(120, 9);
  });
});
