// The telemetry read API against a real API server with the chart installed: callers are service accounts
// with TokenRequest tokens, their rights come from the chart's roles (roast-viewer bound with RoleBindings),
// and the API runs in-process with the operator's own service-account token, so the chart's operator role
// must let it review tokens and access. The store is a real SQLite store holding one session's points.

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { apiVersion, group, roasterNames, roastSessionNames } from '@roast-operator/api';
import {
  eventually,
  loadKubeConfig,
  type PrivateControlPlane,
  startControlPlane,
} from '@roast-operator/control-plane';
import { KubeClient, type KubeObject, Manager, reviewAccess } from '@roast-operator/kube';
import { createLogger } from '@roast-operator/log';
import { roasters, roastSessions } from '@roast-operator/operator';
import type { Sample } from '@roast-operator/proto';
import { SqliteTelemetryStore } from '@roast-operator/store';
import { apiPrefix, type SessionTelemetry } from '@roast-operator/telemetry-client';
import {
  bindClusterRole,
  installChart,
  OperatorProcess,
  serviceAccountKubeconfig,
  serviceAccountToken,
  serviceAccountUser,
} from '@roast-operator/test-env';
import { type CertificateAuthority, createCertificateAuthority } from '@roast-operator/test-env/pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { howToGetAToken } from '../../operator/src/telemetry-api/access.ts';
import { defaultReviewLimits } from '../../operator/src/telemetry-api/review-limit.ts';
import { TelemetryApi } from '../../operator/src/telemetry-api/server.ts';

const log = createLogger({ component: 'telemetry-api-test' });
const releaseNamespace = 'roast-system';
const namespace = 'roastery';
const otherNamespace = 'warehouse';
/** Points per response in this suite, so paging shows with a short curve. */
const cap = 1000;
/** 4 Hz for 300 s from base: 1200 points, the charge at 60 s. */
const base = Date.UTC(2026, 10, 24, 9);
const chargeMs = base + 60_000;
const points = 1200;
const tlsRefreshMs = 300;

let plane: PrivateControlPlane;
let dir: string;
let ca: CertificateAuthority;
let admin: KubeClient;
let store: SqliteTelemetryStore;
let storeOpen = true;
let manager: Manager;
let running: Promise<void>;
let api: TelemetryApi;
let sessionUid: string;
let operatorConfig: string;
const tokens: Record<string, string> = {};

function sample(i: number): Sample {
  const timeMs = base + i * 250;
  const s: Sample = { timeMs, heater: 6, fan: 3, drum: 6, stateCode: timeMs < chargeMs ? 2 : 6 };
  s.beanTemp = 150 + i / 10;
  s.exhaustTemp = 140 + i / 20;
  if (i % 7 !== 0) s.ibtsTemp = 200 + i / 40;
  if (timeMs >= chargeMs) s.beanRor = 12 - i / 200;
  return s;
}

beforeAll(async () => {
  plane = await startControlPlane({ name: 'telemetry-api' });
  dir = await mkdtemp(join(tmpdir(), 'roast-telemetry-api-'));
  admin = new KubeClient(plane.kubeConfig(), { fieldManager: 'roast-test' });
  const core = plane.kubeConfig().makeApiClient(CoreV1Api);
  for (const name of [releaseNamespace, namespace, otherNamespace])
    await core.createNamespace({ body: { metadata: { name } } });
  await installChart(plane, { release: 'roast-operator', namespace: releaseNamespace });

  // Callers: a viewer here, someone with no binding, and a viewer of another namespace only.
  for (const account of ['viewer', 'nobody', 'elsewhere'])
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: account } } });
  const bind = (name: string, ns: string, account: string) =>
    bindClusterRole(admin, ns, name, 'roast-viewer', { kind: 'ServiceAccount', namespace, name: account });
  await bind('viewer', namespace, 'viewer');
  await bind('elsewhere', otherNamespace, 'elsewhere');
  // No audiences: the API server's own, as `kubectl create token` mints them.
  for (const account of ['viewer', 'nobody', 'elsewhere']) tokens[account] = await mint(account);
  // The edge's kind of token: minted for the gateway's audience, which the read API must not accept.
  tokens.gatewayAudience = await mint('viewer', ['roast-gateway']);
  await eventually(async () => {
    const review = await reviewAccess(
      admin,
      { username: serviceAccountUser(namespace, 'viewer') },
      { verb: 'get', group, resource: 'roastsessions', subresource: 'telemetry', namespace },
    );
    if (!review.allowed) throw new Error('the viewer binding is not in effect yet');
  });

  // A roaster, its session with a charge event (written as the operator: only it writes status), and the
  // session's points in the store, as the gateway and the session controller leave them.
  operatorConfig = await serviceAccountKubeconfig(
    plane,
    { namespace: releaseNamespace, name: 'roast-operator' },
    dir,
  );
  const roaster = await admin.resource(roasters).create({
    apiVersion,
    kind: roasterNames.kind,
    metadata: { name: 'bullet-1', namespace },
    spec: { model: 'AillioBulletR1', binding: { nodeName: 'roast-node-1' } },
  } as KubeObject);
  const session = await admin.resource(roastSessions).create({
    apiVersion,
    kind: roastSessionNames.kind,
    metadata: { name: 'guji-0412', namespace },
    spec: { roasterRef: { name: 'bullet-1' } },
  } as KubeObject);
  sessionUid = session.metadata.uid!;
  const operator = new KubeClient(loadKubeConfig(operatorConfig), { fieldManager: 'roast-operator' });
  const charge = { time: new Date(chargeMs).toISOString(), secondsSinceCharge: 0, source: 'StateCode' };
  await operator
    .resource(roastSessions)
    .patch(
      namespace,
      'guji-0412',
      { status: { phase: 'Maillard', events: { charge } } },
      { type: 'merge', subresource: 'status' },
    );
  await operator.close();
  store = new SqliteTelemetryStore(join(dir, 'telemetry.db'), { log });
  const roasterUid = roaster.metadata.uid!;
  for (let seq = 1; seq <= points / 10; seq++) {
    const samples = Array.from({ length: 10 }, (_, i) => sample((seq - 1) * 10 + i));
    await store.append(roasterUid, {
      bootEpoch: 'boot-1',
      seq,
      samples,
      droppedBatchesTotal: 0,
      droppedPointsTotal: 0,
    });
  }
  await store.putSession({ uid: sessionUid, roasterUid, startMs: base });

  // The API as the leader runs it, with the operator's token and a serving certificate from a test CA.
  ca = await createCertificateAuthority('telemetry-api-test-ca');
  await serveCertificate(ca);
  manager = new Manager({
    kubeConfig: loadKubeConfig(operatorConfig),
    fieldManager: 'roast-operator',
    logger: log,
  });
  api = new TelemetryApi(manager, {
    store: () => (storeOpen ? store : undefined),
    host: '127.0.0.1',
    port: 0,
    insecureDemo: false,
    tls: { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), refreshMs: tlsRefreshMs },
    watchNamespace: namespace,
    // Long enough that the polling measurement below cannot outlive it on a busy machine.
    access: { ttlMs: 60_000 },
    maxPoints: cap,
  });
  running = manager.start();
  await eventually(() => {
    if (api.port === undefined) throw new Error('the read API is not serving yet');
  });
});

afterAll(async () => {
  await manager?.stop();
  await running?.catch(() => undefined);
  await store?.close();
  await admin?.close();
  await plane?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A TokenRequest token for a service account of the roastery. */
const mint = (account: string, audiences: string[] = []) =>
  serviceAccountToken(plane, { namespace, name: account }, { audiences });

async function serveCertificate(authority: CertificateAuthority): Promise<void> {
  const cert = await authority.issue({
    commonName: 'roast-operator',
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
  });
  await writeFile(join(dir, 'tls.key'), cert.keyPem);
  await writeFile(join(dir, 'tls.crt'), cert.certPem);
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Ask {
  token?: string;
  accept?: string;
  /** The CA the client trusts (default: the suite's). */
  ca?: string;
  /** Default: the in-process API's. */
  port?: number;
  /** The client's address (any of 127.0.0.0/8; default 127.0.0.1). */
  from?: string;
  /** Default: a connection of its own. */
  agent?: Agent;
}

function get(path: string, ask: Ask = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: ask.port ?? api.port,
        path,
        ca: ask.ca ?? ca.certPem,
        agent: ask.agent ?? false,
        ...(ask.from !== undefined && { localAddress: ask.from }),
        headers: {
          ...(ask.token !== undefined && { authorization: `Bearer ${ask.token}` }),
          ...(ask.accept !== undefined && { accept: ask.accept }),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const sessionPath = (name = 'guji-0412', ns = namespace) =>
  `${apiPrefix}/namespaces/${ns}/roastsessions/${name}`;

async function telemetry(query = '', as = 'viewer'): Promise<SessionTelemetry> {
  const answer = await get(`${sessionPath()}${query}`, { token: tokens[as]! });
  expect(answer.status, answer.body).toBe(200);
  expect(answer.headers['content-type']).toBe('application/json');
  return JSON.parse(answer.body) as SessionTelemetry;
}

function expectStatus(answer: Answer, code: number, message: string): void {
  expect(answer.status, answer.body).toBe(code);
  expect(answer.headers['content-type']).toBe('application/json');
  const body = JSON.parse(answer.body) as { kind: string; code: number; message: string };
  expect(body).toMatchObject({ kind: 'Status', code });
  expect(body.message).toContain(message);
}

describe('a viewer of the namespace', () => {
  it('reads the session, its events and its curve on the session axis', async () => {
    // The informer may not have seen the status patch yet.
    let answer: SessionTelemetry | undefined;
    await eventually(async () => {
      answer = await telemetry();
      expect(answer.events?.charge).toBeDefined();
    });
    expect(answer!.session).toEqual({
      namespace,
      name: 'guji-0412',
      uid: sessionUid,
      roaster: 'bullet-1',
      phase: 'Maillard',
    });
    expect(answer!.events?.charge).toMatchObject({
      time: new Date(chargeMs).toISOString(),
      source: 'StateCode',
    });
    expect(answer!.origin).toEqual({ time: new Date(chargeMs).toISOString(), from: 'charge' });
    // The first page: the cap, then more.
    expect(answer!.more).toBe(true);
    expect(answer!.points).toHaveLength(cap);
    expect(answer!.points[0]).toEqual({
      t: -60,
      time: new Date(base).toISOString(),
      beanTemperatureCelsius: 150,
      exhaustTemperatureCelsius: 140,
      heater: 6,
      fan: 3,
      drum: 6,
      stateCode: 2,
    });
    const charged = answer!.points.find((p) => p.t === 0);
    expect(charged).toMatchObject({
      time: new Date(chargeMs).toISOString(),
      stateCode: 6,
      beanRateOfRiseCelsiusPerMinute: 10.8,
    });
    const ts = answer!.points.map((p) => p.t);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(new Set(ts).size).toBe(ts.length);
  });

  it('pages and polls with since', async () => {
    const first = await telemetry();
    const last = first.points.at(-1)!;
    const rest = await telemetry(`?since=${last.time}`);
    expect(rest.more).toBe(false);
    expect(rest.points).toHaveLength(points - cap);
    expect(rest.points[0]!.t).toBe(last.t + 0.25);
    expect(rest.points.at(-1)!.time).toBe(new Date(base + (points - 1) * 250).toISOString());
    const none = await telemetry(`?since=${rest.points.at(-1)!.time}`);
    expect(none).toMatchObject({ more: false, points: [] });
  });

  it('thins a long curve with maxPoints or step, keeping the newest point', async () => {
    const few = await telemetry('?maxPoints=50');
    expect(few.points.length).toBeLessThanOrEqual(50);
    expect(few.points.length).toBeGreaterThan(40);
    expect(few.more).toBe(false);
    expect(few.points.at(-1)!.t).toBe(239.75);
    const stepped = await telemetry('?step=10s');
    expect(stepped.stepMs).toBe(10_000);
    // 300 s from t = -60: one point per 10 s bucket, the last of each.
    expect(stepped.points).toHaveLength(30);
    expect(stepped.points.slice(0, 3).map((p) => p.t)).toEqual([-50.25, -40.25, -30.25]);
  });

  it('gets CSV by Accept or format=csv', async () => {
    for (const [query, accept] of [
      ['?step=60s', 'text/csv'],
      ['?step=60s&format=csv', 'application/json'],
    ] as const) {
      const answer = await get(`${sessionPath()}${query}`, { token: tokens.viewer!, accept });
      expect(answer.status, answer.body).toBe(200);
      expect(answer.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(answer.headers['roast-origin']).toBe(`${new Date(chargeMs).toISOString()}; from=charge`);
      expect(answer.headers['roast-step-ms']).toBe('60000');
      const lines = answer.body.trimEnd().split('\n');
      expect(lines[0]).toBe(
        't,time,beanTemperatureCelsius,ibtsTemperatureCelsius,exhaustTemperatureCelsius,beanRateOfRiseCelsiusPerMinute,heater,fan,drum,stateCode',
      );
      // Buckets [-60, 0), [0, 60), …, [180, 240): five rows.
      expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([
        '-0.25',
        '59.75',
        '119.75',
        '179.75',
        '239.75',
      ]);
    }
  });

  it('is told 404 for a session that does not exist, 400 for a bad query', async () => {
    expectStatus(
      await get(sessionPath('no-such-session'), { token: tokens.viewer! }),
      404,
      'roastsessions.roasting.simcorp.io "no-such-session" not found',
    );
    expectStatus(
      await get(`${sessionPath()}?since=yesterday`, { token: tokens.viewer! }),
      400,
      'since=yesterday',
    );
  });

  it('is told 503 while the store is not open', async () => {
    storeOpen = false;
    try {
      expectStatus(
        await get(sessionPath(), { token: tokens.viewer! }),
        503,
        'the telemetry store is not open',
      );
    } finally {
      storeOpen = true;
    }
  });
});

describe('callers without the permission', () => {
  it('are refused 403 with no binding, naming the permission', async () => {
    const answer = await get(sessionPath(), { token: tokens.nobody! });
    expectStatus(
      answer,
      403,
      `User "${serviceAccountUser(namespace, 'nobody')}" cannot get resource "roastsessions/telemetry" in API group "roasting.simcorp.io" in the namespace "roastery"`,
    );
    expect(answer.body).toContain('ClusterRole roast-viewer');
  });

  it('are refused 403 when bound in another namespace only', async () => {
    expectStatus(
      await get(sessionPath(), { token: tokens.elsewhere! }),
      403,
      `User "${serviceAccountUser(namespace, 'elsewhere')}" cannot get resource "roastsessions/telemetry"`,
    );
  });

  it('are refused 403 before anything about the session is told', async () => {
    expectStatus(await get(sessionPath('no-such-session'), { token: tokens.nobody! }), 403, 'is forbidden');
  });

  it('are refused 401 with no token, told how to get one (a client certificate is not read)', async () => {
    const answer = await get(sessionPath());
    expectStatus(answer, 401, `a bearer token is required: ${howToGetAToken}`);
    expect(answer.headers['www-authenticate']).toBe('Bearer');
  });

  it.each([
    ['a garbage token', 'not-a-token'],
    ['a token for the gateway audience', 'gatewayAudience'],
  ])('are refused 401 with %s', async (_what, token) => {
    const answer = await get(sessionPath(), { token: tokens[token] ?? token });
    expectStatus(answer, 401, 'the token was not accepted');
    expect(answer.headers['www-authenticate']).toContain('invalid_token');
  });
});

describe('reviews', () => {
  it('are asked of the API server once per token and session while a dashboard polls', async () => {
    // A token of its own: nothing about it is cached yet.
    const token = await mint('viewer');
    const before = await api.access.counts();
    const timings: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const answer = await get(`${sessionPath()}?maxPoints=300`, { token });
      timings.push(performance.now() - started);
      expect(answer.status).toBe(200);
    }
    const after = await api.access.counts();
    expect(after['token/api'] - before['token/api']).toBe(1);
    expect(after['access/api'] - before['access/api']).toBe(1);
    expect(after['token/cache'] - before['token/cache']).toBe(19);
    expect(after['access/cache'] - before['access/cache']).toBe(19);
    const cached = timings.slice(1).sort((a, b) => a - b);
    log.info('read API polling measured', {
      firstMs: Math.round(timings[0]! * 10) / 10,
      cachedMedianMs: Math.round(cached[Math.floor(cached.length / 2)]! * 10) / 10,
      apiServerReviews: 2,
      requests: timings.length,
    });
  });
});

describe('a flood of made-up tokens', () => {
  it('costs the API server a bounded number of TokenReviews, and real callers still get through', async () => {
    const { perClient } = defaultReviewLimits;
    // A token nothing has reviewed yet, for a caller at another address.
    const fresh = await mint('viewer');
    const flooder = new Agent({ keepAlive: true, maxSockets: 32, ca: ca.certPem });
    const atLeast = 3000;
    const codes = new Map<number, number>();
    const before = await api.access.counts();
    let sent = 0;
    // The flood lasts until the real callers have their answers, so they are answered during it.
    let answered = false;
    const started = performance.now();
    const flood = Promise.all(
      Array.from({ length: 32 }, async () => {
        while (sent < atLeast || !answered) {
          sent++;
          const answer = await get(sessionPath(), {
            token: randomBytes(24).toString('base64url'),
            agent: flooder,
          });
          codes.set(answer.status, (codes.get(answer.status) ?? 0) + 1);
          if (answer.status === 429) expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        }
      }),
    );
    // While it lasts: the viewer's token, already reviewed, from the flooding address; a fresh token from
    // another address, which the flooder's spent budget does not hold back.
    await eventually(() => expect(sent).toBeGreaterThan(500));
    const [cached, other] = await Promise.all([
      get(sessionPath(), { token: tokens.viewer! }),
      get(sessionPath(), { token: fresh, from: '127.0.0.2' }),
    ]);
    answered = true;
    await flood;
    const seconds = (performance.now() - started) / 1000;
    flooder.destroy();
    const after = await api.access.counts();
    expect(cached.status, cached.body).toBe(200);
    expect(other.status, other.body).toBe(200);
    expect([...codes.keys()].sort()).toEqual([401, 429]);
    expect((codes.get(401) ?? 0) + (codes.get(429) ?? 0)).toBe(sent);
    // The flooding address's budget, and the one fresh token from the other address.
    const reviews = after['token/api'] - before['token/api'];
    expect(reviews).toBeLessThanOrEqual(perClient.burst + Math.ceil(perClient.perSecond * seconds) + 1);
    expect(after['token/limited'] - before['token/limited']).toBe(codes.get(429));
    log.info('read API token flood measured', {
      requests: sent,
      seconds: Math.round(seconds * 10) / 10,
      tokenReviews: reviews,
      refused401: codes.get(401),
      limited429: codes.get(429),
    });
  });
});

/**
 * The operator's own entry point with the read API on its store (`store`) and certificate; `gateway` adds
 * the link gateway beside it. Resolves with the process and the port the API serves on.
 */
async function operatorServingApi(store: string, gateway: string[] = []) {
  const operator = new OperatorProcess({
    script: join(import.meta.dirname, '../../operator/src/main.ts'),
    args: [
      `--kubeconfig=${operatorConfig}`,
      `--watch-namespace=${namespace}`,
      '--probe-address=127.0.0.1:0',
      ...gateway,
      `--store-path=${join(dir, store)}`,
      `--tls-cert=${join(dir, 'tls.crt')}`,
      `--tls-key=${join(dir, 'tls.key')}`,
      '--api-port=0',
      '--api-host=127.0.0.1',
    ],
    env: { POD_NAMESPACE: releaseNamespace, POD_NAME: 'roast-operator-0' },
  });
  try {
    const serving = await operator.logged((l) => l.msg === 'telemetry read API serving TLS', 90_000);
    return { operator, port: serving.port as number };
  } catch (err) {
    await operator.stop();
    throw err;
  }
}

describe('the operator process', () => {
  it('serves the API beside the gateway while it leads, with the same certificate', async () => {
    const { operator, port } = await operatorServingApi('process.db', [
      '--gateway-port=0',
      '--gateway-host=127.0.0.1',
      `--edge-service-account=${namespace}/roast-edge`,
    ]);
    try {
      const answer = await get(sessionPath(), { token: tokens.viewer!, port });
      expect(answer.status, answer.body).toBe(200);
      // Its own store holds no window for the session yet: the session, no points.
      expect(JSON.parse(answer.body)).toMatchObject({
        session: { name: 'guji-0412', uid: sessionUid },
        more: false,
        points: [],
      });
      expectStatus(await get(sessionPath(), { token: tokens.nobody!, port }), 403, 'roastsessions/telemetry');
    } finally {
      await operator.stop();
    }
  });
});

describe('the operator process without a gateway', () => {
  it('serves the API alone from the store and certificate flags', async () => {
    const { operator, port } = await operatorServingApi('alone.db');
    try {
      const answer = await get(sessionPath(), { token: tokens.viewer!, port });
      expect(answer.status, answer.body).toBe(200);
      expect(operator.logs.some((l) => l.msg === 'link gateway serving TLS')).toBe(false);
    } finally {
      await operator.stop();
    }
  });
});

describe('the serving certificate', () => {
  it('is re-read when renewed', async () => {
    const renewed = await createCertificateAuthority('telemetry-api-renewed-ca');
    await serveCertificate(renewed);
    await eventually(async () => {
      const answer = await get(sessionPath(), { token: tokens.viewer!, ca: renewed.certPem });
      expect(answer.status).toBe(200);
    });
    await expect(get(sessionPath(), { token: tokens.viewer! })).rejects.toThrow();
  });
});
