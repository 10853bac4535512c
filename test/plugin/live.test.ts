// kubectl roast console and watch during a simulated roast, end to end: the operator (main.ts with its
// gateway and the telemetry read API) and a simulated Bullet R1's edge agent at twenty times real time as
// separate processes on a private control plane with the chart. The console is refused without its launch
// token, from another origin and under another Host name; in headless Chromium (Debian's, driven by
// playwright-core) bob approves alice's Charge from the page and the live curve draws over its profile's
// reference; under tmux bob's `watch` shows the curve, events and deviation from the profile move, approves
// the advisor's proposal and marks first crack with keys; alice's emergency stop from her page reaches the
// roaster, and the page shows heater 0. Screenshots and the terminal's screens are kept in
// test/plugin/artifacts.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Roaster } from '@roast-operator/api';
import { eventually, freePort } from '@roast-operator/control-plane';
import type { NodeProcess } from '@roast-operator/test-env';
import { createCertificateAuthority } from '@roast-operator/test-env/pki';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAlog } from '../../plugin/src/testing/artisan.ts';
import { edgeProcess, gatewayArgs, operatorMain } from '../support/link.ts';
import { namespace, Roastery } from '../support/roastery.ts';
import { KubectlRoast, type Running } from './testing/kubectl-roast.ts';
import { TmuxWindow } from './testing/tmux.ts';

const artifacts = join(import.meta.dirname, 'artifacts');
const session = 'guji-live';
const referenceProfile = 'guji-reference';
const tokenHeader = 'X-Roast-Console-Token';
/** How long the page may take to show what it was asked for: it reads the roastery every 2 s. */
const onPage = { timeout: 15_000 };

let roastery: Roastery;
let plugin: KubectlRoast;
let dir: string;
let edge: NodeProcess;
let roaster: Roaster;
let readApi: string;
let viewerToken: string;
let browser: Browser;
const consoles: Running[] = [];

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  process.stderr.write(`plugin live: screenshots and terminal screens in ${artifacts}\n`);
  dir = await mkdtemp(join(tmpdir(), 'roast-plugin-live-'));
  const gatewayPort = await freePort();
  roastery = await Roastery.start({
    name: 'plugin-live',
    script: operatorMain,
    operatorArgs: [
      '--canary-period=30s',
      ...gatewayArgs(gatewayPort, dir),
      '--api-port=0',
      '--api-host=127.0.0.1',
    ],
  });
  const serving = await roastery.operator.logged(
    (l) => l.msg === 'telemetry read API serving plaintext (--insecure-demo)',
    60_000,
  );
  readApi = `http://127.0.0.1:${serving.port}`;
  plugin = await KubectlRoast.install(roastery.plane);
  // bob approves and, here, attends the roaster too: he marks first crack from his watch.
  await roastery.grant('bob', 'roast-attendant');
  roaster = await roastery.roaster('sim-1', { model: 'Simulated', autonomy: { level: 'L3' } });
  edge = edgeProcess({
    device: ['--simulate', '--seed=7', '--time-scale=20', '--sim-start=charge'],
    gatewayPort,
    roaster,
    store: join(dir, 'edge'),
    port: await freePort(),
    pod: 'roast-edge-sim-1',
  });
  // The read API takes a bearer token; alice and bob sign in with certificates, so the curve is read with
  // the advisor's (every chart role may read telemetry), as `--token` is documented for.
  viewerToken = (
    await roastery.plane.kubectl(['create', 'token', 'advisor', '--duration=1h'], { namespace })
  ).stdout.trim();
  // The profile the roast follows: the console draws its curve behind the live one, both views the deviation.
  await roastery.api('profile').create({
    apiVersion: 'roasting.simcorp.io/v1alpha1',
    kind: 'RoastProfile',
    metadata: { name: referenceProfile, namespace },
    spec: {
      curve: { seconds: [0, 60, 240, 420, 600], beanCelsius: [200, 97, 150, 186, 210] },
      targets: {
        firstCrack: { seconds: 420, toleranceSeconds: 30 },
        drop: { seconds: 600, toleranceSeconds: 30 },
      },
    },
  } as never);
  await roastery.api('session', 'alice').create({
    apiVersion: 'roasting.simcorp.io/v1alpha1',
    kind: 'RoastSession',
    metadata: { name: session, namespace },
    spec: {
      roasterRef: { name: 'sim-1' },
      profileRef: { name: referenceProfile },
      profile: {
        coffee: 'Ethiopia Guji, washed',
        batchGrams: 400,
        dropTemperatureCelsius: 210,
        totalSeconds: 600,
      },
    },
  } as never);
  await eventually(async () => {
    const r = await roastery.get('roaster', 'sim-1');
    expect(r.status?.phase).toBe('ReadyToCharge');
    expect(r.status?.activeSession?.name).toBe(session);
  }, 90_000);
  await roastery.propose('alice', 'heater-7', 'sim-1', { type: 'SetHeater', target: 7 });
  await roastery.phase('heater-7', 'Succeeded');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 240_000);

afterAll(async () => {
  for (const c of consoles) c.kill();
  await Promise.all(consoles.map((c) => c.exited));
  await browser?.close();
  await edge?.stop();
  await plugin?.[Symbol.asyncDispose]();
  await roastery?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Console {
  url: string;
  origin: string;
  port: number;
  token: string;
}

/** `kubectl roast console` as `user`, and the URL it printed. */
async function startConsole(user: 'alice' | 'bob', extra: readonly string[] = []): Promise<Console> {
  const running = plugin.start(roastery.plane.kubeconfigPath(user), [
    'console',
    '-n',
    namespace,
    '--telemetry-server',
    readApi,
    '--token',
    viewerToken,
    ...extra,
  ]);
  consoles.push(running);
  let url = '';
  await eventually(() => {
    url = /(https?:\/\/[\d.]+:\d+\/#token=\S+)/.exec(running.stdout)?.[1] ?? '';
    if (!url) throw new Error(`no URL yet: ${running.stdout}${running.stderr}`);
  });
  expect(running.stdout).toContain(`Console for ${user} in namespace ${namespace}: `);
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    port: Number(parsed.port),
    token: parsed.hash.slice('#token='.length),
  };
}

/** One raw HTTP request, any Host header included (fetch would not send a Host of our choosing). */
function raw(
  c: Console,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: c.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function stops(): Promise<number> {
  const list = await roastery.api('proposal').list({ namespace });
  return list.items.filter(
    (p) => (p as { spec?: { command?: { type?: string } } }).spec?.command?.type === 'EmergencyStop',
  ).length;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

let bob: Console;
let alice: Console;

describe('kubectl roast console', () => {
  it('refuses a request without the launch token, a cross-origin POST and a rebinding Host; answers its own page', async () => {
    bob = await startConsole('bob');
    const host = `127.0.0.1:${bob.port}`;
    const own = { Host: host, [tokenHeader]: bob.token };

    const noToken = await raw(bob, 'GET', '/api/overview', { Host: host });
    expect(noToken.status).toBe(401);
    expect(JSON.parse(noToken.body).message).toMatch(/launch token is missing or wrong/);
    const wrongToken = await raw(bob, 'GET', '/api/overview', { ...own, [tokenHeader]: `${bob.token}x` });
    expect(wrongToken.status).toBe(401);

    const crossOrigin = await raw(
      bob,
      'POST',
      '/api/roasters/sim-1/stop',
      { ...own, Origin: 'https://evil.example', 'Content-Type': 'application/json' },
      '{}',
    );
    expect(crossOrigin.status).toBe(403);
    expect(crossOrigin.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await raw(bob, 'OPTIONS', '/api/roasters/sim-1/stop', {
      Host: host,
      Origin: 'https://evil.example',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': tokenHeader,
    });
    expect(preflight.status).toBe(405);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();

    // A page on evil.example whose name now resolves to 127.0.0.1 sends its own name as Host.
    const rebound = await raw(bob, 'GET', '/api/overview', { ...own, Host: `evil.example:${bob.port}` });
    expect(rebound.status).toBe(421);
    const reboundPage = await raw(bob, 'GET', '/', { Host: `evil.example:${bob.port}` });
    expect(reboundPage.status).toBe(421);
    expect(await stops()).toBe(0);

    const overview = await raw(bob, 'GET', '/api/overview', own);
    expect(overview.status).toBe(200);
    expect(JSON.parse(overview.body)).toMatchObject({ user: 'bob', namespace, telemetry: true });
    const page = await raw(bob, 'GET', '/', { Host: host });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('listens beyond 127.0.0.1 only when told where, and then only over TLS', async () => {
    const plain = await plugin.run('bob', ['console', '--address', '127.0.0.2', '-n', namespace]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(
      /^Listening on 127\.0\.0\.2 lets other machines reach a page that acts as you: give --tls-cert FILE and --tls-key FILE/,
    );
    const ca = await createCertificateAuthority('console test CA');
    const serving = await ca.issue({ commonName: 'console', ipAddresses: ['127.0.0.2'], usage: 'server' });
    await writeFile(join(dir, 'console.crt'), serving.certPem);
    await writeFile(join(dir, 'console.key'), serving.keyPem);
    const tls = await startConsole('bob', [
      '--address',
      '127.0.0.2',
      '--tls-cert',
      join(dir, 'console.crt'),
      '--tls-key',
      join(dir, 'console.key'),
    ]);
    expect(tls.origin).toMatch(/^https:\/\/127\.0\.0\.2:\d+$/);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(
        `${tls.origin}/api/overview`,
        { ca: ca.certPem, headers: { [tokenHeader]: tls.token } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ user: 'bob' });
  });

  it('lets bob approve alice’s Charge from the page, and draws the live curve with the plan', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    await page.goto(bob.url);
    await expect
      .poll(() => page.locator('#who').textContent(), onPage)
      .toBe(`Acting as bob in namespace ${namespace}`);
    // The token left the address bar; it stays in this tab only.
    expect(page.url()).not.toContain('token');

    const proposed = await plugin.run('alice', [
      'propose',
      'sim-1',
      'charge',
      '--session',
      session,
      '--rationale',
      'Beans are in the hopper.',
      '-n',
      namespace,
    ]);
    expect(proposed, proposed.stderr).toMatchObject({ code: 0 });
    const charge = /: (sim-1-charge-[a-z0-9]{5})\./.exec(proposed.stdout)![1]!;
    await roastery.phase(charge, 'AwaitingApproval');

    const card = page.getByRole('article', { name: `Proposal ${charge}` });
    await card.waitFor({ timeout: 15_000 });
    const panel = await card.textContent();
    expect(panel).toContain('Charge from ReadyToCharge on sim-1');
    expect(panel).toContain('Beans are in the hopper.');
    expect(panel).toMatch(/RequireApproval by rule \S+ at L3/);
    await shot(page, '1-approval');
    // From the keyboard: Enter on the button asks, Escape takes it back and nothing is decided.
    const dialog = page.getByRole('dialog');
    await card.getByRole('button', { name: `Approve ${charge}` }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.isVisible(), onPage).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible(), onPage).toBe(false);
    expect((await roastery.get('proposal', charge)).spec.approval).toBeUndefined();
    await card.getByRole('button', { name: `Approve ${charge}` }).click();
    await expect.poll(() => dialog.getByRole('heading').textContent(), onPage).toBe(`Approve ${charge}?`);
    await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
    const decided = await roastery.phase(charge, 'Succeeded', 60_000);
    expect(decided.spec.approval).toMatchObject({ decision: 'Approved', approver: 'bob' });

    // The roast runs: the page follows the roaster's session and the curve grows.
    const bt = page.locator('#curve path.bt');
    await expect
      .poll(async () => Number(await bt.getAttribute('data-points')), { timeout: 60_000 })
      .toBeGreaterThan(40);
    const first = (await bt.getAttribute('d'))!.length;
    await expect
      .poll(async () => (await bt.getAttribute('d'))!.length, { timeout: 20_000 })
      .toBeGreaterThan(first);
    expect(await page.locator('#curve line.plan').count()).toBe(2);
    // The profile's reference curve, behind the live BT, and the roast against it once the operator compared.
    expect(await page.locator('#curve path.reference').getAttribute('data-points')).toBe('5');
    expect(await page.locator('#curve path').first().getAttribute('class')).toBe('reference');
    await expect
      .poll(() => page.locator('#deviation').textContent(), onPage)
      .toMatch(
        new RegExp(
          `^profile ${referenceProfile} at \\d+:\\d\\d: BT [\\d.]+ °C vs [\\d.]+ °C .*first crack.* 7:00`,
        ),
      );
    expect(await page.locator('#live-summary').textContent()).toMatch(
      new RegExp(
        `^RoastSession ${session} \\(\\w+\\), \\d+ readings\\. .*BT [\\d.]+ °C.*Plan: Ethiopia Guji, washed, drop at 210 °C, total 10:00\\.$`,
      ),
    );
    await expect.poll(() => page.locator('#events').textContent(), onPage).toContain('charge at 0:00');
    await shot(page, '2-live-curve');

    // A rejection takes a reason, typed in the dialog.
    await roastery.propose(
      'advisor',
      'advisor-fan-4',
      'sim-1',
      { type: 'SetFan', target: 4 },
      { sessionRef: { name: session } },
    );
    await roastery.phase('advisor-fan-4', 'AwaitingApproval');
    await page.getByRole('button', { name: 'Reject advisor-fan-4' }).click();
    await page.getByRole('textbox', { name: 'Reason' }).fill('the fan stays low while drying');
    await dialog.getByRole('button', { name: 'Reject', exact: true }).click();
    const rejected = await roastery.phase('advisor-fan-4', 'Rejected');
    expect(rejected.spec.approval).toEqual({
      decision: 'Rejected',
      approver: 'bob',
      reason: 'the fan stays low while drying',
    });
    await page.close();
  }, 120_000);
});

describe('kubectl roast watch under tmux', () => {
  it('follows the curve and the events, approves the advisor’s proposal and marks first crack with keys', async () => {
    const socket = `roast-watch-${process.pid}`;
    await using tmux = await TmuxWindow.start(
      socket,
      [
        plugin.kubectl,
        'roast',
        'watch',
        session,
        '-n',
        namespace,
        '--interval',
        '1',
        '--telemetry-server',
        readApi,
        '--token',
        viewerToken,
      ],
      plugin.environment(roastery.plane.kubeconfigPath('bob')),
    );
    const screens: string[] = [];
    const screenWith = async (check: (screen: string) => boolean, what: string, timeoutMs = 30_000) => {
      let screen = '';
      await eventually(async () => {
        screen = await tmux.screen();
        if (!check(screen)) throw new Error(`the screen shows no ${what}:\n${screen}`);
      }, timeoutMs);
      screens.push(`--- ${what}\n${screen}`);
      return screen;
    };
    const reading = (screen: string) => screen.split('\n')[1] ?? '';
    const first = await screenWith(
      (s) => s.startsWith(`RoastSession ${session} on sim-1:`) && /BT \d/.test(reading(s)),
      'reading',
    );
    await screenWith((s) => reading(s) !== reading(first), 'newer reading');
    await screenWith(
      (s) =>
        new RegExp(`^profile ${referenceProfile} at \\d+:\\d\\d: BT `, 'm').test(s) &&
        /^first crack.* 7:00/m.test(s),
      'deviation from the profile',
    );

    await roastery.propose(
      'advisor',
      'advisor-heater-5',
      'sim-1',
      { type: 'SetHeater', target: 5 },
      { sessionRef: { name: session }, rationale: 'ease the heat after drying' },
    );
    await roastery.phase('advisor-heater-5', 'AwaitingApproval');
    await screenWith(
      (s) =>
        s.includes(
          '> awaiting approval: advisor-heater-5 SetHeater 5 by system:serviceaccount:roastery:advisor',
        ),
      'pending proposal',
    );
    await tmux.keys('a');
    await screenWith((s) => s.includes('Approve SetHeater 5 (advisor-heater-5) on sim-1? y/N'), 'question');
    await tmux.keys('y');
    await screenWith(
      (s) => s.includes('Approved SetHeater 5 (advisor-heater-5) on sim-1 as bob.'),
      'approval',
    );
    const approved = await roastery.phase('advisor-heater-5', 'Succeeded', 30_000);
    expect(approved.spec.approval).toMatchObject({ decision: 'Approved', approver: 'bob' });

    await tmux.keys('f');
    await screenWith((s) => s.includes(`Mark first crack on ${session}? y/N`), 'mark question');
    await tmux.keys('y');
    await screenWith((s) => s.includes(`Marked first crack on RoastSession ${session} as bob.`), 'mark');
    await screenWith((s) => /^ {2}first crack at \d+:\d\d/m.test(s), 'first crack event');
    await tmux.keys('q');
    await screenWith((s) => s.includes(`Stopped watching RoastSession ${session}.`), 'end');
    await writeFile(join(artifacts, 'watch-screens.txt'), `${screens.join('\n')}\n`);
  }, 120_000);
});

describe('the emergency stop from the console', () => {
  it('reaches the simulated roaster, and alice’s page follows it until the roaster reports heater 0', async () => {
    alice = await startConsole('alice');
    const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    await page.goto(alice.url);
    await expect
      .poll(() => page.locator('#who').textContent(), onPage)
      .toBe(`Acting as alice in namespace ${namespace}`);
    expect((await roastery.get('roaster', 'sim-1')).status?.levels?.heater).toBeGreaterThan(0);

    // alice holds no approver role: the page says who refused her, in the plugin's sentence.
    await roastery.propose(
      'advisor',
      'advisor-heater-6',
      'sim-1',
      { type: 'SetHeater', target: 6 },
      { sessionRef: { name: session } },
    );
    await roastery.phase('advisor-heater-6', 'AwaitingApproval');
    await page.getByRole('button', { name: 'Approve advisor-heater-6' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve', exact: true }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), onPage)
      .toMatch(
        /^Approving CommandProposal advisor-heater-6 was refused by (RBAC|the admission policy \S+): /,
      );
    expect((await roastery.get('proposal', 'advisor-heater-6')).spec.approval).toBeUndefined();

    await page.getByRole('button', { name: 'Emergency stop sim-1' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.getByRole('heading').textContent(), onPage).toBe('Emergency stop sim-1?');
    await shot(page, '3-stop-confirmation');
    await dialog.getByRole('button', { name: 'Stop sim-1 now' }).click();
    const progress = page.locator('#stop-progress');
    await expect
      .poll(() => progress.textContent(), { timeout: 30_000 })
      .toContain('sim-1 is stopped: heater 0, latched until reset.');
    expect(await progress.textContent()).toMatch(/Emergency stop sim-1-emergencystop-\w{5}: Succeeded/);
    await shot(page, '4-stopped');
    const stopped = await roastery.get('roaster', 'sim-1');
    expect(stopped.status?.levels?.heater).toBe(0);
    expect(stopped.status?.latch?.cause).toBe('EmergencyStopProposal');
    expect(edge.running).toBe(true);
    await page.close();
  }, 90_000);
});

describe('the simulated roast in Artisan', () => {
  it('exports as an .alog that reads back as Artisan reads it: the curve, the events, the roast properties', async () => {
    const exported = await plugin.run('alice', [
      'export',
      session,
      '--format',
      'alog',
      '-n',
      namespace,
      '--telemetry-server',
      readApi,
      '--token',
      viewerToken,
    ]);
    expect(exported, exported.stderr).toMatchObject({ code: 0 });
    const profile = await readAlog(exported.stdout);
    expect(profile.timex.length).toBeGreaterThan(40);
    expect(Math.max(...profile.temp2)).toBeGreaterThan(100);
    const [charge, , firstCrack] = profile.timeindex;
    expect(charge).toBeGreaterThan(0);
    expect(firstCrack).toBeGreaterThan(charge!);
    expect(profile).toMatchObject({ mode: 'C', title: 'Ethiopia Guji, washed', weight: [400, 0, 'g'] });
    expect(profile.specialeventsStrings).toEqual(expect.arrayContaining(['Heater 7', 'Heater 5']));
  });
});
