import {
  ApiException,
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  type KubeConfig,
  PatchStrategy,
  RequestContext,
} from '@kubernetes/client-node';
import {
  apiVersionOf,
  collectionPath,
  type KubeObject,
  objectPath,
  type ResourceDescriptor,
} from './resource.ts';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;
type Query = Record<string, string | number | boolean | undefined>;

/** A failed API call; `code` is the HTTP status (client-node's ApiException), `reason` the Status reason. */
export class ApiError extends ApiException<unknown> {
  readonly reason: string | undefined;

  constructor(method: string, path: string, code: number, body: unknown) {
    super(code, '', body, {});
    const status = (body ?? {}) as { reason?: string; message?: string };
    this.name = 'ApiError';
    this.reason = status.reason;
    this.message = `${method} ${path}: ${code} ${status.reason ?? ''} ${status.message ?? ''}`.trim();
  }
}

/** An error response is a Status object, unless something in between answered (then keep the text). */
function errorBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}

const hasCode = (err: unknown, code: number) => err instanceof ApiException && err.code === code;
export const isNotFound = (err: unknown): boolean => hasCode(err, 404);
export const isConflict = (err: unknown): boolean => hasCode(err, 409);
export const isGone = (err: unknown): boolean => hasCode(err, 410);

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const patchContentType: Record<PatchType, string> = {
  merge: PatchStrategy.MergePatch,
  json: PatchStrategy.JsonPatch,
  strategic: PatchStrategy.StrategicMergePatch,
  // JSON is YAML, so an apply body can be sent as JSON under the apply content type.
  apply: PatchStrategy.ServerSideApply,
};

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

export interface KubeClientOptions {
  /** Field manager for writes (server-side apply ownership and managedFields). */
  fieldManager: string;
  /** Upper bound on a request (not on streams): a silently dead connection must not hang a caller. */
  requestTimeoutMs?: number;
}

/**
 * A small generic API client on client-node's request machinery: KubeConfig supplies authentication and
 * TLS (`applySecurityAuthentication`), client-node's fetch library sends. Resources are addressed by
 * descriptor, so built-in kinds and custom resources go through the same code.
 */
export class KubeClient {
  readonly kubeConfig: KubeConfig;
  readonly fieldManager: string;
  readonly #timeoutMs: number;
  readonly #server: string;
  readonly #http = new IsomorphicFetchHttpLibrary();
  /**
   * client-node builds a new connection pool on every authentication; keeping the first one lets
   * requests reuse TLS connections. (Client certificates are therefore read once; bearer tokens, which
   * travel in headers, are still refreshed per request.)
   */
  #dispatcher: Dispatcher | undefined;

  constructor(kubeConfig: KubeConfig, opts: KubeClientOptions) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.kubeConfig = kubeConfig;
    this.fieldManager = opts.fieldManager;
    this.#timeoutMs = Math.ceil(opts.requestTimeoutMs ?? 30_000);
    this.#server = cluster.server.replace(/\/$/, '');
  }

  resource<T extends KubeObject = KubeObject>(descriptor: ResourceDescriptor): ResourceClient<T> {
    return new ResourceClient<T>(this, descriptor);
  }

  async request<T>(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<T> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const ctx = await this.#context(method, path, { ...opts, signal });
    this.#dispatcher ??= ctx.getDispatcher();
    const dispatcher = this.#dispatcher;
    if (dispatcher) ctx.setDispatcher(dispatcher);
    let text: string;
    let status: number;
    try {
      const response = await this.#http.send(ctx).toPromise();
      status = response.httpStatusCode;
      text = await response.body.text();
    } catch (err) {
      // No answer: unless the caller gave up for its own reasons, the connection may be dead.
      if (!signal.aborted || (signal.reason as Error | undefined)?.name === 'TimeoutError')
        this.#retire(dispatcher);
      throw err;
    }
    if (status >= 400) throw new ApiError(method, path, status, errorBody(text));
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Replaces the connection pool after a request got no answer. A dead keep-alive connection (e.g. behind
   * a stalled network path) would otherwise be reused for every following request. Requests still in the
   * old pool get their timeout to finish.
   */
  #retire(dispatcher: Dispatcher | undefined): void {
    if (!dispatcher || this.#dispatcher !== dispatcher) return;
    this.#dispatcher = undefined;
    void dispatcher.close().catch(() => {});
    setTimeout(() => void dispatcher.destroy().catch(() => {}), this.#timeoutMs).unref();
  }

  /**
   * Opens a streaming GET (a watch) on a connection of its own, so a long-lived stream never holds a
   * pooled connection and dropping it cannot disturb other requests. `close` releases the connection.
   */
  async stream(
    path: string,
    query: Query,
    signal: AbortSignal,
  ): Promise<{ body: ReadableStream<Uint8Array>; close: () => void }> {
    const ctx = await this.#context(HttpMethod.GET, path, { query, signal });
    const dispatcher = ctx.getDispatcher();
    const close = () => void dispatcher?.destroy().catch(() => {});
    try {
      const response = await this.#http.send(ctx).toPromise();
      const body = response.body.stream();
      if (response.httpStatusCode !== 200 || !body) {
        throw new ApiError('GET', path, response.httpStatusCode, errorBody(await response.body.text()));
      }
      return { body, close };
    } catch (err) {
      close();
      throw err;
    }
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await this.#dispatcher?.close();
    this.#dispatcher = undefined;
  }

  async #context(method: HttpMethod, path: string, opts: RequestOptions): Promise<RequestContext> {
    const url = new URL(this.#server + path);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const ctx = new RequestContext(url.toString(), method);
    await this.kubeConfig.applySecurityAuthentication(ctx);
    ctx.setHeaderParam('Accept', 'application/json');
    if (opts.body !== undefined) {
      ctx.setHeaderParam('Content-Type', opts.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(opts.body));
    }
    if (opts.signal) ctx.setSignal(opts.signal);
    return ctx;
  }
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  signal?: AbortSignal;
}

export interface ListPage<T> {
  items: T[];
  resourceVersion: string;
  continue?: string;
}

export interface PatchOptions {
  type: PatchType;
  subresource?: 'status' | (string & {});
  /** Defaults to the client's field manager. */
  fieldManager?: string;
  /** Server-side apply only: take ownership of conflicting fields. */
  force?: boolean;
}

export interface DeleteOptions {
  /** Delete only if the object still has this uid / resourceVersion. */
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
}

/** CRUD, patch and server-side apply for one resource. */
export class ResourceClient<T extends KubeObject = KubeObject> {
  readonly client: KubeClient;
  readonly descriptor: ResourceDescriptor;

  constructor(client: KubeClient, descriptor: ResourceDescriptor) {
    this.client = client;
    this.descriptor = descriptor;
  }

  /** One page of a list; list items carry no apiVersion/kind on the wire, so they are filled in. */
  async list(opts: ListOptions = {}): Promise<ListPage<T>> {
    const { namespace, signal, ...query } = opts;
    const page = await this.client.request<{
      items: T[];
      metadata: { resourceVersion: string; continue?: string };
    }>(HttpMethod.GET, collectionPath(this.descriptor, namespace), {
      query: { ...query },
      ...(signal && { signal }),
    });
    const apiVersion = apiVersionOf(this.descriptor);
    for (const item of page.items) {
      item.apiVersion = apiVersion;
      item.kind = this.descriptor.kind;
    }
    return {
      items: page.items,
      resourceVersion: page.metadata.resourceVersion,
      ...(page.metadata.continue && { continue: page.metadata.continue }),
    };
  }

  get(namespace: string | undefined, name: string, signal?: AbortSignal): Promise<T> {
    return this.client.request<T>(HttpMethod.GET, objectPath(this.descriptor, namespace, name), {
      ...(signal && { signal }),
    });
  }

  create(obj: T, signal?: AbortSignal): Promise<T> {
    return this.client.request<T>(HttpMethod.POST, collectionPath(this.descriptor, obj.metadata.namespace), {
      query: { fieldManager: this.client.fieldManager },
      body: this.#typed(obj),
      ...(signal && { signal }),
    });
  }

  /** PUT; the object's resourceVersion, when set, makes it an optimistic-concurrency update. */
  replace(obj: T, opts: { subresource?: string; signal?: AbortSignal } = {}): Promise<T> {
    return this.client.request<T>(HttpMethod.PUT, this.#path(obj, opts.subresource), {
      query: { fieldManager: this.client.fieldManager },
      body: this.#typed(obj),
      ...(opts.signal && { signal: opts.signal }),
    });
  }

  patch(namespace: string | undefined, name: string, body: unknown, opts: PatchOptions): Promise<T> {
    return this.client.request<T>(
      HttpMethod.PATCH,
      objectPath(this.descriptor, namespace, name, opts.subresource),
      {
        query: {
          fieldManager: opts.fieldManager ?? this.client.fieldManager,
          ...(opts.type === 'apply' && { force: opts.force ?? false }),
        },
        body,
        contentType: patchContentType[opts.type],
      },
    );
  }

  /** Server-side apply of a partial object (the fields this manager owns). */
  apply(obj: T, opts: Omit<PatchOptions, 'type'> = {}): Promise<T> {
    return this.patch(obj.metadata.namespace, obj.metadata.name!, this.#typed(obj), {
      ...opts,
      type: 'apply',
    });
  }

  async delete(namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<void> {
    await this.client.request(HttpMethod.DELETE, objectPath(this.descriptor, namespace, name), {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', ...opts },
    });
  }

  #path(obj: T, subresource?: string): string {
    return objectPath(this.descriptor, obj.metadata.namespace, obj.metadata.name!, subresource);
  }

  #typed(obj: T): T {
    return { ...obj, apiVersion: apiVersionOf(this.descriptor), kind: this.descriptor.kind };
  }
}
