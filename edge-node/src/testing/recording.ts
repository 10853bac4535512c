// A converted Artisan log for tests, in °C, one sample every 2 s from t = 10 s: preheated, CHARGE at 14 s
// (a break), DROP at 34 s; ET 40 °C above BT, the logger's RoR, and Artisan's R1 sliders.

export const bt = [180, 181, 150, 120, 110, 112, 118, 125, 140, 160, 175, 190, 170, 150];

export const noMarks = { charge: null, tp: null, dryEnd: null, fcStart: null, drop: null };

export const log = (overrides: Record<string, unknown> = {}) => ({
  source: { repo: 'someone/roasts', path: 'a.alog', license: 'MIT' },
  mode: 'C',
  weight: [0, 0, 'g'],
  sampling_interval_s: { configured: 2, median_measured: 2 },
  events: {
    ...noMarks,
    charge: { t: 0, bt: 150, et: 190, idx: 2 },
    drop: { t: 20, bt: 170, et: 210, idx: 12 },
  },
  timex: bt.map((_, i) => 10 + 2 * i),
  bt,
  et: bt.map((v) => v + 40),
  extras: { ROR: bt.map((_, i) => i) },
  specialevents: [
    { idx: 1, type: 'Air', value_pct: 30, label: '' },
    { idx: 3, type: 'Burner', value_pct: 50, label: '' },
    { idx: 6, type: 'Air', value_pct: 100, label: '' },
    { idx: 9, type: 'Drum', value_pct: 70, label: '' },
  ],
  ...overrides,
});
