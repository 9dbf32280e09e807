// The errors the client throws. The client is throw-style everywhere: an
// operation resolves to the parsed 2xx body or rejects with a
// SynapseAdminError (a MatrixApiError when the server answered with an
// HTTP error). Messages never contain the access token.
import type { components } from '../generated/schema.js';

/** The Matrix error body as the spec describes it (`errcode`, `error`, `retry_after_ms`, `soft_logout`), plus whatever else the server sent. */
export type MatrixErrorBody = components['schemas']['MatrixError'] & { [field: string]: unknown };

/** What went wrong, coarsely: */
export type SynapseAdminErrorKind =
  /** the server answered with a non-2xx status (always a MatrixApiError) */
  | 'http'
  /** the request never got an answer (DNS, refused connection, reset, …) */
  | 'network'
  /** the client's `timeoutMs` ran out */
  | 'timeout'
  /** the caller's AbortSignal fired */
  | 'aborted'
  /** a 2xx answer whose body is not the JSON the operation promises, or a paginating server that repeats a token */
  | 'invalid-response'
  /** the call itself is wrong (unknown operation, missing or unusable path parameter) */
  | 'invalid-request'
  /** createSynapseAdminClient was given unusable options */
  | 'invalid-options';

export class SynapseAdminError extends Error {
  override name = 'SynapseAdminError';
  readonly kind: SynapseAdminErrorKind;
  /** HTTP method of the request, when there was one. */
  readonly method?: string;
  /** Request path as sent (percent-encoded, without the query string), when there was one. */
  readonly path?: string;

  constructor(kind: SynapseAdminErrorKind, message: string, options: { method?: string; path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    if (options.method !== undefined) this.method = options.method;
    if (options.path !== undefined) this.path = options.path;
  }
}

/** The server answered with an HTTP error status. */
export class MatrixApiError extends SynapseAdminError {
  override name = 'MatrixApiError';
  /** HTTP status code (400, 401, 403, 404, 429, 500, …). */
  readonly status: number;
  /** The Matrix `errcode` (`M_NOT_FOUND`, …); undefined when the body was not a Matrix error. */
  readonly errcode: string | undefined;
  /** The server's human-readable `error` text; undefined when the body was not a Matrix error. */
  readonly error: string | undefined;
  /** `retry_after_ms` of an `M_LIMIT_EXCEEDED` answer, when the server sent one. */
  readonly retryAfterMs: number | undefined;
  /** The parsed JSON body with every field the server sent (`soft_logout`, anything else); undefined when the body was empty or not a JSON object. */
  readonly body: MatrixErrorBody | undefined;

  constructor(init: { status: number; statusText: string; method: string; path: string; bodyText: string; redact: (s: string) => string }) {
    const { status, method, path } = init;
    // Redact first: a proxy that echoes the request must not leak the token into the error.
    const bodyText = init.redact(init.bodyText);
    let parsed: unknown;
    let isJson = false;
    try {
      parsed = JSON.parse(bodyText);
      isJson = true;
    } catch {
      parsed = undefined;
    }
    const body = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as MatrixErrorBody) : undefined;
    const errcode = typeof body?.errcode === 'string' ? body.errcode : undefined;
    const error = typeof body?.error === 'string' ? body.error : undefined;
    const retry = body?.retry_after_ms;
    const head = `${method} ${path} failed with HTTP ${status}`;
    let detail: string;
    if (errcode !== undefined) {
      detail = `${errcode}${error !== undefined ? `: ${error}` : ''}`;
    } else if (bodyText.trim() === '') {
      detail = `${init.statusText || 'no status text'} (empty body, not a Matrix error)`;
    } else {
      const snippet = bodyText.replace(/\s+/g, ' ').trim();
      detail = `${init.statusText || 'no status text'} (${!isJson ? 'non-JSON body' : body ? 'JSON object without errcode' : 'JSON body that is not an object'}, not a Matrix error: ${JSON.stringify(snippet.length > 120 ? `${snippet.slice(0, 120)}…` : snippet)})`;
    }
    super('http', init.redact(`${head}: ${detail}`), { method, path });
    this.status = status;
    this.errcode = errcode;
    this.error = error;
    this.retryAfterMs = typeof retry === 'number' && Number.isFinite(retry) && retry >= 0 ? retry : undefined;
    this.body = body;
  }
}

/** Type guard for Matrix errors, optionally of one errcode: `isMatrixError(e, 'M_NOT_FOUND')`. */
export function isMatrixError(err: unknown, errcode?: string): err is MatrixApiError {
  return err instanceof MatrixApiError && (errcode === undefined || err.errcode === errcode);
}
