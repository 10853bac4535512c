// The telemetry store: the interface the link gateway and the read API use, and its embedded SQLite form.

export { SqliteTelemetryStore, type SqliteTelemetryStoreOptions, type StoreStats } from './sqlite-store.ts';
export type { AppendResult, RetentionResult, SessionCounts, SessionWindow, TelemetryStore } from './store.ts';
