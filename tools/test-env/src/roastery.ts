import {
  apiVersion,
  type Command,
  type CommandProposalSpec,
  commandProposalNames,
  group,
  type MarkType,
} from '@roast-operator/api';
import { type ClusterClient, eventually, type TestUser } from '@roast-operator/control-plane';
import { type KubeClient, type KubeObject, reviewAccess } from '@roast-operator/kube';
import { installChart, serviceAccountKubeconfig, serviceAccountUser } from './chart.ts';
import type { OperatorProcessOptions } from './operator-process.ts';

export const namespace = 'roastery';
export const releaseNamespace = 'roast-system';
export const release = 'roast-operator';
export const operatorPod = 'roast-operator-0';
export const operatorAccount = { namespace: releaseNamespace, name: 'roast-operator' } as const;
export const advisorAccount = { namespace, name: 'advisor' } as const;

/** Who acts: people with client certificates, the advisor agent with its service account's token. */
export type Actor = Extract<TestUser, 'alice' | 'bob'> | 'advisor' | 'admin';

export const userName = (actor: Actor): string =>
  actor === 'advisor' ? serviceAccountUser(advisorAccount.namespace, advisorAccount.name) : actor;

/** Who holds which of the chart's roles in the roastery, and a verb on roasters each role carries. */
export const grants: Readonly<Record<Exclude<Actor, 'admin'>, Readonly<Record<string, string>>>> = {
  alice: { 'roast-proposer': 'propose', 'roast-attendant': 'stop' },
  bob: { 'roast-approver': 'approve' },
  // EmergencyStop is for anyone holding stop, agents included.
  advisor: { 'roast-proposer': 'propose', 'roast-attendant': 'stop' },
};

export interface RoasteryCredentials {
  /** Kubeconfig of the chart's operator service account (a TokenRequest token). */
  readonly operator: string;
  /** Kubeconfig of the advisor's service account. */
  readonly advisor: string;
}

/**
 * Creates the release and roastery namespaces, installs the chart with helm, binds its roles (and waits
 * until RBAC answers with them), and writes service-account kubeconfigs for the operator and the advisor
 * into `dir`. Their tokens last `tokenSeconds`.
 */
export async function prepareRoastery(
  cluster: ClusterClient,
  admin: KubeClient,
  dir: string,
  tokenSeconds = 3600,
): Promise<RoasteryCredentials> {
  await createNamespaces(admin);
  await installChart(cluster, { release, namespace: releaseNamespace });
  await grantRoles(admin);
  return {
    operator: await serviceAccountKubeconfig(cluster, operatorAccount, dir, tokenSeconds),
    advisor: await serviceAccountKubeconfig(cluster, advisorAccount, dir, tokenSeconds),
  };
}

export interface OperatorLaunch {
  /** The operator's main.ts, or a test fixture built on the same package. */
  readonly script: string;
  /** The operator service account's kubeconfig. */
  readonly kubeconfig: string;
  readonly args?: readonly string[];
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  readonly logFile?: string;
  /** More environment, e.g. the confirmation `--insecure-demo` asks for. */
  readonly env?: Readonly<Record<string, string>>;
}

/** How the operator runs for the roastery: its pod's name and namespace, the roastery watched, probes on any port. */
export function operatorProcessOptions(launch: OperatorLaunch): OperatorProcessOptions {
  return {
    script: launch.script,
    args: [
      `--kubeconfig=${launch.kubeconfig}`,
      `--watch-namespace=${namespace}`,
      '--probe-address=127.0.0.1:0',
      ...(launch.args ?? []),
    ],
    env: {
      POD_NAMESPACE: releaseNamespace,
      POD_NAME: operatorPod,
      LOG_LEVEL: launch.logLevel ?? 'debug',
      ...launch.env,
    },
    ...(launch.logFile && { logFile: launch.logFile }),
  };
}

export type ProposalExtra = Partial<Omit<CommandProposalSpec, 'command' | 'roasterRef' | 'proposedBy'>> & {
  annotations?: Record<string, string>;
};

/** A CommandProposal as its proposer creates it: `proposedBy` is who the API server will authenticate. */
export function proposalObject(
  by: Actor,
  name: string,
  roaster: string,
  command: Command,
  extra: ProposalExtra = {},
): KubeObject {
  const { annotations, ...spec } = extra;
  return {
    apiVersion,
    kind: commandProposalNames.kind,
    metadata: { name, namespace, ...(annotations && { annotations }) },
    spec: { roasterRef: { name: roaster }, command, proposedBy: userName(by), ...spec },
  } as KubeObject;
}

/** A human decision, the merge patch `kubectl patch --type=merge` sends. */
export function approvalPatch(by: Actor, decision: 'Approved' | 'Rejected', reason: string): unknown {
  return { spec: { approval: { decision, approver: userName(by), reason } } };
}

/**
 * A human mark as a JSON patch (marks are append-only): `add /spec/marks/-` appends to the session's marks;
 * a session without any gets the list itself, since a JSON patch cannot append to a list that is not there.
 */
export function markPatch(by: Actor, type: MarkType, existingMarks: number, note?: string): unknown[] {
  const mark = { type, by: userName(by), ...(note && { note }) };
  return existingMarks > 0
    ? [{ op: 'add', path: '/spec/marks/-', value: mark }]
    : [{ op: 'add', path: '/spec/marks', value: [mark] }];
}

async function createNamespaces(admin: KubeClient): Promise<void> {
  const namespaces = admin.resource({
    group: '',
    version: 'v1',
    plural: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
  });
  for (const name of [releaseNamespace, namespace]) await namespaces.create({ metadata: { name } });
}

/** Who a RoleBinding names: a person (by the user name of their certificate) or a service account. */
export type BindingSubject =
  | { kind: 'User'; name: string }
  | { kind: 'ServiceAccount'; namespace: string; name: string };

/** A RoleBinding `name` in `bindingNamespace` of the ClusterRole `role` (one of the chart's) to `subject`. */
export async function bindClusterRole(
  client: KubeClient,
  bindingNamespace: string,
  name: string,
  role: string,
  subject: BindingSubject,
): Promise<void> {
  const rbac = 'rbac.authorization.k8s.io';
  await client
    .resource({ group: rbac, version: 'v1', plural: 'rolebindings', kind: 'RoleBinding', namespaced: true })
    .create({
      metadata: { name, namespace: bindingNamespace },
      roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: role },
      subjects: [subject.kind === 'User' ? { ...subject, apiGroup: rbac } : subject],
    } as KubeObject);
}

/** Binds the chart's roles in the roastery, then waits until RBAC answers with them. */
async function grantRoles(admin: KubeClient): Promise<void> {
  const accounts = admin.resource({
    group: '',
    version: 'v1',
    plural: 'serviceaccounts',
    kind: 'ServiceAccount',
    namespaced: true,
  });
  await accounts.create({ metadata: { ...advisorAccount } });
  for (const [who, roles] of Object.entries(grants)) {
    const subject: BindingSubject =
      who === 'advisor' ? { kind: 'ServiceAccount', namespace, name: who } : { kind: 'User', name: who };
    for (const role of Object.keys(roles))
      await bindClusterRole(admin, namespace, `${who}-${role}`, role, subject);
  }
  await eventually(async () => {
    for (const [who, roles] of Object.entries(grants) as [
      Exclude<Actor, 'admin'>,
      Record<string, string>,
    ][]) {
      for (const verb of Object.values(roles)) {
        const review = await reviewAccess(
          admin,
          { username: userName(who) },
          { group, resource: 'roasters', verb, namespace },
        );
        if (!review.allowed) throw new Error(`${who} may not ${verb} yet`);
      }
    }
  });
}
