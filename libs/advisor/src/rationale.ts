import type { Evidence, Reason, Recommendation } from './types.ts';

// The template rationale: observation → prediction → suggestion, one line a roaster reads in one glance.
// A language model may rephrase it from the same evidence; this one is always there to fall back on.

const reasons: Readonly<Record<Reason, string>> = {
  scorching: 'scorching risk',
  slowDevelopment: 'development running slow',
  fastRise: 'rising too fast',
  aheadOfProfile: 'ahead of the profile',
  behindProfile: 'behind the profile',
};

export function rationale(recommendation: Omit<Recommendation, 'rationale'>, evidence: Evidence): string {
  return [observation(evidence), prediction(evidence), suggestion(recommendation, evidence)].join(' → ');
}

function observation({ observed }: Evidence): string {
  const offset = observed.btOffsetC;
  const side = offset >= 0 ? 'above' : 'below';
  const ror =
    observed.ror === undefined
      ? ''
      : `; RoR ${observed.ror.toFixed(1)} vs ${observed.referenceRor.toFixed(1)} °C/min`;
  const gap = observed.etBtGapC === undefined ? '' : `; ET−BT ${observed.etBtGapC.toFixed(0)} °C`;
  return `BT ${observed.bt.toFixed(1)} °C, ${Math.abs(offset).toFixed(1)} °C ${side} the profile${ror}${gap}`;
}

function prediction({ predictions, targets, risks, horizonS }: Evidence): string {
  const current = predictions[0]!;
  const parts = [`as set, ${current.rmsToReferenceC.toFixed(1)} °C off the profile over ${clock(horizonS)}`];
  if (targets.firstCrackS !== undefined) {
    parts.push(`first crack ${projected(current.firstCrackS)} (profile ${clock(targets.firstCrackS)})`);
  }
  if (targets.dropS !== undefined)
    parts.push(`drop ${projected(current.dropS)} (profile ${clock(targets.dropS)})`);
  const flagged = (['scorching', 'crash', 'flick'] as const).filter((r) => risks[r]);
  if (flagged.length > 0)
    parts.push(`risk: ${flagged.map((r) => (r === 'scorching' ? 'scorching' : `RoR ${r}`)).join(', ')}`);
  return parts.join('; ');
}

function suggestion(r: Omit<Recommendation, 'rationale'>, { predictions }: Evidence): string {
  const after = predictions.find((p) => p.change?.control === r.control && p.change.to === r.to);
  const off = after === undefined ? '' : `, ${after.rmsToReferenceC.toFixed(1)} °C off`;
  return `${r.control} ${r.from}→${r.to} (${reasons[r.reason]}${off}; confidence ${r.confidence.toFixed(2)})`;
}

function projected(t: number | undefined): string {
  return t === undefined ? 'not within 10 min' : clock(t);
}

/** m:ss */
export function clock(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
