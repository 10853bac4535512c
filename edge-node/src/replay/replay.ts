import { type R1Control, R1State, type R1Status1 } from '@roast-operator/r1';
import { isReading, rateOfRise } from '@roast-operator/roast';
import type { Recording } from '@roast-operator/roast/recordings';
import { type LevelTrack, levelTrack } from './controls.ts';

// A recording as an R1 would have sent it: one status block 1 per recorded sample. Every channel says
// whether it was recorded or derived, and how, so that whatever is built on a replay can tell the two
// apart. The recordings are Artisan logs, so the mapping is Artisan's for an R1 (device "BT/DT"): BT is
// bytes 0–3 and ET bytes 8–11.

/** The status channels a replay fills from a recording or derives. */
export type ReplayChannel =
  | 'bt'
  | 'btRor'
  | 'ibts'
  | 'exhaust'
  | 'heater'
  | 'fan'
  | 'drum'
  | 'state'
  | 'clock';

export type ChannelOrigin = { readonly origin: 'recorded' | 'derived'; readonly from: string };

export type ReplayChannels = Readonly<Record<ReplayChannel, ChannelOrigin>>;

/** Block 1 as the R1 sends it from `t` (the recording's clock, s) until the next frame. */
export type ReplayFrame = { readonly t: number; readonly status: R1Status1 };

export type Replay = {
  readonly name: string;
  readonly frames: readonly ReplayFrame[];
  readonly channels: ReplayChannels;
};

/** What an R1 sends for "no reading". */
const noReading = -1;

/** The rest of block 1: no recording has it and nothing downstream reads it. */
const unrecorded = { irt: 0, pcbt: 0, fanRpm: 0, voltage: 230, coilFan: 0 } as const;

/** The roaster clock's largest value, 255:59. */
const maxClockSeconds = 255 * 60 + 59;

const recorded = (from: string): ChannelOrigin => ({ origin: 'recorded', from });
const derived = (from: string): ChannelOrigin => ({ origin: 'derived', from });

/** A temperature as the R1 sends it: the reading, or −1. */
function sent(celsius: number): number {
  return isReading(celsius) ? celsius : noReading;
}

/** A channel counts as recorded when at least half its samples are readings; lost, it logs 0 or −1. */
function mostlyPresent<T>(values: readonly T[], present: (value: T) => boolean): boolean {
  return values.filter(present).length * 2 >= values.length;
}

function rorTrack(recording: Recording): { readonly values: number[]; readonly origin: ChannelOrigin } {
  const logged = recording.roasterRor;
  if (logged && mostlyPresent(logged, (v) => v !== null)) {
    return {
      values: logged.map((v) => v ?? Number.NaN),
      origin: recorded("the logger's RoR (extra channel ROR)"),
    };
  }
  // No rate until the analysis has one (NaN: downstream treats a non-finite rate as none).
  const rates = new Map(
    rateOfRise(recording.samples.map((s) => ({ t: s.t, value: s.bt }))).map((p) => [p.t, p.ror]),
  );
  return {
    values: recording.samples.map((s) => rates.get(s.t) ?? Number.NaN),
    origin: derived('the rate of rise of BT as the roast analysis computes it'),
  };
}

/** Charge (4) before CHARGE, roasting (6) until DROP, cooling (8) after: Artisan's R1 alarms, reversed. */
function stateAt(t: number, recording: Recording): number {
  const { charge, drop } = recording.marks;
  if (charge && t < charge.t) return R1State.charge;
  if (drop && t >= drop.t) return R1State.cooling;
  return R1State.roasting;
}

/** The roaster clock: whole seconds since the CHARGE mark while there are beans, as the R1 counts them. */
function clockAt(t: number, state: number, recording: Recording): number {
  if (state === R1State.charge) return 0;
  const since = t - (recording.marks.charge?.t ?? recording.samples[0]!.t);
  return Math.min(maxClockSeconds, Math.max(0, Math.floor(since)));
}

/** The replay of a recording; throws for one without samples. */
export function replayOf(recording: Recording): Replay {
  const { samples } = recording;
  if (samples.length === 0) throw new Error(`${recording.name}: no samples to replay`);
  const hasEt = mostlyPresent(samples, (s) => isReading(s.et ?? Number.NaN));
  const ror = rorTrack(recording);
  const levels: Record<R1Control, LevelTrack> = {
    heater: levelTrack(recording, 'heater'),
    fan: levelTrack(recording, 'fan'),
    drum: levelTrack(recording, 'drum'),
  };
  const frames = samples.map((s, i): ReplayFrame => {
    const state = stateAt(s.t, recording);
    const clock = clockAt(s.t, state, recording);
    const second = sent(hasEt ? (s.et ?? Number.NaN) : s.bt);
    return {
      t: s.t,
      status: {
        ...unrecorded,
        bt: sent(s.bt),
        btRor: ror.values[i]!,
        dt: second,
        exitTemp: second,
        clockMinutes: Math.floor(clock / 60),
        clockSeconds: clock % 60,
        heater: levels.heater.levels[i]!,
        fan: levels.fan.levels[i]!,
        drum: levels.drum.levels[i]!,
        state,
      },
    };
  });
  const level = (c: R1Control) => derived(levels[c].how);
  return {
    name: recording.name,
    frames,
    channels: {
      bt: recorded('BT'),
      btRor: ror.origin,
      ibts: hasEt
        ? recorded('ET, where Artisan logs an R1’s bytes 8–11')
        : derived('BT: the recording has no ET'),
      exhaust: derived('the same as bytes 8–11: no recording has exhaust'),
      heater: level('heater'),
      fan: level('fan'),
      drum: level('drum'),
      state: derived('the CHARGE and DROP marks: charge before CHARGE, roasting until DROP, cooling after'),
      clock: derived('seconds since the CHARGE mark'),
    },
  };
}
