#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { createLogger } from '@roast-operator/log';
import { type LinkConfig, startEdge } from './compose.ts';
import { type EdgeModel, isEdgeModel } from './device/models.ts';

// The edge agent's command line. `edge-node` drives the roaster on this node; `edge-node prestop` is the
// pod's preStop hook: it asks the running agent, on the loopback address, to make the roaster safe.

const usage = `usage: edge-node [run] [options]
       edge-node prestop [--port N]

  --model M             Roaster model: AillioBulletR1 | AillioBulletR1V2 | Simulated | Replay
                        (env ROASTER_MODEL)
  --device D            usb | simulated (default usb; simulated with --simulate)
  --simulate            demo mode: a simulated R1 and model Simulated
  --replay FILE         play a recorded roast (.json) as an R1, model Replay; never with a real roaster
  --speed N             recorded seconds the replay plays per second (default 1); readings keep the
                        recording's own times
  --allow-real-usb      let demo mode drive a real roaster
  --store DIR           the UID → result store (env EDGE_STORE_DIR; default /var/lib/roast-edge in a pod)
  --safety-config FILE  edge-local limits and ceilings, JSON (env EDGE_SAFETY_CONFIG)
  --port N              health, hello, metrics and preStop HTTP port (default 8089)
  --gateway HOST:PORT   stream to the operator's gateway (env EDGE_GATEWAY); without it the agent
                        runs alone
  --gateway-ca FILE     the gateway's CA certificate (PEM), the only one trusted for it (env EDGE_GATEWAY_CA)
  --token-file FILE     the projected service-account token for the gateway's audience, read again for
                        every connection (env EDGE_TOKEN_FILE)
  --insecure-demo       plaintext to the gateway, no token, instead of the two above: for a demo only
  --roaster NS/NAME     the Roaster this agent drives (env ROASTER_NAMESPACE, ROASTER_NAME); without it
                        the gateway gives the one bound to this node (NODE_NAME) and device serial, in
                        the namespace the Node's label roasting.simcorp.io/roaster-namespace names
  --roaster-uid UID     its UID, with --roaster (env ROASTER_UID)
  --telemetry-buffer N  unacknowledged telemetry batches kept while the link is down (default 3600)
  --serial N            the serial the simulated R1 reports (default 4711), so several share a node
  --seed N --preheat-c C --batch-grams G --time-scale X --sim-start off|charge   the simulated roaster;
                        --time-scale runs its physics X times faster and stamps its readings (telemetry,
                        rise rate) on that faster clock; staleness, link loss, deadlines stay real time
`;

/** Exit codes besides the agent's device codes (3–6). */
const usageError = 2;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string' },
    device: { type: 'string' },
    simulate: { type: 'boolean', default: false },
    replay: { type: 'string' },
    speed: { type: 'string' },
    'allow-real-usb': { type: 'boolean', default: false },
    store: { type: 'string' },
    'safety-config': { type: 'string' },
    port: { type: 'string', default: '8089' },
    gateway: { type: 'string' },
    'gateway-ca': { type: 'string' },
    'token-file': { type: 'string' },
    'insecure-demo': { type: 'boolean', default: false },
    roaster: { type: 'string' },
    'roaster-uid': { type: 'string' },
    'telemetry-buffer': { type: 'string', default: '3600' },
    seed: { type: 'string', default: '1' },
    serial: { type: 'string', default: '4711' },
    'preheat-c': { type: 'string', default: '239' },
    'batch-grams': { type: 'string', default: '400' },
    'time-scale': { type: 'string', default: '1' },
    'sim-start': { type: 'string', default: 'off' },
    help: { type: 'boolean', default: false },
  },
});

const inContainer = process.env.KUBERNETES_SERVICE_HOST !== undefined;
const log = createLogger({ component: 'edge-node', node: process.env.NODE_NAME, pod: process.env.POD_NAME });

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${usage}`);
  process.exit(usageError);
}

function number(name: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value)) fail(`--${name} needs a number, got ${text}`);
  return value;
}

async function prestop(): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${number('port', values.port)}/prestop`, { method: 'POST' });
  const body = (await response.json()) as { safe?: boolean };
  process.stdout.write(`${JSON.stringify(body)}\n`);
  process.exit(body.safe ? 0 : 1);
}

type DeviceChoice = 'usb' | 'simulated' | 'replay';

function chooseDevice(): DeviceChoice {
  if (values.replay !== undefined) return replayDevice();
  if (values.speed !== undefined) fail('--speed is for --replay');
  const device = values.device ?? (values.simulate ? 'simulated' : 'usb');
  if (device !== 'usb' && device !== 'simulated') fail(`--device is usb or simulated, not ${device}`);
  if (values.simulate && device === 'usb' && !values['allow-real-usb']) {
    fail('demo mode (--simulate) refuses a real roaster: add --allow-real-usb to drive one');
  }
  return device;
}

/** A recording is never played where a real roaster could be driven, nor taken for one. */
function replayDevice(): 'replay' {
  if (values.device !== undefined) fail(`--replay plays a recording: no --device ${values.device}`);
  if (values.simulate || values['allow-real-usb'])
    fail('--replay goes with neither --simulate nor --allow-real-usb');
  return 'replay';
}

/** Software roasters have one model each; a physical roaster's model is never guessed. */
const defaultModels: Readonly<Record<DeviceChoice, EdgeModel | undefined>> = {
  usb: undefined,
  simulated: 'Simulated',
  replay: 'Replay',
};

function chooseModel(device: DeviceChoice): EdgeModel {
  const model = values.model ?? process.env.ROASTER_MODEL ?? defaultModels[device];
  // The ids check is only as good as the model it checks.
  if (model === undefined) fail('--model is required with a USB roaster');
  if (!isEdgeModel(model)) fail(`unknown model ${model}`);
  if (device === 'replay' && model !== 'Replay') fail(`--replay is model Replay, not ${model}`);
  return model;
}

function replaySpeed(): number {
  const speed = number('speed', values.speed ?? '1');
  if (!(speed > 0)) fail(`--speed must be above 0, got ${speed}`);
  return speed;
}

function timeScale(): number {
  const scale = number('time-scale', values['time-scale']);
  if (!(scale > 0)) fail(`--time-scale must be above 0, got ${scale}`);
  return scale;
}

function simStart(): 'off' | 'charge' {
  const start = values['sim-start'];
  if (start !== 'off' && start !== 'charge') fail(`--sim-start is off or charge, not ${start}`);
  return start;
}

/** The Roaster named on the command line, if one is; the gateway matches hello against it exactly. */
function roaster(): LinkConfig['roaster'] {
  const given = values.roaster ?? process.env.ROASTER_NAME;
  const uid = values['roaster-uid'] ?? process.env.ROASTER_UID;
  if (given === undefined) {
    if (uid !== undefined) fail('--roaster-uid goes with --roaster namespace/name');
    if (!process.env.NODE_NAME)
      fail('without --roaster the gateway finds the Roaster by node: set NODE_NAME');
    return undefined;
  }
  const [namespace, name, ...rest] = values.roaster?.split('/') ?? [process.env.ROASTER_NAMESPACE, given];
  if (!namespace || !name || rest.length > 0) fail('--roaster is namespace/name');
  if (!uid) fail('the link needs the Roaster’s UID: --roaster-uid');
  return { namespace, name, uid };
}

/** The simulated R1's serial: the signed 16-bit number its info block carries. */
function simulatedSerial(): number {
  const serial = number('serial', values.serial);
  if (!Number.isInteger(serial) || serial < -32768 || serial > 32767)
    fail(`--serial is a whole number in [-32768, 32767], got ${values.serial}`);
  return serial;
}

function link(): LinkConfig | undefined {
  const gateway = values.gateway ?? process.env.EDGE_GATEWAY;
  if (gateway === undefined) return undefined;
  const bufferBatches = number('telemetry-buffer', values['telemetry-buffer']);
  if (!Number.isInteger(bufferBatches) || bufferBatches < 1) fail('--telemetry-buffer is a count of batches');
  return { gateway, ...security(), roaster: roaster(), tuning: { bufferBatches } };
}

/** TLS pinned to the gateway's CA with the pod's token, or plaintext without one when asked for by name. */
function security(): Pick<LinkConfig, 'credentials' | 'token'> {
  if (values['insecure-demo']) return { credentials: credentials.createInsecure() };
  const caFile = values['gateway-ca'] ?? process.env.EDGE_GATEWAY_CA;
  const tokenFile = values['token-file'] ?? process.env.EDGE_TOKEN_FILE;
  if (caFile === undefined || tokenFile === undefined)
    fail('--gateway needs --insecure-demo for plaintext, or --gateway-ca FILE and --token-file FILE for TLS');
  // The kubelet rewrites the projected token before it expires: each connection reads the current one.
  return {
    credentials: credentials.createSsl(readFileSync(caFile)),
    token: () => readFile(tokenFile, 'utf8'),
  };
}

async function run(): Promise<void> {
  const device = chooseDevice();
  const model = chooseModel(device);
  const storeDir =
    values.store ??
    process.env.EDGE_STORE_DIR ??
    (inContainer ? '/var/lib/roast-edge' : join(homedir(), '.local', 'state', 'roast-edge'));
  const edge = await startEdge({
    device,
    model,
    storeDir,
    safetyFile: values['safety-config'] ?? process.env.EDGE_SAFETY_CONFIG,
    port: number('port', values.port),
    link: link(),
    simulator: {
      seed: number('seed', values.seed),
      serial: simulatedSerial(),
      preheatC: number('preheat-c', values['preheat-c']),
      batchGrams: number('batch-grams', values['batch-grams']),
      timeScale: timeScale(),
      start: simStart(),
    },
    replay: values.replay === undefined ? undefined : { file: values.replay, speed: replaySpeed() },
    nodeName: process.env.NODE_NAME,
    podName: process.env.POD_NAME,
    inContainer,
    log,
    exit: (code) => process.exit(code),
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('signal', { signal });
    edge.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown failed', { err: error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (values.help) {
  process.stdout.write(usage);
} else if (positionals[0] === 'prestop') {
  await prestop();
} else if (positionals.length === 0 || positionals[0] === 'run') {
  await run().catch((error: unknown) => {
    log.error('edge agent failed to start', { err: error });
    process.exit(1);
  });
} else {
  fail(`unknown command ${positionals[0]}`);
}
