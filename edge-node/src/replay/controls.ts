import { type R1Control, R1Ranges } from '@roast-operator/r1';
import type { Recording } from '@roast-operator/roast/recordings';

// Heater, fan and drum levels from the control changes a recording logged. No recording here is of an R1,
// and each roaster's setup names its controls and scales their values its own way, so the levels are
// always derived: the setup's value range is mapped linearly onto the R1's range.

/** Where a setup logs one control: the event type, and the values that stand for the R1 range's ends. */
type ControlChannel = { readonly type: string; readonly span: readonly [number, number] };

type ControlMap = Readonly<Partial<Record<R1Control, ControlChannel>>>;

/** Artisan's Bullet R1 setup: Burner, Air and Drum sliders at ten times the level (protocol §2.1, §4). */
const bulletR1: ControlMap = {
  heater: { type: 'Burner', span: [0, 90] },
  fan: { type: 'Air', span: [10, 120] },
  drum: { type: 'Drum', span: [10, 90] },
};

const percent = [0, 100] as const;

/** Setups that differ from the Bullet's, by the recording's source repository (one roaster each). */
const controlMaps: Readonly<Record<string, ControlMap>> = {
  // An electric drum roaster: Burner and Air sliders in per cent; its Drum events carry no value.
  'scottjames/coffee-roasting': {
    heater: { type: 'Burner', span: percent },
    fan: { type: 'Air', span: percent },
  },
  // A roaster with panel levels 1–9: heat is logged on the Drum slider ("Heat 7"), fan on Air ("Fan 9").
  'jacciz/coffee_roasting_profiles': {
    heater: { type: 'Drum', span: [1, 9] },
    fan: { type: 'Air', span: [1, 9] },
  },
};

export type LevelTrack = {
  /** The level at each sample. */
  readonly levels: readonly number[];
  /** How the levels were derived. */
  readonly how: string;
};

/**
 * The R1 level of `control` at every sample: the latest logged change, the first one before it (what the
 * roaster was set to before anyone touched it is not logged), or the R1's lowest level without any.
 */
export function levelTrack(recording: Recording, control: R1Control): LevelTrack {
  const channel = (controlMaps[recording.source.repo] ?? bulletR1)[control];
  const changes = channel ? recording.controls.filter((c) => c.type === channel.type) : [];
  const range = R1Ranges[control];
  if (!channel || changes.length === 0) {
    return {
      levels: recording.samples.map(() => range.min),
      how: `not logged: held at ${range.min}`,
    };
  }
  const [from, to] = channel.span;
  const toLevel = (value: number) =>
    Math.min(
      range.max,
      Math.max(range.min, Math.round(range.min + ((value - from) / (to - from)) * (range.max - range.min))),
    );
  let next = 0;
  let level = toLevel(changes[0]!.value);
  const levels = recording.samples.map((s) => {
    for (; next < changes.length && changes[next]!.t <= s.t; next++) level = toLevel(changes[next]!.value);
    return level;
  });
  return { levels, how: `${channel.type} events, ${from}–${to} mapped onto ${range.min}–${range.max}` };
}
