// The link gateway in the test process, as the operator's leader runs it: a Manager of its own on the
// cluster, the SQLite store in a directory the suite owns, served on a free loopback port. For suites and
// the benchmark that speak gRPC to the gateway directly.
import { join } from 'node:path';
import type { ClusterClient } from '@roast-operator/control-plane';
import { eventually } from '@roast-operator/control-plane';
import { Manager } from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import { SqliteTelemetryStore } from '@roast-operator/store';
import { LinkGateway, type LinkGatewayOptions } from '../../operator/src/link/gateway.ts';
import { LeaderTelemetryStore } from '../../operator/src/telemetry-store.ts';

const crds = join(import.meta.dirname, '../../crds');

/** Applies the API's CRDs (idempotent: other files apply the same ones) and waits until they serve. */
export async function installCrds(cluster: ClusterClient): Promise<void> {
  await cluster.kubectl(['apply', '--server-side', '-f', crds]);
  await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', '--all', 'crd']);
}

export interface GatewayOptions extends Omit<LinkGatewayOptions, 'store' | 'host' | 'port'> {
  /** Holds the store (telemetry.db); the suite creates and removes it. */
  readonly dir: string;
  readonly logger: Logger;
}

export class GatewayUnderTest {
  readonly gateway: LinkGateway;
  readonly manager: Manager;
  #store: SqliteTelemetryStore | undefined;
  #running: Promise<void> | undefined;

  constructor(cluster: ClusterClient, { dir, logger, ...options }: GatewayOptions) {
    this.manager = new Manager({ kubeConfig: cluster.kubeConfig(), fieldManager: 'roast-operator', logger });
    const store = new LeaderTelemetryStore(this.manager, () => {
      this.#store = new SqliteTelemetryStore(join(dir, 'telemetry.db'), { log: logger });
      return this.#store;
    });
    this.gateway = new LinkGateway(this.manager, { ...options, store, host: '127.0.0.1', port: 0 });
  }

  /** Starts the manager (the gateway runs while it leads) and waits until the port is bound. */
  async start(): Promise<this> {
    this.#running = this.manager.start();
    await eventually(() => {
      if (this.gateway.port === undefined) throw new Error('the gateway is not serving yet');
    });
    return this;
  }

  get port(): number {
    return this.gateway.port!;
  }

  /** The store the gateway opened, for assertions on what was kept. */
  get store(): SqliteTelemetryStore {
    if (!this.#store) throw new Error('the gateway has not opened its store');
    return this.#store;
  }

  async stop(): Promise<void> {
    await this.manager.stop();
    await this.#running?.catch(() => undefined);
  }
}
