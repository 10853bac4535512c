import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@roast-operator/log';
import type { Registry } from 'prom-client';
import type { EdgeAgent } from './agent.ts';

// The agent's small HTTP surface: liveness and readiness for the kubelet, hello for a human with
// port-forward, Prometheus metrics, and the preStop path. preStop runs as an exec hook (`edge-node
// prestop`) that calls /prestop on the loopback address: the kubelet's httpGet would come from outside the
// pod, and anyone who can reach the pod IP must not be able to stop a roast.

export async function serveHttp(
  agent: EdgeAgent,
  port: number,
  log: Logger,
  metrics: Registry,
): Promise<Server> {
  const server = createServer((request, response) => {
    route(agent, metrics, request, response).catch((error: unknown) => {
      log.error('http handler failed', { err: error, path: request.url });
      send(response, 500, { error: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, resolve));
  log.info('http listening', { port: (server.address() as AddressInfo).port });
  return server;
}

async function route(
  agent: EdgeAgent,
  metrics: Registry,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = request.url?.split('?')[0];
  if (request.method === 'GET' && path === '/healthz') return send(response, 200, { ok: true });
  if (request.method === 'GET' && path === '/readyz') {
    return send(response, agent.connected ? 200 : 503, {
      connected: agent.connected,
      readings: agent.readingCount,
    });
  }
  if (request.method === 'GET' && path === '/hello') return send(response, 200, agent.hello());
  if (request.method === 'GET' && path === '/metrics') {
    response.writeHead(200, { 'content-type': metrics.contentType });
    response.end(await metrics.metrics());
    return;
  }
  if (request.method === 'POST' && path === '/prestop') {
    if (!isLoopback(request.socket.remoteAddress)) return send(response, 403, { error: 'loopback only' });
    return send(response, 200, await agent.preStop());
  }
  send(response, 404, { error: 'not found' });
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
