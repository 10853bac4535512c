import { describe, expect, it } from 'vitest';
import {
  disturbance,
  limits,
  modes,
  nominalProfile,
  type RoastResult,
  runRoast,
  summarize,
} from '../testing/simulated-roasts.ts';

// The short seeded version of `npm run bench:advisor`: six disturbed roasts on the layered plant, which the
// advisor only knows through the lumped model it fits online.

describe('an attendant approving every recommendation, on the layered plant', () => {
  const profile = nominalProfile();
  const results: RoastResult[] = [];
  for (let seed = 1; seed <= 6; seed++) {
    for (const mode of modes) results.push(runRoast(profile, disturbance(seed), mode));
  }
  const [advisor, ...baselines] = summarize(results);

  it.each(baselines.map((b) => [b!.mode, b!] as const))(
    'ends closer to the profile than %s on the medians',
    (_, baseline) => {
      expect(advisor!.medianBtRmseC).toBeLessThan(baseline.medianBtRmseC);
      expect(advisor!.medianAbsFirstCrackErrorS).toBeLessThan(baseline.medianAbsFirstCrackErrorS);
      expect(advisor!.medianAbsDropErrorS).toBeLessThan(baseline.medianAbsDropErrorS);
    },
  );

  it('never leaves the limits, and recommends at most once per minimum interval', () => {
    expect(advisor!.outsideLimitsS).toBe(0);
    for (const r of results.filter((r) => r.mode === 'advisor')) {
      expect(r.recommendations).toBeGreaterThan(0);
      const gaps = r.recommendedAt.slice(1).map((t, i) => t - r.recommendedAt[i]!);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(limits.minIntervalS);
    }
  });
});
