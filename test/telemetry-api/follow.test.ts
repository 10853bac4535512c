// Following a session live through the read API (`?follow=true`) against a real API server with the chart
// installed: callers are service accounts with TokenRequest tokens and the chart's roast-viewer role, the
// store is a real SQLite store, and the test plays the link (it commits points and says so) and the session
// controller (it writes the status as the operator). Followers use the typed client of
// libs/telemetry-client, as the plugin and the advisor do; the slow reader is a raw socket that stops
// reading.
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { apiVersion, roasterNames, roastSessionNames } from '@roast-operator/api';
import {
  eventually,
  loadKubeConfig,
  type PrivateControlPlane,
  startControlPlane,
} from '@roast-operator/control-plane';
import { KubeClient, type KubeObject, Manager } from '@roast-operator/kube';
import { createLogger } from '@roast-operator/log';
import { roasters, roastSessions } from '@roast-operator/operator';
import type { Sample } from '@roast-operator/proto';
import { SqliteTelemetryStore } from '@roast-operator/store';
import {
  type FollowLine,
  followOnce,
  followSession,
  type ReadApi,
  ReadApiError,
  sessionPath,
} from '@roast-operator/telemetry-client';
import {
  bindClusterRole,
  installChart,
  serviceAccountKubeconfig,
  serviceAccountToken,
} from '@roast-operator/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoasterRef } from '../../operator/src/dispatch.ts';
import type { TelemetryFeed, TelemetryListener } from '../../operator/src/telemetry.ts';
import { TelemetryApi } from '../../operator/src/telemetry-api/server.ts';

const log = createLogger({ component: 'telemetry-follow-test' });
const releaseNamespace = 'roast-system';
const namespace = 'roastery';
/** 4 Hz from base, the charge at 60 s. */
const base = Date.UTC(2026, 11, 7, 9);
const chargeMs = base + 60_000;
const lagMs = 1500;

let plane: PrivateControlPlane;
let dir: string;
let admin: KubeClient;
let operator: KubeClient;
let store: SqliteTelemetryStore;
let manager: Manager;
let running: Promise<void>;
let api: TelemetryApi;
const tokens: Record<string, string> = {};
const roasterUids = new Map<string, string>();
const seqs = new Map<string, number>();
/** The link, as the test plays it: every commit is told to the subscribers. */
const listeners = new Set<TelemetryListener>();
const feed: TelemetryFeed = {
  subscribe(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

function sample(i: number): Sample {
  const timeMs = base + i * 250;
  return {
    timeMs,
    heater: 7,
    fan: 3,
    drum: 6,
    stateCode: timeMs < chargeMs ? 2 : 6,
    beanTemp: 150 + i / 10,
    exhaustTemp: 140 + i / 20,
  };
}

/** Samples [from, to) of a roaster committed as the link commits them, batch by batch, then told. */
async function commit(roaster: string, from: number, to: number, batch = 100): Promise<void> {
  const uid = roasterUids.get(roaster)!;
  for (let i = from; i < to; i += batch) {
    const samples = Array.from({ length: Math.min(batch, to - i) }, (_, k) => sample(i + k));
    const seq = (seqs.get(roaster) ?? 0) + 1;
    seqs.set(roaster, seq);
    await store.append(uid, {
      bootEpoch: 'boot-1',
      seq,
      samples,
      droppedBatchesTotal: 0,
      droppedPointsTotal: 0,
    });
    const ref: RoasterRef = { namespace, name: roaster, uid };
    for (const l of listeners) l.samples(ref, samples);
  }
}

/** A roaster and its session, open in the store from `base`. */
async function roasting(roaster: string, session: string): Promise<void> {
  const r = await admin.resource(roasters).create({
    apiVersion,
    kind: roasterNames.kind,
    metadata: { name: roaster, namespace },
    spec: { model: 'AillioBulletR1', binding: { nodeName: 'roast-node-1' } },
  } as KubeObject);
  roasterUids.set(roaster, r.metadata.uid!);
  const s = await admin.resource(roastSessions).create({
    apiVersion,
    kind: roastSessionNames.kind,
    metadata: { name: session, namespace },
    spec: { roasterRef: { name: roaster } },
  } as KubeObject);
  await store.putSession({ uid: s.metadata.uid!, roasterUid: r.metadata.uid!, startMs: base });
  await status(session, { phase: 'Drying', events: { charge: event(60) } });
}

const event = (s: number) => ({
  time: new Date(base + s * 1000).toISOString(),
  secondsSinceCharge: s - 60,
  source: 'StateCode',
});

/** The session's status, written as the operator writes it. */
async function status(session: string, value: object): Promise<void> {
  await operator
    .resource(roastSessions)
    .patch(namespace, session, { status: value }, { type: 'merge', subresource: 'status' });
}

beforeAll(async () => {
  plane = await startControlPlane({ name: 'telemetry-follow' });
  dir = await mkdtemp(join(tmpdir(), 'roast-telemetry-follow-'));
  admin = new KubeClient(plane.kubeConfig(), { fieldManager: 'roast-test' });
  const core = plane.kubeConfig().makeApiClient(CoreV1Api);
  for (const name of [releaseNamespace, namespace])
    await core.createNamespace({ body: { metadata: { name } } });
  await installChart(plane, { release: 'roast-operator', namespace: releaseNamespace });
  for (const account of ['viewer', 'dashboard', 'nobody']) {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: account } } });
    if (account !== 'nobody')
      await bindClusterRole(admin, namespace, account, 'roast-viewer', {
        kind: 'ServiceAccount',
        namespace,
        name: account,
      });
    tokens[account] = await serviceAccountToken(plane, { namespace, name: account });
  }
  const operatorConfig = await serviceAccountKubeconfig(
    plane,
    { namespace: releaseNamespace, name: 'roast-operator' },
    dir,
  );
  operator = new KubeClient(loadKubeConfig(operatorConfig), { fieldManager: 'roast-operator' });
  store = new SqliteTelemetryStore(join(dir, 'telemetry.db'), { log });
  manager = new Manager({
    kubeConfig: loadKubeConfig(operatorConfig),
    fieldManager: 'roast-operator',
    logger: log,
  });
  api = new TelemetryApi(manager, {
    store: () => store,
    host: '127.0.0.1',
    port: 0,
    insecureDemo: true,
    watchNamespace: namespace,
    feed,
    follow: { perCaller: 2, lagMs },
  });
  running = manager.start();
  await eventually(() => {
    if (api.port === undefined) throw new Error('the read API is not serving yet');
  });
}, 180_000);

afterAll(async () => {
  await manager?.stop();
  await running?.catch(() => undefined);
  await store?.close();
  await operator?.close();
  await admin?.close();
  await plane?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const readApi = (as: string): ReadApi => ({ url: `http://127.0.0.1:${api.port}`, token: tokens[as]! });

/** Follows until the session ends, keeping every line. */
async function followAll(as: string, session: string, since?: string): Promise<FollowLine[]> {
  const lines: FollowLine[] = [];
  for await (const line of followSession(readApi(as), { namespace, name: session, ...(since && { since }) }))
    lines.push(line);
  return lines;
}

const pointTimes = (lines: readonly FollowLine[]) =>
  lines.flatMap((l) => (l.type === 'points' ? l.points.map((p) => p.time) : []));
const times = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => new Date(sample(from + i).timeMs).toISOString());

describe('a follow', () => {
  it('sends the backlog, then each commit as it comes, the status as it changes, and ends with the session', async () => {
    await roasting('bullet-1', 'guji-1');
    await commit('bullet-1', 0, 1200);
    const lines: FollowLine[] = [];
    const following = (async () => {
      for await (const line of followSession(readApi('viewer'), { namespace, name: 'guji-1' }))
        lines.push(line);
    })();
    await eventually(() => expect(pointTimes(lines)).toHaveLength(1200));
    expect(lines.slice(0, 2).map((l) => l.type)).toEqual(['session', 'status']);
    expect(lines[0]).toMatchObject({ session: { namespace, name: 'guji-1', roaster: 'bullet-1' } });
    // Lines of at most 500 points, t from the charge.
    const first = lines.find((l) => l.type === 'points');
    expect(first).toMatchObject({ origin: { from: 'charge' }, points: { length: 500 } });
    if (first?.type === 'points') expect(first.points[0]!.t).toBe(-60);

    // A commit wakes the follow: it arrives well before the next poll would matter.
    const committedAt = performance.now();
    await commit('bullet-1', 1200, 1210, 10);
    await eventually(() => expect(pointTimes(lines)).toHaveLength(1210));
    const latencyMs = performance.now() - committedAt;
    process.stderr.write(`follow: a commit reached the follower in ${latencyMs.toFixed(0)} ms\n`);

    await status('guji-1', { phase: 'Development', events: { charge: event(60), firstCrack: event(280) } });
    await eventually(() =>
      expect(lines.filter((l) => l.type === 'status').at(-1)).toMatchObject({
        phase: 'Development',
        events: { firstCrack: { secondsSinceCharge: 220 } },
      }),
    );
    await commit('bullet-1', 1210, 1300);
    await status('guji-1', {
      phase: 'Completed',
      events: { charge: event(60), firstCrack: event(280), drop: event(320) },
    });
    await following;
    expect(lines.at(-1)).toEqual({ type: 'end', phase: 'Completed' });
    // Every point once, in order.
    expect(pointTimes(lines)).toEqual(times(0, 1300));
  });

  it('resumes after the last point seen, and an ended session ends the follow at once', async () => {
    const lines = await followAll('viewer', 'guji-1', new Date(sample(1249).timeMs).toISOString());
    expect(pointTimes(lines)).toEqual(times(1250, 1300));
    expect(lines.map((l) => l.type)).toEqual(['session', 'status', 'points', 'end']);
  });

  it('is refused like any read: no token, no right, no such session', async () => {
    const refusal = async (api: ReadApi, name = 'guji-1') => {
      try {
        for await (const _ of followOnce(api, { namespace, name })) return 'streamed';
      } catch (err) {
        if (err instanceof ReadApiError) return err.code;
        throw err;
      }
      return 'streamed';
    };
    expect(await refusal({ ...readApi('viewer'), token: 'made-up' })).toBe(401);
    expect(await refusal(readApi('nobody'))).toBe(403);
    expect(await refusal(readApi('viewer'), 'guji-404')).toBe(404);
  });

  it('holds a bounded number per caller: a third is refused with 429 until one ends', async () => {
    await roasting('bullet-2', 'kenya-1');
    await commit('bullet-2', 0, 10);
    const open = [new AbortController(), new AbortController()];
    const seen = open.map(() => [] as FollowLine[]);
    const streams = open.map((c, i) =>
      (async () => {
        for await (const line of followOnce(readApi('viewer'), {
          namespace,
          name: 'kenya-1',
          signal: c.signal,
        }))
          seen[i]!.push(line);
      })().catch(() => undefined),
    );
    await eventually(() => {
      for (const s of seen) expect(pointTimes(s)).toHaveLength(10);
    });
    const third = followOnce(readApi('viewer'), { namespace, name: 'kenya-1' });
    await expect(third.next()).rejects.toMatchObject({
      code: 429,
      message: expect.stringContaining('already follows 2 sessions, the most one caller may'),
    });
    // Another caller is not held back by the viewer's follows.
    const other = followOnce(readApi('dashboard'), { namespace, name: 'kenya-1' });
    expect((await other.next()).value).toMatchObject({ type: 'session' });
    await other.return(undefined);
    open[0]!.abort();
    await streams[0];
    await eventually(async () => {
      const again = followOnce(readApi('viewer'), { namespace, name: 'kenya-1' });
      expect((await again.next()).value).toMatchObject({ type: 'session' });
      await again.return(undefined);
    });
    open[1]!.abort();
    await streams[1];
  });
});

describe('a slow reader', () => {
  // More than the loopback socket's buffers hold, so a reader that stops reading fills them (here a
  // reader stalled with about 35,000 points, 5 MB, in flight): about 18 MB of lines.
  const many = 120_000;

  it('is told it lagged and resumes without a gap, while another follower of the session goes on', {
    timeout: 180_000,
  }, async () => {
    await roasting('bullet-3', 'sumatra-1');
    await commit('bullet-3', 0, many, 5000);
    // The quick follower reads everything and the end while the slow one is stuck.
    const quick = followAll('dashboard', 'sumatra-1');

    const raw = await new Promise<{ lines: FollowLine[]; stalledMs: number }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: api.port,
          path: `${sessionPath(namespace, 'sumatra-1')}?follow=true`,
          headers: { authorization: `Bearer ${tokens.viewer}` },
        },
        (res) => {
          // Reads the first chunk, then nothing for twice the lag limit, then the rest.
          let text = '';
          res.setEncoding('utf8');
          res.once('data', (chunk: string) => {
            text += chunk;
            res.pause();
            const stalledAt = performance.now();
            setTimeout(() => {
              res.on('data', (more: string) => {
                text += more;
              });
              res.on('end', () =>
                resolve({
                  lines: text
                    .split('\n')
                    .filter((l) => l !== '')
                    .map((l) => JSON.parse(l) as FollowLine),
                  stalledMs: performance.now() - stalledAt,
                }),
              );
              res.on('close', () => {
                if (!res.complete)
                  reject(new Error('the read API dropped the slow reader before it could read on'));
              });
              res.resume();
            }, 2 * lagMs);
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    const lagged = raw.lines.at(-1);
    expect(lagged).toMatchObject({
      type: 'lagged',
      message: expect.stringContaining(`did not read for ${lagMs} ms`),
    });
    const got = pointTimes(raw.lines);
    expect(got.length).toBeLessThan(many);
    if (lagged?.type === 'lagged') expect(lagged.resumeSince).toBe(got.at(-1));
    process.stderr.write(`follow: the slow reader had ${got.length} of ${many} points when told it lagged\n`);

    // The quick follower was not held up: the session ends and it has every point.
    await status('sumatra-1', { phase: 'Completed', events: { charge: event(60) } });
    expect(pointTimes(await quick)).toEqual(times(0, many));

    // The slow one resumes from what it had and misses nothing.
    const rest = await followAll(
      'viewer',
      'sumatra-1',
      lagged?.type === 'lagged' ? lagged.resumeSince : undefined,
    );
    expect([...got, ...pointTimes(rest)]).toEqual(times(0, many));
  });
});
