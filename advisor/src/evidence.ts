// How a recommendation's evidence travels with its proposal. A CommandProposal's spec has no field for
// evidence, so the rationale (one line, at most 4096 bytes) carries the template's observation →
// prediction → suggestion, and the annotation below carries the structured evidence as JSON. Pure.
import type { Evidence, Recommendation } from '@roast-operator/advisor';

export const evidenceAnnotationKey = 'advisor.roasting.simcorp.io/evidence';
const maxRationaleBytes = 4096;

/** One decimal: the evidence is for reading, not for refitting. */
const round = (value: number | undefined) => (value === undefined ? null : Math.round(value * 10) / 10);

/** The structured evidence as the annotation's JSON. */
export function evidenceAnnotation(rec: Recommendation, evidence: Evidence): Record<string, string> {
  const { observed, risks, targets } = evidence;
  const value = {
    at: round(evidence.at),
    reason: rec.reason,
    confidence: Math.round(rec.confidence * 100) / 100,
    expectedGainC: round(rec.expectedGainC),
    observed: {
      bt: round(observed.bt),
      referenceBt: round(observed.referenceBt),
      btOffsetC: round(observed.btOffsetC),
      ror: round(observed.ror),
      referenceRor: round(observed.referenceRor),
      etBtGapC: round(observed.etBtGapC),
    },
    horizonS: evidence.horizonS,
    predictions: evidence.predictions.map((p) => ({
      change: p.change === null ? 'as set' : `${p.change.control}=${p.change.to}`,
      rmsToReferenceC: round(p.rmsToReferenceC),
      btAtHorizon: round(p.btAtHorizon),
      firstCrackS: round(p.firstCrackS),
      dropS: round(p.dropS),
    })),
    risks,
    targets: { firstCrackS: round(targets.firstCrackS), dropS: round(targets.dropS) },
    fit: { rmseC: round(evidence.fit.rmseC), readings: evidence.fit.readings },
  };
  return { [evidenceAnnotationKey]: JSON.stringify(value) };
}

// What admission refuses in free text: control characters and text-direction controls.
const unprintable = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** The rationale: the template's, or the model's text beside it; one printable line within the byte bound. */
export function rationaleOf(text: string, rec: Recommendation, byModel: boolean): string {
  const line = (byModel ? `${text} — evidence: ${rec.rationale}` : text).replace(unprintable, ' ');
  const bytes = new TextEncoder().encode(line);
  if (bytes.length <= maxRationaleBytes) return line;
  return `${new TextDecoder().decode(bytes.slice(0, maxRationaleBytes - 3)).replace(/\uFFFD+$/, '')}…`;
}
