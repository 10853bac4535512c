// The chart on a real API server: installed with helm, then every rule of who may propose, decide, mark,
// configure and write status is tried by the identities of table.ts, with and without the
// MutatingAdmissionPolicy. The chart installs cluster-scoped objects (ClusterRoles, admission policies),
// so everything that needs it lives in this one file; its policies are bound only to this file's
// namespace, so other files' objects never meet them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiVersion, group } from '@roast-operator/api';
import { type CommandResult, eventually, testCluster, useTestNamespace } from '@roast-operator/control-plane';
import { guardRefusal } from '@roast-operator/operator';
import { chart, installChart, serviceAccountKubeconfig, serviceAccountUser } from '@roast-operator/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Act,
  type Actor,
  type Case,
  cases,
  type Grant,
  type IdentityName,
  identities,
  type Literally,
  type Marking,
  type Permission,
  type Proposal,
  permissions,
  roasters,
} from './table.ts';

const cluster = testCluster();
// Registered first, deleted last: helm uninstalls the release before its namespace goes.
const releaseNamespace = useTestNamespace('roast-operator');
const namespace = useTestNamespace('admission');
const elsewhere = useTestNamespace('admission-elsewhere');

const release = 'roast-operator';
// Not the chart's default, so the tests show the policies take the operator's identity from values.
const operatorServiceAccount = 'roast-operator-under-test';
const edgeServiceAccount = 'roast-edge';
const policies = [
  'roast-annotations',
  'roast-ownership',
  'roast-proposal-create',
  'roast-proposal-decision',
  'roast-roaster-configure',
  'roast-session',
  'roast-status',
];

let workDir = '';
let operatorKubeconfig = '';

/** The name written into a request: an actor's user name, or a name written as it is. */
function nameOf(who: Actor | Literally): string {
  return typeof who === 'string' ? userName(who) : who.literally;
}

function userName(actor: Actor | 'edge'): string {
  if (actor === 'admin') return 'admin';
  if (actor === 'operator') return serviceAccountUser(releaseNamespace(), operatorServiceAccount);
  if (actor === 'edge') return serviceAccountUser(releaseNamespace(), edgeServiceAccount);
  return identities[actor].kind === 'human' ? actor : serviceAccountUser(namespace(), actor);
}

/** kubectl flags that make the admin's kubeconfig act as someone else (or the operator's token). */
function actingAs(actor: Actor | 'edge'): string[] {
  if (actor === 'admin') return [];
  if (actor === 'operator') return ['--kubeconfig', operatorKubeconfig];
  const user = userName(actor);
  const groups = user.startsWith('system:serviceaccount:')
    ? ['system:serviceaccounts', `system:serviceaccounts:${user.split(':')[2]}`]
    : ['roasters'];
  return [`--as=${user}`, ...groups.map((g) => `--as-group=${g}`)];
}

function kubectl(
  actor: Actor | 'edge',
  args: string[],
  input?: string,
  ns = namespace(),
): Promise<CommandResult> {
  return cluster.kubectl([...actingAs(actor), ...args], {
    namespace: ns,
    check: false,
    ...(input === undefined ? {} : { input }),
  });
}

/** A step that must succeed for the case to mean anything. */
async function must(actor: Actor, args: string[], input?: string): Promise<string> {
  const result = await kubectl(actor, args, input);
  expect(result.stderr, `${actor}: kubectl ${args.join(' ')}`).toBe('');
  return result.stdout;
}

const json = (value: unknown) => JSON.stringify(value);
const manifest = (kind: string, name: string, spec: unknown, metadata: object = {}) =>
  json({ apiVersion, kind, metadata: { name, ...metadata }, spec });

async function getSpec(resource: string, name: string): Promise<Record<string, unknown>> {
  return JSON.parse(await must('admin', ['get', resource, name, '-o', 'jsonpath={.spec}']));
}

let serial = 0;
const fresh = (kind: string) => `${kind}-${++serial}`;

const heater = { type: 'SetHeater', target: 6 };
const approval = (decision: string, approver: Actor | 'none' | Literally, reason: string) => ({
  spec: { approval: { decision, ...(approver === 'none' ? {} : { approver: nameOf(approver) }), reason } },
});

/** A proposal brought to its state as it happens: created by its proposer, governed by the operator. */
async function proposal(p: Proposal = {}, sessionRef?: string): Promise<string> {
  const name = fresh('proposal');
  const by = p.by ?? 'alice';
  const spec = {
    roasterRef: { name: 'bullet-a' },
    ...(sessionRef ? { sessionRef: { name: sessionRef } } : {}),
    command: heater,
    proposedBy: userName(by),
  };
  await must(by, ['create', '-f', '-'], manifest('CommandProposal', name, spec));
  const phase = p.phase ?? 'AwaitingApproval';
  if (phase !== 'none') {
    const snapshot =
      phase === 'AwaitingApproval'
        ? { approvalPolicy: { selfApprovalAllowed: p.selfApprovalAllowed ?? false } }
        : {};
    await must('operator', [
      'patch',
      'commandproposal',
      name,
      '--subresource=status',
      '--type=merge',
      '-p',
      json({ status: { phase, ...snapshot } }),
    ]);
  }
  if (p.decidedBy) {
    const decision = approval('Approved', p.decidedBy, 'within limits');
    await must(p.decidedBy, ['patch', 'commandproposal', name, '--type=merge', '-p', json(decision)]);
  }
  return name;
}

/** A session the operator opened when the roaster reported a charge. */
async function session(): Promise<string> {
  const name = fresh('session');
  const spec = { roasterRef: { name: 'bullet-a' }, profile: { batchGrams: 350 }, marks: [] };
  await must('operator', ['create', '-f', '-'], manifest('RoastSession', name, spec));
  return name;
}

/** A session whose marks were added first, each group in one JSON patch by its marker. */
async function markedSession(markings: readonly Marking[]): Promise<string> {
  const name = await session();
  for (const { by, type, count } of markings) {
    const value = { type, by: userName(by) };
    const patch = Array.from({ length: count }, () => ({ op: 'add', path: '/spec/marks/-', value }));
    await must(by, ['patch', 'roastsession', name, '--type=json', '-p', json(patch)]);
  }
  return name;
}

/** A Roaster as Git creates it. */
async function roaster(name = fresh('roaster')): Promise<string> {
  await must(
    'gitops',
    ['create', '-f', '-'],
    manifest('Roaster', name, { model: 'Simulated', binding: { nodeName: 'roast-node-1' } }),
  );
  return name;
}

const ownerReference = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  name: 'anything',
  uid: '6b0e7f3e-0000-4000-8000-000000000001',
};

interface Attempt {
  readonly resource: string;
  readonly name: string;
  readonly result: CommandResult;
}

async function attempt(by: Actor, act: Act): Promise<Attempt> {
  if ('propose' in act) {
    const {
      command,
      proposedBy = by,
      rationale,
      approval: withApproval,
      ownerReference: owned,
    } = act.propose;
    const name = fresh('proposal');
    const spec = {
      roasterRef: { name: 'bullet-a' },
      command,
      ...(proposedBy === 'none' ? {} : { proposedBy: nameOf(proposedBy) }),
      ...(rationale === undefined ? {} : { rationale }),
      ...(withApproval ? approval('Approved', by, 'approved at birth').spec : {}),
    };
    const metadata = owned ? { ownerReferences: [ownerReference] } : {};
    const result = await kubectl(
      by,
      ['create', '-f', '-'],
      manifest('CommandProposal', name, spec, metadata),
    );
    return { resource: 'commandproposal', name, result };
  }
  if ('decide' in act) {
    const name = await proposal(act.on);
    const body = approval(act.decide, act.approver ?? by, act.reason ?? 'rate of rise is flattening');
    const result = await kubectl(by, ['patch', 'commandproposal', name, '--type=merge', '-p', json(body)]);
    return { resource: 'commandproposal', name, result };
  }
  const [resource, name] =
    act.on === 'session'
      ? ['roastsession', await session()]
      : act.on === 'roaster'
        ? ['roaster', await roaster()]
        : 'session' in act.on
          ? ['roastsession', await markedSession(act.on.session)]
          : ['commandproposal', await proposal(act.on.proposal)];
  const [type, patch] = 'merge' in act.change ? ['merge', act.change.merge] : ['json', act.change.json];
  const subresource = act.subresource ? [`--subresource=${act.subresource}`] : [];
  const result = await kubectl(by, [
    'patch',
    resource,
    name,
    ...subresource,
    `--type=${type}`,
    '-p',
    json(patch).replaceAll('{namespace}', namespace()),
  ]);
  return { resource, name, result };
}

// What no refusal may read like: a field left empty, a policy's internal error, a bare count.
const unclear = ['is invalid: : ', 'failed to convert', 'Too many: '];

async function expectOutcome(c: Case, mutating: boolean): Promise<void> {
  const { resource, name, result } = await attempt(c.by, c.act);
  const refusedWith = mutating && c.admittedWhenFilledIn ? undefined : c.refusedWith;
  if (refusedWith) {
    expect(result.code, result.stdout).not.toBe(0);
    expect(result.stderr).toContain(
      refusedWith.replaceAll('{namespace}', namespace()).replaceAll('{name}', name),
    );
    for (const words of unclear) expect(result.stderr).not.toContain(words);
    return;
  }
  expect(result.stderr).toBe('');
  // Whatever filled the name in, an admitted proposal or decision names who made it.
  const spec = await getSpec(resource, name);
  if ('propose' in c.act) expect(spec.proposedBy).toBe(userName(c.by));
  if ('decide' in c.act)
    expect(spec.approval).toMatchObject({ decision: c.act.decide, approver: userName(c.by) });
}

function install(mutating: boolean): Promise<void> {
  return installChart(cluster, {
    release,
    namespace: releaseNamespace(),
    set: {
      'operator.serviceAccount.name': operatorServiceAccount,
      'edge.serviceAccount.name': edgeServiceAccount,
      'admission.mutatingPolicy.enabled': mutating,
    },
    // Bound to this file's namespace only: other test files create objects the policies would refuse.
    setJson: {
      'admission.namespaceSelector': { matchLabels: { 'kubernetes.io/metadata.name': namespace() } },
    },
  });
}

function grantManifests(who: IdentityName, grants: readonly Grant[]): unknown[] {
  const subject =
    identities[who].kind === 'human'
      ? { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: who }
      : { kind: 'ServiceAccount', name: who, namespace: namespace() };
  return grants.flatMap((grant, i) => {
    const name = `${who}-${i}`;
    const ns = 'elsewhere' in grant ? elsewhere() : namespace();
    const binding = (kind: string, role: string) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role },
      subjects: [subject],
    });
    if ('clusterRole' in grant) return [binding('ClusterRole', grant.clusterRole)];
    const rules = grant.rules.map((r) => ({ apiGroups: [group], ...r }));
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace: ns },
      rules,
    };
    return [role, binding('Role', name)];
  });
}

/** RBAC takes effect asynchronously (and view by aggregation): ask until the grant shows. */
async function waitForGrant(who: IdentityName, grant: Grant): Promise<void> {
  const ns = 'elsewhere' in grant ? elsewhere() : namespace();
  const rule =
    'rules' in grant ? grant.rules[0]! : { verbs: ['get'], resources: ['roasters'], resourceNames: [] };
  const verb = rule.verbs[0]!;
  const resource = [`${rule.resources[0]}.${group}`, ...(rule.resourceNames ?? []).slice(0, 1)].join('/');
  await eventually(async () => {
    const { stdout } = await kubectl(who, ['auth', 'can-i', verb, resource], undefined, ns);
    expect(stdout.trim(), `${who} ${verb} ${resource}`).toBe('yes');
  });
}

/** One violation per policy, dry-run: each must be refused with its policy's message before any case runs. */
const canaries: readonly {
  policy: string;
  by: Actor;
  args: () => string[];
  input?: () => string;
  refusedWith: string;
}[] = [
  {
    policy: 'roast-proposal-create',
    by: 'admin',
    args: () => ['create', '--dry-run=server', '-f', '-'],
    input: () =>
      manifest('CommandProposal', 'canary', {
        roasterRef: { name: 'bullet-a' },
        command: heater,
        proposedBy: 'admin',
        ...approval('Approved', 'admin', 'canary').spec,
      }),
    refusedWith: 'a CommandProposal cannot be created with spec.approval',
  },
  {
    policy: 'roast-proposal-decision',
    by: 'admin',
    args: () => [
      'patch',
      'commandproposal',
      'canary-ungoverned',
      '--dry-run=server',
      '--type=merge',
      '-p',
      json(approval('Approved', 'admin', 'canary')),
    ],
    refusedWith: 'is not yet governed',
  },
  {
    policy: 'roast-status',
    by: 'admin',
    args: () => [
      'patch',
      'commandproposal',
      'canary-ungoverned',
      '--dry-run=server',
      '--subresource=status',
      '--type=merge',
      '-p',
      json({ status: { phase: 'Pending' } }),
    ],
    refusedWith: 'writes the status of commandproposals: admin may not',
  },
  {
    policy: 'roast-annotations',
    by: 'admin',
    args: () => [
      'patch',
      'commandproposal',
      'canary-ungoverned',
      '--dry-run=server',
      '--type=merge',
      '-p',
      json({ metadata: { annotations: { 'example.com/note': '\u001b[2Jcanary' } } }),
    ],
    refusedWith: 'annotations on commandproposals may not contain control characters',
  },
  {
    policy: 'roast-ownership',
    by: 'admin',
    args: () => [
      'patch',
      'commandproposal',
      'canary-ungoverned',
      '--dry-run=server',
      '--type=merge',
      '-p',
      json({ metadata: { ownerReferences: [ownerReference] } }),
    ],
    refusedWith: 'only the operator sets owner references',
  },
  {
    policy: 'roast-session',
    by: 'admin',
    args: () => ['create', '--dry-run=server', '-f', '-'],
    input: () =>
      manifest('RoastSession', 'canary', {
        roasterRef: { name: 'bullet-a' },
        marks: [{ type: 'present', by: 'somebody' }],
      }),
    refusedWith: 'a mark names who made it',
  },
  {
    policy: 'roast-roaster-configure',
    by: 'heidi',
    args: () => [
      'patch',
      'roaster',
      'bullet-a',
      '--dry-run=server',
      '--type=merge',
      '-p',
      json({ spec: { emergencyStop: true } }),
    ],
    refusedWith: 'heidi may not change the spec of Roaster bullet-a',
  },
];

/**
 * The mutating policies, on or off: a name left out is filled in (an approval then meets separation of
 * duties) or refused as missing.
 */
async function waitForMutatingPolicy(mutating: boolean): Promise<void> {
  const body = json(approval('Approved', 'none', 'canary'));
  await eventually(async () => {
    const create = await kubectl(
      'admin',
      ['create', '--dry-run=server', '-o', 'jsonpath={.spec.proposedBy}', '-f', '-'],
      manifest('CommandProposal', 'canary', { roasterRef: { name: 'bullet-a' }, command: heater }),
    );
    const decide = await kubectl('admin', [
      'patch',
      'commandproposal',
      'canary-awaiting',
      '--dry-run=server',
      '--type=merge',
      '-p',
      body,
    ]);
    if (mutating) {
      expect(create.stdout).toBe('admin');
      expect(decide.stderr).toContain('separation of duties: admin proposed canary-awaiting');
    } else {
      expect(create.stderr).toContain('spec.proposedBy: Required value');
      expect(decide.stderr).toContain('spec.approval.approver: Required value');
    }
  }, 60_000);
}

async function waitForPolicies(mutating: boolean): Promise<void> {
  for (const canary of canaries) {
    await eventually(async () => {
      const result = await kubectl(canary.by, canary.args(), canary.input?.());
      expect(result.stderr, canary.policy).toContain(canary.refusedWith);
    }, 60_000);
  }
  await waitForMutatingPolicy(mutating);
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'roast-admission-'));
  await install(true);
  operatorKubeconfig = await serviceAccountKubeconfig(
    cluster,
    { namespace: releaseNamespace(), name: operatorServiceAccount },
    workDir,
  );
  const serviceAccounts = (Object.keys(identities) as IdentityName[]).filter(
    (who) => identities[who].kind === 'robot',
  );
  const objects = [
    ...serviceAccounts.map((name) => ({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name, namespace: namespace() },
    })),
    ...(Object.keys(identities) as IdentityName[]).flatMap((who) =>
      grantManifests(who, identities[who].grants),
    ),
  ];
  await cluster.kubectl(['apply', '-f', '-'], {
    input: json({ apiVersion: 'v1', kind: 'List', items: objects }),
  });
  for (const who of Object.keys(identities) as IdentityName[]) {
    for (const grant of identities[who].grants) await waitForGrant(who, grant);
  }
  for (const name of roasters) await roaster(name);
  // Canary proposals by the admin, who holds every verb: one never governed, one awaiting a decision.
  for (const name of ['canary-ungoverned', 'canary-awaiting']) {
    await must(
      'admin',
      ['create', '-f', '-'],
      manifest('CommandProposal', name, {
        roasterRef: { name: 'bullet-a' },
        command: heater,
        proposedBy: 'admin',
      }),
    );
  }
  await must('operator', [
    'patch',
    'commandproposal',
    'canary-awaiting',
    '--subresource=status',
    '--type=merge',
    '-p',
    json({ status: { phase: 'AwaitingApproval' } }),
  ]);
  await waitForPolicies(true);
});

afterAll(async () => {
  await cluster.helm(['uninstall', release, `--namespace=${releaseNamespace()}`], { check: false });
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the chart', () => {
  it('passes helm lint', async () => {
    const { stdout } = await cluster.helm(['lint', chart]);
    expect(stdout).toContain('0 chart(s) failed');
    expect(stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  it('installs admission policies that deny on failure, bound with Deny only, and type-check against the CRDs', async () => {
    await eventually(async () => {
      const { stdout } = await cluster.kubectl(['get', 'validatingadmissionpolicies', '-o', 'json']);
      const installed = (JSON.parse(stdout) as { items: Policy[] }).items.filter((p) =>
        policies.includes(p.metadata.name),
      );
      expect(installed.map((p) => p.metadata.name).sort()).toEqual(policies);
      for (const policy of installed) {
        expect(policy.spec.failurePolicy, policy.metadata.name).toBe('Fail');
        expect(policy.status?.observedGeneration, policy.metadata.name).toBe(policy.metadata.generation);
        expect(policy.status?.typeChecking?.expressionWarnings ?? [], policy.metadata.name).toEqual([]);
      }
    });
    const { stdout } = await cluster.kubectl(['get', 'validatingadmissionpolicybindings', '-o', 'json']);
    const bindings = (JSON.parse(stdout) as { items: Binding[] }).items.filter((b) =>
      policies.includes(b.spec.policyName),
    );
    const actions = bindings.map((b) => [b.spec.policyName, b.spec.validationActions]).sort();
    expect(actions).toEqual(policies.map((p) => [p, ['Deny']]));
  });

  it('reads oldObject and status only through optional chaining, and ends every authorizer call in .allowed()', async () => {
    const { stdout } = await cluster.kubectl([
      'get',
      'validatingadmissionpolicies,mutatingadmissionpolicies',
      '-o',
      'json',
    ]);
    const expressions = (JSON.parse(stdout) as { items: Policy[] }).items
      .filter((p) => p.metadata.name.startsWith('roast-'))
      .flatMap((p) => celExpressions(p.spec));
    expect(expressions.length).toBeGreaterThan(20);
    expect(expressions.filter((e) => /oldObject(?!\.\?)/.test(e))).toEqual([]);
    expect(expressions.filter((e) => /\bstatus\.(?!\?)/.test(e.replace(/'[^']*'/g, '')))).toEqual([]);
    expect(
      expressions.filter((e) =>
        /authorizer\.group\([^)]*\)(\.\w+\([^)]*\))*\.check\([^)]*\)(?!\.allowed\(\))/.test(e),
      ),
    ).toEqual([]);
  });

  it.each(permissions.map((p) => [p.who, p.allowed ? 'may' : 'may not', p.can.join(' '), p] as const))(
    '%s %s %s',
    async (_who, _verdict, _can, permission: Permission) => {
      const ns = permission.inReleaseNamespace ? releaseNamespace() : namespace();
      const { stdout } = await kubectl(permission.who, ['auth', 'can-i', ...permission.can], undefined, ns);
      expect(stdout.trim()).toBe(permission.allowed ? 'yes' : 'no');
    },
  );

  it('lets the operator prove the guard is live: its dry-run proposal carrying an approval is refused', async () => {
    const canary = manifest('CommandProposal', 'operator-canary', {
      roasterRef: { name: 'bullet-a' },
      command: heater,
      proposedBy: userName('operator'),
      ...approval('Approved', 'operator', 'canary').spec,
    });
    const result = await kubectl('operator', ['create', '--dry-run=server', '-f', '-'], canary);
    // What the operator's canary expects, word for word: the operator and the chart must agree.
    expect(result.stderr).toContain(guardRefusal);
  });
});

describe.each([
  { mode: 'with the MutatingAdmissionPolicy filling in names', mutating: true },
  { mode: 'with validating policies only', mutating: false },
])('$mode', ({ mutating }) => {
  beforeAll(async () => {
    await install(mutating);
    await waitForPolicies(mutating);
  });

  it.each(
    cases.map(
      (c) =>
        [
          mutating && c.admittedWhenFilledIn ? 'admits' : c.refusedWith ? 'refuses' : 'admits',
          c.name,
          c,
        ] as const,
    ),
  )('%s: %s', async (_verdict, _name, c: Case) => {
    await expectOutcome(c, mutating);
  });
});

describe('kubectl describe', () => {
  it('shows a person the Events of a proposal', async () => {
    const name = await proposal();
    const uid = await must('admin', ['get', 'commandproposal', name, '-o', 'jsonpath={.metadata.uid}']);
    const event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: `${name}.notice`, namespace: namespace() },
      regarding: { apiVersion, kind: 'CommandProposal', name, namespace: namespace(), uid },
      reason: 'AwaitingApproval',
      note: 'SetHeater 6 needs a human approval at L3',
      type: 'Normal',
      action: 'Govern',
      reportingController: 'roasting.simcorp.io/operator',
      reportingInstance: 'roast-operator-0',
      // A MicroTime: six digits of fractional seconds.
      eventTime: new Date().toISOString().replace(/Z$/, '000Z'),
    };
    await must('admin', ['create', '-f', '-'], json(event));
    for (const who of ['alice', 'advisor'] as const) {
      const described = await must(who, ['describe', 'commandproposal', name]);
      expect(described, who).toContain('SetHeater 6 needs a human approval at L3');
      expect(described, who).not.toMatch(/Events:\s+<none>/);
    }
  });
});

describe('deleting a session with proposals', () => {
  it.each([
    ['foreground', 'operator'],
    ['orphan', 'admin'],
  ] as const)('%s, by the %s, completes', async (cascade, by) => {
    const name = await session();
    const uid = await must('admin', ['get', 'roastsession', name, '-o', 'jsonpath={.metadata.uid}']);
    const owned = [await proposal({}, name), await proposal({ decidedBy: 'bob' }, name)];
    const owner = { apiVersion, kind: 'RoastSession', name, uid, blockOwnerDeletion: true };
    for (const p of owned) {
      await must('operator', [
        'patch',
        'commandproposal',
        p,
        '--type=merge',
        '-p',
        json({ metadata: { ownerReferences: [owner] } }),
      ]);
    }
    await must(by, ['delete', 'roastsession', name, `--cascade=${cascade}`, '--wait=false']);
    await eventually(async () => {
      const { stdout } = await kubectl('admin', ['get', 'roastsessions,commandproposals', '-o', 'json']);
      const left = (JSON.parse(stdout) as { items: KubeObject[] }).items;
      expect(left.map((o) => o.metadata.name)).not.toContain(name);
      const dependents = left.filter((o) => owned.includes(o.metadata.name));
      if (cascade === 'foreground') expect(dependents).toEqual([]);
      else {
        expect(dependents.map((o) => o.metadata.name).sort()).toEqual([...owned].sort());
        for (const d of dependents) expect(d.metadata.ownerReferences ?? []).toEqual([]);
      }
    }, 60_000);
  });
});

interface KubeObject {
  metadata: { name: string; generation?: number; ownerReferences?: unknown[] };
}

interface Policy extends KubeObject {
  spec: { failurePolicy?: string } & Record<string, unknown>;
  status?: { observedGeneration?: number; typeChecking?: { expressionWarnings?: unknown[] } };
}

interface Binding {
  spec: { policyName: string; validationActions: string[] };
}

/** Every CEL expression in a policy's spec, messages included. */
function celExpressions(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(celExpressions);
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    /expression$/i.test(key) && typeof value === 'string' ? [value] : celExpressions(value),
  );
}
