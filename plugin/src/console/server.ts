// The console's HTTP server: the page's own files and the routes, each request first through the guard.
// Plain HTTP on 127.0.0.1 (nothing else on the machine's network can reach it); HTTPS when it listens
// anywhere else. Nothing in an answer lets a browser share it with another origin: no CORS headers, a
// content security policy that loads only the console's own files and forbids framing.
import { readFile } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type ConsoleAddress, checkRequest, pageFiles, tokenHeader } from './guard.ts';
import type { ConsoleRoutes } from './routes.ts';

/** Where the page's files are: beside this module in the sources, beside the bundle in a release. */
const pageDir = new URL('./page/', import.meta.url);
const maxBody = 16 * 1024;

const securityHeaders = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

export interface ConsoleServerOptions {
  readonly routes: ConsoleRoutes;
  /** The address to bind: 127.0.0.1 unless the user said otherwise (then with `tls`). */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly tls?: { readonly cert: string; readonly key: string } | undefined;
  readonly token: string;
}

export class ConsoleServer {
  readonly url: string;
  readonly #server: Server;

  private constructor(server: Server, url: string) {
    this.#server = server;
    this.url = url;
  }

  static async start(opts: ConsoleServerOptions): Promise<ConsoleServer> {
    const files = new Map<string, Buffer>();
    for (const { file } of Object.values(pageFiles)) files.set(file, await readFile(new URL(file, pageDir)));
    let address: ConsoleAddress | undefined;
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      // A request that breaks off mid-body ends its own answer; the console goes on.
      if (address) handle(address, opts.routes, files, req, res).catch(() => res.destroy());
    };
    const server = opts.tls ? createHttpsServer({ ...opts.tls }, handler) : createHttpServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const host = `${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
    const origin = `${opts.tls ? 'https' : 'http'}://${host}`;
    address = { host, origin, token: opts.token };
    return new ConsoleServer(server, `${origin}/#token=${opts.token}`);
  }

  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    return closed;
  }
}

async function handle(
  address: ConsoleAddress,
  routes: ConsoleRoutes,
  files: ReadonlyMap<string, Buffer>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://console.invalid');
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const verdict = checkRequest(address, {
    method: req.method ?? '',
    path: url.pathname,
    host: header('host'),
    origin: header('origin'),
    secFetchSite: header('sec-fetch-site'),
    token: header(tokenHeader),
  });
  if (!verdict.allowed) {
    req.resume();
    return json(res, verdict.status, { message: verdict.message });
  }
  const page = req.method === 'GET' ? pageFiles[url.pathname] : undefined;
  if (page) {
    res.writeHead(200, { ...securityHeaders, 'Content-Type': page.type });
    res.end(files.get(page.file));
    return;
  }
  let body: unknown;
  if (req.method === 'POST') {
    if (!/^application\/json\b/.test(header('content-type') ?? ''))
      return json(res, 415, { message: 'the console takes JSON: Content-Type application/json' });
    const text = await readBody(req);
    if (text === undefined) return json(res, 413, { message: `a request body is at most ${maxBody} bytes` });
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      return json(res, 400, { message: 'the request body is not JSON' });
    }
  }
  const answer = await routes.answer({
    method: req.method ?? '',
    path: url.pathname,
    query: url.searchParams,
    body,
  });
  json(res, answer.status, answer.body);
}

/** The body as text, or undefined past `maxBody`. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBody) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...securityHeaders, 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
