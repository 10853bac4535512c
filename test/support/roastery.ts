// A roastery on a private control plane for the operator's end-to-end suites: the chart installed with
// helm, people and an agent bound to the chart's roles, Roasters from "Git", and the operator running as a
// separate process with a TokenRequest token of the chart's operator service account — so the chart's
// RBAC and admission policies are what the operator meets. The link is played by the test: it writes the
// link-owned Roaster status under field manager roast-link, and results, with the operator's token (only
// the operator's service account may write status).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpMethod } from '@kubernetes/client-node';
import {
  apiVersion,
  type Command,
  CommandProposal,
  fieldManagers,
  Roaster,
  type RoasterSpec,
  type RoasterStatus,
  RoastSession,
  roasterNames,
  roastSessionNames,
} from '@roast-operator/api';
import {
  eventually,
  loadKubeConfig,
  type PrivateControlPlane,
  startControlPlane,
} from '@roast-operator/control-plane';
import { type Condition, KubeClient, type KubeObject, type ResourceClient } from '@roast-operator/kube';
import { commandProposals, roasters, roastProfiles, roastSessions } from '@roast-operator/operator';
import {
  type Actor,
  approvalPatch,
  bindClusterRole,
  namespace,
  OperatorProcess,
  type OperatorProcessOptions,
  operatorProcessOptions,
  type ProposalExtra,
  prepareRoastery,
  proposalObject,
  userName,
} from '@roast-operator/test-env';
import { insecureDemoEnv } from './link.ts';

export { type Actor, namespace, operatorPod, releaseNamespace, userName } from '@roast-operator/test-env';

const kinds = {
  roaster: roasters,
  session: roastSessions,
  proposal: commandProposals,
  profile: roastProfiles,
};
type Kind = keyof typeof kinds;

export interface RoasteryOptions {
  /** Names the control plane. */
  readonly name: string;
  /** The operator's entry point. */
  readonly script: string;
  readonly operatorArgs?: readonly string[];
}

export class Roastery {
  readonly plane: PrivateControlPlane;
  readonly #dir: string;
  readonly #clients: Record<Actor | 'link', KubeClient>;
  readonly #launch: OperatorProcessOptions;
  readonly #operators: OperatorProcess[] = [];

  private constructor(
    plane: PrivateControlPlane,
    dir: string,
    clients: Record<Actor | 'link', KubeClient>,
    launch: OperatorProcessOptions,
  ) {
    this.plane = plane;
    this.#dir = dir;
    this.#clients = clients;
    this.#launch = launch;
  }

  static async start(opts: RoasteryOptions): Promise<Roastery> {
    const plane = await startControlPlane({ name: opts.name });
    const dir = await mkdtemp(join(tmpdir(), `roast-${opts.name}-`));
    let roastery: Roastery | undefined;
    try {
      const admin = new KubeClient(plane.kubeConfig(), { fieldManager: 'roast-test' });
      const credentials = await prepareRoastery(plane, admin, dir);
      const clients = {
        admin,
        alice: new KubeClient(plane.kubeConfig('alice'), { fieldManager: 'kubectl' }),
        bob: new KubeClient(plane.kubeConfig('bob'), { fieldManager: 'kubectl' }),
        advisor: new KubeClient(loadKubeConfig(credentials.advisor), { fieldManager: 'roast-advisor' }),
        link: new KubeClient(loadKubeConfig(credentials.operator), { fieldManager: fieldManagers.link }),
      };
      roastery = new Roastery(
        plane,
        dir,
        clients,
        operatorProcessOptions({
          script: opts.script,
          kubeconfig: credentials.operator,
          args: opts.operatorArgs ?? [],
          logLevel: 'debug',
          // The suites' gateways run on loopback in the demo's plaintext mode, confirmed as it asks.
          ...(opts.operatorArgs?.includes('--insecure-demo') && { env: insecureDemoEnv }),
        }),
      );
      // The operator's canary waits for the admission policies to take effect.
      await roastery.spawnOperator().waitUntilReady();
      return roastery;
    } catch (err) {
      if (roastery) await roastery.stop();
      else await plane.stop();
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The operator the roastery started with. */
  get operator(): OperatorProcess {
    return this.#operators[0]!;
  }

  /** One more operator process, as the first was started, plus `args` (and from `script`, if named). */
  spawnOperator(args: readonly string[] = [], script = this.#launch.script): OperatorProcess {
    const launch = { ...this.#launch, script, args: [...this.#launch.args, ...args] };
    const operator = new OperatorProcess(launch);
    this.#operators.push(operator);
    return operator;
  }

  async stop(): Promise<void> {
    await Promise.all(this.#operators.map((o) => o.stop()));
    await Promise.all(Object.values(this.#clients).map((c) => c.close()));
    await this.plane.stop();
    await rm(this.#dir, { recursive: true, force: true });
  }

  client(as: Actor | 'link' = 'admin'): KubeClient {
    return this.#clients[as];
  }

  api(kind: Kind, as: Actor | 'link' = 'admin'): ResourceClient<KubeObject> {
    return this.client(as).resource(kinds[kind]);
  }

  /** Binds one more of the chart's roles to a person in the roastery, as the suite's setup binds the others. */
  async grant(who: Extract<Actor, 'alice' | 'bob'>, role: string): Promise<void> {
    await bindClusterRole(this.client(), namespace, `${who}-${role}`, role, { kind: 'User', name: who });
  }

  /** A Roaster as Git creates it; the link has not reported it yet. */
  async roaster(name: string, spec: Partial<RoasterSpec> = {}): Promise<Roaster> {
    const created = await this.api('roaster').create({
      apiVersion,
      kind: roasterNames.kind,
      metadata: { name, namespace },
      spec: { model: 'AillioBulletR1', binding: { nodeName: 'roast-node-1' }, ...spec },
    } as KubeObject);
    return Roaster.parse(created);
  }

  /** Git changes a Roaster's spec. */
  async configure(name: string, spec: Partial<RoasterSpec>): Promise<void> {
    await this.api('roaster').patch(namespace, name, { spec }, { type: 'merge' });
  }

  /**
   * What the link reports: phase, levels and its conditions, server-side applied as roast-link — the
   * fields the operator's autonomy side must leave alone.
   */
  async link(name: string, report: LinkReport = {}): Promise<void> {
    const phase = report.phase ?? 'Roasting';
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const condition = (type: string, ok: boolean, reason: string): Condition => ({
      type,
      status: ok ? 'True' : 'False',
      reason,
      message: '',
      lastTransitionTime: now,
    });
    const connected = phase !== 'Disconnected';
    await this.api('roaster', 'link').apply(
      {
        apiVersion,
        kind: roasterNames.kind,
        metadata: { name, namespace },
        status: {
          phase,
          levels: report.levels ?? { heater: 5, fan: 6, drum: 5 },
          conditions: [
            condition('Connected', connected, connected ? 'StreamOpen' : 'NoStream'),
            condition('InterlocksClear', report.interlocksClear ?? true, 'EdgeReported'),
          ],
        },
      } as KubeObject,
      { subresource: 'status', force: true },
    );
  }

  /** A session planned by a person, optionally with marks, and the source the link reports for it. */
  async session(name: string, roaster: string, by: Actor, opts: SessionOptions = {}): Promise<RoastSession> {
    const created = await this.api('session', by).create({
      apiVersion,
      kind: roastSessionNames.kind,
      metadata: { name, namespace },
      spec: {
        roasterRef: { name: roaster },
        ...(opts.marks && { marks: opts.marks.map((type) => ({ type, by: userName(by) })) }),
      },
    } as KubeObject);
    if (opts.source === undefined) return RoastSession.parse(created);
    const written = await this.api('session', 'link').patch(
      namespace,
      name,
      { status: { source: opts.source } },
      { type: 'merge', subresource: 'status' },
    );
    return RoastSession.parse(written);
  }

  async propose(
    by: Actor,
    name: string,
    roaster: string,
    command: Command,
    extra: ProposalExtra = {},
  ): Promise<CommandProposal> {
    const created = await this.api('proposal', by).create(
      proposalObject(by, name, roaster, command, { rationale: 'end-to-end test', ...extra }),
    );
    return CommandProposal.parse(created);
  }

  /** A human decision, as `kubectl patch` makes it. */
  async decide(by: Actor, proposal: string, decision: 'Approved' | 'Rejected' = 'Approved'): Promise<void> {
    await this.api('proposal', by).patch(namespace, proposal, approvalPatch(by, decision, 'looks right'), {
      type: 'merge',
    });
  }

  /** The edge's answer, as the link writes it. */
  async result(
    proposal: string,
    outcome: 'Succeeded' | 'Failed' | 'Unknown',
    message = 'reported by the test link',
  ): Promise<void> {
    const result = { outcome, message, latencyMs: 120, time: new Date().toISOString() };
    await this.api('proposal', 'link').patch(
      namespace,
      proposal,
      { status: { result } },
      { type: 'merge', subresource: 'status' },
    );
  }

  async get(kind: 'proposal', name: string): Promise<CommandProposal>;
  async get(kind: 'roaster', name: string): Promise<Roaster>;
  async get(kind: 'proposal' | 'roaster', name: string): Promise<CommandProposal | Roaster> {
    const obj = await this.api(kind).get(namespace, name);
    return kind === 'proposal' ? CommandProposal.parse(obj) : Roaster.parse(obj);
  }

  /** Waits for a proposal to reach a phase, or one of several (it may pass others on the way), and returns it. */
  async phase(name: string, phase: string | readonly string[], timeoutMs = 30_000): Promise<CommandProposal> {
    const wanted = typeof phase === 'string' ? [phase] : phase;
    let last: CommandProposal | undefined;
    await eventually(async () => {
      last = await this.get('proposal', name);
      if (!wanted.includes(last.status?.phase ?? '')) {
        const now = last.status?.phase ?? 'ungoverned';
        throw new Error(`${name} is ${now}, not ${wanted.join(' or ')}: ${JSON.stringify(last.status)}`);
      }
    }, timeoutMs);
    return last!;
  }

  /** Waits for a Roaster condition, and returns the Roaster. */
  async condition(
    roaster: string,
    type: string,
    status: 'True' | 'False',
    reason?: string,
    timeoutMs = 30_000,
  ): Promise<Roaster> {
    let last: Roaster | undefined;
    await eventually(async () => {
      last = await this.get('roaster', roaster);
      const c = last.status?.conditions?.find((x) => x.type === type);
      if (c?.status !== status || (reason !== undefined && c.reason !== reason)) {
        throw new Error(`${roaster} ${type} is ${JSON.stringify(c)}, not ${status} ${reason ?? ''}`);
      }
    }, timeoutMs);
    return last!;
  }

  /** `kubectl describe` as a person reads it. */
  async describe(kind: 'commandproposal' | 'roaster', name: string): Promise<string> {
    return (await this.plane.kubectl(['describe', kind, name], { namespace })).stdout;
  }

  /** Events about one object, as `kubectl get events` lists them. */
  async events(name: string, ns = namespace): Promise<{ reason: string; type: string; note: string }[]> {
    const list = await this.#clients.admin.request<{
      items: { reason: string; type: string; note?: string; regarding?: { name?: string } }[];
    }>(HttpMethod.GET, `/apis/events.k8s.io/v1/namespaces/${ns}/events`);
    return list.items
      .filter((e) => e.regarding?.name === name)
      .map((e) => ({ reason: e.reason, type: e.type, note: e.note ?? '' }));
  }
}

export interface LinkReport {
  readonly phase?: NonNullable<RoasterStatus['phase']>;
  readonly levels?: NonNullable<RoasterStatus['levels']>;
  readonly interlocksClear?: boolean;
}

export interface SessionOptions {
  readonly marks?: readonly ('present' | 'firstCrack' | 'note')[];
  readonly source?: { type: 'Device'; serial: string } | { type: 'Simulated'; seed: number };
}
