#!/usr/bin/env node
import { parseArgs } from 'node:util';
import {
  disturbance,
  limits,
  modes,
  nominalProfile,
  type RoastResult,
  runRoast,
  summarize,
} from '../testing/simulated-roasts.ts';

// `npm run bench:advisor -- [--json] [--roasts N] [--first-seed S]`: seeded roasts on the layered plant,
// each run three ways (an attendant approving every recommendation of the advisor, open-loop playback of
// the profile's recipe, no correction), and the median BT RMSE (turning point → drop) and first-crack and
// drop timing errors of each way. Method and figures: docs/benchmarks.md.

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    roasts: { type: 'string', default: '20' },
    'first-seed': { type: 'string', default: '1' },
  },
});

const roasts = Number(values.roasts);
const firstSeed = Number(values['first-seed']);
if (!(Number.isInteger(roasts) && roasts > 0))
  throw new Error(`--roasts needs a positive integer, got ${values.roasts}`);
if (!Number.isInteger(firstSeed))
  throw new Error(`--first-seed needs an integer, got ${values['first-seed']}`);

const started = performance.now();
const profile = nominalProfile();
const results: RoastResult[] = [];
for (let seed = firstSeed; seed < firstSeed + roasts; seed++) {
  const d = disturbance(seed);
  for (const mode of modes) results.push(runRoast(profile, d, mode));
}
const summary = summarize(results);
const seconds = (performance.now() - started) / 1000;
const advisor = summary.find((s) => s.mode === 'advisor')!;
const baselines = summary.filter((s) => s.mode !== 'advisor');
const beats = {
  btRmse: baselines.every((b) => advisor.medianBtRmseC < b.medianBtRmseC),
  firstCrack: baselines.every((b) => advisor.medianAbsFirstCrackErrorS < b.medianAbsFirstCrackErrorS),
  drop: baselines.every((b) => advisor.medianAbsDropErrorS < b.medianAbsDropErrorS),
  withinLimits: advisor.outsideLimitsS === 0,
};

if (values.json) {
  process.stdout.write(
    `${JSON.stringify({ roasts, firstSeed, seconds, targets: profile.targets, limits, summary, beats, results })}\n`,
  );
} else {
  const row = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(10) : c.padStart(16))).join('');
  const lines = [
    `${roasts} seeded roasts (seeds ${firstSeed}–${firstSeed + roasts - 1}) on the layered plant, medians`,
    row(['way', 'BT RMSE TP→drop', '|FC − target|', '|drop − target|', 'recommendations', 's off limits']),
    ...summary.map((s) =>
      row([
        s.mode,
        `${s.medianBtRmseC.toFixed(2)} °C`,
        `${s.medianAbsFirstCrackErrorS.toFixed(1)} s`,
        `${s.medianAbsDropErrorS.toFixed(1)} s`,
        String(s.medianRecommendations),
        String(s.outsideLimitsS),
      ]),
    ),
    '',
    `advisor beats both baselines: BT RMSE ${beats.btRmse}, first crack ${beats.firstCrack}, drop ${beats.drop}; within limits ${beats.withinLimits}`,
    `${(roasts * modes.length).toString()} roasts in ${seconds.toFixed(1)} s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
