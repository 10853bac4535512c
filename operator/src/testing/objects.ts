// Objects as the API server returns them, for the controllers' unit tests: an R1 roasting with its link
// up, and proposals created a second ago, so each test changes only what it is about.
import {
  apiVersion,
  type Command,
  CommandProposal,
  type CommandProposalStatus,
  Roaster,
  type RoasterSpec,
  type RoasterStatus,
  RoastSession,
  type RoastSessionStatus,
} from '@roast-operator/api';

export const now = Date.parse('2026-11-24T10:00:00Z');
export const ago = (seconds: number): number => now - seconds * 1000;
export const iso = (ms: number): string => new Date(ms).toISOString();

export const agent = 'system:serviceaccount:roastery:advisor';
export const human = 'alice';
export const namespace = 'roastery';

type SpecOverrides = { [K in keyof RoasterSpec]?: Partial<RoasterSpec[K]> };

export const connected: RoasterStatus = {
  phase: 'Roasting',
  levels: { heater: 5, fan: 6, drum: 5 },
  conditions: [
    {
      type: 'InterlocksClear',
      status: 'True',
      reason: 'Clear',
      message: '',
      lastTransitionTime: iso(ago(600)),
    },
  ],
};

export function roaster(spec: SpecOverrides = {}, status: RoasterStatus = connected, name = 'bullet-1') {
  return Roaster.parse({
    apiVersion,
    kind: 'Roaster',
    metadata: { name, namespace, uid: `uid-${name}-0000-4000`, generation: 3 },
    spec: {
      model: 'AillioBulletR1',
      binding: { nodeName: 'roast-node-1' },
      autonomy: { level: 'L4' },
      ...spec,
    },
    status,
  });
}

let serial = 0;

export interface ProposalOptions {
  readonly by?: string;
  readonly roaster?: string;
  readonly session?: string;
  readonly createdAt?: number;
  readonly ttlSeconds?: number;
  readonly approval?: { decision: 'Approved' | 'Rejected'; approver: string; reason?: string };
  readonly status?: CommandProposalStatus;
}

export function proposal(command: Command, o: ProposalOptions = {}) {
  serial++;
  return CommandProposal.parse({
    apiVersion,
    kind: 'CommandProposal',
    metadata: {
      name: `p-${serial}`,
      namespace,
      uid: `${String(serial).padStart(8, '0')}-0000-4000-8000-000000000000`,
      resourceVersion: `${serial}`,
      generation: 1,
      creationTimestamp: iso(o.createdAt ?? ago(1)),
    },
    spec: {
      roasterRef: { name: o.roaster ?? 'bullet-1' },
      ...(o.session && { sessionRef: { name: o.session } }),
      command,
      proposedBy: o.by ?? agent,
      ...(o.ttlSeconds && { ttlSeconds: o.ttlSeconds }),
      ...(o.approval && { approval: o.approval }),
    },
    ...(o.status && { status: o.status }),
  });
}

export function session(name: string, roasterName = 'bullet-1', status?: RoastSessionStatus) {
  return RoastSession.parse({
    apiVersion,
    kind: 'RoastSession',
    metadata: { name, namespace, uid: `uid-${name}` },
    spec: { roasterRef: { name: roasterName } },
    ...(status && { status }),
  });
}

/** A session created `createdSecondsAgo`, Completed `endedSecondsAgo` if given. */
export function sessionAt(name: string, createdSecondsAgo: number, endedSecondsAgo?: number): RoastSession {
  const s = session(name);
  const ended = endedSecondsAgo !== undefined && {
    status: {
      phase: 'Completed' as const,
      conditions: [
        {
          type: 'Reconciling',
          status: 'False' as const,
          reason: 'Completed',
          message: '',
          lastTransitionTime: iso(ago(endedSecondsAgo)),
        },
      ],
    },
  };
  return { ...s, metadata: { ...s.metadata, creationTimestamp: iso(ago(createdSecondsAgo)) }, ...ended };
}

export const heater = (target: number): Command => ({ type: 'SetHeater', target });
export const stop: Command = { type: 'EmergencyStop' };
