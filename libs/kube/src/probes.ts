import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A named check; returns an error message when failing, or nothing when healthy. */
export type Check = () => string | undefined;

export interface ProbeServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  healthz: Map<string, Check>;
  readyz: Map<string, Check>;
  registry: Registry;
}

/** Runs checks and answers as the Kubernetes components do: 200/503 with one `[+]`/`[-]` line per check. */
function answer(res: ServerResponse, checks: Map<string, Check>): void {
  const lines: string[] = [];
  let healthy = true;
  for (const [name, check] of checks) {
    const failure = check();
    if (failure !== undefined) healthy = false;
    lines.push(failure === undefined ? `[+]${name} ok` : `[-]${name} failed: ${failure}`);
  }
  res.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${lines.join('\n')}\n${healthy ? 'ok' : 'failed'}\n`);
}

async function route(opts: ProbeServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://probe').pathname;
  if (path === '/healthz') return answer(res, opts.healthz);
  if (path === '/readyz') return answer(res, opts.readyz);
  if (path === '/metrics') {
    const text = await opts.registry.metrics();
    res.writeHead(200, { 'content-type': opts.registry.contentType });
    res.end(text);
    return;
  }
  res.writeHead(404).end();
}

/** Serves /healthz, /readyz and /metrics; resolves once listening. */
export async function startProbeServer(opts: ProbeServerOptions): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    route(opts, req, res).catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}
