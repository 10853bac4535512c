// What a soak measured and whether it held, as pure functions: percentiles, the verdict on each bound, and
// the table and JSON object the script prints.

/** A seeded random source: the same seed gives the same mix of attacks (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer from `min` to `max`, both included. */
export const between = (random: () => number, min: number, max: number): number =>
  min + Math.floor(random() * (max - min + 1));

/** The nearest-rank percentile of `values` (0 < p ≤ 100); undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

const units: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  K: 1e3,
  M: 1e6,
  G: 1e9,
};

/** A Kubernetes memory quantity (`192Mi`, `1G`, `268435456`) in bytes. */
export function memoryBytes(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]i?)?$/.exec(quantity.trim());
  if (!m) throw new Error(`${quantity} is not a memory quantity such as 192Mi`);
  return Number(m[1]) * (m[2] ? units[m[2]]! : 1);
}

/** The bounds a soak holds the operator to. */
export interface Bounds {
  /** Every stop's creation → sent, p99, ms. */
  readonly stopP99Ms: number;
  /** A deadline honoured at most this late under a label storm, ms. */
  readonly deadlineLateMs: number;
  /** The chart's memory limit for the operator, bytes. */
  readonly memoryBytes: number;
}

/** What a soak measured. */
export interface Measured {
  readonly seed: number;
  readonly seconds: number;
  /** Creation → sent of each EmergencyStop, ms; a stop never sent counts in `stopsUnsent`. */
  readonly stopMs: readonly number[];
  readonly stopsUnsent: number;
  /** How late each stormed proposal expired, ms. */
  readonly deadlineLateMs: readonly number[];
  /** The operator's memory, sampled, bytes. */
  readonly memory: readonly MemorySample[];
  /** Sessions roasted through to Completed. */
  readonly roasts: number;
  /** Roasts that did not complete, and why. */
  readonly roastFailures: readonly string[];
  /** Proposals created by the floods. */
  readonly floodProposals: number;
  /** Attack requests the API server or the operator refused, by kind. */
  readonly refused: Readonly<Record<string, number>>;
  /** Attack requests that should have been refused and were not, by kind. */
  readonly accepted: Readonly<Record<string, number>>;
  /** The human reset at the end brought the roaster back (latch cleared, a command went). */
  readonly recovered: boolean;
  /** Error-level operator log lines that are not an attack being refused. */
  readonly errors: readonly string[];
}

/**
 * One sample of the operator's memory. A container's memory limit bounds what the kernel cannot reclaim:
 * anonymous memory (heap, stacks, buffers) is what the OOM killer counts, while the file-backed pages in the
 * resident set (the node binary and libraries mapped from disk) are dropped under pressure and read back.
 */
export interface MemorySample {
  /** RssAnon from /proc/PID/status: what the limit bounds. */
  readonly anonBytes: number;
  /** VmRSS: anonymous plus file-backed and shared pages, for comparison. */
  readonly rssBytes: number;
}

/** A sample from the text of /proc/PID/status; undefined when it lacks the fields. */
export function memorySample(status: string): MemorySample | undefined {
  const kib = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const anonBytes = kib('RssAnon');
  const rssBytes = kib('VmRSS');
  return anonBytes === undefined || rssBytes === undefined ? undefined : { anonBytes, rssBytes };
}

export interface Check {
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
}

const ms = (x: number | undefined) => (x === undefined ? '-' : `${Math.round(x * 10) / 10} ms`);
const mib = (x: number) => `${Math.round((x / 2 ** 20) * 10) / 10} MiB`;

/** Each bound, held or not, with the figures that say so. */
export function verdict(m: Measured, b: Bounds): Check[] {
  const p99 = percentile(m.stopMs, 99);
  const late = Math.max(0, ...m.deadlineLateMs);
  const peak = Math.max(0, ...m.memory.map((s) => s.anonBytes));
  const peakRss = Math.max(0, ...m.memory.map((s) => s.rssBytes));
  const leaked = Object.entries(m.accepted).filter(([, n]) => n > 0);
  return [
    {
      what: 'every stop sent within its bound',
      ok: m.stopMs.length > 0 && m.stopsUnsent === 0 && p99 !== undefined && p99 <= b.stopP99Ms,
      detail: `${m.stopMs.length} sent, ${m.stopsUnsent} not sent; p50 ${ms(percentile(m.stopMs, 50))}, p99 ${ms(p99)} (bound ${b.stopP99Ms} ms), max ${ms(percentile(m.stopMs, 100))}`,
    },
    {
      what: 'deadlines honoured under label storms',
      ok: m.deadlineLateMs.length > 0 && late <= b.deadlineLateMs,
      detail: `${m.deadlineLateMs.length} stormed, latest ${ms(late)} late (bound ${b.deadlineLateMs} ms)`,
    },
    {
      what: 'operator memory within the chart’s limit',
      ok: m.memory.length > 0 && peak <= b.memoryBytes,
      detail: `peak anonymous ${mib(peak)} of ${mib(b.memoryBytes)} (first sample ${mib(m.memory[0]?.anonBytes ?? 0)}; RSS peak ${mib(peakRss)}, first ${mib(m.memory[0]?.rssBytes ?? 0)}; ${m.memory.length} samples)`,
    },
    {
      what: 'the roaster recovered by a human reset',
      ok: m.recovered,
      detail: m.recovered ? 'latch cleared, a preheat went' : 'not recovered',
    },
    {
      what: 'ordinary roasting went on',
      ok: m.roasts > 0 && m.roastFailures.length === 0,
      detail: `${m.roasts} sessions Completed, ${m.roastFailures.length} failed${m.roastFailures.length ? `: ${m.roastFailures[0]}` : ''}`,
    },
    {
      what: 'every attack refused',
      ok: leaked.length === 0,
      detail:
        leaked.length === 0
          ? Object.entries(m.refused)
              .map(([k, n]) => `${k} ${n}`)
              .join(', ')
          : `accepted: ${leaked.map(([k, n]) => `${k} ${n}`).join(', ')}`,
    },
    {
      what: 'no error-level log line but refused attacks',
      ok: m.errors.length === 0,
      detail: m.errors.length === 0 ? 'none' : m.errors.slice(0, 3).join(' | '),
    },
  ];
}

/** The table people read. */
export function table(m: Measured, checks: readonly Check[]): string {
  const rows = checks.map((c) => [c.ok ? 'ok' : 'FAILED', c.what, c.detail]);
  const width = (i: number) => Math.max(...rows.map((r) => r[i]!.length));
  const head = `soak: seed ${m.seed}, ${Math.round(m.seconds)} s, ${m.floodProposals} flood proposals, ${m.stopMs.length + m.stopsUnsent} stops`;
  return [head, ...rows.map((r) => `${r[0]!.padEnd(width(0))}  ${r[1]!.padEnd(width(1))}  ${r[2]}`)].join(
    '\n',
  );
}

/** The one JSON object `--json` prints. */
export function summary(m: Measured, b: Bounds, checks: readonly Check[]) {
  return {
    ok: checks.every((c) => c.ok),
    seed: m.seed,
    seconds: Math.round(m.seconds),
    stops: {
      sent: m.stopMs.length,
      unsent: m.stopsUnsent,
      p50Ms: percentile(m.stopMs, 50),
      p99Ms: percentile(m.stopMs, 99),
      maxMs: percentile(m.stopMs, 100),
      boundP99Ms: b.stopP99Ms,
    },
    deadlines: { stormed: m.deadlineLateMs.length, maxLateMs: Math.max(0, ...m.deadlineLateMs) },
    memory: {
      firstAnonBytes: m.memory[0]?.anonBytes,
      peakAnonBytes: Math.max(0, ...m.memory.map((s) => s.anonBytes)),
      firstRssBytes: m.memory[0]?.rssBytes,
      peakRssBytes: Math.max(0, ...m.memory.map((s) => s.rssBytes)),
      limitBytes: b.memoryBytes,
    },
    roasts: m.roasts,
    roastFailures: m.roastFailures,
    floodProposals: m.floodProposals,
    refused: m.refused,
    accepted: m.accepted,
    recovered: m.recovered,
    errors: m.errors,
    checks,
  };
}
