// Builders for the governor's tests: a roaster mid-roast with everything in order, so each test changes
// only what it is about.
import { type Command, CommandProposalSpec, RoasterSpec, type RoasterStatus } from '@roast-operator/api';
import { decide, type Ruling } from './decide.ts';
import type {
  CommandResult,
  GovernedProposal,
  GovernedRoaster,
  GovernedSession,
  History,
  PastCommand,
  Presence,
} from './inputs.ts';

export const now = Date.parse('2026-11-24T10:00:00Z');
export const seconds = (n: number): number => n * 1000;
export const ago = (s: number): number => now - seconds(s);

export const agent = 'system:serviceaccount:roasting:advisor';
export const human = 'alice';

export const present: Presence = { lastHumanActionAt: ago(60) };
export const absent: Presence = {};
export const noHistory: History = { commands: [], results: [] };

// One level deep, as RoasterSpec.parse fills the defaults of what is left out.
type SpecOverrides = { [K in keyof RoasterSpec]?: Partial<RoasterSpec[K]> };

export interface RoasterOptions {
  readonly spec?: SpecOverrides;
  /** Merged over a roasting status; `undefined` for a roaster the link gateway has not reported yet. */
  readonly status?: RoasterStatus | undefined;
  readonly edgeInterlocksClear?: boolean | undefined;
}

export const roastingStatus = {
  phase: 'Roasting',
  levels: { heater: 5, fan: 6, drum: 5 },
} as const satisfies RoasterStatus;

/** An R1 at L5, connected and roasting at heater 5, fan 6, drum 5; spec defaults as the API server fills them. */
export function roaster(options: RoasterOptions = {}): GovernedRoaster {
  const spec = RoasterSpec.parse({
    model: 'AillioBulletR1',
    binding: { nodeName: 'roaster-node' },
    autonomy: { level: 'L5' },
    ...options.spec,
  });
  const status = 'status' in options ? options.status : {};
  return {
    spec,
    status: status && { ...roastingStatus, ...status },
    edgeInterlocksClear: 'edgeInterlocksClear' in options ? options.edgeInterlocksClear : true,
  };
}

export function proposal(
  command: Command,
  by: string,
  createdAt = ago(1),
  ttlSeconds?: number,
): GovernedProposal {
  const spec = CommandProposalSpec.parse({
    roasterRef: { name: 'bullet-1' },
    command,
    proposedBy: by,
    ttlSeconds,
  });
  return { spec, createdAt };
}

export const heater = (target: number): Command => ({ type: 'SetHeater', target });
export const fan = (target: number): Command => ({ type: 'SetFan', target });
export const drum = (target: number): Command => ({ type: 'SetDrum', target });

export const dispatched = (command: Command, secondsAgo: number, finished = true): PastCommand => ({
  command,
  dispatchedAt: ago(secondsAgo),
  finished,
});

export const result = (
  outcome: CommandResult['outcome'],
  secondsAgo: number,
  simulated = false,
): CommandResult => ({
  at: ago(secondsAgo),
  outcome,
  simulated,
});

export interface Case {
  readonly command: Command;
  readonly by?: string;
  readonly roaster?: RoasterOptions;
  readonly session?: GovernedSession;
  readonly history?: History;
  readonly presence?: Presence;
  readonly createdAt?: number;
  readonly ttlSeconds?: number;
}

/** Governs one proposal made by a human a second ago, with a human present, unless the case says otherwise. */
export function govern(c: Case): Ruling {
  return decide(
    proposal(c.command, c.by ?? human, c.createdAt, c.ttlSeconds),
    roaster(c.roaster),
    c.session,
    c.history ?? noHistory,
    c.presence ?? present,
    now,
  );
}
