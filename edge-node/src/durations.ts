// Durations in messages a person reads: seconds with one decimal, whole seconds from a minute and a half up.

/** `ms` as a person reads it: "0.5 s", "24.3 s", "95 s". */
export function seconds(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  return s < 90 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}
