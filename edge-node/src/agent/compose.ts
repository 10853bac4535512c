import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { type Clock, scaledClock, systemClock } from '@roast-operator/clock';
import type { Logger } from '@roast-operator/log';
import type { R1Device } from '../device/device.ts';
import type { EdgeModel } from '../device/models.ts';
import { findUsbR1 } from '../device/usb.ts';
import { defaultSafetyConfig, type SafetyConfig, safetyConfig } from '../safety/config.ts';
import { SimulatedR1 } from '../sim/device.ts';
import { agentVersion } from '../version.ts';
import { EdgeAgent } from './agent.ts';
import { serveHttp } from './http.ts';
import { EdgeStore } from './store.ts';

// One way to assemble an edge agent, shared by the CLI and the benchmark.

export type EdgeConfig = {
  readonly device: 'usb' | 'simulated';
  readonly model: EdgeModel;
  readonly storeDir: string;
  /** The edge-local safety configuration file (host file or ConfigMap); the defaults without one. */
  readonly safetyFile: string | undefined;
  /** Health, hello and preStop; 0 picks a free port, undefined serves none. */
  readonly port: number | undefined;
  readonly simulator: {
    readonly seed: number;
    readonly preheatC: number;
    readonly batchGrams: number;
    /** `charge` starts preheated and holding temperature, ready for beans. */
    readonly start: 'off' | 'charge';
    /** The simulated roaster's physics run this many times faster than real time; never the watchdog. */
    readonly timeScale: number;
  };
  readonly nodeName: string | undefined;
  readonly podName: string | undefined;
  readonly inContainer: boolean;
  readonly log: Logger;
  readonly exit: (code: number) => void;
};

export type RunningEdge = {
  readonly agent: EdgeAgent;
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

export async function startEdge(config: EdgeConfig, clock: Clock = systemClock): Promise<RunningEdge> {
  const safety = loadSafetyConfig(config.safetyFile);
  const store = EdgeStore.open(config.storeDir, clock.now());
  const simulated =
    config.device === 'simulated'
      ? new SimulatedR1(clock, {
          physicsClock:
            config.simulator.timeScale === 1 ? clock : scaledClock(clock, config.simulator.timeScale),
          roaster: {
            seed: config.simulator.seed,
            preheatC: config.simulator.preheatC,
            batchGrams: config.simulator.batchGrams,
            start: config.simulator.start,
          },
        })
      : undefined;
  const findDevice = async (): Promise<R1Device | undefined> => simulated ?? findUsbR1();
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
  const server = config.port === undefined ? undefined : await serveHttp(agent, config.port, config.log);
  config.log.info('edge agent started', {
    model: config.model,
    device: config.device,
    bootEpoch: agent.bootEpoch,
    version: agentVersion,
    limits: safety.limits,
  });
  return {
    agent,
    server,
    simulated,
    async shutdown() {
      const outcome = await agent.preStop();
      config.log.info('stopping', outcome);
      await agent.stop();
      server?.close();
      store.close();
    },
  };
}
