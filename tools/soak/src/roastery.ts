// The soak's roastery: a private control plane with the chart installed, alice, bob and the advisor with
// their own credentials, two simulated Bullet R1s (`soak-roast` for ordinary roasting, `soak-target` for the
// attacks) with their edge agents, and one operator process serving the link gateway and the read API on
// loopback, run with the chart's Node options. Plus what the soak does through the API with them.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiVersion, type Command, CommandProposal, Roaster, roasterNames } from '@roast-operator/api';
import {
  freePort,
  loadKubeConfig,
  type PrivateControlPlane,
  startControlPlane,
} from '@roast-operator/control-plane';
import { KubeClient, type KubeObject } from '@roast-operator/kube';
import {
  commandProposals,
  insecureDemoConfirmation,
  roasters,
  roastSessions,
} from '@roast-operator/operator';
import {
  type Actor,
  approvalPatch,
  NodeProcess,
  namespace,
  OperatorProcess,
  operatorProcessOptions,
  prepareRoastery,
  proposalObject,
} from '@roast-operator/test-env';
import { parse } from 'yaml';
import { memoryBytes } from './report.ts';

const root = join(import.meta.dirname, '../../..');
const operatorMain = join(root, 'operator/src/main.ts');
const edgeMain = join(root, 'edge-node/src/main.ts');

export const roastRoaster = 'soak-roast';
export const target = 'soak-target';
export const terminal = ['Succeeded', 'Failed', 'Blocked', 'Rejected', 'Expired', 'Aborted'];

/** The chart's memory limit for the operator container. */
export async function chartMemoryLimit(): Promise<number> {
  const values = parse(await readFile(join(root, 'charts/roast-operator/values.yaml'), 'utf8')) as {
    operator: { resources: { limits: { memory: string } } };
  };
  return memoryBytes(values.operator.resources.limits.memory);
}

/** The operator's Node options as the chart's Deployment sets them: its memory is measured as it runs there. */
async function chartNodeOptions(): Promise<string> {
  const deployment = await readFile(
    join(root, 'charts/roast-operator/templates/operator-deployment.yaml'),
    'utf8',
  );
  const options = /name: NODE_OPTIONS\s+value: (.+)/.exec(deployment)?.[1];
  if (options === undefined) throw new Error('the chart’s operator Deployment sets no NODE_OPTIONS any more');
  return options.trim();
}

export class SoakRoastery {
  readonly #timeScale: number;
  readonly #seed: number;
  #dir: string | undefined;
  #plane: PrivateControlPlane | undefined;
  #clients: Partial<Record<Actor, KubeClient>> = {};
  #operator: OperatorProcess | undefined;
  #edges: NodeProcess[] = [];
  #serial = 0;
  /** Where the read API serves. */
  apiPort = 0;

  constructor(timeScale: number, seed: number) {
    this.#timeScale = timeScale;
    this.#seed = seed;
  }

  get operator(): OperatorProcess {
    return this.#operator!;
  }

  /** Starts everything; resolves with the directory it keeps its files in once both roasters are connected. */
  async start(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'roast-soak-'));
    this.#dir = dir;
    this.#plane = await startControlPlane({ name: 'soak' });
    const admin = new KubeClient(this.#plane.kubeConfig(), { fieldManager: 'roast-soak' });
    this.#clients.admin = admin;
    const credentials = await prepareRoastery(this.#plane, admin, dir);
    this.#clients.alice = new KubeClient(this.#plane.kubeConfig('alice'), { fieldManager: 'kubectl' });
    this.#clients.bob = new KubeClient(this.#plane.kubeConfig('bob'), { fieldManager: 'kubectl' });
    this.#clients.advisor = new KubeClient(loadKubeConfig(credentials.advisor), {
      fieldManager: 'roast-advisor',
    });
    const made = [];
    for (const [name, node] of [
      [roastRoaster, 'soak-node-1'],
      [target, 'soak-node-2'],
    ] as const) {
      const created = await admin.resource(roasters).create({
        apiVersion,
        kind: roasterNames.kind,
        metadata: { name, namespace },
        spec: { model: 'Simulated', binding: { nodeName: node }, autonomy: { level: 'L3' } },
      } as KubeObject);
      made.push({ roaster: Roaster.parse(created), node });
    }
    const gatewayPort = await freePort();
    this.apiPort = await freePort();
    const logFile = join(dir, 'product.log');
    this.#operator = new OperatorProcess(
      operatorProcessOptions({
        script: operatorMain,
        kubeconfig: credentials.operator,
        args: [
          `--gateway-port=${gatewayPort}`,
          '--gateway-host=127.0.0.1',
          `--api-port=${this.apiPort}`,
          '--api-host=127.0.0.1',
          '--insecure-demo',
          `--store-path=${join(dir, 'telemetry.db')}`,
        ],
        logLevel: 'info',
        logFile,
        // A soak on one machine, loopback only: the demo's mode, confirmed.
        env: {
          [insecureDemoConfirmation.variable]: insecureDemoConfirmation.value,
          NODE_OPTIONS: await chartNodeOptions(),
        },
      }),
    );
    await this.#operator.waitUntilReady(180_000);
    for (const { roaster, node } of made) {
      const store = join(dir, `edge-${roaster.metadata.name}`);
      await mkdir(store);
      this.#edges.push(
        new NodeProcess(
          edgeMain,
          [
            '--simulate',
            `--time-scale=${this.#timeScale}`,
            '--sim-start=off',
            `--gateway=127.0.0.1:${gatewayPort}`,
            '--insecure-demo',
            `--roaster=${namespace}/${roaster.metadata.name}`,
            `--roaster-uid=${roaster.metadata.uid}`,
            `--store=${store}`,
            `--port=${await freePort()}`,
            `--seed=${this.#seed}`,
          ],
          { NODE_NAME: node, POD_NAME: `roast-edge-${roaster.metadata.name}`, LOG_LEVEL: 'info' },
          { logFile },
        ),
      );
    }
    for (const name of [roastRoaster, target]) {
      await this.wait(`${name} to connect`, 120_000, async () => {
        const r = await this.roaster(name);
        const up = r.status?.conditions?.find((c) => c.type === 'Connected')?.status === 'True';
        return up && r.status?.phase !== undefined && r.status.phase !== 'Disconnected';
      });
    }
    return dir;
  }

  async stop(): Promise<void> {
    for (const edge of this.#edges) await edge.stop();
    await this.#operator?.stop();
    await Promise.all(Object.values(this.#clients).map((c) => c.close()));
    await this.#plane?.stop();
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }

  /** A name no object of the soak has had yet. */
  name(what: string): string {
    return `${what}-${++this.#serial}`;
  }

  api(kind: 'proposal' | 'session', as: Actor = 'admin') {
    return this.#clients[as]!.resource(kind === 'proposal' ? commandProposals : roastSessions);
  }

  async roaster(name: string): Promise<Roaster> {
    return Roaster.parse(await this.#clients.admin!.resource(roasters).get(namespace, name));
  }

  async proposal(name: string): Promise<CommandProposal> {
    return CommandProposal.parse(await this.api('proposal').get(namespace, name));
  }

  /** Proposes as `by`; bob approves if a person's approval is wanted; resolves with the ended proposal. */
  async propose(by: Actor, roaster: string, command: Command, session?: string): Promise<CommandProposal> {
    const name = this.name(command.type.toLowerCase());
    await this.api('proposal', by).create(
      proposalObject(by, name, roaster, command, {
        rationale: 'soak',
        ...(session && { sessionRef: { name: session } }),
      }),
    );
    const governed = await this.wait(`${name} to be governed`, 60_000, async () => {
      const p = await this.proposal(name);
      return p.status?.governor ? p : undefined;
    });
    if (governed.status?.governor?.decision === 'RequireApproval') {
      await this.api('proposal', 'bob').patch(namespace, name, approvalPatch('bob', 'Approved', 'soak'), {
        type: 'merge',
      });
    }
    return this.wait(`${name} to end`, 120_000, async () => {
      const p = await this.proposal(name);
      return terminal.includes(p.status?.phase ?? '') ? p : undefined;
    });
  }

  async command(by: Actor, roaster: string, command: Command, session?: string): Promise<void> {
    const ended = await this.propose(by, roaster, command, session);
    if (ended.status?.phase !== 'Succeeded') {
      const why = ended.status?.conditions?.find((c) => c.type === 'Ready')?.message;
      throw new Error(`${command.type} ended ${ended.status?.phase}: ${why}`);
    }
  }

  async wait<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false>, everyMs = 250) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
      await sleep(everyMs);
    }
  }
}
