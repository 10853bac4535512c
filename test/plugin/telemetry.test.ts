// kubectl roast export and watch against the real telemetry read API: sessions' points in a real SQLite
// store, served by the operator's read API on the suite's control plane (plaintext on loopback), read by the
// plugin with a service account's token from its kubeconfig — the API reviews the token and checks the
// chart's roast-viewer role — written as CSV, JSON and an .alog that reads back the way Artisan reads one,
// and followed live (the read API's follow) while points, events and the deviation from a profile arrive.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiVersion, RoastProfile, roasterNames, roastSessionNames } from '@roast-operator/api';
import { eventually } from '@roast-operator/control-plane';
import { type KubeObject, Manager } from '@roast-operator/kube';
import { createLogger } from '@roast-operator/log';
import type { Sample } from '@roast-operator/proto';
import { SqliteTelemetryStore } from '@roast-operator/store';
import { serviceAccountKubeconfig } from '@roast-operator/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TelemetryApi } from '../../operator/src/telemetry-api/server.ts';
import { readAlog } from '../../plugin/src/testing/artisan.ts';
import { Roastery, namespace as roasteryNamespace } from '../support/roastery.ts';
import { KubectlRoast, type Running } from './testing/kubectl-roast.ts';

const log = createLogger({ component: 'plugin-export-test' });
const cellar = 'cellar';
/** 2 Hz for 600 s: charge at 30 s, dry end at 150 s, first crack at 450 s, drop at 560 s. */
const base = Date.UTC(2026, 11, 7, 9);
const points = 1200;
const at = (s: number) => new Date(base + s * 1000).toISOString();

let roastery: Roastery;
let plugin: KubectlRoast;
let dir: string;
let store: SqliteTelemetryStore;
let manager: Manager;
let running: Promise<void>;
let api: TelemetryApi;
let viewer: string;
const roasterUids = new Map<string, string>();
/** The link's batch sequence per roaster. */
const batches = new Map<string, number>();

function sample(i: number): Sample {
  const s = i / 2;
  const timeMs = base + s * 1000;
  return {
    timeMs,
    heater: s < 400 ? 8 : 6,
    fan: 3,
    drum: 6,
    stateCode: s < 30 ? 4 : s < 560 ? 6 : 8,
    beanTemp: 90 + s / 4,
    exhaustTemp: 170 + s / 8,
  };
}

const event = (s: number) => ({
  time: at(s),
  secondsSinceCharge: s - 30,
  beanTemperatureCelsius: 90 + s / 4,
  source: 'StateCode',
});

beforeAll(async () => {
  roastery = await Roastery.start({
    name: 'plugin-export',
    script: join(import.meta.dirname, '../operator/fixtures/operator.ts'),
  });
  plugin = await KubectlRoast.install(roastery.plane);
  dir = await mkdtemp(join(tmpdir(), 'roast-plugin-export-'));
  const admin = roastery.client();
  // A namespace the running operator does not watch, so the session's status stays as written here.
  await admin
    .resource({ group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false })
    .create({ metadata: { name: cellar } });
  await admin
    .resource({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      plural: 'rolebindings',
      kind: 'RoleBinding',
      namespaced: true,
    })
    .create({
      metadata: { name: 'advisor-viewer', namespace: cellar },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'roast-viewer' },
      subjects: [{ kind: 'ServiceAccount', name: 'advisor', namespace: roasteryNamespace }],
    } as KubeObject);
  viewer = await serviceAccountKubeconfig(
    roastery.plane,
    { namespace: roasteryNamespace, name: 'advisor' },
    dir,
  );

  store = new SqliteTelemetryStore(join(dir, 'telemetry.db'), { log });
  await roasting('bullet-9', 'yirga-3', {
    profile: { coffee: "Yirgacheffe 'Konga'", batchGrams: 350 },
    weightOutGrams: 300,
  });
  await appendPoints('bullet-9', 0, points);
  // As the link and the session controller leave it (only the operator's account writes status).
  await sessionStatus('yirga-3', {
    phase: 'Completed',
    events: { charge: event(30), dryEnd: event(150), firstCrack: event(450), drop: event(560) },
    metrics: { totalSeconds: 530 },
  });
  // A second roaster whose session is still roasting and follows a profile, for watch.
  await roastery.api('profile').create({
    apiVersion,
    kind: 'RoastProfile',
    metadata: { name: 'light', namespace: cellar },
    spec: { curve: { seconds: [0, 90, 560], beanCelsius: [200, 100, 225] } },
  } as KubeObject);
  await roasting('bullet-8', 'live-1', { profileRef: { name: 'light' } });
  await sessionStatus('live-1', { phase: 'Drying', events: { charge: event(30) } });
  await appendPoints('bullet-8', 0, 120);

  manager = new Manager({
    kubeConfig: roastery.plane.kubeConfig(),
    fieldManager: 'roast-operator',
    logger: log,
  });
  // 500 points a response: the plugin has to page through three.
  api = new TelemetryApi(manager, {
    store: () => store,
    host: '127.0.0.1',
    port: 0,
    insecureDemo: true,
    watchNamespace: cellar,
    maxPoints: 500,
  });
  running = manager.start();
  await eventually(() => {
    if (api.port === undefined) throw new Error('the read API is not serving yet');
  });
});

/** A Roaster in the cellar and its session (spec beyond the roaster), known to the store from `base`. */
async function roasting(roaster: string, session: string, spec: object = {}): Promise<void> {
  const created = await roastery.api('roaster').create({
    apiVersion,
    kind: roasterNames.kind,
    metadata: { name: roaster, namespace: cellar },
    spec: { model: 'AillioBulletR1', binding: { nodeName: 'roast-node-1' } },
  } as KubeObject);
  roasterUids.set(roaster, created.metadata.uid!);
  const planned = await roastery.api('session').create({
    apiVersion,
    kind: roastSessionNames.kind,
    metadata: { name: session, namespace: cellar },
    spec: { roasterRef: { name: roaster }, ...spec },
  } as KubeObject);
  await store.putSession({ uid: planned.metadata.uid!, roasterUid: created.metadata.uid!, startMs: base });
}

/** Points i in [from, to) of a roaster's curve, committed by the link in batches of 100. */
async function appendPoints(roaster: string, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 100) {
    const samples = Array.from({ length: Math.min(100, to - i) }, (_, k) => sample(i + k));
    const seq = (batches.get(roaster) ?? 0) + 1;
    batches.set(roaster, seq);
    await store.append(roasterUids.get(roaster)!, {
      bootEpoch: 'boot-1',
      seq,
      samples,
      droppedBatchesTotal: 0,
      droppedPointsTotal: 0,
    });
  }
}

async function sessionStatus(name: string, status: object): Promise<void> {
  await roastery
    .api('session', 'link')
    .patch(cellar, name, { status }, { type: 'merge', subresource: 'status' });
}

afterAll(async () => {
  await manager?.stop();
  await running?.catch(() => undefined);
  await store?.close();
  await plugin?.[Symbol.asyncDispose]();
  await roastery?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const exportAs = (kubeconfig: string, format: string, extra: string[] = []) =>
  plugin.runWith(kubeconfig, [
    'export',
    'yirga-3',
    '--format',
    format,
    '-n',
    cellar,
    '--telemetry-server',
    `http://127.0.0.1:${api.port}`,
    ...extra,
  ]);

describe('export and watch', () => {
  it('writes an .alog that reads back as Artisan reads it, with the curve, the events and the roast properties', async () => {
    const file = join(dir, 'yirga-3.alog');
    const r = await exportAs(viewer, 'alog', ['--output-file', file]);
    expect(r, r.stderr).toMatchObject({ code: 0 });
    expect(r.stderr).toBe(`Wrote RoastSession yirga-3 as alog to ${file}.\n`);
    const profile = await readAlog(await readFile(file, 'utf8'));
    expect(profile.timex).toHaveLength(points);
    expect(profile.timex[1]).toBe(0.5);
    expect(profile.temp2[0]).toBe(90);
    expect(profile.temp2.at(-1)).toBeCloseTo(90 + 599.5 / 4);
    expect(profile.temp1[0]).toBe(170);
    expect(profile.timeindex).toEqual([60, 300, 900, 0, 0, 0, 1120, 0]);
    expect(profile).toMatchObject({
      mode: 'C',
      title: "Yirgacheffe 'Konga'",
      weight: [350, 300, 'g'],
      roastisodate: '2026-12-07',
    });
    expect(profile.computed).toMatchObject({ DRY_time: 120, FCs_time: 420, DROP_time: 530, totaltime: 530 });
    expect(profile.specialeventsStrings).toEqual(['Fan 3', 'Drum 6', 'Heater 8', 'Heater 6']);
  });

  it('makes a RoastProfile of how the roast went, which the advisor, a viewer, may not apply', async () => {
    const server = ['-n', cellar, '--telemetry-server', `http://127.0.0.1:${api.port}`];
    const r = await plugin.runWith(viewer, ['profile', 'from-session', 'yirga-3', ...server]);
    expect(r, r.stderr).toMatchObject({ code: 0 });
    // Charge to drop every half second is 1061 points, more than a profile holds.
    expect(r.stderr).toBe('The curve is thinned from 1061 to 1024 points, evenly, first and last kept.\n');
    expect(r.stdout.split('\n')[0]).toBe(`# A RoastProfile from the RoastSession ${cellar}/yirga-3`);
    const made = RoastProfile.parse(parse(r.stdout));
    expect(made.metadata.name).toBe('yirga-3');
    const { curve, ...rest } = made.spec;
    expect(rest).toEqual({
      coffee: "Yirgacheffe 'Konga'",
      batchGrams: 350,
      targets: {
        dryEnd: { seconds: 120, toleranceSeconds: 30, beanCelsius: 127.5, toleranceCelsius: 5 },
        firstCrack: { seconds: 420, toleranceSeconds: 30, beanCelsius: 202.5, toleranceCelsius: 3 },
        drop: { seconds: 530, toleranceSeconds: 15, beanCelsius: 230, toleranceCelsius: 2 },
      },
      recipe: {
        byTime: [
          { seconds: 0, heater: 8, fan: 3, drum: 6 },
          { seconds: 370, heater: 6 },
        ],
      },
      derivedFrom: { session: 'yirga-3' },
    });
    expect([curve.seconds[0], curve.seconds.at(-1), curve.seconds.length]).toEqual([0, 530, 1024]);
    expect([curve.beanCelsius[0], curve.beanCelsius.at(-1)]).toEqual([97.5, 230]);
    const applied = await plugin.runWith(viewer, [
      'profile',
      'from-session',
      'yirga-3',
      '--apply',
      ...server,
    ]);
    expect(applied.code).toBe(1);
    expect(applied.stderr.trim().split('\n').at(-1)).toMatch(
      /^Applying RoastProfile yirga-3 was refused by RBAC: /,
    );
  });

  it('writes the JSON and the CSV of every page', async () => {
    const json = await exportAs(viewer, 'json');
    expect(json, json.stderr).toMatchObject({ code: 0 });
    const answer = JSON.parse(json.stdout);
    expect(answer.points).toHaveLength(points);
    expect(answer.events.firstCrack.secondsSinceCharge).toBe(420);
    const csv = await exportAs(viewer, 'csv');
    expect(csv, csv.stderr).toMatchObject({ code: 0 });
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^t,time,beanTemperatureCelsius,/);
    expect(lines).toHaveLength(points + 1);
    expect(lines[1]).toMatch(/^-30,2026-12-07T09:00:00.000Z,90,/);
  });

  it('says what is missing: a bearer token for a certificate user, the read API, a session it knows', async () => {
    const alice = await plugin.run('alice', [
      'export',
      'yirga-3',
      '--format',
      'csv',
      '-n',
      cellar,
      '--telemetry-server',
      `http://127.0.0.1:${api.port}`,
    ]);
    expect(alice.code).toBe(2);
    expect(alice.stderr).toMatch(
      /^The telemetry read API takes a bearer token, and your kubeconfig user has none/,
    );
    const nowhere = await plugin.runWith(viewer, ['export', 'yirga-3', '--format', 'csv', '-n', cellar]);
    expect(nowhere.stderr).toMatch(/^Say where the operator's telemetry read API listens/);
    const unknown = await plugin.runWith(viewer, [
      'export',
      'nope',
      '--format',
      'json',
      '-n',
      cellar,
      '--telemetry-server',
      `http://127.0.0.1:${api.port}`,
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^Reading the telemetry was refused by the read API \(40[34]\): /);
  });

  it('watches a roast as it goes, following the read API live, with its deviation from the profile, until the session ends', async () => {
    let watching: Running | undefined;
    try {
      watching = plugin.start(viewer, [
        'watch',
        'live-1',
        '-n',
        cellar,
        '--interval',
        '1',
        '--telemetry-server',
        `http://127.0.0.1:${api.port}`,
      ]);
      const w = watching;
      await eventually(() => {
        if (!w.stdout.includes('0:30  BT 104.9 °C'))
          throw new Error(`no first reading yet: ${w.stdout}${w.stderr}`);
      });
      expect(w.stdout.startsWith('charge at 0:00, BT 97.5 °C\n')).toBe(true);
      expect(w.stdout).toContain(
        'profile light: no deviation yet (the operator writes it while the roast runs; a profile that does not exist gets none)',
      );
      // The roast goes on: more points, then first crack, and the operator compares it with the profile.
      await appendPoints('bullet-8', 120, 900);
      await sessionStatus('live-1', {
        phase: 'Development',
        events: { charge: event(30), firstCrack: event(420) },
        deviation: {
          profile: 'light',
          secondsSinceCharge: 390,
          beanCelsius: 195,
          referenceBeanCelsius: 188.5,
          beanOffsetCelsius: 6.5,
          lagSeconds: -22,
          firstCrack: {
            targetSeconds: 400,
            projectedSeconds: 390,
            offsetSeconds: -10,
            reached: true,
            onTarget: true,
          },
        },
      });
      await eventually(() => {
        if (!w.stdout.includes('first crack at 6:30, BT 195.0 °C') || !w.stdout.includes('7:00  BT 202.4 °C'))
          throw new Error(`the roast has not moved on: ${w.stdout}`);
      });
      await eventually(() => {
        if (!w.stdout.includes('first crack at 6:30 vs 6:40 (-10 s, on target); drop: no target'))
          throw new Error(`no deviation shown: ${w.stdout}`);
      });
      expect(w.stdout).toContain(
        'profile light at 6:30: BT 195.0 °C vs 188.5 °C (+6.5 °C), RoR - vs - °C/min, 22 s ahead\n',
      );
      await sessionStatus('live-1', { phase: 'Completed' });
      expect(await w.exited).toBe(0);
      expect(w.stdout.trim().split('\n').at(-1)).toBe('RoastSession live-1 is Completed.');
      expect(w.stderr).toBe('');
    } finally {
      watching?.kill();
    }
  });
});
