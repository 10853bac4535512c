// The Argo CD health checks (deploy/argocd/health, as argocd-cm carries them) run in a real Lua VM on real
// objects: each case creates a Roaster, RoastSession or CommandProposal on the API server, writes its status
// through the status subresource as an admin — the CRD's schema validates the shape — reads it back, and
// feeds that exact object to the script. Where the operator has the code that writes a status (the autonomy
// side of a Roaster, a proposal's transitions), that code makes it. Each case also says what kstatus, and so
// Flux, makes of the same object.
import { fileURLToPath } from 'node:url';
import {
  apiVersion,
  CommandProposal,
  commandProposalNames,
  Roaster,
  type RoasterSpec,
  type RoasterStatus,
  type RoastSessionStatus,
  roasterNames,
  roastSessionNames,
  SessionPhase,
} from '@roast-operator/api';
import { testCluster, useTestNamespace } from '@roast-operator/control-plane';
import {
  type Condition,
  type ConditionUpdate,
  configMaps,
  KubeClient,
  type KubeObject,
  type ResourceDescriptor,
  setStatusCondition,
} from '@roast-operator/kube';
import { commandProposals, roasters, roastSessions } from '@roast-operator/operator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type StatusPatch,
  type Transition,
  transitionStatus,
} from '../../operator/src/proposals/transitions.ts';
import { autonomyStatus } from '../../operator/src/roasters/autonomy.ts';
import { type ArgocdKind, argocdData, configMapFile, healthScript } from '../../tools/gitops/argocd.ts';
import { ArgocdLua, type HealthStatus } from '../support/argocd-lua.ts';
import { installCrds } from '../support/gateway.ts';
import { type KStatus, kstatus } from '../support/kstatus.ts';

const cluster = testCluster();
const namespace = useTestNamespace('gitops-health');
const lua = new ArgocdLua();
let admin: KubeClient;

beforeAll(async () => {
  await installCrds(cluster);
  admin = new KubeClient(cluster.kubeConfig(), { fieldManager: 'gitops-health-test' });
});

afterAll(async () => {
  await admin?.close();
});

interface Expected {
  readonly health: HealthStatus;
  /** Text the health message must contain. */
  readonly message?: RegExp;
  readonly kstatus: KStatus;
}

const now = new Date();
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000).toISOString();

/** Conditions as a controller's successive setStatusCondition calls leave them. */
function conditionsOf(...updates: ConditionUpdate[]): Condition[] {
  return updates.reduce<Condition[]>((list, u) => setStatusCondition(list, u, now).conditions, []);
}

let serial = 0;
/** Creates an object and, when given one, writes its status as an admin; returns the object as read back. */
async function create(
  descriptor: ResourceDescriptor,
  kind: string,
  spec: unknown,
  status?: (created: KubeObject) => unknown | Promise<unknown>,
): Promise<KubeObject> {
  const api = admin.resource(descriptor);
  const name = `${kind.toLowerCase()}-${++serial}`;
  const created = await api.create({
    apiVersion,
    kind,
    metadata: { name, namespace: namespace() },
    spec,
  } as KubeObject);
  if (status === undefined) return created;
  const written = await status(created);
  await api.patch(namespace(), name, { status: written }, { type: 'merge', subresource: 'status' });
  const read = (await api.get(namespace(), name)) as KubeObject & { status?: unknown };
  // Nothing pruned or defaulted: the schema took every field of the status as written.
  expect(read.status).toEqual(written);
  return read;
}

async function check(kind: ArgocdKind, obj: KubeObject, expected: Expected) {
  const health = await lua.health(healthScript(kind), obj);
  expect(health.status, health.message).toBe(expected.health);
  if (expected.message) expect(health.message).toMatch(expected.message);
  expect(kstatus(obj).status).toBe(expected.kstatus);
}

/** Changes the spec after the status was written: the status now describes an older generation. */
async function bumpGeneration(descriptor: ResourceDescriptor, obj: KubeObject, spec: unknown) {
  const updated = await admin
    .resource(descriptor)
    .patch(namespace(), obj.metadata.name!, { spec }, { type: 'merge' });
  expect(updated.metadata.generation).toBe(2);
  return updated;
}

describe('Roaster', () => {
  const baseSpec = { model: 'Simulated', binding: { nodeName: 'roast-node-1' }, autonomy: { level: 'L3' } };

  /** What the link gateway reports, as field manager roast-link writes it. */
  interface Link {
    readonly phase?: NonNullable<RoasterStatus['phase']>;
    readonly interlocks?: 'True' | 'False';
    readonly edgeLatches?: RoasterStatus['edgeLatches'];
  }

  function linkStatus(link: Link): RoasterStatus {
    const connected = link.phase !== undefined && link.phase !== 'Disconnected';
    const updates: ConditionUpdate[] = [
      connected
        ? {
            type: 'Connected',
            status: 'True',
            reason: 'StreamOpen',
            message: 'The edge agent streams to the gateway.',
          }
        : {
            type: 'Connected',
            status: 'False',
            reason: 'StreamEnded',
            message: 'The edge agent’s stream ended.',
          },
    ];
    if (link.interlocks === 'True') {
      updates.push({
        type: 'InterlocksClear',
        status: 'True',
        reason: 'Clear',
        message: 'The edge agent holds no latch.',
      });
    }
    if (link.interlocks === 'False') {
      updates.push({
        type: 'InterlocksClear',
        status: 'False',
        reason: 'InterlockActive',
        message: 'Edge latches: edge-7 (overTemperature, active).',
      });
    }
    return {
      ...(link.phase && { phase: link.phase }),
      ...(connected && { levels: { heater: 6, fan: 4, drum: 7 } }),
      ...(connected && { lastTelemetry: { time: minutesAgo(0), beanTemperatureCelsius: 187.5 } }),
      ...(link.edgeLatches && { edgeLatches: link.edgeLatches }),
      conditions: conditionsOf(...updates),
    };
  }

  interface RoasterCase extends Expected {
    readonly name: string;
    readonly spec?: Partial<RoasterSpec>;
    readonly link?: Link;
    /** The operator's autonomy side, as the Roaster controller computes it. */
    readonly operator?: {
      readonly guardLive?: boolean;
      readonly humanPresent?: boolean;
      /** Failed commands in the breaker's window (the roaster's proposals, created for real). */
      readonly failedCommands?: number;
    };
    readonly extra?: readonly ConditionUpdate[];
    /** A spec change after the status was written. */
    readonly thenSpec?: Partial<RoasterSpec>;
  }

  async function failedProposals(roaster: string, count: number) {
    const proposals = [];
    for (let i = 0; i < count; i++) {
      const obj = await create(commandProposals, commandProposalNames.kind, proposalSpec(roaster), (p) =>
        proposalStatus(p, { to: 'Failed', message: 'The heater did not follow.' }, failedResult),
      );
      proposals.push(CommandProposal.parse(obj));
    }
    return proposals;
  }

  async function roasterStatus(created: KubeObject, c: RoasterCase): Promise<RoasterStatus> {
    const link = linkStatus(c.link ?? {});
    if (c.operator === undefined) return link;
    const roaster = Roaster.parse({ ...created, status: link });
    const proposals = await failedProposals(created.metadata.name!, c.operator.failedCommands ?? 0);
    const { status } = autonomyStatus({
      now: now.getTime(),
      roaster,
      proposals,
      session: () => undefined,
      presence: c.operator.humanPresent ? { lastHumanActionAt: now.getTime() } : {},
      guardLive: c.operator.guardLive ?? true,
      linkConfigured: true,
    });
    return {
      ...link,
      ...status,
      conditions: [...(link.conditions ?? []), ...status.conditions, ...conditionsOf(...(c.extra ?? []))],
    };
  }

  const cases: RoasterCase[] = [
    {
      name: 'no status at all',
      health: 'Progressing',
      message: /report the roaster's status/,
      kstatus: 'Current',
    },
    {
      name: 'the link reported, the operator has not observed the spec yet',
      link: { phase: 'Roasting', interlocks: 'True' },
      health: 'Progressing',
      message: /observe generation 1/,
      kstatus: 'Current',
    },
    {
      name: 'connected, commands accepted',
      link: { phase: 'Roasting', interlocks: 'True' },
      operator: {},
      health: 'Healthy',
      message: /Ready True \(Ready\): Connected and Roasting/,
      kstatus: 'Current',
    },
    {
      name: 'L4 while nobody is at the roaster: the presence rule, not a fault',
      spec: { autonomy: { level: 'L4' } },
      link: { phase: 'ReadyToCharge', interlocks: 'True' },
      operator: { humanPresent: false },
      health: 'Healthy',
      message: /AutonomyDegraded True \(NoHumanPresent\)/,
      kstatus: 'Current',
    },
    {
      name: 'L4 with a human present',
      spec: { autonomy: { level: 'L4' } },
      link: { phase: 'Preheating', interlocks: 'True' },
      operator: { humanPresent: true },
      health: 'Healthy',
      kstatus: 'Current',
    },
    {
      name: 'Disconnected',
      link: { phase: 'Disconnected' },
      operator: {},
      health: 'Degraded',
      message: /Ready False \(Disconnected\)/,
      kstatus: 'InProgress',
    },
    {
      name: 'the roaster reports a fault',
      link: { phase: 'Fault', interlocks: 'True' },
      operator: {},
      health: 'Degraded',
      message: /Ready False \(Faulted\)/,
      kstatus: 'InProgress',
    },
    {
      name: 'latched by Git’s kill switch',
      spec: { emergencyStop: true },
      link: { phase: 'Cooling', interlocks: 'True' },
      operator: {},
      health: 'Degraded',
      message: /latch git-[0-9a-f-]+-1, cause SpecEmergencyStop.*ResetLatch proposal naming git-/,
      kstatus: 'InProgress',
    },
    {
      name: 'an edge interlock tripped',
      link: {
        phase: 'Cooling',
        interlocks: 'False',
        edgeLatches: [
          {
            id: 'edge-7',
            cause: 'overTemperature',
            message: 'BT 262 °C above the 250 °C ceiling',
            since: minutesAgo(2),
            conditionActive: true,
          },
        ],
      },
      operator: {},
      health: 'Degraded',
      message:
        /Edge latch edge-7, cause overTemperature \(BT 262 °C above the 250 °C ceiling\), since \S+, its condition still active/,
      // Ready does not look at the edge's interlocks, so kstatus sees nothing wrong.
      kstatus: 'Current',
    },
    {
      name: 'the circuit breaker opened',
      spec: { model: 'AillioBulletR1' },
      link: { phase: 'Roasting', interlocks: 'True' },
      operator: { failedCommands: 5 },
      health: 'Degraded',
      message: /AutonomyDegraded True \(CircuitBreakerOpen\): Effective autonomy is L2, below L3/,
      kstatus: 'Current',
    },
    {
      name: 'the admission guard is not proven live',
      link: { phase: 'Off', interlocks: 'True' },
      operator: { guardLive: false },
      health: 'Degraded',
      message: /AdmissionGuardNotLive/,
      kstatus: 'InProgress',
    },
    {
      name: 'a spec change the operator has not observed yet',
      link: { phase: 'Off', interlocks: 'True' },
      operator: {},
      thenSpec: { autonomy: { level: 'L2' } },
      health: 'Progressing',
      message: /observe generation 2 \(status is from generation 1\)/,
      kstatus: 'InProgress',
    },
    {
      name: 'Stalled',
      link: { phase: 'Off', interlocks: 'True' },
      operator: {},
      extra: [
        { type: 'Stalled', status: 'True', reason: 'DeviceMismatch', message: 'Another device answers.' },
      ],
      health: 'Degraded',
      message: /Stalled True \(DeviceMismatch\)/,
      kstatus: 'Failed',
    },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.health}`, async () => {
      const spec = { ...baseSpec, ...c.spec };
      const wantsStatus = c.link !== undefined || c.operator !== undefined;
      let obj = await create(
        roasters,
        roasterNames.kind,
        spec,
        wantsStatus ? (created) => roasterStatus(created, c) : undefined,
      );
      if (c.thenSpec) obj = await bumpGeneration(roasters, obj, c.thenSpec);
      await check('Roaster', obj, c);
    });
  }
});

describe('RoastSession', () => {
  const spec = (roaster: string) => ({
    roasterRef: { name: roaster },
    profile: { coffee: 'Ethiopia Guji, washed', batchGrams: 450, dropTemperatureCelsius: 210 },
  });
  const ended = new Set(['Completed', 'Aborted', 'Failed']);

  /** A session's status as the schema describes it: Ready with the phase as reason, Reconciling while it runs. */
  function sessionStatus(
    phase: NonNullable<RoastSessionStatus['phase']>,
    withConditions = true,
  ): RoastSessionStatus {
    const message = `The session is ${phase}.`;
    return {
      observedGeneration: 1,
      phase,
      source: { type: 'Simulated', seed: 7 },
      ...(phase !== 'Pending' && {
        events: {
          charge: {
            time: minutesAgo(9),
            secondsSinceCharge: 0,
            beanTemperatureCelsius: 201,
            source: 'StateCode',
          },
        },
        metrics: {
          totalSeconds: 540,
          maxRateOfRiseCelsiusPerMinute: 18.5,
          pointsStored: 1080,
          pointsDropped: 0,
        },
      }),
      ...(withConditions && {
        conditions: conditionsOf(
          {
            type: 'Ready',
            status: phase === 'Completed' ? 'True' : 'False',
            reason: phase,
            message,
            observedGeneration: 1,
          },
          {
            type: 'Reconciling',
            status: ended.has(phase) ? 'False' : 'True',
            reason: ended.has(phase) ? phase : 'Roasting',
            message,
            observedGeneration: 1,
          },
        ),
      }),
    };
  }

  interface SessionCase extends Expected {
    readonly name: string;
    readonly status?: RoastSessionStatus;
    readonly thenMark?: boolean;
  }

  // Every phase the schema knows, with the conditions the session controller writes for it.
  const byPhase = SessionPhase.options.map(
    (phase): SessionCase => ({
      name: phase,
      status: sessionStatus(phase),
      ...(phase === 'Completed'
        ? { health: 'Healthy', message: /Ready True \(Completed\)/, kstatus: 'Current' }
        : ended.has(phase)
          ? // Ready False with nothing else is InProgress to kstatus, however final.
            { health: 'Degraded', message: new RegExp(`Ready False \\(${phase}\\)`), kstatus: 'InProgress' }
          : { health: 'Progressing', message: /Reconciling True \(Roasting\)/, kstatus: 'InProgress' }),
    }),
  );

  const cases: SessionCase[] = [
    { name: 'no status at all', health: 'Progressing', kstatus: 'Current' },
    ...byPhase,
    {
      name: 'Completed by phase alone (no conditions)',
      status: sessionStatus('Completed', false),
      health: 'Healthy',
      kstatus: 'Current',
    },
    {
      name: 'Failed by phase alone (no conditions)',
      status: sessionStatus('Failed', false),
      health: 'Degraded',
      kstatus: 'Current',
    },
    {
      name: 'Drying by phase alone (no conditions)',
      status: sessionStatus('Drying', false),
      health: 'Progressing',
      kstatus: 'Current',
    },
    {
      name: 'a mark added after it Completed, not observed yet',
      status: sessionStatus('Completed'),
      thenMark: true,
      health: 'Progressing',
      message: /observe generation 2/,
      kstatus: 'InProgress',
    },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.health}`, async () => {
      let obj = await create(
        roastSessions,
        roastSessionNames.kind,
        spec('bullet-1'),
        c.status && (() => c.status),
      );
      if (c.thenMark) {
        obj = await bumpGeneration(roastSessions, obj, {
          marks: [{ type: 'note', by: 'admin', note: 'bagged' }],
        });
      }
      await check('RoastSession', obj, c);
    });
  }
});

const proposalSpec = (roaster: string) => ({
  roasterRef: { name: roaster },
  command: { type: 'SetHeater', target: 6 },
  proposedBy: 'admin',
  rationale: 'Rate of rise is falling too fast before first crack.',
  ttlSeconds: 120,
});

const failedResult = {
  dispatch: { time: minutesAgo(1), node: 'roast-node-1', pod: 'roast-edge-abcde' },
  result: { outcome: 'Failed', message: 'heater stayed at 4', latencyMs: 850, time: minutesAgo(1) },
} satisfies StatusPatch;

/** A proposal's status as the operator's transition writes it, plus what the link adds. */
function proposalStatus(created: KubeObject, t: Transition, extra: StatusPatch = {}): StatusPatch {
  return { ...transitionStatus(CommandProposal.parse(created), t, now), ...extra };
}

describe('CommandProposal', () => {
  const governor = (
    decision: 'Allow' | 'RequireApproval' | 'Deny',
    rule: string,
    reasons: string[] = [],
  ) => ({
    decision,
    rule,
    level: 'L3' as const,
    ...(reasons.length > 0 && { reasons }),
  });
  const expiresAt = Date.parse(minutesAgo(-2));

  interface ProposalCase extends Expected {
    readonly name: string;
    readonly status?: (created: KubeObject) => StatusPatch;
    /** A human's decision, added to the spec (a new generation). */
    readonly approval?: 'Approved' | 'Rejected';
    /** The status written once the decision is in. */
    readonly thenStatus?: (decided: KubeObject) => StatusPatch;
  }

  const cases: ProposalCase[] = [
    { name: 'no status at all', health: 'Progressing', message: /govern/, kstatus: 'Current' },
    {
      name: 'Pending',
      status: (p) => proposalStatus(p, { to: 'Pending', message: 'Being governed.' }),
      health: 'Progressing',
      message: /Reconciling True \(Governing\)/,
      kstatus: 'InProgress',
    },
    {
      name: 'AwaitingApproval',
      status: (p) =>
        proposalStatus(p, {
          to: 'AwaitingApproval',
          message: 'SetHeater raises energy at L3: a human approves it.',
          governor: governor('RequireApproval', 'autonomy-level'),
          selfApprovalAllowed: false,
          expiresAt,
        }),
      health: 'Suspended',
      message: /Waiting for a human decision until \S+Z: Reconciling True \(AwaitingApproval\)/,
      kstatus: 'InProgress',
    },
    {
      name: 'AwaitingApproval by phase alone (no conditions)',
      status: () => ({ phase: 'AwaitingApproval', observedGeneration: 1 }),
      health: 'Suspended',
      kstatus: 'Current',
    },
    {
      name: 'approved by a human, not yet observed',
      status: (p) =>
        proposalStatus(p, {
          to: 'AwaitingApproval',
          message: 'A human approves it.',
          governor: governor('RequireApproval', 'autonomy-level'),
          selfApprovalAllowed: false,
          expiresAt,
        }),
      approval: 'Approved',
      health: 'Progressing',
      message: /observe generation 2 \(status is from generation 1\)/,
      kstatus: 'InProgress',
    },
    {
      name: 'Approved, waiting for the link',
      status: (p) =>
        proposalStatus(p, {
          to: 'Approved',
          message: 'The roaster’s edge agent is not connected.',
          governor: governor('Allow', 'within-limits'),
          expiresAt,
        }),
      health: 'Progressing',
      message: /Reconciling True \(Dispatching\)/,
      kstatus: 'InProgress',
    },
    {
      name: 'Dispatched',
      status: (p) =>
        proposalStatus(p, {
          to: 'Dispatched',
          message: 'Sent to roast-edge-abcde.',
          dispatch: failedResult.dispatch,
        }),
      health: 'Progressing',
      message: /AwaitingResult/,
      kstatus: 'InProgress',
    },
    {
      name: 'Succeeded',
      status: (p) =>
        proposalStatus(
          p,
          { to: 'Succeeded', message: 'The heater is at 6.' },
          { dispatch: failedResult.dispatch, result: { outcome: 'Succeeded', latencyMs: 420 } },
        ),
      health: 'Healthy',
      kstatus: 'Current',
    },
    {
      name: 'Rejected by a human',
      status: (p) =>
        proposalStatus(p, {
          to: 'AwaitingApproval',
          message: 'A human approves it.',
          governor: governor('RequireApproval', 'autonomy-level'),
          selfApprovalAllowed: false,
          expiresAt,
        }),
      approval: 'Rejected',
      thenStatus: (p) => proposalStatus(p, { to: 'Rejected', message: 'bob rejected it.' }),
      health: 'Healthy',
      message: /Ready False \(Rejected\): bob rejected it\.; Rejected by bob: too early in the roast/,
      // Ready False and nothing else: kstatus cannot tell a decision from work in progress.
      kstatus: 'InProgress',
    },
    {
      name: 'Blocked by the governor',
      status: (p) =>
        proposalStatus(p, {
          to: 'Blocked',
          message: 'Denied.',
          governor: governor('Deny', 'limits.heater', ['Heater 6 is above spec.limits.heater.max 5.']),
        }),
      health: 'Degraded',
      message: /Ready False \(Blocked\): Denied\.; governor Deny limits\.heater at L3: Heater 6 is above/,
      kstatus: 'InProgress',
    },
    {
      name: 'Failed on the roaster',
      status: (p) => proposalStatus(p, { to: 'Failed', message: 'The heater did not follow.' }, failedResult),
      health: 'Degraded',
      message: /Ready False \(Failed\).*result Failed: heater stayed at 4/,
      kstatus: 'InProgress',
    },
    {
      name: 'Expired',
      status: (p) => proposalStatus(p, { to: 'Expired', message: 'Nobody decided before the deadline.' }),
      health: 'Degraded',
      message: /Ready False \(Expired\)/,
      kstatus: 'InProgress',
    },
    {
      name: 'Aborted by an emergency stop',
      status: (p) => proposalStatus(p, { to: 'Aborted', message: 'The roaster latched.' }),
      health: 'Degraded',
      message: /Ready False \(Aborted\)/,
      kstatus: 'InProgress',
    },
    {
      name: 'Failed by phase alone (no conditions)',
      status: () => ({ phase: 'Failed', observedGeneration: 1, ...failedResult }),
      health: 'Degraded',
      message: /Phase Failed; result Failed: heater stayed at 4/,
      kstatus: 'Current',
    },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.health}`, async () => {
      let obj = await create(commandProposals, commandProposalNames.kind, proposalSpec('bullet-1'), c.status);
      if (c.approval) {
        const approval = {
          decision: c.approval,
          approver: 'bob',
          ...(c.approval === 'Rejected' && { reason: 'too early in the roast' }),
        };
        obj = await bumpGeneration(commandProposals, obj, { approval });
      }
      if (c.thenStatus) {
        const api = admin.resource(commandProposals);
        const status = c.thenStatus(obj);
        await api.patch(
          namespace(),
          obj.metadata.name!,
          { status },
          { type: 'merge', subresource: 'status' },
        );
        obj = await api.get(namespace(), obj.metadata.name!);
      }
      await check('CommandProposal', obj, c);
    });
  }
});

describe('deploy/argocd/argocd-cm.yaml', () => {
  it('merges into an existing argocd-cm as docs/gitops.md says, every script byte for byte', async () => {
    const api = admin.resource(configMaps);
    const existing = { url: 'https://argocd.example.com', 'timeout.reconciliation': '180s' };
    await api.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-cm', namespace: namespace() },
      data: existing,
    } as KubeObject);
    const file = fileURLToPath(configMapFile);
    await cluster.kubectl([
      'apply',
      '--server-side',
      '--field-manager=roast-operator',
      '-n',
      namespace(),
      '-f',
      file,
    ]);
    const merged = (await api.get(namespace(), 'argocd-cm')) as KubeObject & {
      data?: Record<string, string>;
    };
    expect(merged.data).toEqual({ ...existing, ...argocdData() });
  });
});

describe('the Lua VM', () => {
  it('is as bare as Argo CD’s for argocd-cm scripts: no string or math library, no string methods', async () => {
    for (const script of [
      'return { status = string.format("%s", "Healthy") }',
      'return { status = math.max(1, 2) }',
      'return { status = ("Healthy"):upper() }',
    ]) {
      await expect(lua.health(script, {})).rejects.toThrow(
        /attempt to index a nil value|attempt to index a string value/,
      );
    }
    await expect(lua.health('return { status = "Fine" }', {})).rejects.toThrow(
      /not an Argo CD health status: Fine/,
    );
  });
});
