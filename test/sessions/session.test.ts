// A whole roast as a RoastSession, end to end: the operator (main.ts with its gateway) and a simulated edge
// agent at twenty times real time as separate processes on a private control plane with the chart installed.
// A person presets the heater, an approved Charge puts the beans in, and the operator opens a session named
// after the charge with the simulator's seed as its source; `kubectl get roastsessions` shows it move through
// the roast; alice marks first crack; an approved Drop and Cool end it Completed with its events and metrics.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, Roaster, RoastSession, SessionPhase } from '@roast-operator/api';
import { RoastSession as RoastSessionSchema, sessionLifecycle } from '@roast-operator/api';
import { eventually } from '@roast-operator/control-plane';
import { NodeProcess } from '@roast-operator/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespace, Roastery } from '../support/roastery.ts';

const root = join(import.meta.dirname, '../..');
const operatorMain = join(root, 'operator/src/main.ts');
const edgeMain = join(root, 'edge-node/src/main.ts');
const node = 'roast-node-1';
const seed = 7;
const timeScale = 20;

let roastery: Roastery;
let dir: string;
let edge: NodeProcess;
let roaster: Roaster;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roast-sessions-'));
  const gatewayPort = await freePort();
  roastery = await Roastery.start({
    name: 'sessions',
    script: operatorMain,
    operatorArgs: [
      '--canary-period=30s',
      `--gateway-port=${gatewayPort}`,
      '--gateway-host=127.0.0.1',
      '--insecure-demo',
      `--store-path=${join(dir, 'telemetry.db')}`,
    ],
  });
  roaster = await roastery.roaster('sim-1', { model: 'Simulated', autonomy: { level: 'L3' } });
  edge = new NodeProcess(
    edgeMain,
    [
      '--simulate',
      `--gateway=127.0.0.1:${gatewayPort}`,
      '--insecure-demo',
      `--roaster=${namespace}/sim-1`,
      `--roaster-uid=${roaster.metadata.uid}`,
      `--store=${join(dir, 'edge')}`,
      `--port=${await freePort()}`,
      `--seed=${seed}`,
      `--time-scale=${timeScale}`,
      '--sim-start=charge',
    ],
    { NODE_NAME: node, POD_NAME: 'roast-edge-sim-1' },
  );
}, 180_000);

afterAll(async () => {
  await edge?.stop();
  await roastery?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sessionsApi = () => roastery.api('session');

async function theSession(): Promise<RoastSession | undefined> {
  const list = await sessionsApi().list({ namespace, labelSelector: 'roasting.simcorp.io/roaster=sim-1' });
  return list.items[0] && RoastSessionSchema.parse(list.items[0]);
}

async function sessionWhere(check: (s: RoastSession) => void, timeoutMs = 60_000): Promise<RoastSession> {
  let last: RoastSession | undefined;
  await eventually(async () => {
    last = await theSession();
    if (last === undefined) throw new Error('no session for sim-1 yet');
    check(last);
  }, timeoutMs);
  return last!;
}

async function guji(check: (s: RoastSession) => void, timeoutMs = 60_000): Promise<RoastSession> {
  let last: RoastSession | undefined;
  await eventually(async () => {
    last = RoastSessionSchema.parse(await sessionsApi().get(namespace, 'guji'));
    check(last);
  }, timeoutMs);
  return last!;
}

async function roasterPhase(phase: string, timeoutMs = 60_000): Promise<Roaster> {
  let last: Roaster | undefined;
  await eventually(async () => {
    last = await roastery.get('roaster', 'sim-1');
    expect(last.status?.phase).toBe(phase);
  }, timeoutMs);
  return last!;
}

/** A person's press, approved by bob. */
async function approved(name: string, command: Command, session?: string) {
  await roastery.propose('alice', name, 'sim-1', command, session ? { sessionRef: { name: session } } : {});
  await roastery.phase(name, 'AwaitingApproval');
  await roastery.decide('bob', name);
  return roastery.phase(name, 'Succeeded');
}

/** Phases `kubectl get roastsessions` showed, in the order seen, while the roast ran. */
function watchPhases(): { seen: string[]; stop: () => Promise<void> } {
  const seen: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const out = await roastery.plane.kubectl(['get', 'roastsessions'], { namespace, check: false });
      // The printer columns: NAME ROASTER PHASE TIME DTR AGE; the phase is empty until the first status.
      const [header = '', row = ''] = out.stdout.split('\n');
      const phase = row.slice(header.indexOf('PHASE')).split(/\s+/)[0];
      if (phase && seen.at(-1) !== phase) seen.push(phase);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    seen,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

const order = sessionLifecycle;

describe('a roast session from the live telemetry stream', () => {
  it('opens on charge, follows the roast, takes a mark and completes with events and metrics', async () => {
    // The suite runs the gateway in the demo's plaintext mode: the operator says so, loudly.
    expect((await roastery.operator.probe('/metrics')).body).toContain('roast_operator_insecure_demo 1');
    expect(roastery.operator.logs.some((l) => String(l.msg).startsWith('INSECURE DEMO MODE'))).toBe(true);
    await roasterPhase('ReadyToCharge');
    // A person's own level changes need no approval at L3: the heater is set before the beans go in.
    await roastery.propose('alice', 'heater-7', 'sim-1', { type: 'SetHeater', target: 7 });
    await roastery.phase('heater-7', 'Succeeded');
    expect(await theSession()).toBeUndefined();

    const phases = watchPhases();
    try {
      await approved('charge', { type: 'Charge', fromState: 'ReadyToCharge' });
      const opened = await sessionWhere((s) => expect(s.status?.events?.charge).toBeDefined(), 30_000);
      const name = opened.metadata.name!;
      expect(name).toMatch(/^sim-1-\d{8}-\d{6}$/);
      expect(opened.metadata.annotations?.['roasting.simcorp.io/created-by']).toBe('roast-operator');
      expect(opened.status?.source).toEqual({ type: 'Simulated', seed });
      expect(opened.status?.events?.charge).toMatchObject({ source: 'StateCode', secondsSinceCharge: 0 });
      // The name carries the charge time on the roaster's clock.
      const chargeAt = opened.status!.events!.charge!.time;
      expect(name.slice('sim-1-'.length)).toBe(chargeAt.replace(/[-:]/g, '').replace('T', '-').slice(0, 15));
      const active = await roastery.get('roaster', 'sim-1');
      expect(active.status?.activeSession?.name).toBe(name);

      // The roast runs on: dry end by inference, then alice marks first crack.
      await sessionWhere((s) => expect(['Maillard', 'Development']).toContain(s.status?.phase), 90_000);
      await roastery.plane.kubectl(
        [
          'patch',
          'roastsession',
          name,
          '--type=json',
          '-p',
          JSON.stringify([{ op: 'add', path: '/spec/marks', value: [{ type: 'firstCrack', by: 'alice' }] }]),
        ],
        { namespace, user: 'alice' },
      );
      const marked = await sessionWhere((s) => expect(s.status?.events?.firstCrack?.source).toBe('Mark'));
      expect(marked.status?.phase).toBe('Development');

      // Some development, then the drop and the cooling.
      await new Promise((r) => setTimeout(r, 3000));
      await approved('drop', { type: 'Drop', fromState: 'Roasting' }, name);
      await sessionWhere((s) => expect(s.status?.phase).toBe('Cooling'));
      await roasterPhase('Cooling');
      await approved('cool', { type: 'Cool', fromState: 'Cooling' }, name);
      const done = await sessionWhere((s) => {
        expect(s.status?.phase).toBe('Completed');
        // The Cool press's result may land just after the session completed: counts follow it.
        expect(s.status?.commands).toEqual({ proposed: 2, succeeded: 2, failed: 0, blocked: 0 });
      });
      await eventually(() => expect(phases.seen.at(-1)).toBe('Completed'));
      await phases.stop();
      process.stderr.write(
        `sessions: phases seen by kubectl get roastsessions: ${phases.seen.join(' → ')}\n`,
      );
      process.stderr.write(`sessions: final status ${JSON.stringify(done.status)}\n`);

      const events = done.status!.events!;
      expect(events).toMatchObject({
        charge: { source: 'StateCode', secondsSinceCharge: 0 },
        turningPoint: { source: 'Inferred' },
        dryEnd: { source: 'Inferred' },
        firstCrack: { source: 'Mark' },
        drop: { source: 'StateCode' },
      });
      const since = (['turningPoint', 'dryEnd', 'firstCrack', 'drop'] as const).map(
        (k) => events[k]!.secondsSinceCharge,
      );
      expect(since).toEqual([...since].sort((a, b) => a - b));
      // Times are on the roaster's clock: charge to drop took minutes of roast in seconds of test.
      expect(Date.parse(events.drop!.time) - Date.parse(events.charge!.time)).toBeCloseTo(
        events.drop!.secondsSinceCharge * 1000,
        -2,
      );
      expect(events.drop!.secondsSinceCharge).toBeGreaterThan(240);

      const m = done.status!.metrics!;
      expect(m.totalSeconds).toBeCloseTo(events.drop!.secondsSinceCharge, 0);
      expect(m.developmentSeconds).toBeGreaterThan(0);
      expect(m.developmentRatioPercent).toBeCloseTo((100 * m.developmentSeconds!) / m.totalSeconds!, 0);
      expect(m.maxRateOfRiseCelsiusPerMinute).toBeGreaterThan(5);
      expect(m.finalBeanTemperatureCelsius).toBeGreaterThan(150);
      expect(m.pointsStored).toBeGreaterThan(0);
      expect(m.pointsDropped).toBe(0);
      expect(done.status?.conditions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'Ready', status: 'True', reason: 'Completed' }),
          expect.objectContaining({ type: 'Reconciling', status: 'False' }),
        ]),
      );

      // kubectl saw the phase move forward only, through the roast to Completed.
      const ranks = phases.seen.map((p) => order.indexOf(p as SessionPhase));
      expect(ranks.every((r) => r >= 0)).toBe(true);
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      expect(phases.seen).toEqual(
        expect.arrayContaining(['Maillard', 'Development', 'Cooling', 'Completed']),
      );
      // One Event per transition, each phase once.
      await eventually(async () => {
        const reasons = (await roastery.events(name)).map((e) => e.reason);
        expect(reasons.sort()).toEqual(
          ['Charged', 'Drying', 'Maillard', 'Development', 'Cooling', 'Completed'].sort(),
        );
      });
      // The roaster runs no session any more.
      await eventually(async () => {
        const r = await roastery.get('roaster', 'sim-1');
        expect(r.status?.activeSession).toBeUndefined();
      });
    } finally {
      await phases.stop();
    }
  }, 300_000);

  it('attaches the session a person claims over an agent’s idle one, survives an operator restart mid-roast, and takes the roasted weight', async () => {
    await roasterPhase('Off', 90_000);
    // The advisor plans a session and leaves it idle: with nothing else planned, it is the roaster's.
    await roastery.session('advisor-idle', 'sim-1', 'advisor');
    await eventually(async () => {
      expect((await roastery.get('roaster', 'sim-1')).status?.activeSession?.name).toBe('advisor-idle');
    });
    // The profile the batch follows, from Git: the simulator's roast reaches 200 °C in about 10 minutes.
    await roastery.api('profile').create({
      apiVersion: 'roasting.simcorp.io/v1alpha1',
      kind: 'RoastProfile',
      metadata: { name: 'guji-light', namespace },
      spec: {
        curve: { seconds: [0, 90, 600], beanCelsius: [180, 95, 205] },
        targets: {
          firstCrack: { seconds: 480, toleranceSeconds: 30 },
          drop: { seconds: 600, toleranceSeconds: 20 },
        },
      },
    } as never);
    // alice plans the next batch at the roaster, marking present on it: it runs at once, the advisor's waits.
    await roastery.api('session', 'alice').create({
      apiVersion: 'roasting.simcorp.io/v1alpha1',
      kind: 'RoastSession',
      metadata: { name: 'guji', namespace },
      spec: {
        roasterRef: { name: 'sim-1' },
        profile: { batchGrams: 400, coffee: 'Ethiopia Guji' },
        profileRef: { name: 'guji-light' },
        marks: [{ type: 'present', by: 'alice' }],
      },
    } as never);
    const planned = await guji((s) => expect(s.status?.phase).toBe('Pending'));
    expect(planned.status?.source).toEqual({ type: 'Simulated', seed });
    await eventually(async () => {
      expect((await roastery.get('roaster', 'sim-1')).status?.activeSession?.name).toBe('guji');
    });
    const queued = async () => RoastSessionSchema.parse(await sessionsApi().get(namespace, 'advisor-idle'));
    await eventually(async () => {
      const reconciling = (await queued()).status?.conditions?.find((c) => c.type === 'Reconciling');
      expect(reconciling).toMatchObject({ status: 'True', reason: 'Queued' });
      expect(reconciling?.message).toContain('Waits for session guji');
    });

    await approved('preheat', { type: 'Preheat', fromState: 'Off' }, 'guji');
    await guji((s) => expect(s.status?.phase).toBe('Preheating'));
    await roasterPhase('ReadyToCharge', 120_000);
    // The last roast ended with the fan at full for cooling; this one starts as the first did.
    await roastery.propose('alice', 'fan-1', 'sim-1', { type: 'SetFan', target: 1 });
    await roastery.phase('fan-1', 'Succeeded');
    await roastery.propose('alice', 'heater-7b', 'sim-1', { type: 'SetHeater', target: 7 });
    await roastery.phase('heater-7b', 'Succeeded');
    await approved('charge-2', { type: 'Charge', fromState: 'ReadyToCharge' }, 'guji');
    const drying = await guji((s) => expect(s.status?.phase).toBe('Drying'));
    const before = drying.status!.events!;
    expect(Object.keys(before).sort()).toEqual(['charge', 'turningPoint']);

    // A rolling restart: the successor takes the released lease and rebuilds the roast from the store.
    const stoppedAt = Date.now();
    await roastery.operator.stop();
    const successor = roastery.spawnOperator();
    const rebuilt = await successor.logged((l) => l.msg === 'session followed again from the store', 60_000);
    process.stderr.write(
      `sessions: operator restart → session rebuilt from ${rebuilt.points} stored points ${Date.parse(String(rebuilt.time)) - stoppedAt} ms after the stop\n`,
    );

    await guji((s) => expect(['Maillard', 'Development']).toContain(s.status?.phase), 120_000);
    await roastery.plane.kubectl(
      [
        'patch',
        'roastsession',
        'guji',
        '--type=json',
        '-p',
        JSON.stringify([{ op: 'add', path: '/spec/marks/-', value: { type: 'firstCrack', by: 'alice' } }]),
      ],
      { namespace, user: 'alice' },
    );
    await guji((s) => expect(s.status?.events?.firstCrack?.source).toBe('Mark'));
    // The roast against its profile, with the numbers: the reference at the same time, and first crack
    // as it happened; drop projected from how far behind the reference the roast runs.
    const following = await guji((s) => expect(s.status?.deviation?.firstCrack?.reached).toBe(true));
    const deviation = following.status!.deviation!;
    expect(deviation.profile).toBe('guji-light');
    expect(deviation.firstCrack?.projectedSeconds).toBe(
      following.status?.events?.firstCrack?.secondsSinceCharge,
    );
    expect(deviation.beanOffsetCelsius).toBeCloseTo(
      deviation.beanCelsius - deviation.referenceBeanCelsius!,
      1,
    );
    expect(deviation.drop).toMatchObject({ targetSeconds: 600, reached: false });
    expect(deviation.drop?.projectedSeconds).toBeGreaterThanOrEqual(deviation.secondsSinceCharge);
    await approved('drop-2', { type: 'Drop', fromState: 'Roasting' }, 'guji');
    await roasterPhase('Cooling');
    await approved('cool-2', { type: 'Cool', fromState: 'Cooling' }, 'guji');
    const done = await guji((s) => {
      expect(s.status?.phase).toBe('Completed');
      expect(s.status?.commands).toEqual({ proposed: 4, succeeded: 4, failed: 0, blocked: 0 });
    });
    // The roast was alice's: the advisor's idle session saw none of it, and runs next.
    expect((await queued()).status?.events).toBeUndefined();
    await eventually(async () => {
      expect((await roastery.get('roaster', 'sim-1')).status?.activeSession?.name).toBe('advisor-idle');
    });
    // What was recorded before the restart stands as it was.
    expect(done.status?.events).toMatchObject(before);
    expect(done.status?.events).toMatchObject({
      dryEnd: { source: 'Inferred' },
      drop: { source: 'StateCode' },
    });
    expect(done.status?.metrics?.pointsDropped).toBe(0);
    expect(done.status?.deviation?.drop).toMatchObject({
      reached: true,
      projectedSeconds: done.status?.events?.drop?.secondsSinceCharge,
    });

    // Weighed after cooling: the weight loss follows on the ended session.
    await roastery
      .api('session', 'alice')
      .patch(namespace, 'guji', { spec: { weightOutGrams: 340 } }, { type: 'merge' });
    await guji((s) => expect(s.status?.metrics?.weightLossPercent).toBe(15));
    // One Event per transition, across the restart.
    await eventually(async () => {
      const reasons = (await roastery.events('guji')).map((e) => e.reason);
      expect(reasons.sort()).toEqual(
        ['Preheating', 'Charged', 'Drying', 'Maillard', 'Development', 'Cooling', 'Completed'].sort(),
      );
    });
  }, 400_000);
});
