// One HTTP exchange (request + response), however it was obtained — a file
// pair, a HAR entry, a live call, a proxied request — checked against the
// matching operation with the shared validator (src/validation.ts).
import { HTTP_METHODS } from '../spec.js';
import type { MatchedOperation, SynapseAdminValidator, ValidationIssue, ValidationResult } from '../validation.js';

/** A body as recorded: raw text (parsed here), or a value already parsed by the caller. */
export type Body = { text: string; mimeType?: string } | { value: unknown };

export interface Exchange {
  /** Position in its source (1-based), used in every report line. */
  index: number;
  method: string;
  /** Path and query (`/_synapse/…?limit=10`) or an absolute URL. */
  url: string;
  requestBody?: Body;
  status: number;
  responseBody?: Body;
  /** The recording has a non-empty response body but not its text (a HAR saved without content). */
  responseBodyUnrecorded?: boolean;
}

/** Where in the exchange an issue was found. */
export type Where = 'route' | 'request' | 'request.body' | 'response.status' | 'response.body';

export interface ExchangeIssue extends ValidationIssue {
  where: Where;
}

export interface ExchangeResult {
  index: number;
  method: string;
  /** Path and query as sent. */
  path: string;
  status: number;
  operationId?: string;
  outcome: 'valid' | 'invalid' | 'skipped';
  /** Why the exchange was not checked (outcome `skipped`). */
  reason?: string;
  issues: ExchangeIssue[];
}

/** Methods browsers and proxies send that no API operation describes. */
const NOT_API_METHODS = new Set(['OPTIONS', 'HEAD', 'CONNECT', 'TRACE']);

/** Splits an absolute or relative URL into path and query. */
export function pathAndQuery(url: string): { path: string; search: string } {
  // Relative URLs (the common case for --path) start with "/"; only others need the scheme test.
  if (url.charCodeAt(0) !== 47 /* "/" */ && ABSOLUTE.test(url)) {
    // As recorded by a client, an absolute URL is already serialized: the path
    // starts at the first "/" after the authority.
    const start = url.indexOf('/', url.indexOf('//') + 2);
    if (start < 0) return { path: '/', search: '' };
    url = url.slice(start);
  }
  const hash = url.indexOf('#');
  const beforeHash = hash < 0 ? url : url.slice(0, hash);
  const q = beforeHash.indexOf('?');
  if (q < 0) return { path: beforeHash, search: '' };
  return { path: beforeHash.slice(0, q), search: beforeHash.slice(q) };
}

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i;

function isJsonMime(mime: string | undefined): boolean {
  return mime === undefined || mime === '' || /[/+]json\b/i.test(mime);
}

/** parseBody's answer when there is no body (an empty text counts as none). */
const ABSENT: unique symbol = Symbol('absent');

/** parseBody's answer when the text is not JSON. */
class Unparseable {
  constructor(readonly problem: string) {}
}

/** The parsed body, ABSENT, or Unparseable (allocates nothing beyond JSON.parse on the common path). */
function parseBody(body: Body | undefined): unknown {
  if (body === undefined) return ABSENT;
  if ('value' in body) return body.value;
  const text = body.text;
  if (text.length === 0 || text.trim() === '') return ABSENT;
  try {
    return JSON.parse(text);
  } catch (err) {
    const kind = isJsonMime(body.mimeType) ? 'not valid JSON' : `${body.mimeType}, not JSON`;
    return new Unparseable(`${kind} (${(err as Error).message.split('\n')[0]})`);
  }
}

function makeResult(ex: Exchange, method: string, path: string, outcome: ExchangeResult['outcome'], issues: ExchangeIssue[], operationId?: string, reason?: string): ExchangeResult {
  // One fixed shape for every result: this runs once per HAR entry.
  return { index: ex.index, method, path, status: ex.status, operationId, outcome, reason, issues };
}

function tag(issues: ValidationIssue[], where: Where, into: ExchangeIssue[]): void {
  for (const i of issues) into.push({ where, ...i });
}

/** Everything about a request line (method and URL) that the checks need; nothing in it depends on bodies or status. */
interface RequestLine {
  method: string;
  /** Path and query as sent, for the report. */
  shown: string;
  /** Why no exchange with this request line is checked (a CORS preflight, say). */
  skip?: string;
  matched?: MatchedOperation;
  /** When nothing matched but the path exists: the method is wrong. */
  routeIssue?: ExchangeIssue;
  params?: ValidationResult;
}

/**
 * The request lines seen lately, per validator and method, by URL as
 * recorded. Traffic repeats its request lines (a UI polls the same pages, a
 * HAR holds each many times): a repeat costs one lookup instead of URL
 * splitting, routing, percent-decoding and the parameter checks.
 */
const requestLines = new WeakMap<SynapseAdminValidator, Map<string, Map<string, RequestLine>>>();
const REQUEST_LINES_KEPT = 4096;

function requestLine(validator: SynapseAdminValidator, rawMethod: string, url: string): RequestLine {
  let byMethod = requestLines.get(validator);
  if (!byMethod) requestLines.set(validator, (byMethod = new Map()));
  let byUrl = byMethod.get(rawMethod);
  if (!byUrl) byMethod.set(rawMethod, (byUrl = new Map()));
  let line = byUrl.get(url);
  if (!line) {
    line = readRequestLine(validator, rawMethod, url);
    if (byUrl.size >= REQUEST_LINES_KEPT) byUrl.clear();
    byUrl.set(url, line);
  }
  return line;
}

function readRequestLine(validator: SynapseAdminValidator, rawMethod: string, url: string): RequestLine {
  const method = rawMethod.toUpperCase();
  const { path, search } = pathAndQuery(url);
  const shown = search.length > 0 ? path + search : path;
  if (NOT_API_METHODS.has(method)) return { method, shown, skip: `${method} requests are not API operations` };
  const matched = validator.match(method, path);
  if (!matched) {
    const methods = declaredMethods(validator, path);
    if (methods.length === 0) return { method, shown };
    return { method, shown, routeIssue: { where: 'route', pointer: '', keyword: 'method', message: `${method} is not declared for this path`, expected: methods.join(' | '), found: method } };
  }
  const params = validator.validateParameters(matched.operation.operationId, { path: matched.pathParams, query: search });
  return { method, shown, matched, params };
}

/** The methods the spec declares for a path (empty when no template matches it). */
export function declaredMethods(validator: SynapseAdminValidator, path: string): string[] {
  if (!validator.pathExists(path)) return [];
  return HTTP_METHODS.map((m) => m.toUpperCase()).filter((m) => validator.match(m, path) !== undefined);
}

/**
 * Checks one exchange: its route, its path and query parameters, its request
 * body, the response status and the response body. Exchanges no operation
 * describes (unknown paths, CORS preflights) are reported as skipped.
 */
export function checkExchange(validator: SynapseAdminValidator, ex: Exchange): ExchangeResult {
  const line = requestLine(validator, ex.method, ex.url);
  const { method, shown, matched } = line;
  if (line.skip !== undefined) return makeResult(ex, method, shown, 'skipped', [], undefined, line.skip);
  if (ex.status === 0) return makeResult(ex, method, shown, 'skipped', [], undefined, 'no response was recorded (status 0: aborted or blocked)');
  if (!matched) {
    if (!line.routeIssue) return makeResult(ex, method, shown, 'skipped', [], undefined, 'no operation in the spec has this path');
    return makeResult(ex, method, shown, 'invalid', [line.routeIssue]);
  }
  const operation = matched.operation;
  const operationId = operation.operationId;
  const issues: ExchangeIssue[] = [];
  if (!line.params!.valid) tag(line.params!.issues, 'request', issues);

  const request = parseBody(ex.requestBody);
  if (request instanceof Unparseable) {
    if (operation.hasRequestBody) issues.push({ where: 'request.body', pointer: '', keyword: 'json', message: `the body is ${request.problem}`, expected: 'a JSON body', found: 'unparseable text' });
  } else if (request !== ABSENT || operation.requestBodyRequired) {
    const checked = validator.validateRequestBody(operationId, request === ABSENT ? undefined : request);
    if (!checked.valid) tag(checked.issues, 'request.body', issues);
  }

  const schema = validator.declaresStatus(operationId, ex.status) ? validator.responseSchema(operationId, ex.status) : undefined;
  if (schema && ex.responseBodyUnrecorded) {
    return makeResult(ex, method, shown, 'skipped', [], operationId, 'the recording holds no response body (content.text missing; save the HAR with content)');
  }
  const response = parseBody(ex.responseBody);
  if (schema && response === ABSENT) {
    issues.push({ where: 'response.body', pointer: '', keyword: 'body', message: 'the response has no body, but the operation declares a JSON body for this status', expected: 'a JSON body', found: 'nothing' });
  } else if (schema && response instanceof Unparseable) {
    issues.push({ where: 'response.body', pointer: '', keyword: 'json', message: `the body is ${response.problem}`, expected: 'a JSON body', found: 'unparseable text' });
  } else {
    const body = response === ABSENT || response instanceof Unparseable ? undefined : response;
    const checked = validator.validateResponse(operationId, ex.status, body);
    if (!checked.valid) for (const i of checked.issues) issues.push({ where: i.keyword === 'status' ? 'response.status' : 'response.body', ...i });
  }
  return makeResult(ex, method, shown, issues.length === 0 ? 'valid' : 'invalid', issues, operationId);
}
