export { analyzeRoast, RoastAnalyzer, type RoastAnalyzerOptions } from './analyzer.ts';
export { type ChannelSettings, isReading, rateOfRise } from './channel.ts';
export type { CurvePoint } from './curve.ts';
export { DEFAULT_ROR_SETTINGS, type RorPoint, type RorSettings } from './ror.ts';
export {
  type AnalysisSettings,
  type AnalysisSettingsOverrides,
  analysisSettings,
  type BreakSettings,
  DEFAULT_ANALYSIS_SETTINGS,
} from './settings.ts';
export type * from './types.ts';
export { deltaToCelsius, fromCelsius, type TemperatureUnit, toCelsius } from './units.ts';
