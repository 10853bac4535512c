import { bulletR1Params } from '@roast-operator/thermal';
import { describe, expect, it } from 'vitest';
import { liveAt, lumpedProfile, testProfileLevels } from '../testing/lumped-roasts.ts';
import { advise, defaultAdvisorSettings } from './advise.ts';
import type { AdvisorInput, Limits, LiveRoast } from './types.ts';

const profile = lumpedProfile();
const open: Limits = {
  heater: { min: 0, max: 9 },
  fan: { min: 1, max: 12 },
  drum: { min: 1, max: 9 },
  minIntervalS: 30,
};
const input = (live: LiveRoast, limits: Limits = open): AdvisorInput => ({
  profile,
  live,
  limits,
  model: bulletR1Params,
});
const held = (heater: number, fan: number, drum = 9) => [{ at: 0, controls: { heater, fan, drum } }];
const onProfile = { grams: 400, preheatC: 239, levels: testProfileLevels, seed: 2 };

describe('advise: when it says nothing', () => {
  it.each([
    ['the roast has dropped', liveAt(onProfile, 300, { dropped: true }), /dropped/],
    ['the roast is young', liveAt(onProfile, 60), /first 90 s/],
    [
      'the last recommendation is within the minimum interval',
      { ...liveAt(onProfile, 300), lastRecommendationAt: 280 },
      /20 s ago; the roaster allows one every 30 s/,
    ],
    ['the readings stopped', { ...liveAt(onProfile, 300), now: 320 }, /no bean reading in the last 5 s/],
    [
      'the last readings are dropouts',
      (() => {
        const live = liveAt(onProfile, 300);
        return {
          ...live,
          bt: live.bt.map((r) => (r.t > 290 ? { t: r.t, value: r.t % 2 ? -1 : Number.NaN } : r)),
        };
      })(),
      /no bean reading in the last 5 s/,
    ],
    [
      'the levels are not known',
      { ...liveAt(onProfile, 300), levels: [] },
      /levels of the roast are not known/,
    ],
  ])('%s', (_, live, why) => {
    const advice = advise(input(live));
    expect(advice.recommendation).toBeNull();
    expect(advice.none).toMatch(why);
  });

  it('a roast on its profile, past the last change of its recipe, gets no recommendation, with the evidence why', () => {
    const advice = advise(input(liveAt(onProfile, 360)));
    expect(advice.recommendation).toBeNull();
    expect(advice.evidence?.observed.btOffsetC).toBeCloseTo(0, 0);
    expect(advice.evidence?.predictions[0]?.rmsToReferenceC).toBeLessThan(
      defaultAdvisorSettings.minGainC + 1,
    );
  });
});

describe('advise: the classic rules are special cases', () => {
  it.each([
    {
      rule: 'scorching → lower the power',
      run: { grams: 300, preheatC: 260, levels: held(9, 1), seed: 3 },
      now: 150,
      // Fan and drum are pinned by the limits: power is what is left.
      limits: { ...open, fan: { min: 1, max: 1 }, drum: { min: 9, max: 9 } },
      expected: { control: 'heater', reason: 'scorching', direction: -1 },
    },
    {
      rule: 'slow development → raise the power',
      run: {
        grams: 400,
        preheatC: 239,
        levels: [
          ...testProfileLevels.filter((l) => l.at < 200),
          { at: 200, controls: { heater: 3, fan: 3, drum: 9 } },
        ],
        seed: 4,
      },
      now: 360,
      limits: { ...open, fan: { min: 3, max: 12 }, drum: { min: 9, max: 9 } },
      expected: { control: 'heater', reason: 'slowDevelopment', direction: 1 },
    },
    {
      rule: 'a fast rise → more fan',
      run: { grams: 400, preheatC: 239, levels: held(7, 1), seed: 5 },
      now: 300,
      // The heater is at its lowest allowed level.
      limits: { ...open, heater: { min: 7, max: 9 } },
      expected: { control: 'fan', reason: 'fastRise', direction: 1 },
    },
  ])('$rule', ({ run, now, limits, expected }) => {
    const advice = advise(input(liveAt(run, now), limits));
    const r = advice.recommendation;
    expect(r, advice.none).not.toBeNull();
    expect(r?.control).toBe(expected.control);
    expect(r?.reason).toBe(expected.reason);
    expect(Math.sign((r?.to ?? 0) - (r?.from ?? 0))).toBe(expected.direction);
    expect(r?.expectedGainC).toBeGreaterThanOrEqual(defaultAdvisorSettings.minGainC);
    expect(r?.confidence).toBeGreaterThan(0);
    expect(r?.confidence).toBeLessThanOrEqual(1);
    // Observation → prediction → suggestion.
    expect(r?.rationale.split(' → ')).toHaveLength(3);
    expect(r?.rationale).toMatch(new RegExp(`${expected.control} ${r?.from}→${r?.to}`));
  });
});

describe('advise: bounds', () => {
  const hot = { grams: 300, preheatC: 260, levels: held(9, 3), seed: 6 };

  it.each([
    ['open', open],
    [
      'heater 8–9, fan 3–4, drum 9',
      { ...open, heater: { min: 8, max: 9 }, fan: { min: 3, max: 4 }, drum: { min: 9, max: 9 } },
    ],
    [
      'nothing but the current levels',
      { ...open, heater: { min: 9, max: 9 }, fan: { min: 3, max: 3 }, drum: { min: 9, max: 9 } },
    ],
  ])('weighs and recommends only levels within the limits (%s)', (_, limits) => {
    const advice = advise(input(liveAt(hot, 200), limits));
    for (const p of advice.evidence?.predictions.slice(1) ?? []) {
      const change = p.change!;
      expect(change.to).toBeGreaterThanOrEqual(limits[change.control].min);
      expect(change.to).toBeLessThanOrEqual(limits[change.control].max);
    }
    const r = advice.recommendation;
    if (r !== null) {
      expect(r.to).toBeGreaterThanOrEqual(limits[r.control].min);
      expect(r.to).toBeLessThanOrEqual(limits[r.control].max);
      // Only levels: a PRS press (charge, drop, cool) is not among the things it can recommend.
      expect(['heater', 'fan', 'drum']).toContain(r.control);
    }
    if (limits.heater.min === limits.heater.max && limits.fan.min === limits.fan.max) {
      expect(advice.recommendation).toBeNull();
    }
  });

  it('gives the same advice for the same input, and hands its fit on', () => {
    const live = liveAt(hot, 200);
    const first = advise(input(live));
    expect(advise(input(live))).toEqual(first);
    expect(first.fit).toBeDefined();
    const next = advise({ ...input(liveAt(hot, 210)), previousFit: first.fit! });
    expect(next.evidence?.fit.rmseC).toBeLessThan(2);
  });

  it('projects first crack and drop and flags early scorching risk', () => {
    const advice = advise(input(liveAt(hot, 150)));
    const current = advice.evidence?.predictions[0];
    expect(advice.evidence?.risks.scorching).toBe(true);
    expect(current?.firstCrackS).toBeLessThan(profile.targets.firstCrack!.t);
    expect(advice.evidence?.observed.etBtGapC).toBeGreaterThan(0);
    expect(advice.recommendation?.rationale).toMatch(/risk: scorching/);
  });
});

describe('advise: what it sees coming', () => {
  const until290 = testProfileLevels.filter((l) => l.at < 290);
  const firstCrack = { firstCrack: { t: profile.targets.firstCrack!.t, bt: 186 } };

  it.each([
    {
      risk: 'crash' as const,
      levels: [...until290, { at: 280, controls: { heater: 0, fan: 8, drum: 9 } }],
      now: 300,
      events: {},
    },
    {
      risk: 'flick' as const,
      levels: [
        ...testProfileLevels,
        { at: 400, controls: { heater: 3, fan: 6, drum: 9 } },
        { at: 440, controls: { heater: 9, fan: 2, drum: 9 } },
      ],
      now: 450,
      events: firstCrack,
    },
  ])('a coming RoR $risk', ({ risk, levels, now, events }) => {
    const advice = advise(input(liveAt({ grams: 400, preheatC: 239, levels, seed: 9 }, now, events)));
    expect(advice.evidence?.risks).toMatchObject({ [risk]: true, scorching: false });
    if (advice.recommendation !== null) expect(advice.recommendation.rationale).toContain(`RoR ${risk}`);
  });
});
