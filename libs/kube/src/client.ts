import {
  ApiException,
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  type KubeConfig,
  PatchStrategy,
  RequestContext,
} from '@kubernetes/client-node';
import { systemClock } from '@roast-operator/clock';
import { type Kind, looseKind, MalformedObject, parseObject } from './kinds.ts';
import {
  apiVersionOf,
  collectionPath,
  type KubeObject,
  type LooseObject,
  type ObjectMeta,
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
  /** Told of every object read that does not fit its kind's schema (to report it once). */
  onMalformed?: (malformed: MalformedObject) => void;
}

/**
 * A small generic API client on client-node's request machinery: KubeConfig supplies authentication and
 * TLS (`applySecurityAuthentication`), client-node's fetch library sends. Resources are addressed by
 * descriptor, so built-in kinds and custom resources go through the same code.
 */
export class KubeClient {
  readonly kubeConfig: KubeConfig;
  readonly fieldManager: string;
  readonly #onMalformed: ((malformed: MalformedObject) => void) | undefined;
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
    this.#onMalformed = opts.onMalformed;
    this.#timeoutMs = Math.ceil(opts.requestTimeoutMs ?? 30_000);
    this.#server = cluster.server.replace(/\/$/, '');
  }

  /** The client of a kind; a bare descriptor gives loosely typed objects (for tools and tests). */
  resource<T extends KubeObject>(kind: Kind<T>): ResourceClient<T>;
  resource(resource: ResourceDescriptor): ResourceClient<LooseObject>;
  resource(resource: Kind | ResourceDescriptor): ResourceClient<KubeObject> {
    return new ResourceClient(this, 'schema' in resource ? resource : looseKind(resource));
  }

  /** Parses an object of `kind` as read from the API server; a misfit is reported, then thrown. */
  parse<T extends KubeObject>(kind: Kind<T>, value: unknown): T {
    try {
      return parseObject(kind, value);
    } catch (err) {
      if (err instanceof MalformedObject) this.#onMalformed?.(err);
      throw err;
    }
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
    systemClock.setTimer(() => void dispatcher.destroy().catch(() => {}), this.#timeoutMs);
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
  /** The items that fit the kind's schema; the others are reported and left out. */
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
  signal?: AbortSignal;
}

export interface DeleteOptions {
  /** Delete only if the object still has this uid / resourceVersion. */
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
}

/** An object to create: the kind's fields without apiVersion and kind, which the client fills in. */
export type NewObject<T extends KubeObject> = string extends keyof T
  ? LooseObject
  : Omit<T, 'apiVersion' | 'kind' | 'metadata' | 'status'> & { metadata: ObjectMeta };

/** CRUD, patch and server-side apply for one kind; every object read back is parsed by the kind's schema. */
export class ResourceClient<T extends KubeObject> {
  readonly client: KubeClient;
  readonly kind: Kind<T>;

  constructor(client: KubeClient, kind: Kind<T>) {
    this.client = client;
    this.kind = kind;
  }

  /** One page of a list; list items carry no apiVersion/kind on the wire, so they are filled in. */
  async list(opts: ListOptions = {}): Promise<ListPage<T>> {
    const { namespace, signal, ...query } = opts;
    const page = await this.client.request<{
      items: Record<string, unknown>[];
      metadata: { resourceVersion: string; continue?: string };
    }>(HttpMethod.GET, collectionPath(this.kind, namespace), {
      query: { ...query },
      ...(signal && { signal }),
    });
    const apiVersion = apiVersionOf(this.kind);
    const items = page.items.flatMap((item) => {
      const parsed = this.parse({ ...item, apiVersion, kind: this.kind.kind });
      return parsed === undefined ? [] : [parsed];
    });
    return {
      items,
      resourceVersion: page.metadata.resourceVersion,
      ...(page.metadata.continue && { continue: page.metadata.continue }),
    };
  }

  /** The object, parsed; undefined (reported once) when it does not fit its schema. */
  parse(value: unknown): T | undefined {
    try {
      return this.client.parse(this.kind, value);
    } catch (err) {
      if (err instanceof MalformedObject) return undefined;
      throw err;
    }
  }

  async get(namespace: string | undefined, name: string, signal?: AbortSignal): Promise<T> {
    const obj = await this.client.request(HttpMethod.GET, objectPath(this.kind, namespace, name), {
      ...(signal && { signal }),
    });
    return this.client.parse(this.kind, obj);
  }

  /** The object, or undefined when it does not exist (client-go: a NotFound error one checks for). */
  async getIfExists(
    namespace: string | undefined,
    name: string,
    signal?: AbortSignal,
  ): Promise<T | undefined> {
    try {
      return await this.get(namespace, name, signal);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Creates an object; a loosely typed one is accepted too (the API server validates what it stores). */
  async create(obj: NewObject<T> | KubeObject, signal?: AbortSignal): Promise<T> {
    const created = await this.client.request(
      HttpMethod.POST,
      collectionPath(this.kind, obj.metadata.namespace),
      {
        query: { fieldManager: this.client.fieldManager },
        body: this.#typed(obj),
        ...(signal && { signal }),
      },
    );
    return this.client.parse(this.kind, created);
  }

  /** PUT; the object's resourceVersion, when set, makes it an optimistic-concurrency update. */
  async replace(obj: T, opts: { subresource?: string; signal?: AbortSignal } = {}): Promise<T> {
    const path = objectPath(this.kind, obj.metadata.namespace, obj.metadata.name ?? '', opts.subresource);
    const replaced = await this.client.request(HttpMethod.PUT, path, {
      query: { fieldManager: this.client.fieldManager },
      body: this.#typed(obj),
      ...(opts.signal && { signal: opts.signal }),
    });
    return this.client.parse(this.kind, replaced);
  }

  async patch(namespace: string | undefined, name: string, body: unknown, opts: PatchOptions): Promise<T> {
    const patched = await this.client.request(
      HttpMethod.PATCH,
      objectPath(this.kind, namespace, name, opts.subresource),
      {
        query: {
          fieldManager: opts.fieldManager ?? this.client.fieldManager,
          ...(opts.type === 'apply' && { force: opts.force ?? false }),
        },
        body,
        contentType: patchContentType[opts.type],
        ...(opts.signal && { signal: opts.signal }),
      },
    );
    return this.client.parse(this.kind, patched);
  }

  /**
   * Server-side apply of the fields given (those this manager owns) to the object its metadata names;
   * apiVersion and kind are the client's. A uid makes it fail rather than write onto a recreated object.
   */
  apply(obj: KubeObject & Record<string, unknown>, opts: Omit<PatchOptions, 'type'> = {}): Promise<T> {
    const { namespace, name, uid } = obj.metadata;
    if (!name) throw new Error(`an apply to a ${this.kind.kind} needs metadata.name`);
    const body = {
      ...this.#typed(obj),
      metadata: { name, ...(namespace && { namespace }), ...(uid && { uid }) },
    };
    return this.patch(namespace, name, body, { ...opts, type: 'apply' });
  }

  async delete(namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<void> {
    await this.client.request(HttpMethod.DELETE, objectPath(this.kind, namespace, name), {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', ...opts },
    });
  }

  /**
   * Deletes the object read, unless it was deleted or changed since (the preconditions); true when this
   * call deleted it. A retention pass must not delete an object someone just changed or recreated.
   */
  async deleteIfUnchanged(obj: KubeObject): Promise<boolean> {
    const { namespace, name, uid, resourceVersion } = obj.metadata;
    try {
      await this.delete(namespace, name ?? '', {
        preconditions: { ...(uid && { uid }), ...(resourceVersion && { resourceVersion }) },
      });
      return true;
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return false;
      throw err;
    }
  }

  #typed(obj: object) {
    return { ...obj, apiVersion: apiVersionOf(this.kind), kind: this.kind.kind };
  }
}
