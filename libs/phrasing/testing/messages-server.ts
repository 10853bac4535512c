import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local HTTP server that speaks enough of the Messages API (POST /v1/messages) for the real SDK to talk
// to it: each request takes the next scripted reply — an answer, a 500, a 429 with retry-after, a slow
// answer, a body that is not JSON, an answer without text — and every request is kept for assertions.

export type ScriptedReply =
  | { readonly kind: 'answer'; readonly text: string }
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterS?: number }
  | { readonly kind: 'slow'; readonly delayMs: number; readonly text: string }
  | { readonly kind: 'notJson' }
  | { readonly kind: 'noText' };

export type ReceivedRequest = {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: {
    readonly model?: string;
    readonly max_tokens?: number;
    readonly system?: string;
    readonly messages?: readonly { readonly role: string; readonly content: string }[];
  };
};

export class MessagesServer {
  readonly #server: Server;
  readonly #replies: ScriptedReply[] = [];
  readonly received: ReceivedRequest[] = [];
  readonly #pending = new Set<ReturnType<typeof setTimeout>>();

  private constructor() {
    this.#server = createServer((req, res) => {
      void this.#handle(req, res);
    });
  }

  static async start(): Promise<MessagesServer> {
    const server = new MessagesServer();
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get baseURL(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Replies to the next requests, in order; with none left, a request gets a 500. */
  script(...replies: readonly ScriptedReply[]): void {
    this.#replies.push(...replies);
  }

  async stop(): Promise<void> {
    for (const timer of this.#pending) clearTimeout(timer);
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    this.received.push({
      path: req.url ?? '',
      headers: req.headers,
      body: text === '' ? {} : JSON.parse(text),
    });
    if (req.method !== 'POST' || req.url !== '/v1/messages')
      return this.#json(res, 404, apiError('not_found_error', 'no such route'));
    const reply = this.#replies.shift() ?? { kind: 'status', status: 500 };
    switch (reply.kind) {
      case 'answer':
        return this.#json(res, 200, message(reply.text));
      case 'status': {
        const headers: Record<string, string> =
          reply.retryAfterS === undefined ? {} : { 'retry-after': String(reply.retryAfterS) };
        const type = reply.status === 429 ? 'rate_limit_error' : 'api_error';
        return this.#json(res, reply.status, apiError(type, `scripted ${reply.status}`), headers);
      }
      case 'slow': {
        const timer = setTimeout(() => {
          this.#pending.delete(timer);
          if (!res.destroyed) this.#json(res, 200, message(reply.text));
        }, reply.delayMs);
        this.#pending.add(timer);
        return;
      }
      case 'notJson':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "msg_1", "content": [ {"type": "text", "te');
        return;
      case 'noText':
        return this.#json(res, 200, { ...message(''), content: [] });
    }
  }

  #json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_test', ...headers });
    res.end(JSON.stringify(body));
  }
}

function message(text: string) {
  return {
    id: 'msg_test',
    type: 'message',
    role: 'assistant',
    model: 'test-model',
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 100, output_tokens: 30 },
  };
}

function apiError(type: string, message: string) {
  return { type: 'error', error: { type, message } };
}
