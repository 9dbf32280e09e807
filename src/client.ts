// The typed Synapse User Admin API client. Every type comes from
// generated/schema.d.ts, every operation from the generated operation table,
// and every URL, query string and body from openapi-fetch's serialisers;
// `raw` is openapi-fetch's client itself. Throw-style: an operation
// resolves to the parsed 2xx body or rejects with a SynapseAdminError
// (MatrixApiError for HTTP errors).
import createClient, { createFinalURL, createQuerySerializer, defaultBodySerializer, removeTrailingSlash, type Client } from 'openapi-fetch';
import type { operations, paths } from '../generated/schema.js';
import { MatrixApiError, SynapseAdminError } from './errors.js';
import { OPERATIONS } from './operations.generated.js';
import { walkItems, walkPages } from './pagination.js';

// ---------------------------------------------------------------- types

/** Every operationId of the spec (`getUser`, `listUsers`, …). */
export type OperationId = keyof typeof OPERATIONS & keyof operations;

type Op<K extends OperationId> = operations[K];
type ParamsOf<O> = O extends { parameters: infer P } ? P : {};
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type BodyPart<O> = O extends { requestBody: infer R }
  ? { body: JsonOf<R> }
  : O extends { requestBody?: infer R }
    ? [JsonOf<NonNullable<R>>] extends [never]
      ? { body?: never }
      : { body?: JsonOf<NonNullable<R>> }
    : { body?: never };

/** Per-call options every operation accepts. */
export interface CallOptions {
  /** Aborts the request (and a retry wait); the call then rejects with kind `aborted`. */
  signal?: AbortSignal;
  /** Extra request headers. `Authorization` is always the client's token. */
  headers?: Record<string, string>;
}

/**
 * The argument of an operation: `path` and `query` exactly as the generated
 * types declare them (required when the spec requires them) and `body`
 * when the operation takes one.
 */
export type OperationInit<K extends OperationId> = Omit<ParamsOf<Op<K>>, 'header' | 'cookie'> & BodyPart<Op<K>> & CallOptions;

/** The argument list: optional when nothing in it is required. */
export type OperationArgs<K extends OperationId> = {} extends OperationInit<K> ? [init?: OperationInit<K>] : [init: OperationInit<K>];

type Responses<O> = O extends { responses: infer R } ? R : never;
type SuccessStatus = 200 | 201 | 202 | 203 | 206;
/** What an operation resolves to: the JSON body of its 2xx answers. */
export type OperationData<K extends OperationId> = K extends OperationId
  ? { [S in keyof Responses<Op<K>>]: S extends SuccessStatus ? JsonOf<Responses<Op<K>>[S]> : never }[keyof Responses<Op<K>>]
  : never;

type Def<K extends OperationId> = (typeof OPERATIONS)[K];
/** The operations that page with `from` / `next_token` (derived from the spec). */
export type PaginatedOperationId = { [K in OperationId]: Def<K> extends { page: { items: string } } ? K : never }[OperationId];
type ItemsKey<K extends PaginatedOperationId> = Def<K> extends { page: { items: infer I extends string } } ? I : never;
/** One item of a paginated operation's list (`UserSummary`, `Media`). */
export type PageItem<K extends PaginatedOperationId> = K extends PaginatedOperationId
  ? OperationData<K>[ItemsKey<K> & keyof OperationData<K>] extends readonly (infer T)[]
    ? T
    : never
  : never;

/** One method per operationId: `client.getUser({ path: { user_id } })`. */
export type SynapseAdminOperations = { [K in OperationId]: (...args: OperationArgs<K>) => Promise<OperationData<K>> };

export interface SynapseAdminClient extends SynapseAdminOperations {
  /** Calls an operation by its operationId; the same as `client[operationId](init)`. */
  call<K extends OperationId>(operationId: K, ...args: OperationArgs<K>): Promise<OperationData<K>>;
  /** Every item of a paginated operation, page after page: `for await (const user of client.paginate('listUsers'))`. */
  paginate<K extends PaginatedOperationId>(operationId: K, ...args: OperationArgs<K>): AsyncGenerator<PageItem<K>, void, undefined>;
  /** Every page (the whole answer, with `total`) of a paginated operation. */
  pages<K extends PaginatedOperationId>(operationId: K, ...args: OperationArgs<K>): AsyncGenerator<OperationData<K>, void, undefined>;
  /**
   * The underlying openapi-fetch client (`raw.GET('/_synapse/admin/v2/users/{user_id}', { params: … })`),
   * for when the response object (status, headers) matters. It shares the
   * auth, timeout, retry and error behaviour: HTTP errors throw MatrixApiError
   * here too, so its `error` branch never occurs. Middleware (`use`) is not
   * offered: inject a `fetch` instead.
   */
  readonly raw: RawClient;
}

/** openapi-fetch's client for these paths, without middleware registration. */
export type RawClient = Omit<Client<paths, 'application/json'>, 'use' | 'eject'>;

export interface RetryOptions {
  /** Attempts in total, the first included (1 = no retry). An integer from 1 to 10. */
  attempts: number;
  /** Wait before retrying when a 429 carries no `retry_after_ms`. Default 1000 ms. */
  fallbackDelayMs?: number;
  /** Longest wait the client accepts; a longer `retry_after_ms` is thrown at once. Default 60000 ms. */
  maxDelayMs?: number;
  /** Called just before each wait, e.g. to log it. `attempt` is the attempt that got the 429 (1 = the first). */
  onRetry?: (info: { attempt: number; delayMs: number; error: MatrixApiError }) => void;
}

export interface SynapseAdminClientOptions {
  /** The homeserver's client-server API base, e.g. `https://matrix.example.org` (a path prefix is kept). */
  baseUrl: string;
  /** An admin user's access token, sent as `Authorization: Bearer …` on every request and never shown in errors. */
  accessToken: string;
  /** A fetch implementation (default: globalThis.fetch). It receives one Request. */
  fetch?: (request: Request) => Promise<Response>;
  /** Abort any single attempt that takes longer than this (ms); the call rejects with kind `timeout`. */
  timeoutMs?: number;
  /** Retry on 429 `M_LIMIT_EXCEEDED`, waiting `retry_after_ms`. Off unless given. */
  retry?: RetryOptions;
  /** Headers sent with every request (e.g. `User-Agent`). */
  headers?: Record<string, string>;
}

// ---------------------------------------------------------------- helpers

const RESERVED = ['call', 'paginate', 'pages', 'raw'];

function optionsError(message: string): SynapseAdminError {
  return new SynapseAdminError('invalid-options', `createSynapseAdminClient: ${message}`);
}

function checkOptions(options: SynapseAdminClientOptions): void {
  if (!options || typeof options !== 'object') throw optionsError('options must be an object with baseUrl and accessToken');
  const { baseUrl, accessToken, timeoutMs, retry } = options;
  if (typeof baseUrl !== 'string' || baseUrl === '') throw optionsError('baseUrl must be a non-empty string');
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw optionsError(`baseUrl ${JSON.stringify(baseUrl)} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw optionsError(`baseUrl must use http: or https:, not ${url.protocol}`);
  if (url.search || url.hash) throw optionsError('baseUrl must not have a query string or fragment');
  if (typeof accessToken !== 'string' || accessToken === '') throw optionsError('accessToken must be a non-empty string');
  // Checked here so that the Headers API never gets to echo a malformed token in its own error.
  if (!/^[\x21-\x7e]+$/.test(accessToken)) throw optionsError('accessToken must be printable ASCII without spaces');
  if (options.fetch !== undefined && typeof options.fetch !== 'function') throw optionsError('fetch must be a function');
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw optionsError(`timeoutMs must be a positive number of milliseconds, got ${JSON.stringify(timeoutMs)}`);
  }
  if (retry !== undefined) {
    if (!retry || typeof retry !== 'object') throw optionsError('retry must be an object such as { attempts: 3 }');
    if (!Number.isInteger(retry.attempts) || retry.attempts < 1 || retry.attempts > 10) {
      throw optionsError(`retry.attempts must be an integer from 1 to 10, got ${JSON.stringify(retry.attempts)}`);
    }
    if (retry.onRetry !== undefined && typeof retry.onRetry !== 'function') throw optionsError('retry.onRetry must be a function');
    for (const k of ['fallbackDelayMs', 'maxDelayMs'] as const) {
      const v = retry[k];
      if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
        throw optionsError(`retry.${k} must be a non-negative number of milliseconds, got ${JSON.stringify(v)}`);
      }
    }
  }
  if (options.headers !== undefined && (typeof options.headers !== 'object' || options.headers === null)) {
    throw optionsError('headers must be an object of header names to values');
  }
}

/** Percent-encodes one path parameter; rejects values no URL can carry as a single segment. */
function encodeSegment(name: string, value: unknown): string {
  if (value === undefined || value === null) {
    throw new SynapseAdminError('invalid-request', `missing path parameter "${name}"`);
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new SynapseAdminError('invalid-request', `path parameter "${name}" must be a string, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const text = String(value);
  if (text === '') throw new SynapseAdminError('invalid-request', `path parameter "${name}" is empty`);
  // URL parsers resolve "." and ".." segments (even as %2E), so they can never reach the server intact.
  if (text === '.' || text === '..') {
    throw new SynapseAdminError('invalid-request', `path parameter "${name}" cannot be "." or ".." (URLs resolve such segments away)`);
  }
  try {
    // Encodes "@", ":", "/", "#", "?", "%", spaces and non-ASCII (as UTF-8), so a Matrix ID stays one segment.
    return encodeURIComponent(text);
  } catch {
    throw new SynapseAdminError('invalid-request', `path parameter "${name}" is not well-formed Unicode (lone surrogate)`);
  }
}

function pathSerializer(pathname: string, params: Record<string, unknown>): string {
  return pathname.replace(/\{([^{}]+)\}/g, (_m, name: string) => encodeSegment(name, params[name]));
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  const noQuery = q === -1 ? url : url.slice(0, q);
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(noQuery);
  return m ? noQuery.slice(m[0].length) || '/' : noQuery;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? (cause as { code?: string }).code ?? cause.message : undefined;
  return causeText && !err.message.includes(causeText) ? `${err.message} (${causeText})` : err.message;
}

/**
 * What the `raw` openapi-fetch client builds instead of a `Request` (its
 * `Request` option): the URL and init, handed to fetch() as they are, since
 * fetch() would copy a real Request once more (docs/decisions.md T8). It has
 * the members openapi-fetch reads (`url`, `method`, `headers`); an injected
 * fetch still gets a real Request.
 */
class PreparedRequest {
  readonly url: string;
  readonly init: RequestInit & { headers: Headers };
  constructor(url: string, init: RequestInit = {}) {
    this.url = url;
    // openapi-fetch passes the Headers it has just merged; no need to copy them.
    this.init = { ...init, headers: init.headers instanceof Headers ? init.headers : new Headers(init.headers) };
  }
  get method(): string {
    return (this.init.method ?? 'GET').toUpperCase();
  }
  get headers(): Headers {
    return this.init.headers;
  }
}

// ---------------------------------------------------------------- client

export function createSynapseAdminClient(options: SynapseAdminClientOptions): SynapseAdminClient {
  checkOptions(options);
  const token = options.accessToken;
  const auth = `Bearer ${token}`;
  const redact = (s: string) => (s.includes(token) ? s.split(token).join('<redacted>') : s);
  const timeoutMs = options.timeoutMs;
  const attempts = options.retry?.attempts ?? 1;
  const fallbackDelayMs = options.retry?.fallbackDelayMs ?? 1000;
  const maxDelayMs = options.retry?.maxDelayMs ?? 60_000;
  const onRetry = options.retry?.onRetry;

  const transportError = (err: unknown, userSignal: AbortSignal | undefined, timedOut: boolean, method: string, path: string) => {
    if (err instanceof SynapseAdminError) return err;
    if (userSignal?.aborted) return new SynapseAdminError('aborted', redact(`${method} ${path} was aborted`), { method, path, cause: userSignal?.reason });
    if (timedOut) return new SynapseAdminError('timeout', redact(`${method} ${path} timed out after ${timeoutMs} ms`), { method, path, cause: err });
    return new SynapseAdminError('network', redact(`${method} ${path} failed: ${describe(err)}`), { method, path, cause: err });
  };

  const sleep = (ms: number, signal: AbortSignal | undefined, method: string, path: string) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(transportError(undefined, signal, false, method, path));
      const onAbort = () => {
        clearTimeout(timer);
        reject(transportError(undefined, signal, false, method, path));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  /**
   * Sends one request (Authorization already set) with the timeout, maps
   * error answers to MatrixApiError and retries 429 M_LIMIT_EXCEEDED.
   * Both the operation methods and `raw` go through here.
   */
  const send = async (url: string, init: RequestInit & { method: string }): Promise<Response> => {
    const method = init.method;
    const userSignal = init.signal ?? undefined;
    // A stream body (only a custom bodySerializer on `raw` makes one) cannot be sent twice.
    const tries = init.body instanceof ReadableStream ? 1 : attempts;
    for (let attempt = 1; ; attempt++) {
      let timer: AbortSignal | undefined;
      let attemptInit = init;
      if (timeoutMs !== undefined) {
        timer = AbortSignal.timeout(timeoutMs);
        attemptInit = { ...init, signal: userSignal ? AbortSignal.any([userSignal, timer]) : timer };
      }
      let response: Response;
      let bodyText: string;
      try {
        response = await (options.fetch ? options.fetch(new Request(url, attemptInit)) : globalThis.fetch(url, attemptInit));
        if (response.ok) return response;
        bodyText = await response.text();
      } catch (err) {
        throw transportError(err, userSignal, timer?.aborted === true, method, pathOf(url));
      }
      const error = new MatrixApiError({ status: response.status, statusText: response.statusText, method, path: pathOf(url), bodyText, redact });
      if (attempt < tries && error.status === 429 && error.errcode === 'M_LIMIT_EXCEEDED') {
        const delay = error.retryAfterMs ?? fallbackDelayMs;
        if (delay <= maxDelayMs) {
          onRetry?.({ attempt, delayMs: delay, error });
          await sleep(delay, userSignal, method, pathOf(url));
          continue;
        }
      }
      throw error;
    }
  };

  const raw = createClient<paths, 'application/json'>({
    baseUrl: options.baseUrl,
    Request: PreparedRequest as unknown as typeof Request,
    fetch: ((prepared: PreparedRequest) => {
      prepared.headers.set('Authorization', auth);
      return send(prepared.url, prepared.init as RequestInit & { method: string });
    }) as unknown as (request: Request) => Promise<Response>,
    pathSerializer,
    headers: options.headers,
  });

  const baseUrl = removeTrailingSlash(options.baseUrl);
  // openapi-fetch's own query serialisation (form style, arrays exploded), as `raw` uses it.
  const querySerializer = createQuerySerializer();
  const extraHeaders = options.headers ? Object.entries(options.headers).filter(([k]) => k.toLowerCase() !== 'authorization') : [];

  /**
   * One operation. The same steps as openapi-fetch's client (its URL, query
   * and body serialisers), without building a Request object that fetch()
   * would copy again: the operation methods stay close to a bare fetch().
   */
  async function call(operationId: string, init: Record<string, any> = {}): Promise<unknown> {
    const def = Object.hasOwn(OPERATIONS, operationId) ? OPERATIONS[operationId as OperationId] : undefined;
    if (!def) throw new SynapseAdminError('invalid-request', `unknown operation ${JSON.stringify(operationId)}`);
    const { path, query, body, signal, headers } = init;
    const method = def.method.toUpperCase();
    const url = createFinalURL(def.path, { baseUrl, params: { path: path ?? {}, query }, querySerializer, pathSerializer });
    const h: Record<string, string> = {};
    for (const [k, v] of extraHeaders) h[k] = v;
    if (headers) for (const k of Object.keys(headers)) if (k.toLowerCase() !== 'authorization') h[k] = headers[k];
    h.Authorization = auth;
    const requestInit: RequestInit & { method: string } = { method, headers: h };
    if (body !== undefined) {
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
      requestInit.body = defaultBodySerializer(body);
    }
    if (signal) requestInit.signal = signal;
    const response = await send(url, requestInit);
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      // The timeout signal also covers reading the body.
      throw transportError(err, signal, err instanceof Error && err.name === 'TimeoutError', method, pathOf(url));
    }
    if (text === '') {
      throw new SynapseAdminError('invalid-response', `${operationId}: the server answered ${response.status} with an empty body, expected JSON`, { method, path: pathOf(url) });
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new SynapseAdminError('invalid-response', `${operationId}: the server's 2xx answer is not valid JSON`, { method, path: pathOf(url), cause: err });
    }
  }

  const paginated = (operationId: string) => {
    const def = Object.hasOwn(OPERATIONS, operationId) ? (OPERATIONS[operationId as OperationId] as { page?: { items: string } }) : undefined;
    if (!def?.page) throw new SynapseAdminError('invalid-request', `${JSON.stringify(operationId)} is not a paginated operation`);
    return def.page.items;
  };

  const noMiddleware = () => {
    throw new SynapseAdminError('invalid-request', 'raw.use/raw.eject: middleware is not supported by this client; pass a custom fetch to createSynapseAdminClient instead');
  };
  const client: Record<string, unknown> = {
    call,
    raw: Object.freeze({ ...raw, use: noMiddleware, eject: noMiddleware }),
    paginate: (operationId: string, init?: Record<string, unknown>) => walkItems(call, operationId, paginated(operationId), init),
    pages: (operationId: string, init?: Record<string, unknown>) => walkPages(call, operationId, paginated(operationId), init),
  };
  for (const id of Object.keys(OPERATIONS)) {
    if (RESERVED.includes(id)) throw new Error(`operationId ${id} clashes with a client method`);
    client[id] = (init?: Record<string, unknown>) => call(id, init);
  }
  return client as unknown as SynapseAdminClient;
}
