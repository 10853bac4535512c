import { VirtualClock } from '@roast-operator/clock';
import {
  type EventSource,
  RoastAnalyzer,
  type RoastEventKind,
  type RoastEvents,
} from '@roast-operator/roast';
import type { Recording } from '@roast-operator/roast/recordings';
import {
  type AssertedKind,
  check,
  type ErrorSpread,
  errorSpread,
  eventError,
  MARK_DISAGREEMENTS,
  needsChargeMark,
  probeSettings,
} from '@roast-operator/roast/validation';
import { R1Driver } from '../driver/driver.ts';
import { ReplayR1 } from './device.ts';
import { type Replay, type ReplayChannels, replayOf } from './replay.ts';

// One recording replayed through the R1 codec and the shared driver on virtual time, its readings analyzed
// as they arrive, and the events found set against the file's own marks — by the rules the roast
// analysis is validated with (libs/roast's validation module), so the figures mean the same thing.

export const eventKinds = [
  'charge',
  'turningPoint',
  'dryEnd',
  'firstCrack',
  'drop',
] as const satisfies readonly RoastEventKind[];

/** Times are seconds from the file's CHARGE mark (from its first sample without one), BT in °C. */
export type EventComparison = {
  readonly kind: RoastEventKind;
  readonly detected:
    | {
        readonly t: number;
        readonly bt: number | null;
        readonly source: EventSource;
        /** It comes from a derived channel (the state code built from the marks), not from the curve. */
        readonly derived: boolean;
      }
    | undefined;
  readonly mark: { readonly t: number; readonly bt: number } | undefined;
  /** Detected minus marked. */
  readonly errorS: number | undefined;
  readonly errorC: number | undefined;
  /** Whether the error counts in the summary, or why not. */
  readonly counted: true | string;
};

export type RecordingComparison = {
  readonly name: string;
  readonly channels: ReplayChannels;
  /** Trusted status pairs the driver read. */
  readonly readings: number;
  readonly transferFailures: number;
  readonly events: readonly EventComparison[];
  /** What loading the recording could not use or had to work around. */
  readonly loadNotes: readonly string[];
};

export type ReplayRunOptions = {
  /** Recorded seconds per second of virtual time: fewer polls per sample, less work. */
  readonly speed?: number;
};

/** What the driver's readings made of a replay, on the recording's clock. */
type ReplayRun = {
  readonly events: RoastEvents;
  readonly readings: number;
  readonly transferFailures: number;
};

/** Past the last sample's play time, so the driver reads it at least once. */
const tailMs = 1000;

/**
 * Replays `recording` and compares the events found with its marks. The analysis gets what the driver
 * reads: BT, and the state code only where one was recorded. Where the state is derived, its change to
 * roasting stands in for the person's CHARGE only where libs/roast's validation does the same (the curve
 * shows no charge break); dry-end and first-crack temperatures are learnt from the other `recordings` of
 * the same roaster.
 */
export async function compareReplay(
  recording: Recording,
  recordings: readonly Recording[],
  options: ReplayRunOptions = {},
): Promise<RecordingComparison> {
  const replay = replayOf(recording);
  const run = await runReplay(replay, recording, recordings, options);
  const origin = recording.marks.charge?.t ?? recording.samples[0]!.t;
  const stateDerived = replay.channels.state.origin === 'derived';
  return {
    name: recording.name,
    channels: replay.channels,
    readings: run.readings,
    transferFailures: run.transferFailures,
    events: eventKinds.map((kind) => compareEvent(kind, recording, run.events, origin, stateDerived)),
    loadNotes: recording.loadNotes,
  };
}

async function runReplay(
  replay: Replay,
  recording: Recording,
  recordings: readonly Recording[],
  options: ReplayRunOptions,
): Promise<ReplayRun> {
  const clock = new VirtualClock();
  const device = new ReplayR1(clock, replay, options);
  const driver = new R1Driver({ device, clock });
  const analyzer = new RoastAnalyzer({
    unit: 'C',
    weights: recording.weights,
    settings: probeSettings(recording, recordings),
  });
  const stateRecorded = replay.channels.state.origin === 'recorded';
  const chargeStandIn = !stateRecorded && needsChargeMark(recording);
  let readings = 0;
  let transferFailures = 0;
  let logged = -1;
  driver.events.subscribe((event) => {
    if (event.type === 'reading') {
      readings++;
      const { deviceAt, bt, stateCode } = event.reading;
      // The first reading of each recorded sample, as the recording's logger took them: polled at 10 Hz, a
      // sample held for 1.5–2 s is a staircase, which moves the knee of a break by up to a sample and
      // stretches a one-sample spike past what the spike filter removes.
      const sample = device.frameIndexAt(deviceAt);
      if (sample === logged) return;
      logged = sample;
      analyzer.push({ t: device.positionAt(deviceAt), bt, ...(stateRecorded && { stateCode }) });
    } else if (event.type === 'state' && event.to === 'roasting' && chargeStandIn) {
      analyzer.mark({ kind: 'charge', t: device.positionAt(event.deviceAt) });
    } else if (event.type === 'transfer-failed') {
      transferFailures++;
    }
  });
  await driver.connect();
  const running = driver.run();
  await clock.advance(device.timeOf(replay.frames.at(-1)!.t) - clock.now() + tailMs);
  driver.stop();
  await clock.advance(tailMs);
  await running;
  analyzer.finish();
  return { events: analyzer.events, readings, transferFailures };
}

/** The events the validation holds to a tolerance; dry end and first crack are only reported. */
function isAsserted(kind: RoastEventKind): kind is AssertedKind {
  return kind === 'charge' || kind === 'turningPoint' || kind === 'drop';
}

function compareEvent(
  kind: RoastEventKind,
  recording: Recording,
  events: RoastEvents,
  origin: number,
  stateDerived: boolean,
): EventComparison {
  const event = events[kind];
  const mark = recording.marks[kind];
  // Only the state code and marks taken from it are given rather than found in the curve.
  const derived = event !== undefined && event.source !== 'inferred' && stateDerived;
  return {
    kind,
    detected: event && { t: event.t - origin, bt: event.bt, source: event.source, derived },
    mark: mark ? { t: mark.t - origin, bt: mark.bt } : undefined,
    errorS: eventError(event, mark),
    errorC: event?.bt != null && mark ? event.bt - mark.bt : undefined,
    counted: countedOrWhyNot(kind, recording, events, derived),
  };
}

function countedOrWhyNot(
  kind: RoastEventKind,
  recording: Recording,
  events: RoastEvents,
  derived: boolean,
): true | string {
  if (recording.marks[kind] === null) return 'no mark';
  if (derived) return 'from the derived state code';
  if (!isAsserted(kind)) return true;
  const applies = check(events, recording, kind).applies;
  if (applies !== true) return applies;
  const disagreement = MARK_DISAGREEMENTS[recording.name];
  return disagreement?.kind === kind ? `disagrees with its mark: ${disagreement.reason}` : true;
}

export type EventSummary = {
  readonly kind: RoastEventKind;
  /** Recordings whose error counts. */
  readonly counted: number;
  /** Counted recordings where nothing was found. */
  readonly misses: number;
  readonly seconds: ErrorSpread;
  readonly celsius: ErrorSpread;
  /** Shown but not counted: derived, no mark, a curve that cannot show the event, a known disagreement. */
  readonly excluded: number;
};

/** Per event over all recordings: errors of the counted ones (median, worst, bias) and misses. */
export function summarize(results: readonly RecordingComparison[]): EventSummary[] {
  return eventKinds.map((kind) => {
    const rows = results.map((r) => r.events.find((e) => e.kind === kind)!);
    const counted = rows.filter((e) => e.counted === true);
    const seconds = errorSpread(counted.map((e) => e.errorS));
    return {
      kind,
      counted: counted.length,
      misses: seconds.of - seconds.n,
      seconds,
      celsius: errorSpread(counted.map((e) => e.errorC)),
      excluded: rows.length - counted.length,
    };
  });
}
