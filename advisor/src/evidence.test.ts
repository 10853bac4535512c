import { advise } from '@roast-operator/advisor';
import { bulletR1Params } from '@roast-operator/thermal';
import { describe, expect, it } from 'vitest';
import { evidenceAnnotation, evidenceAnnotationKey, rationaleOf } from './evidence.ts';

const rec = {
  control: 'fan' as const,
  from: 1,
  to: 3,
  reason: 'fastRise' as const,
  expectedGainC: 5.83,
  confidence: 0.987,
  rationale: 'BT 171.9 °C, 3.2 °C above the profile → as set, 9.3 °C off → fan 1→3',
};

describe('rationaleOf', () => {
  it('is the template’s rationale when no model wrote it', () => {
    expect(rationaleOf(rec.rationale, rec, false)).toBe(rec.rationale);
  });
  it('shows the template’s evidence beside the model’s text, on one printable line', () => {
    expect(rationaleOf('More fan:\nthe rise is\u202e too fast.', rec, true)).toBe(
      `More fan: the rise is  too fast. — evidence: ${rec.rationale}`,
    );
  });
  it('stays within 4096 bytes of UTF-8', () => {
    const text = rationaleOf('°'.repeat(5000), rec, false);
    expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(4096);
    expect(text.endsWith('…')).toBe(true);
  });
});

describe('evidenceAnnotation', () => {
  it('carries the evidence as JSON under one annotation', () => {
    // Any evidence libs/advisor returns: a profile the roast runs 20 °C above.
    const advice = advise({
      profile: {
        reference: Array.from({ length: 11 }, (_, i) => ({ t: i * 60, bt: 100 + i * 9 })),
        targets: {},
        batchGrams: 400,
        preheatC: 239,
      },
      live: {
        now: 200,
        bt: Array.from({ length: 201 }, (_, t) => ({ t, value: 120 + t * 0.15 })),
        events: {},
        levels: [{ at: 0, controls: { heater: 7, fan: 2, drum: 5 } }],
      },
      limits: {
        heater: { min: 0, max: 9 },
        fan: { min: 1, max: 12 },
        drum: { min: 1, max: 9 },
        minIntervalS: 0,
      },
      model: bulletR1Params,
    });
    expect(advice.evidence).not.toBeNull();
    const value = JSON.parse(evidenceAnnotation(rec, advice.evidence!)[evidenceAnnotationKey]!);
    expect(value).toMatchObject({ reason: 'fastRise', confidence: 0.99, expectedGainC: 5.8 });
    expect(value.observed.btOffsetC).toBeCloseTo(advice.evidence!.observed.btOffsetC, 0);
    expect(value.predictions[0].change).toBe('as set');
    expect(value.predictions.length).toBe(advice.evidence!.predictions.length);
  });
});
