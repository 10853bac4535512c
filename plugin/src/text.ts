// What the plugin prints. Text from objects (rationales, notes, messages) is user input: every control
// character is shown escaped, so nothing read from the API can move the cursor, clear the screen or forge a
// line of output.

/**
 * `text` with control characters (C0, DEL, C1), line and paragraph separators and bidirectional overrides
 * shown as escapes.
 */
export function escapeText(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** A column-aligned table, every cell escaped; empty cells print as `-`. */
export function table(
  header: readonly string[],
  rows: readonly (readonly (string | number | undefined)[])[],
): string {
  const cells = [
    header,
    ...rows.map((r) => r.map((c) => (c === undefined || c === '' ? '-' : escapeText(String(c))))),
  ];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

/** A duration for people: 45s, 3m20s, 2h5m, 3d4h. */
export function age(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  if (s < 86_400)
    return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ''}`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600) ? `${Math.floor((s % 86_400) / 3600)}h` : ''}`;
}

/** A share as a percentage, or `-` when there is nothing to rate. */
export const percent = (share: number | undefined): string =>
  share === undefined ? '-' : `${(share * 100).toFixed(share === 1 || share === 0 ? 0 : 1)}%`;

/** Labelled lines, labels aligned, values escaped. */
export function fields(pairs: readonly (readonly [string, string | number | undefined])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 1;
  return pairs
    .map(([k, v]) => `${`${k}:`.padEnd(width)} ${v === undefined || v === '' ? '-' : escapeText(String(v))}`)
    .join('\n');
}

/** Seconds of a roast as m:ss (whole seconds, never negative). */
export function roastClock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A temperature to a tenth of a degree, or - when there is none. */
export const celsius = (v: number | undefined): string => (v === undefined ? '-' : `${v.toFixed(1)} °C`);
