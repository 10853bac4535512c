// The demo: a local control plane, the chart, the operator and a simulated roaster's edge agent as separate
// processes, and one roast driven through the real API with each person's and agent's own credentials —
// alice plans and proposes, bob approves, the advisor suggests, the operator governs and dispatches, the
// edge roasts. Progress goes to `out` as text for people; the processes' JSON logs go to a file.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  apiVersion,
  type BatchPlan,
  type Command,
  CommandProposal,
  Roaster,
  RoastSession,
  roasterNames,
  roastSessionNames,
} from '@roast-operator/api';
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
  markPatch,
  NodeProcess,
  namespace,
  OperatorProcess,
  operatorProcessOptions,
  prepareRoastery,
  proposalObject,
  releaseNamespace,
} from '@roast-operator/test-env';
import { type CurvePoint, projectBean, rateOfRise, sinceTurningPoint } from './projection.ts';
import {
  beanTemperature,
  celsius,
  clock,
  closingHints,
  commandText,
  type EventName,
  eventText,
  notReported,
  rate,
  sessionEvents,
  summary,
} from './report.ts';

const root = join(import.meta.dirname, '../../..');
const operatorMain = join(root, 'operator/src/main.ts');
const edgeMain = join(root, 'edge-node/src/main.ts');

const roasterName = 'sim-1';
const node = 'demo-node';
const edgePod = 'roast-edge-sim-1';
const sessionName = 'guji-1';
const profile = {
  coffee: 'Ethiopia Guji, washed',
  batchGrams: 400,
  dropTemperatureCelsius: 210,
  developmentRatioPercent: 25,
} satisfies BatchPlan;
/** Where the simulated R1 cracks (roast-physics: the Bullet R1 IBTS median). */
const firstCrackC = 186;
/** End of drying: the advisor's cue to ease the heat. */
const dryingEndsC = 150;
/** Levels for the charge, and the advisor's heater after drying: the median schedule, simplified. */
const chargeLevels = { heater: 7, drum: 9 };
const maillardHeater = 5;
/** The beans cool in the tray while the roaster runs its fan; then the Cool press ends cooling. */
const coolingSeconds = 180;
/** Polling the API: reads are cheap, and at 20× a second of lag is 20 s of roast. */
const pollMs = 250;
/** Service-account tokens outlive any exploring session. */
const tokenSeconds = 7 * 24 * 3600;

export interface DemoOptions {
  /** Simulated seconds per real second. */
  readonly timeScale: number;
  readonly out: (text: string) => void;
  /** Whether the cluster stays up for exploring after the summary: the closing hints follow it. */
  readonly stayUp: boolean;
}

export interface DemoPaths {
  /** The demo's directory: product log, service-account kubeconfigs, the telemetry and edge stores. */
  readonly dir: string;
  readonly logFile: string;
}

interface Sample {
  /** The reading's time as the edge stamped it. */
  readonly time: number;
  /** When the demo saw it. */
  readonly seenAt: number;
  readonly bean: number;
}

/** Thrown into the roast's waits once the demo is stopping: not an error to report. */
export class Stopped extends Error {}

export class RoastDemo {
  readonly #options: DemoOptions;
  readonly #started = Date.now();
  #paths: DemoPaths | undefined;
  #planeStarting: Promise<PrivateControlPlane> | undefined;
  #plane: PrivateControlPlane | undefined;
  #clients: Partial<Record<Actor, KubeClient>> = {};
  #operator: OperatorProcess | undefined;
  #edge: NodeProcess | undefined;
  #stopping = false;
  #stopped: Promise<void> | undefined;

  // What the watcher last saw.
  #roaster: Roaster | undefined;
  #session: RoastSession | undefined;
  #last: Sample | undefined;
  /** The readings since charge, on the roast clock. */
  #curve: CurvePoint[] = [];
  #chargedAt: number | undefined;
  #printedEvents = new Set<EventName>();
  #following = false;
  #watching: Promise<void> | undefined;

  constructor(options: DemoOptions) {
    this.#options = options;
  }

  get paths(): DemoPaths | undefined {
    return this.#paths;
  }

  /** Sets everything up and roasts one batch; resolves once the summary is printed. */
  async run(): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'roast-demo-'));
    this.#paths = { dir, logFile: join(dir, 'product.log') };
    this.#print(`Product logs (JSON lines): ${this.#paths.logFile}`);
    this.#print('Starting the local control plane');
    this.#planeStarting = startControlPlane({ name: 'demo' });
    const plane = await this.#planeStarting;
    this.#plane = plane;
    this.#check();
    this.#print(`Control plane ${plane.version} at ${plane.server}`);

    const admin = this.#client('admin', new KubeClient(plane.kubeConfig(), { fieldManager: 'roast-demo' }));
    const credentials = await prepareRoastery(plane, admin, dir, tokenSeconds);
    this.#print(
      `Chart installed with helm into ${releaseNamespace}: CRDs, roles, admission policies; namespace ${namespace}`,
    );
    this.#print(
      'Roles in roastery: alice proposer + attendant (mark, stop), bob approver, service account advisor proposer + attendant',
    );
    this.#client('alice', new KubeClient(plane.kubeConfig('alice'), { fieldManager: 'kubectl' }));
    this.#client('bob', new KubeClient(plane.kubeConfig('bob'), { fieldManager: 'kubectl' }));
    this.#client(
      'advisor',
      new KubeClient(loadKubeConfig(credentials.advisor), { fieldManager: 'roast-advisor' }),
    );

    // Git's Roaster: a simulated R1 on one node, supervised autonomy (agents need a person's approval).
    const roaster = Roaster.parse(
      await admin.resource(roasters).create({
        apiVersion,
        kind: roasterNames.kind,
        metadata: { name: roasterName, namespace },
        spec: { model: 'Simulated', binding: { nodeName: node }, autonomy: { level: 'L3' } },
      } as KubeObject),
    );
    this.#print(`Roaster ${namespace}/${roasterName}: model Simulated, autonomy L3, bound to node ${node}`);

    const gatewayPort = await freePort();
    await mkdir(join(dir, 'edge'));
    this.#check();
    this.#operator = new OperatorProcess(
      operatorProcessOptions({
        script: operatorMain,
        kubeconfig: credentials.operator,
        args: [
          `--gateway-port=${gatewayPort}`,
          '--gateway-host=127.0.0.1',
          '--insecure-demo',
          `--store-path=${join(dir, 'telemetry.db')}`,
        ],
        logLevel: 'info',
        logFile: this.#paths.logFile,
        // The demo is what --insecure-demo is for: loopback only, on this machine, confirmed here.
        env: { [insecureDemoConfirmation.variable]: insecureDemoConfirmation.value },
      }),
    );
    // Ready once its canary has seen the chart's admission policies refuse what they must.
    await this.#operator.waitUntilReady(180_000);
    this.#check();
    this.#print(
      `Operator ready (service account roast-operator, link gateway on 127.0.0.1:${gatewayPort}, plaintext demo mode)`,
    );
    const edgePort = await freePort();
    this.#check();
    this.#edge = new NodeProcess(
      edgeMain,
      [
        '--simulate',
        `--time-scale=${this.#options.timeScale}`,
        '--sim-start=off',
        `--gateway=127.0.0.1:${gatewayPort}`,
        '--insecure-demo',
        `--roaster=${namespace}/${roasterName}`,
        `--roaster-uid=${roaster.metadata.uid}`,
        `--store=${join(dir, 'edge')}`,
        `--port=${edgePort}`,
      ],
      { NODE_NAME: node, POD_NAME: edgePod, LOG_LEVEL: 'info' },
      { logFile: this.#paths.logFile },
    );
    this.#print(`Edge agent started: a simulated Bullet R1, cold, at ${this.#options.timeScale}× speed`);
    const connected = await this.#until('the roaster to connect', 120_000, async () => {
      const r = await this.#getRoaster();
      const connected = r.status?.conditions?.find((c) => c.type === 'Connected')?.status === 'True';
      // Connected comes with the stream; the phase with the first reading.
      return connected && r.status?.phase !== 'Disconnected' ? r : undefined;
    });
    this.#print(
      `${roasterName} Connected: ${connected.status?.phase ?? '?'}, BT ${celsius(beanTemperature(connected.status?.lastTelemetry))}`,
    );
    this.#following = true;
    this.#watching = this.#watch();

    await this.#roast();
    await this.#finish();
  }

  async #roast(): Promise<void> {
    const scale = this.#options.timeScale;
    await this.#api('session', 'alice').create({
      apiVersion,
      kind: roastSessionNames.kind,
      metadata: { name: sessionName, namespace },
      spec: { roasterRef: { name: roasterName }, profile },
    } as KubeObject);
    this.#print(
      `alice plans RoastSession ${sessionName}: ${profile.coffee}, ${profile.batchGrams} g, drop at ${profile.dropTemperatureCelsius} °C or DTR ${profile.developmentRatioPercent} %`,
    );

    await this.#command('alice', 'preheat', { type: 'Preheat', fromState: 'Off' }, 'Preheat for the batch.');
    await this.#until('the roaster to be ready to charge', this.#wallMs(1800), async () =>
      this.#roaster?.status?.phase === 'ReadyToCharge' ? true : undefined,
    );
    await this.#command(
      'alice',
      'heater-7',
      { type: 'SetHeater', target: chargeLevels.heater },
      'Charge heat.',
    );
    await this.#command('alice', 'drum-9', { type: 'SetDrum', target: chargeLevels.drum }, 'Drum for 400 g.');
    const proposedAt = Date.now();
    const charge = await this.#command(
      'alice',
      'charge',
      { type: 'Charge', fromState: 'ReadyToCharge' },
      'Beans are in the hopper.',
    );
    const resultAt = Date.parse(charge.status?.result?.time ?? '');
    this.#chargedAt = Number.isFinite(resultAt) ? Math.min(resultAt, Date.now()) : Date.now();
    // How long a press takes from proposal to result here, in roast seconds: Drop is proposed that early.
    const leadSeconds = ((Date.now() - proposedAt) / 1000) * scale;

    await this.#until('the end of drying', this.#wallMs(900), async () =>
      this.#rising() && (this.#projectedBean() ?? 0) >= dryingEndsC - 10 ? true : undefined,
    );
    await this.#command(
      'advisor',
      'advisor-heater-5',
      { type: 'SetHeater', target: maillardHeater },
      `Drying ends near ${dryingEndsC} °C: lower the heater from ${chargeLevels.heater} to ${maillardHeater} so the rate of rise falls steadily into first crack.`,
    );

    // alice listens for first crack as the beans near it, and marks it when she hears it.
    await this.#until('first crack', this.#wallMs(1200), async () =>
      this.#rising() && (this.#projectedBean() ?? 0) >= firstCrackC ? true : undefined,
    );
    const crackSeconds = this.#roastSeconds();
    const planned = RoastSession.parse(await this.#api('session', 'alice').get(namespace, sessionName));
    const mark = markPatch('alice', 'firstCrack', planned.spec.marks?.length ?? 0, 'rolling first crack');
    await this.#api('session', 'alice').patch(namespace, sessionName, mark, { type: 'json' });
    this.#print(
      `alice hears first crack: marks it on ${sessionName} (JSON patch add ${(mark[0] as { path: string }).path}, by alice)`,
      crackSeconds,
    );

    // Drop at the planned development ratio or drop temperature, whichever comes first. Once the session
    // shows the mark, its time (the operator's) decides, moved onto the demo's roast clock.
    const ratio = profile.developmentRatioPercent / 100;
    await this.#until('the drop', this.#wallMs(1200), async () => {
      const marked = this.#session?.status?.events?.firstCrack?.secondsSinceCharge;
      const dropBy =
        marked === undefined ? crackSeconds / (1 - ratio) : marked / (1 - ratio) + crackSeconds - marked;
      const ahead = this.#roastSeconds() + leadSeconds;
      const hot = (this.#projectedBean(leadSeconds) ?? 0) >= profile.dropTemperatureCelsius;
      return ahead >= dropBy || hot ? true : undefined;
    });
    await this.#command(
      'alice',
      'drop',
      { type: 'Drop', fromState: 'Roasting' },
      'Development time reached.',
    );
    await this.#until('cooling', 60_000, async () =>
      this.#roaster?.status?.phase === 'Cooling' ? true : undefined,
    );
    const coolingSince = Date.now();
    await this.#until('the beans to cool', this.#wallMs(coolingSeconds), async () =>
      (Date.now() - coolingSince) / 1000 >= coolingSeconds / scale ? true : undefined,
    );
    await this.#command('alice', 'cool', { type: 'Cool', fromState: 'Cooling' }, 'Beans are cool.');
    const completed = await this.#until('the session to end', this.#wallMs(300), async () => {
      const session = this.#session?.status?.phase;
      if (session === 'Completed' || session === 'Aborted' || session === 'Failed') return session;
      // Without a session phase, the roaster's own cycle says cooling is over.
      const roaster = this.#roaster?.status?.phase;
      return session === undefined && (roaster === 'Shutdown' || roaster === 'Off')
        ? `session phase ${notReported}; the roaster is ${roaster}`
        : undefined;
    });
    this.#print(`Roast over: ${completed}`);
  }

  async #finish(): Promise<void> {
    this.#following = false;
    await this.#watching;
    const session = RoastSession.parse(await this.#api('session').get(namespace, sessionName));
    const list = await this.#api('proposal').list({ fieldSelector: `spec.roasterRef.name=${roasterName}` });
    const proposals = list.items
      .map((p) => CommandProposal.parse(p))
      .filter((p) => p.spec.sessionRef?.name === sessionName);
    const plane = this.#plane!;
    const exploring = this.#options.stayUp
      ? {
          adminKubeconfig: plane.kubeconfigPath('admin'),
          aliceKubeconfig: plane.kubeconfigPath('alice'),
          kubectl: plane.info.binaries.kubectl,
          roaster: roasterName,
          logFile: this.#paths!.logFile,
        }
      : undefined;
    this.#out(['', ...summary({ session, proposals }), '', ...closingHints(exploring), ''].join('\n'));
  }

  /** Stops everything started, in reverse order, and removes the demo's files. Safe to call at any time. */
  stop(): Promise<void> {
    this.#stopping = true;
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    this.#following = false;
    // The edge first: a SIGTERM takes a heating roaster to its safe state before the agent exits.
    await this.#edge?.stop();
    await this.#operator?.stop();
    await Promise.all(Object.values(this.#clients).map((c) => c.close()));
    const plane = this.#plane ?? (await this.#planeStarting?.catch(() => undefined));
    await plane?.stop();
    if (this.#paths) await rm(this.#paths.dir, { recursive: true, force: true });
  }

  /** Proposes as `by`; if the governor wants a person's approval, bob gives it; waits for the outcome. */
  async #command(by: Actor, name: string, command: Command, rationale: string): Promise<CommandProposal> {
    await this.#api('proposal', by).create(
      proposalObject(by, name, roasterName, command, { sessionRef: { name: sessionName }, rationale }),
    );
    this.#print(`${by} proposes ${commandText(command)} (commandproposal/${name})`);
    const governed = await this.#proposal(name, (p) => p.status?.governor !== undefined);
    const { decision, rule, level } = governed.status!.governor!;
    if (decision === 'RequireApproval') {
      this.#print(`  governor: ${decision} at ${level} (${rule}); bob approves`);
      await this.#api('proposal', 'bob').patch(
        namespace,
        name,
        approvalPatch('bob', 'Approved', `${commandText(command)} now is right`),
        { type: 'merge' },
      );
    } else {
      this.#print(`  governor: ${decision} at ${level} (${rule})`);
    }
    const ended = await this.#proposal(name, (p) =>
      ['Succeeded', 'Failed', 'Blocked', 'Rejected', 'Expired', 'Aborted'].includes(p.status?.phase ?? ''),
    );
    const result = ended.status?.result;
    const latency = result?.latencyMs === undefined ? '' : ` in ${result.latencyMs} ms`;
    this.#print(`  ${name} ${ended.status?.phase}${latency}${result?.message ? `: ${result.message}` : ''}`);
    if (ended.status?.phase !== 'Succeeded') {
      throw new Error(
        `commandproposal/${name} ended ${ended.status?.phase}: ${JSON.stringify(ended.status)}`,
      );
    }
    return ended;
  }

  async #proposal(name: string, done: (p: CommandProposal) => boolean): Promise<CommandProposal> {
    return this.#until(`commandproposal/${name}`, 120_000, async () => {
      const p = CommandProposal.parse(await this.#api('proposal').get(namespace, name));
      return done(p) ? p : undefined;
    });
  }

  /** Follows the roaster and the session, printing each new reading, phase and event as it appears. */
  async #watch(): Promise<void> {
    let phase: string | undefined;
    let sessionPhase: string | undefined;
    let lastTime: string | undefined;
    while (this.#following && !this.#stopping) {
      try {
        const [roaster, session] = await Promise.all([
          this.#getRoaster(),
          this.#api('session')
            .get(namespace, sessionName)
            .then((s) => RoastSession.parse(s))
            .catch(() => undefined),
        ]);
        this.#roaster = roaster;
        this.#session = session;
        const status = roaster.status;
        const telemetry = status?.lastTelemetry;
        const bean = beanTemperature(telemetry);
        const fresh = telemetry?.time !== undefined && telemetry.time !== lastTime;
        if (fresh && bean !== undefined) {
          this.#record({ time: Date.parse(telemetry.time), seenAt: Date.now(), bean });
          lastTime = telemetry.time;
        }
        if (status?.phase !== phase || fresh) {
          phase = status?.phase;
          const levels = status?.levels;
          const ror = phase === 'Roasting' ? rateOfRise(this.#curve) : undefined;
          this.#print(
            [
              phase ?? 'phase not reported',
              `BT ${celsius(bean)}`,
              ...(ror === undefined ? [] : [`RoR ${rate(ror)}`]),
              ...(levels ? [`heater ${levels.heater} fan ${levels.fan} drum ${levels.drum}`] : []),
            ].join(' · '),
          );
        }
        if (session?.status?.phase !== undefined && session.status.phase !== sessionPhase) {
          sessionPhase = session.status.phase;
          this.#print(`session ${sessionName}: ${sessionPhase}`);
        }
        for (const [name, event] of sessionEvents(session)) {
          if (this.#printedEvents.has(name)) continue;
          this.#printedEvents.add(name);
          this.#print(eventText(name, event), event.secondsSinceCharge);
        }
      } catch (err) {
        if (this.#stopping) return;
        this.#print(`(reading the roaster failed: ${(err as Error).message}; retrying)`);
      }
      await sleep(pollMs);
    }
  }

  /** How long to wait, in real milliseconds, for something that takes at most `roastSeconds` of roast. */
  #wallMs(roastSeconds: number): number {
    return (roastSeconds * 1000) / this.#options.timeScale + 60_000;
  }

  /** Seconds since charge on the roaster's (simulated) clock. */
  #roastSeconds(at = Date.now()): number {
    if (this.#chargedAt === undefined) return 0;
    return ((at - this.#chargedAt) / 1000) * this.#options.timeScale;
  }

  /** Puts a new reading on the roast clock, once the beans are in. */
  #record(sample: Sample): void {
    const previous = this.#last;
    this.#last = sample;
    if (this.#chargedAt === undefined || sample.seenAt < this.#chargedAt) return;
    const last = this.#curve.at(-1);
    // The first from when it was seen; the next ones exactly, from the edge's own time stamps.
    const seconds =
      last && previous
        ? last.seconds + this.#simulatedSeconds(previous, sample)
        : this.#roastSeconds(sample.seenAt);
    this.#curve.push({ seconds, celsius: sample.bean });
  }

  /**
   * Simulated seconds between two readings. The edge stamps readings on its own clock: the wall clock, or
   * the simulated device's — the ratio to the time between seeing them tells which.
   */
  #simulatedSeconds(a: Sample, b: Sample): number {
    const stamped = (b.time - a.time) / 1000;
    const seen = Math.max(0.001, (b.seenAt - a.seenAt) / 1000);
    const scale = this.#options.timeScale;
    return stamped / seen > Math.sqrt(scale) ? stamped : stamped * scale;
  }

  /** Past the turning point: the beans were charged into a hot drum and read its heat at first. */
  #rising(): boolean {
    return (rateOfRise(this.#curve) ?? 0) > 0;
  }

  /** The bean temperature expected `aheadSeconds` of roast from now. */
  #projectedBean(aheadSeconds = 0): number | undefined {
    return projectBean(sinceTurningPoint(this.#curve), this.#roastSeconds() + aheadSeconds);
  }

  async #getRoaster(): Promise<Roaster> {
    return Roaster.parse(await this.#api('roaster').get(namespace, roasterName));
  }

  #api(kind: 'roaster' | 'session' | 'proposal', as: Actor = 'admin') {
    const client = this.#clients[as];
    if (!client) throw new Error(`${as} has no client yet`);
    return client.resource({ roaster: roasters, session: roastSessions, proposal: commandProposals }[kind]);
  }

  #client(as: Actor, client: KubeClient): KubeClient {
    this.#clients[as] = client;
    return client;
  }

  /** Polls `check` until it returns a value; gives up at `timeoutMs` or when the demo stops. */
  async #until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      this.#check();
      try {
        const value = await check();
        if (value !== undefined) return value;
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `waited ${timeoutMs / 1000} s for ${what}${last ? `: ${(last as Error).message}` : ''}`,
        );
      }
      await sleep(pollMs);
    }
  }

  #check(): void {
    if (this.#stopping) throw new Stopped('stopping');
  }

  /** One progress line: time since the demo started, roast time once charged, what happened. */
  #print(text: string, roastSeconds?: number): void {
    const wall = clock((Date.now() - this.#started) / 1000, 5);
    const roast =
      roastSeconds !== undefined
        ? clock(roastSeconds, 5)
        : this.#chargedAt !== undefined
          ? clock(this.#roastSeconds(), 5)
          : '     ';
    this.#out(`${wall}  ${roast}  ${text}\n`);
  }

  #out(text: string): void {
    if (!this.#stopping) this.#options.out(text);
  }
}
