// What `watch` shows of a roast, as text: the latest reading and levels, the bean temperature's curve as a
// sparkline as wide as the terminal, the roast events as they appear, the deviation from the profile,
// proposals waiting for approval and the roaster's latch. Pure: the caller follows and prints. Every value from an object is escaped.
import type { CommandProposal, Roaster } from '@roast-operator/api';
import type { CurvePoint, SessionTelemetry } from '@roast-operator/telemetry-client';
import { describeCommand } from './proposals.ts';
import { celsius, roastClock as clock, escapeText } from './text.ts';
import { keyHelp } from './watch-keys.ts';

export interface WatchState {
  telemetry: SessionTelemetry;
  roaster: Roaster | undefined;
  pending: readonly CommandProposal[];
  /** The roast against its profile (deviationLines), when the session follows one. */
  profile?: readonly string[];
  /** While the follow reconnects: why, and when it tries again. */
  reconnecting?: string | undefined;
  /** With keys: the selected proposal's index, and the status line (a question, or what a key did). */
  keys?: { selected: number; status: string | undefined };
}

const eventNames = {
  charge: 'charge',
  turningPoint: 'turning point',
  dryEnd: 'dry end',
  firstCrack: 'first crack',
  drop: 'drop',
} as const;

/** One line per roast event recorded so far, in roast order. */
export function eventLines(telemetry: SessionTelemetry): string[] {
  const events = telemetry.events ?? {};
  return (Object.keys(eventNames) as (keyof typeof eventNames)[]).flatMap((key) => {
    const e = events[key];
    return e
      ? [
          `${eventNames[key]} at ${clock(e.secondsSinceCharge)}${e.beanTemperatureCelsius === undefined ? '' : `, BT ${celsius(e.beanTemperatureCelsius)}`}`,
        ]
      : [];
  });
}

/** The latest reading in one line: roast time, BT, ET, RoR and the levels. */
export function readingLine(p: CurvePoint | undefined): string {
  if (!p) return 'no readings yet';
  const ror = p.beanRateOfRiseCelsiusPerMinute;
  return `${p.t < 0 ? '-' : ''}${clock(Math.abs(p.t))}  BT ${celsius(p.beanTemperatureCelsius)}  ET ${celsius(p.exhaustTemperatureCelsius)}  RoR ${ror === undefined ? '-' : `${ror.toFixed(1)} °C/min`}  heater ${p.heater} fan ${p.fan} drum ${p.drum}`;
}

const blocks = '▁▂▃▄▅▆▇█';

/** The BT curve in `width` characters: each the last reading of its slice, scaled to the curve's range. */
export function sparkline(points: readonly CurvePoint[], width: number): string {
  const bt = points.flatMap((p) =>
    p.beanTemperatureCelsius === undefined ? [] : [p.beanTemperatureCelsius],
  );
  if (bt.length === 0 || width < 1) return '';
  const columns = Math.min(width, bt.length);
  const picked = Array.from(
    { length: columns },
    (_, i) => bt[Math.floor(((i + 1) * bt.length) / columns) - 1]!,
  );
  const lo = Math.min(...picked);
  const span = Math.max(...picked) - lo || 1;
  return picked
    .map((v) => blocks[Math.min(blocks.length - 1, Math.floor(((v - lo) / span) * blocks.length))])
    .join('');
}

/** The whole view for a terminal `width` columns wide (at least 20 are used). */
export function renderWatch(state: WatchState, width: number): string {
  const { telemetry, roaster, pending, keys } = state;
  const latch = roaster?.status?.latch;
  const lines = [
    `RoastSession ${telemetry.session.name} on ${telemetry.session.roaster}: ${telemetry.session.phase}`,
    readingLine(telemetry.points.at(-1)),
    sparkline(telemetry.points, Math.max(20, width)),
    ...eventLines(telemetry).map((l) => `  ${l}`),
    ...(state.profile ?? []),
    ...(state.reconnecting ? [state.reconnecting] : []),
    latch
      ? `LATCHED ${latch.id} (${latch.cause}) since ${latch.since}: kubectl roast reset ${telemetry.session.roaster}`
      : 'not latched',
    ...(pending.length === 0
      ? ['no proposals awaiting approval']
      : pending.map((p, i) => {
          const what = `awaiting approval: ${p.metadata.name} ${describeCommand(p.spec.command)} by ${p.spec.proposedBy}`;
          if (keys) return `${i === keys.selected ? '> ' : '  '}${what}`;
          return `${what} — kubectl roast approve ${p.metadata.name}`;
        })),
    ...(keys ? [keys.status ?? '', keyHelp] : []),
  ];
  return lines.map((l) => escapeText(l).slice(0, Math.max(20, width))).join('\n');
}
