export { type LiveRoast, lagSeconds, profileDeviation } from './deviation.ts';
export {
  defaultTolerances,
  type MadeProfile,
  profileFromRoast,
  type RecordedControl,
  type RecordedPoint,
  type RecordedRoast,
  type TargetKind,
} from './from-roast.ts';
export { beanAt, curveEnd, rateOfRiseAt, rateOfRiseSpanSeconds, timeReaching, valueAt } from './reference.ts';
