export { type AdvisorSettings, advise, defaultAdvisorSettings, within } from './advise.ts';
export { referenceAt, referenceRorAt } from './curve.ts';
export { clock, rationale } from './rationale.ts';
export type * from './types.ts';
