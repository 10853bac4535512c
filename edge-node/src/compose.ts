import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { type Clock, systemClock } from '@roast-operator/clock';
import type { Logger } from '@roast-operator/log';
import { readRecording } from '@roast-operator/roast/recordings';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { EdgeAgent } from './agent/agent.ts';
import { serveHttp } from './agent/http.ts';
import { EdgeStore } from './agent/store.ts';
import type { R1Device } from './device/device.ts';
import type { EdgeModel } from './device/models.ts';
import { findUsbR1 } from './device/usb.ts';
import { LinkClient } from './link/client.ts';
import type { RoasterRef } from './link/convert.ts';
import type { LinkTuning } from './link/options.ts';
import { ReplayR1 } from './replay/device.ts';
import { replayOf } from './replay/replay.ts';
import { defaultSafetyConfig, type SafetyConfig, safetyConfig } from './safety/config.ts';
import { SimulatedR1 } from './sim/device.ts';
import { agentVersion } from './version.ts';

// One way to assemble an edge agent, shared by the CLI and the benchmark.

/** The link to the operator's gateway. */
export type LinkConfig = {
  /** host:port. */
  readonly gateway: string;
  readonly credentials: ChannelCredentials;
  /** The bearer token, read again for every stream. */
  readonly token?: () => string | Promise<string>;
  /** The Roaster this agent drives, as hello names it; without one the gateway resolves it from node and device. */
  readonly roaster: RoasterRef | undefined;
  readonly tuning?: Partial<LinkTuning>;
};

export type EdgeConfig = {
  readonly device: 'usb' | 'simulated' | 'replay';
  readonly model: EdgeModel;
  readonly storeDir: string;
  /** The edge-local safety configuration file (host file or ConfigMap); the defaults without one. */
  readonly safetyFile: string | undefined;
  /** Health, hello, metrics and preStop; 0 picks a free port, undefined serves none. */
  readonly port: number | undefined;
  /** Without one the agent runs on its own: nothing streams, no command arrives. */
  readonly link: LinkConfig | undefined;
  readonly simulator: {
    readonly seed: number;
    /** The serial the simulated R1 reports (its own default unless told), so several can share a node. */
    readonly serial?: number;
    readonly preheatC: number;
    readonly batchGrams: number;
    /** `charge` starts preheated and holding temperature, ready for beans. */
    readonly start: 'off' | 'charge';
    /**
     * The simulated roaster's physics run this many times faster than real time, and its readings are
     * stamped on that time base; liveness (staleness, watchdog, link loss, deadlines) keeps real time.
     */
    readonly timeScale: number;
  };
  /** The recording a replay device plays, and how many recorded seconds it plays per second. */
  readonly replay?: { readonly file: string; readonly speed: number };
  readonly nodeName: string | undefined;
  readonly podName: string | undefined;
  readonly inContainer: boolean;
  readonly log: Logger;
  readonly exit: (code: number) => void;
};

export type RunningEdge = {
  readonly agent: EdgeAgent;
  readonly link: LinkClient | undefined;
  readonly server: Server | undefined;
  /** The simulated roaster, when there is one. */
  readonly simulated: SimulatedR1 | undefined;
  /** Makes a heating roaster safe, then stops everything. */
  shutdown(): Promise<void>;
};

export function loadSafetyConfig(file: string | undefined): SafetyConfig {
  if (file === undefined) return defaultSafetyConfig;
  return safetyConfig(JSON.parse(readFileSync(file, 'utf8')));
}

/** The recording as a device, which starts playing now, when the configuration asks for a replay. */
function replayDevice(config: EdgeConfig, clock: Clock): ReplayR1 | undefined {
  if (config.device !== 'replay') return undefined;
  if (config.replay === undefined) throw new Error('a replay device needs a recording');
  const { file, speed } = config.replay;
  return new ReplayR1(clock, replayOf(readRecording(file)), { speed });
}

export async function startEdge(config: EdgeConfig, clock: Clock = systemClock): Promise<RunningEdge> {
  const safety = loadSafetyConfig(config.safetyFile);
  const store = EdgeStore.open(config.storeDir, clock.now());
  const simulated =
    config.device === 'simulated'
      ? new SimulatedR1(clock, {
          timeScale: config.simulator.timeScale,
          ...(config.simulator.serial !== undefined && { serial: config.simulator.serial }),
          roaster: {
            seed: config.simulator.seed,
            preheatC: config.simulator.preheatC,
            batchGrams: config.simulator.batchGrams,
            start: config.simulator.start,
          },
        })
      : undefined;
  const replay = replayDevice(config, clock);
  const findDevice = async (): Promise<R1Device | undefined> => simulated ?? replay ?? findUsbR1();
  const agent = new EdgeAgent({
    clock,
    model: config.model,
    findDevice,
    store,
    safety,
    agentVersion,
    nodeName: config.nodeName,
    podName: config.podName,
    inContainer: config.inContainer,
    exit: config.exit,
    log: config.log,
  });
  agent.start();
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const link =
    config.link &&
    new LinkClient({
      ...config.link,
      agent,
      sourceDetail: simulated ? `seed ${config.simulator.seed}` : (replay?.replay.name ?? ''),
      log: config.log.child({ component: 'link' }),
      registry,
      clock,
    });
  link?.start();
  const server =
    config.port === undefined ? undefined : await serveHttp(agent, config.port, config.log, registry);
  config.log.info('edge agent started', {
    model: config.model,
    device: config.device,
    bootEpoch: agent.bootEpoch,
    version: agentVersion,
    limits: safety.limits,
    gateway: config.link?.gateway,
  });
  return {
    agent,
    link,
    server,
    simulated,
    async shutdown() {
      const outcome = await agent.preStop();
      config.log.info('stopping', outcome);
      // After the safe state, so its result and latch still reach the gateway.
      await link?.stop();
      await agent.stop();
      server?.close();
      store.close();
    },
  };
}
