import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRecording, readRecordings } from './recordings.ts';

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
    [
      { t: 2, bt: 212, et: 480, idx: null },
      13,
      ['events.tp.idx is null: placed by its time, 2 s after CHARGE'],
    ],
    [
      { bt: 212, idx: null },
      undefined,
      ['events.tp.idx is null and it has no time after a CHARGE: not used'],
    ],
  ])('loads a turning point without a sample index (%o) and says so', (tp, t, notes) => {
    const r = parseRecording(log({ events: { ...log().events, tp } }), 'a');
    expect(r.marks.turningPoint?.t).toBe(t);
    expect(r.marks.charge?.t).toBe(11);
    expect(r.loadNotes).toEqual(notes);
    expect(parseRecording(log(), 'a').loadNotes).toEqual([]);
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

describe('readRecordings', () => {
  it('loads every usable file of a folder and reports the others with the reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recordings-'));
    try {
      writeFileSync(join(dir, 'a.json'), JSON.stringify(log()));
      writeFileSync(join(dir, 'b.json'), JSON.stringify(log({ mode: 'K' })));
      writeFileSync(join(dir, 'c.json'), '{ not json');
      writeFileSync(join(dir, 'notes.txt'), 'not a recording');
      const { recordings, unusable } = readRecordings(dir);
      expect(recordings.map((r) => r.name)).toEqual(['a']);
      expect(unusable.map((u) => u.name)).toEqual(['b', 'c']);
      expect(unusable[0]?.reason).toMatch(/b: mode must be 'C' or 'F', got K/);
      expect(unusable[1]?.reason).toMatch(/JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
