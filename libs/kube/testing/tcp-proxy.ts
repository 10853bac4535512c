import { connect, createServer, type Server, type Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

interface Pair {
  client: Socket;
  upstream: Socket;
}

/**
 * A TCP proxy in front of kube-apiserver that a test can use to break the network the way real networks
 * break: drop every connection, freeze them (open but silent), or hold new connections until released.
 * TLS passes through untouched, so clients talk to the real apiserver.
 */
export class TcpProxy {
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #pairs = new Set<Pair>();
  readonly #held: Socket[] = [];
  #holding = false;
  #port = 0;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Listens on a free loopback port and forwards to the host and port of `server` (a URL). */
  static async start(server: string): Promise<TcpProxy> {
    const url = new URL(server);
    const proxy = new TcpProxy({ host: url.hostname, port: Number(url.port) });
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    const address = proxy.#server.address();
    if (!address || typeof address === 'string') throw new Error('proxy has no port');
    proxy.#port = address.port;
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** A copy of `kc` whose cluster is reached through this proxy. */
  kubeConfig(kc: KubeConfig): KubeConfig {
    const proxied = new KubeConfig();
    proxied.loadFromOptions({
      clusters: kc.clusters.map((c) => ({ ...c, server: `https://127.0.0.1:${this.port}` })),
      users: kc.users,
      contexts: kc.contexts,
      currentContext: kc.currentContext,
    });
    return proxied;
  }

  /** Connections accepted but waiting for `release`. */
  get held(): number {
    return this.#held.length;
  }

  /** Resets every forwarded connection, as a crashed middlebox would. */
  dropAll(): void {
    for (const { client, upstream } of this.#pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.#pairs.clear();
  }

  /** Stops forwarding on every open connection without closing it: a silent, stalled network. */
  freezeAll(): void {
    for (const { client, upstream } of this.#pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** New connections are accepted but not forwarded until `release`. */
  hold(): void {
    this.#holding = true;
  }

  release(): void {
    this.#holding = false;
    for (const client of this.#held.splice(0)) this.#forward(client);
  }

  async close(): Promise<void> {
    this.dropAll();
    for (const client of this.#held.splice(0)) client.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #accept(client: Socket): void {
    client.on('error', () => client.destroy());
    if (this.#holding) {
      client.pause();
      this.#held.push(client);
      return;
    }
    this.#forward(client);
  }

  #forward(client: Socket): void {
    const upstream = connect(this.#target.port, this.#target.host);
    const pair = { client, upstream };
    this.#pairs.add(pair);
    const teardown = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', teardown);
    upstream.on('close', teardown);
    client.on('close', teardown);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }
}
