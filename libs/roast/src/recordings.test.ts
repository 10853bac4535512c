import { describe, expect, it } from 'vitest';
import { parseRecording } from './recordings.ts';

// The shape of a converted Artisan log, cut down to four samples.
const log = (overrides: Record<string, unknown> = {}) => ({
  source: { repo: 'someone/roasts', path: 'a.alog', license: 'MIT' },
  mode: 'F',
  weight: [0.25, 213, 'Kg'],
  sampling_interval_s: { configured: 1, median_measured: 1 },
  events: {
    charge: { t: 0, bt: 400, et: 500, idx: 1 },
    tp: { t: 2, bt: 212, et: 480, idx: 3 },
    dryEnd: null,
    fcStart: null,
    drop: null,
  },
  flags: ['bt_spikes=1'],
  timex: [10, 11, 12, 13],
  bt: [410, 400, -1, 212],
  et: [-1, 500, 490, 480],
  extras: { ROR: [18, -1, 9, 0] },
  specialevents: [
    { idx: 1, t: 0, type: 'Burner', value_raw: 7, value_pct: 60, label: '' },
    { idx: 3, t: 2, type: 'Air', value_raw: 1.9, value_pct: 9, label: 'Fan 9' },
  ],
  ...overrides,
});

describe('parseRecording', () => {
  it('converts a °F log to °C and "no reading" to NaN', () => {
    const r = parseRecording(log(), 'a');
    expect(r.unit).toBe('F');
    expect(r.samples.map((s) => s.t)).toEqual([10, 11, 12, 13]);
    expect(r.samples[1]?.bt).toBeCloseTo(204.444, 3);
    expect(r.samples[2]?.bt).toBeNaN();
    expect(r.samples[0]?.et).toBeNaN();
    expect(r.roasterRor).toEqual([10, null, 5, 0]);
  });

  it("places marks on the recording's clock", () => {
    const { marks } = parseRecording(log(), 'a');
    expect(marks.charge?.t).toBe(11);
    expect(marks.turningPoint?.t).toBe(13);
    expect(marks.turningPoint?.bt).toBeCloseTo(100, 9);
    expect(marks.firstCrack).toBeNull();
  });

  it.each([
    [[0.25, 213, 'Kg'], { greenG: 250, roastedG: 213000 }],
    [[150, 0, 'g'], { greenG: 150 }],
    [[0, 0, 'g'], {}],
    [[1, 0, 'lb'], { greenG: 453.59237 }],
  ])('reads weight %o as %o grams', (weight, grams) => {
    expect(parseRecording(log({ weight }), 'a').weights).toEqual(grams);
  });

  it("places control changes on the recording's clock with their slider values", () => {
    expect(parseRecording(log(), 'a').controls).toEqual([
      { t: 11, type: 'Burner', value: 60, label: '' },
      { t: 13, type: 'Air', value: 9, label: 'Fan 9' },
    ]);
    expect(parseRecording(log({ specialevents: undefined }), 'a').controls).toEqual([]);
  });

  it('has no logger RoR without the extra channel', () => {
    expect(parseRecording(log({ extras: null }), 'a').roasterRor).toBeNull();
  });

  it.each([
    [{ mode: 'K' }, /mode/],
    [{ bt: [1, 2] }, /length/],
    [{ timex: 'x' }, /timex must be an array/],
    [{ weight: [1, 2, 'stone'] }, /unit/],
    [{ events: { ...log().events, drop: { t: 1, bt: 2, idx: 9 } } }, /outside the samples/],
    [
      { specialevents: [{ idx: 4, type: 'Air', value_pct: 1, label: '' }] },
      /specialevents\[0\]\.idx is outside/,
    ],
  ])('rejects a malformed log (%o)', (overrides, message) => {
    expect(() => parseRecording(log(overrides), 'a')).toThrow(message);
  });
});
