// The mock's front layer: a small Node HTTP server in front of Prism.
//
// Prism produces every answer from the spec. This layer makes the mock
// behave like Synapse where Prism cannot:
// - routing: unknown paths → 404 M_UNRECOGNIZED, a known path with another
//   method → 405 M_UNRECOGNIZED, HEAD = GET without a body, OPTIONS → 204;
// - auth: no/malformed/unknown token → 401 M_MISSING_TOKEN / M_UNKNOWN_TOKEN;
// - validation with src/validation.ts (the project's one validator): bad
//   parameters and bodies → 400 with a Matrix error saying exactly what is
//   wrong, instead of Prism's one canned 400 example or its problem+json;
// - any problem+json Prism still produces is turned into a Matrix error;
// - Prism's static answers are deterministic, so they are kept in a small
//   cache keyed by everything that can change them (method, canonical path,
//   query, Prefer, body). Every request is still routed, authenticated and
//   validated here before the cache is consulted.
import http from 'node:http';
import type { SynapseAdminValidator, ValidationIssue } from '../../src/validation.ts';
import { derefLocal } from '../../src/json-pointer.ts';

export interface FrontOptions {
  validator: SynapseAdminValidator;
  /** Resolves to the loopback port Prism answers on. */
  prismPort: Promise<number>;
  /** When set, only this bearer token is accepted (others get M_UNKNOWN_TOKEN); otherwise any non-empty token is. */
  token?: string;
  /** Prism runs with --dynamic: answers are random, nothing is cached. */
  dynamic?: boolean;
  /** How many distinct answers to keep (0 turns the cache off). */
  cacheEntries?: number;
  /** Largest request body accepted; more gets 413 M_TOO_LARGE. */
  maxBodyBytes?: number;
  /** Called after each answer (for --log). */
  onAnswer?: (entry: AnswerLog) => void;
}

export interface AnswerLog {
  method: string;
  url: string;
  status: number;
  ms: number;
  /** Who produced the answer: this layer, the cache of Prism answers, or Prism itself. */
  source: 'front' | 'cache' | 'prism';
}

export interface FrontStats {
  requests: number;
  cacheHits: number;
  prismCalls: number;
}

/** A complete answer: what the cache keeps and what is written out. */
export interface Answer {
  status: number;
  headers: Record<string, string | number>;
  body: Buffer;
}

interface OpMeta {
  operationId: string;
  method: string;
  template: string;
  hasRequestBody: boolean;
  statuses: string[];
  lowest2xx: string | undefined;
  /** status → example names of its application/json content. */
  examples: Map<string, string[]>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
  'access-control-allow-headers': 'X-Requested-With, Content-Type, Authorization, Date, Prefer',
};

const STATUS_TEXT_FALLBACK = 'Unknown';

function json(status: number, value: unknown, extra: Record<string, string> = {}): Answer {
  const body = Buffer.from(JSON.stringify(value));
  return { status, body, headers: { 'content-type': 'application/json', 'content-length': body.length, ...CORS, ...extra } };
}

export function matrixError(status: number, errcode: string, error: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Answer {
  return json(status, { errcode, error, ...extra }, headers);
}

const UNRECOGNIZED = 'Unrecognized request';

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function plural(n: number, word: string) {
  return `${n} more ${word}${n === 1 ? '' : 's'}`;
}

/** `(expected X, found Y)` with whichever of the two the validator knows. */
function detail(i: ValidationIssue): string {
  const parts = [i.expected !== undefined ? `expected ${i.expected}` : '', i.found !== undefined ? `found ${i.found}` : ''].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function more(issues: ValidationIssue[]): string {
  return issues.length > 1 ? `; and ${plural(issues.length - 1, 'problem')}` : '';
}

/** One line for parameter problems: `Query parameter "limit" must be integer (expected integer, found string "abc")`. */
function describeParamIssues(issues: ValidationIssue[]): string {
  const i = issues[0]!;
  return `${capitalize(i.message)}${detail(i)}${more(issues)}`;
}

/** One line for body problems: `Request body /admin: must be boolean (expected boolean, found string "yes")`. */
function describeBodyIssues(issues: ValidationIssue[]): string {
  const i = issues[0]!;
  return `Request body ${i.pointer || '/'}: ${i.message}${detail(i)}${more(issues)}`;
}

const deref = derefLocal;

function buildMeta(validator: SynapseAdminValidator): Map<string, OpMeta> {
  const meta = new Map<string, OpMeta>();
  for (const op of validator.operations()) {
    const node = validator.spec.paths[op.path]![op.method.toLowerCase()];
    const examples = new Map<string, string[]>();
    for (const [status, response] of Object.entries<any>(node.responses ?? {})) {
      examples.set(status, Object.keys(deref(validator.spec, response)?.content?.['application/json']?.examples ?? {}));
    }
    meta.set(op.operationId, {
      operationId: op.operationId,
      method: op.method,
      template: op.path,
      hasRequestBody: op.hasRequestBody,
      statuses: op.statusCodes,
      lowest2xx: op.statusCodes.filter((s) => /^2\d\d$/.test(s)).sort()[0],
      examples,
    });
  }
  return meta;
}

/** Parses `Prefer: code=404, example=notFound, dynamic=true` (Prism's mock controls). */
function parsePrefer(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of header.split(/[,;]/)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    out[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/** A Prefer header asking for something the operation does not declare gets a clear 400 instead of Prism's 404/500 problem. */
function checkPrefer(prefer: Record<string, string>, op: OpMeta): string | undefined {
  let status = op.lowest2xx;
  if (prefer.code !== undefined) {
    if (!op.statuses.includes(prefer.code)) {
      return `Prefer code=${prefer.code}: ${op.operationId} declares no such status (it declares ${op.statuses.join(', ')})`;
    }
    status = prefer.code;
  }
  if (prefer.dynamic !== undefined && prefer.dynamic !== 'true' && prefer.dynamic !== 'false') {
    return `Prefer dynamic=${prefer.dynamic}: must be true or false`;
  }
  if (prefer.example !== undefined && status !== undefined) {
    const names = op.examples.get(status) ?? [];
    if (!names.includes(prefer.example)) {
      const has = names.length ? `it has ${names.join(', ')}` : 'it has none';
      return `Prefer example=${prefer.example}: the ${status} response of ${op.operationId} has no example of that name (${has})`;
    }
  }
  return undefined;
}

/** Checks the Authorization header the way Synapse does; returns the 401 to send, or undefined when the token is accepted. */
function checkAuth(req: http.IncomingMessage, query: URLSearchParams, token: string | undefined): Answer | undefined {
  const values = req.headersDistinct.authorization;
  if (!values || values.length === 0) {
    const hint = query.has('access_token') ? ' (this mock only takes the token from the Authorization: Bearer header, as the spec describes)' : '';
    return matrixError(401, 'M_MISSING_TOKEN', `Missing access token${hint}`);
  }
  if (values.length > 1) return matrixError(401, 'M_MISSING_TOKEN', 'Too many Authorization headers');
  const parts = values[0]!.split(' ');
  if (parts.length !== 2 || parts[0] !== 'Bearer') {
    return matrixError(401, 'M_MISSING_TOKEN', 'Invalid Authorization header: expected "Bearer <access token>"');
  }
  const given = parts[1]!;
  if (given === '' || (token !== undefined && given !== token)) {
    return matrixError(401, 'M_UNKNOWN_TOKEN', 'Unrecognised access token', { soft_logout: false });
  }
  return undefined;
}

/** True when every %XX in the path decodes to valid UTF-8. */
function wellEncoded(pathOnly: string): boolean {
  try {
    decodeURIComponent(pathOnly);
    return true;
  } catch {
    return false;
  }
}

const PROBLEM_MAP: Record<string, [number, string]> = {
  NO_PATH_MATCHED_ERROR: [404, 'M_UNRECOGNIZED'],
  NO_METHOD_MATCHED_ERROR: [405, 'M_UNRECOGNIZED'],
  UNAUTHORIZED: [401, 'M_MISSING_TOKEN'],
  UNPROCESSABLE_ENTITY: [400, 'M_INVALID_PARAM'],
  INVALID_CONTENT_TYPE: [400, 'M_NOT_JSON'],
  NOT_FOUND: [400, 'M_INVALID_PARAM'],
  NOT_ACCEPTABLE: [400, 'M_INVALID_PARAM'],
};

/** Turns one of Prism's application/problem+json answers into a Matrix error. */
export function translateProblem(status: number, raw: Buffer): Answer {
  let problem: any;
  try {
    problem = JSON.parse(raw.toString('utf8'));
  } catch {
    problem = {};
  }
  const kind = String(problem?.type ?? '').split('#')[1] ?? '';
  const text = [problem?.title, problem?.detail].filter((s) => typeof s === 'string' && s.trim()).join(': ').replace(/\s+/g, ' ').trim();
  const mapped = PROBLEM_MAP[kind];
  if (mapped?.[1] === 'M_UNRECOGNIZED') return matrixError(mapped[0], mapped[1], UNRECOGNIZED);
  if (mapped) return matrixError(mapped[0], mapped[1], `Invalid request: ${text || kind}`);
  if (status >= 400 && status < 500) return matrixError(400, 'M_INVALID_PARAM', `Invalid request: ${text || `HTTP ${status}`}`);
  return matrixError(500, 'M_UNKNOWN', `The mock's engine (Prism) failed: ${text || `HTTP ${status}`}`);
}

/** Prism found a request problem our validator let through: a 400/401/422 with an sl-violations header. */
function violationMessage(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  try {
    const list = JSON.parse(header) as Array<{ location?: string[]; severity?: string; message?: string }>;
    const first = list.find((v) => v.severity === 'Error' && v.location?.[0] === 'request');
    return first?.message;
  } catch {
    return undefined;
  }
}

/** Deepest nesting of arrays/objects, computed without recursion (bodies can be nested thousands deep). */
function nestingDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) max = d + 1;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** Deeper bodies are refused before validation: no API body nests more than a few levels. */
const MAX_DEPTH = 64;

class TooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new TooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new TooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => failed || resolve(Buffer.concat(chunks)));
    req.on('error', (err) => failed || reject(err));
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface FrontServer {
  server: http.Server;
  stats(): FrontStats;
}

export function createFrontServer(opts: FrontOptions): FrontServer {
  const { validator } = opts;
  const meta = buildMeta(validator);
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const cacheLimit = opts.dynamic ? 0 : opts.cacheEntries ?? 5000;
  const cache = new Map<string, Answer>();
  const inflight = new Map<string, Promise<{ answer: Answer; cacheable: boolean }>>();
  // Idle sockets to Prism are dropped after 4 s, before Prism's own 5 s keep-alive timeout closes them under us.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32, timeout: 4000 });
  const stats: FrontStats = { requests: 0, cacheHits: 0, prismCalls: 0 };

  async function askPrism(method: string, target: string, headers: Record<string, string>, body: string | undefined, retry = true): Promise<{ answer: Answer; cacheable: boolean }> {
    stats.prismCalls++;
    const port = await opts.prismPort;
    return new Promise((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, method, path: target, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => resolve({ answer: matrixError(500, 'M_UNKNOWN', `The mock's engine (Prism) broke off its answer: ${err.message}`), cacheable: false }));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const status = res.statusCode ?? 500;
          const type = String(res.headers['content-type'] ?? '');
          if (type.includes('problem+json')) {
            resolve({ answer: translateProblem(status, raw), cacheable: false });
            return;
          }
          const violation = violationMessage(res.headers['sl-violations']);
          if (violation && (status === 400 || status === 422) && !headers.prefer?.includes('code=')) {
            resolve({ answer: matrixError(400, 'M_INVALID_PARAM', `Invalid request: ${violation}`), cacheable: false });
            return;
          }
          const answer: Answer = { status, body: raw, headers: { 'content-type': type || 'application/json', 'content-length': raw.length, ...CORS } };
          resolve({ answer, cacheable: status < 500 });
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive socket Prism closed just as we reused it: the request never reached Prism, send it again once.
        if (retry && req.reusedSocket && err.code === 'ECONNRESET') {
          resolve(askPrism(method, target, headers, body, false));
          return;
        }
        resolve({ answer: matrixError(500, 'M_UNKNOWN', `The mock's engine (Prism) is not answering: ${err.message}`), cacheable: false });
      });
      req.end(body);
    });
  }

  async function handle(req: http.IncomingMessage): Promise<[Answer, AnswerLog['source']]> {
    const rawUrl = req.url ?? '/';
    let target = rawUrl;
    if (!target.startsWith('/')) {
      if (target === '*' && req.method === 'OPTIONS') return [{ status: 204, body: Buffer.alloc(0), headers: { ...CORS } }, 'front'];
      try {
        const u = new URL(target);
        target = u.pathname + u.search;
      } catch {
        req.resume();
        return [matrixError(400, 'M_UNKNOWN', 'Malformed request target'), 'front'];
      }
    }
    const q = target.indexOf('?');
    const hash = target.indexOf('#');
    const pathEnd = Math.min(q < 0 ? target.length : q, hash < 0 ? target.length : hash);
    const pathOnly = target.slice(0, pathEnd);
    const rawQuery = q < 0 ? '' : target.slice(q + 1, hash > q ? hash : undefined);

    if (req.method === 'OPTIONS') {
      req.resume();
      return [{ status: 204, body: Buffer.alloc(0), headers: { ...CORS } }, 'front'];
    }
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');

    if (!wellEncoded(pathOnly)) {
      req.resume();
      return validator.pathExists(pathOnly)
        ? [matrixError(400, 'M_INVALID_PARAM', `The request path is not valid percent-encoded UTF-8: ${pathOnly.slice(0, 200)}`), 'front']
        : [matrixError(404, 'M_UNRECOGNIZED', UNRECOGNIZED), 'front'];
    }
    const matched = validator.match(method, pathOnly);
    if (!matched) {
      req.resume();
      if (!validator.pathExists(pathOnly)) return [matrixError(404, 'M_UNRECOGNIZED', UNRECOGNIZED), 'front'];
      const allowed = validator
        .operations()
        .filter((o) => validator.match(o.method, pathOnly)?.operation.operationId === o.operationId)
        .map((o) => o.method);
      if (allowed.includes('GET')) allowed.push('HEAD');
      return [matrixError(405, 'M_UNRECOGNIZED', UNRECOGNIZED, {}, { allow: [...allowed, 'OPTIONS'].join(', ') }), 'front'];
    }
    const op = meta.get(matched.operation.operationId)!;
    const query = new URLSearchParams(rawQuery);

    const authProblem = checkAuth(req, query, opts.token);
    if (authProblem) {
      req.resume();
      return [authProblem, 'front'];
    }

    const params = validator.validateParameters(op.operationId, { path: matched.pathParams, query });
    if (!params.valid) {
      req.resume();
      const missing = params.issues[0]!.keyword === 'required';
      return [matrixError(400, missing ? 'M_MISSING_PARAM' : 'M_INVALID_PARAM', describeParamIssues(params.issues)), 'front'];
    }

    let bodyText: string | undefined;
    if (op.hasRequestBody) {
      let raw: Buffer;
      try {
        raw = await readBody(req, maxBody);
      } catch (err) {
        // The rest of the body is read and dropped; `connection: close` ends the socket after that, without a reset the client could see before the answer.
        if (err instanceof TooLarge) return [matrixError(413, 'M_TOO_LARGE', `Request body is larger than ${maxBody} bytes`, {}, { connection: 'close' }), 'front'];
        return [matrixError(400, 'M_NOT_JSON', `Request body could not be read: ${(err as Error).message}`), 'front'];
      }
      let parsed: unknown;
      if (raw.length > 0 && raw.toString('latin1').trim() !== '') {
        try {
          parsed = JSON.parse(utf8.decode(raw));
        } catch (err) {
          const why = err instanceof TypeError ? 'it is not valid UTF-8' : (err as Error).message.split('\n')[0];
          return [matrixError(400, 'M_NOT_JSON', `Content not JSON: ${why}`), 'front'];
        }
      }
      if (parsed !== undefined && nestingDepth(parsed, MAX_DEPTH) > MAX_DEPTH) {
        return [matrixError(400, 'M_BAD_JSON', `Request body is nested more than ${MAX_DEPTH} levels deep`), 'front'];
      }
      if (parsed === undefined && matched.operation.requestBodyRequired) {
        return [matrixError(400, 'M_NOT_JSON', 'Content not JSON: this operation needs a JSON object body and the request has none'), 'front'];
      }
      const body = validator.validateRequestBody(op.operationId, parsed);
      if (!body.valid) {
        const missing = body.issues[0]!.keyword === 'required';
        return [matrixError(400, missing ? 'M_MISSING_PARAM' : 'M_BAD_JSON', describeBodyIssues(body.issues)), 'front'];
      }
      bodyText = parsed === undefined ? undefined : JSON.stringify(parsed);
    } else {
      req.resume();
    }

    const preferHeader = typeof req.headers.prefer === 'string' ? req.headers.prefer : '';
    const prefer = parsePrefer(preferHeader);
    const preferProblem = checkPrefer(prefer, op);
    if (preferProblem) return [matrixError(400, 'M_INVALID_PARAM', preferProblem), 'front'];

    // Canonical form: each path parameter percent-encoded once, the query re-serialized.
    const canonicalPath = op.template.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(matched.pathParams[name]!));
    const canonicalQuery = query.toString();
    const forwardTarget = canonicalQuery ? `${canonicalPath}?${canonicalQuery}` : canonicalPath;
    const cacheable = cacheLimit > 0 && prefer.dynamic !== 'true';
    const key = `${method} ${forwardTarget}\n${preferHeader}\n${bodyText ?? ''}`;
    if (cacheable) {
      const hit = cache.get(key);
      if (hit) {
        stats.cacheHits++;
        return [hit, 'cache'];
      }
    }
    const headers: Record<string, string> = { authorization: req.headers.authorization!, accept: 'application/json' };
    if (preferHeader) headers.prefer = preferHeader;
    if (bodyText !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(bodyText));
    }
    let pending = cacheable ? inflight.get(key) : undefined;
    if (!pending) {
      pending = askPrism(method, forwardTarget, headers, bodyText);
      if (cacheable) {
        inflight.set(key, pending);
        pending.finally(() => inflight.delete(key));
      }
    }
    const { answer, cacheable: keep } = await pending;
    if (cacheable && keep && answer.body.length <= 256 * 1024) {
      if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value!);
      cache.set(key, answer);
    }
    return [answer, 'prism'];
  }

  const server = http.createServer((req, res) => {
    const started = performance.now();
    stats.requests++;
    handle(req)
      .catch((err: unknown) => [matrixError(500, 'M_UNKNOWN', `Mock failure: ${err instanceof Error ? err.message : String(err)}`), 'front'] as [Answer, AnswerLog['source']])
      .then(([answer, source]) => {
        if (res.destroyed) return;
        res.writeHead(answer.status, http.STATUS_CODES[answer.status] ?? STATUS_TEXT_FALLBACK, answer.headers);
        res.end(answer.body);
        opts.onAnswer?.({ method: req.method ?? '?', url: req.url ?? '', status: answer.status, ms: performance.now() - started, source });
      });
  });

  // Malformed HTTP (bad request line, oversized headers): still a Matrix error body, then close.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooBig = err.code === 'HPE_HEADER_OVERFLOW';
    const status = tooBig ? 431 : 400;
    const body = JSON.stringify({ errcode: tooBig ? 'M_TOO_LARGE' : 'M_UNKNOWN', error: tooBig ? 'Request headers too large' : 'Malformed HTTP request' });
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  server.on('close', () => agent.destroy());

  return { server, stats: () => ({ ...stats }) };
}
