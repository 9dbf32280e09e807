// The one validation module: finds the operation for a request and checks
// parameters, request bodies and responses against the spec with ajv's
// JSON Schema 2020-12 build. The conformance tests, the CLI and the mock
// tests all use it. Schemas are compiled once per validator and cached.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { loadBundledSpec, operationsOf, type OpenApiDocument } from './spec.js';
import { derefLocal, pointerGet } from './json-pointer.js';

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

const DOC_ID = 'https://synapse-admin-openapi.invalid/openapi.json';

/** OpenAPI keywords and our extensions that may appear inside schemas. */
const ANNOTATIONS = [
  'example',
  'discriminator',
  'xml',
  'externalDocs',
  'x-synapse-added-in',
  'x-synapse-removed-in',
  'x-synapse-changed',
  'x-synapse-sqlite-int-bool',
  'x-synapse-docs-errata',
];

export interface ValidationIssue {
  /** JSON pointer into the validated value ('' is the value itself). */
  pointer: string;
  /** The ajv keyword that failed (`type`, `required`, `enum`, …) or `status` for an undeclared status code. */
  keyword: string;
  message: string;
  expected?: string;
  found?: string;
}

export interface ValidationResult {
  valid: boolean;
  issues: ValidationIssue[];
}

export interface OperationInfo {
  operationId: string;
  method: string;
  path: string;
  tag: string;
  pathParams: string[];
  hasRequestBody: boolean;
  requestBodyRequired: boolean;
  statusCodes: string[];
}

export interface MatchedOperation {
  /** Shared by every answer for this operation, hence frozen. */
  operation: OperationInfo;
  /** Path parameters, percent-decoded. */
  pathParams: Record<string, string>;
}

export interface ValidatorOptions {
  /**
   * Accept 0 and 1 for the boolean fields marked `x-synapse-sqlite-int-bool`:
   * Synapse on SQLite sends integers there (Synapse issue #13519).
   */
  sqliteIntBools?: boolean;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function mapDeep(node: any, fn: (n: any) => any): any {
  const mapped = fn(node);
  if (Array.isArray(mapped)) return mapped.map((n) => mapDeep(n, fn));
  if (mapped && typeof mapped === 'object') {
    return Object.fromEntries(Object.entries(mapped).map(([k, v]) => [k, mapDeep(v, fn)]));
  }
  return mapped;
}

/** Rewrites local `#/…` refs so a schema compiled on its own still reaches the document's components. */
function absolutizeRefs(schema: any): any {
  return mapDeep(schema, (n) => (n && typeof n.$ref === 'string' && n.$ref.startsWith('#/') ? { ...n, $ref: DOC_ID + n.$ref } : n));
}

/** Widens every boolean marked x-synapse-sqlite-int-bool to also accept 0 and 1. */
function widenSqliteBooleans(schema: any): any {
  return mapDeep(schema, (n) => {
    if (n && n['x-synapse-sqlite-int-bool'] === true && n.type === 'boolean') {
      const { type: _type, ...rest } = n;
      return { ...rest, anyOf: [{ type: 'boolean' }, { enum: [0, 1] }] };
    }
    return n;
  });
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    return 'a value nested too deeply to show'; // JSON.stringify overflows the stack on pathological nesting
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (Number.isInteger(v)) return 'integer';
  return typeof v;
}

/** What a limit-style keyword wanted, in words (`>= 0`, `at least 1 character`, …). */
function expectation(keyword: string, p: Record<string, any>): string | undefined {
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  switch (keyword) {
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${p.comparison} ${p.limit}`;
    case 'minLength':
      return `at least ${count(p.limit, 'character')}`;
    case 'maxLength':
      return `at most ${count(p.limit, 'character')}`;
    case 'minItems':
      return `at least ${count(p.limit, 'item')}`;
    case 'maxItems':
      return `at most ${count(p.limit, 'item')}`;
    case 'minProperties':
      return `at least ${count(p.limit, 'field')}`;
    case 'maxProperties':
      return `at most ${count(p.limit, 'field')}`;
    case 'pattern':
      return `a string matching ${p.pattern}`;
    case 'format':
      return `format ${p.format}`;
    case 'multipleOf':
      return `a multiple of ${p.multipleOf}`;
    default:
      return undefined;
  }
}

function toIssue(err: ErrorObject, data: unknown): ValidationIssue {
  const p = err.params as Record<string, any>;
  switch (err.keyword) {
    case 'required':
    case 'dependentRequired': {
      const pointer = `${err.instancePath}/${String(p.missingProperty).replace(/~/g, '~0').replace(/\//g, '~1')}`;
      return { pointer, keyword: err.keyword, message: `required field "${p.missingProperty}" is missing`, expected: 'present', found: 'nothing' };
    }
    case 'type': {
      const found = pointerGet(data, err.instancePath);
      return { pointer: err.instancePath, keyword: 'type', message: `must be ${p.type}`, expected: String(p.type), found: `${describeType(found)} ${show(found)}` };
    }
    case 'enum':
      return { pointer: err.instancePath, keyword: 'enum', message: 'must be one of the allowed values', expected: (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(' | '), found: show(pointerGet(data, err.instancePath)) };
    case 'const':
      return { pointer: err.instancePath, keyword: 'const', message: 'must be the fixed value', expected: JSON.stringify(p.allowedValue), found: show(pointerGet(data, err.instancePath)) };
    case 'additionalProperties': {
      const pointer = `${err.instancePath}/${p.additionalProperty}`;
      return { pointer, keyword: err.keyword, message: `unexpected field "${p.additionalProperty}"`, expected: 'no such field', found: show(pointerGet(data, pointer)) };
    }
    default: {
      const expected = expectation(err.keyword, p);
      const found = show(pointerGet(data, err.instancePath));
      return expected === undefined
        ? { pointer: err.instancePath, keyword: err.keyword, message: err.message ?? err.keyword, found }
        : { pointer: err.instancePath, keyword: err.keyword, message: err.message ?? err.keyword, expected, found };
    }
  }
}

/** Drops the noise of anyOf/oneOf: when a branch-specific error exists, the umbrella error adds nothing. */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  const umbrellas = new Set(['anyOf', 'oneOf', 'if']);
  const specific = errors.filter((e) => !umbrellas.has(e.keyword));
  return specific.length > 0 ? specific : errors;
}

/** An operation as the validator keeps it: what match() answers, the spec's objects, and the compiled checks. */
interface Op {
  /** Shared by every match() answer, hence frozen. */
  info: OperationInfo;
  node: any;
  pathItem: any;
  cache: OpCache;
}

/**
 * One path segment of the route tree. Synapse routes on the raw (still
 * percent-encoded) path and decodes only the captured parameters, so literal
 * segments are compared as sent and a parameter takes one whole non-empty
 * segment. (find-my-way, fastify's router, decodes the whole path first and
 * would route `/v2/%75sers/x` to getUser; Synapse answers 404 there.)
 */
interface RouteNode {
  literal: Map<string, RouteNode>;
  param?: RouteNode;
  /** The operations whose template ends here, by upper-case method. */
  ops: Map<string, Op>;
}

const newNode = (): RouteNode => ({ literal: new Map(), ops: new Map() });

/**
 * Walks the tree from the segment starting at `from`: a literal segment wins
 * over a parameter, and a dead end backtracks (so `/users/me` still reaches
 * `/users/{id}` when only that template has the method). `method` undefined
 * accepts any method. Each parameter's start and end offsets are written to
 * `bounds` (two slots per parameter, in path order), so parameter values are
 * cut and decoded only once the operation is found.
 */
function walk(node: RouteNode, method: string | undefined, path: string, from: number, bounds: number[], depth: number): Op | undefined {
  if (from > path.length) {
    if (method !== undefined) return node.ops.get(method);
    return node.ops.values().next().value;
  }
  let end = path.indexOf('/', from);
  if (end < 0) end = path.length;
  const length = end - from;
  const child = node.literal.size > 0 ? node.literal.get(path.slice(from, end)) : undefined;
  if (child) {
    const op = walk(child, method, path, end + 1, bounds, depth);
    if (op) return op;
  }
  if (node.param && length > 0) {
    bounds[depth * 2] = from;
    bounds[depth * 2 + 1] = end;
    return walk(node.param, method, path, end + 1, bounds, depth + 1);
  }
  return undefined;
}

/** The path without its query string or fragment. */
function stripQuery(urlPath: string): string {
  const q = urlPath.indexOf('?');
  const h = urlPath.indexOf('#');
  const cut = q < 0 ? h : h < 0 ? q : Math.min(q, h);
  return cut < 0 ? urlPath : urlPath.slice(0, cut);
}

/** The answer for everything valid: shared, so a clean check allocates nothing. */
const VALID: ValidationResult = Object.freeze({ valid: true, issues: Object.freeze([]) as unknown as ValidationIssue[] });

/** One declared path or query parameter, its validator compiled on first use. */
interface ParamCheck {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  array: boolean;
  schema: any;
  fn?: ValidateFunction;
}

function paramWhere(p: ParamCheck): string {
  return p.in === 'path' ? `path parameter "${p.name}"` : `query parameter "${p.name}"`;
}

/** What the spec says about one status code of one operation. */
interface ResponseEntry {
  declared: boolean;
  /** The JSON body schema (of the status, else of `default`), if any. */
  schema: any;
  /** Compiled on first use; null when there is no JSON body to check. */
  fn?: ValidateFunction | null;
}

/** Per-operation lookups, so that validating one exchange builds no cache keys. */
interface OpCache {
  params?: ParamCheck[];
  /** By status as the caller gives it (number or string), so a lookup converts nothing. */
  responses: Map<number | string, ResponseEntry>;
  request?: ValidateFunction | null;
}

export class SynapseAdminValidator {
  readonly spec: OpenApiDocument;
  private readonly ajv: Ajv2020;
  private readonly paramAjv: Ajv2020;
  private readonly ops: Op[];
  private readonly cache = new Map<string, ValidateFunction>();
  // Lookup tables: validating large HARs (the CLI) calls these per exchange.
  private readonly byId = new Map<string, Op>();
  private readonly routes: RouteNode = newNode();
  /** Scratch space for walk(): lookups are synchronous, so one array serves them all. */
  private readonly bounds: number[] = [];

  constructor(spec: OpenApiDocument = loadBundledSpec(), options: ValidatorOptions = {}) {
    this.spec = spec;
    const make = (coerce: boolean) => {
      const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, coerceTypes: coerce ? 'array' : false, useDefaults: false });
      addFormats(ajv);
      ajv.addVocabulary([...ANNOTATIONS, 'components', 'schemas']);
      let components = spec.components?.schemas ?? {};
      if (options.sqliteIntBools) components = widenSqliteBooleans(components);
      ajv.addSchema({ $id: DOC_ID, components: { schemas: components } });
      return ajv;
    };
    this.ajv = make(false);
    this.paramAjv = make(true);
    this.sqliteIntBools = options.sqliteIntBools === true;
    this.ops = operationsOf(spec).map(({ method, path: p, op: node, pathItem: item }) => {
      const pathParams = [...p.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]!);
      const body = node.requestBody ? this.deref(node.requestBody) : undefined;
      const info: OperationInfo = Object.freeze({
        operationId: node.operationId as string,
        method,
        path: p,
        tag: node.tags?.[0] as string,
        pathParams: Object.freeze(pathParams) as string[],
        hasRequestBody: Boolean(body),
        requestBodyRequired: body?.required === true,
        statusCodes: Object.freeze(Object.keys(node.responses ?? {})) as string[],
      });
      return { info, node, pathItem: item, cache: { responses: new Map() } };
    });
    for (const op of this.ops) {
      const { operationId, path, method } = op.info;
      this.byId.set(operationId, op);
      let node = this.routes;
      // The template starts with "/": its first segment is the empty one before it.
      for (const segment of path.split('/').slice(1)) {
        if (/^\{[^}]+\}$/.test(segment)) node = node.param ??= newNode();
        else if (segment.includes('{')) throw new Error(`path template ${path}: a parameter must be a whole path segment`);
        else {
          let child = node.literal.get(segment);
          if (!child) node.literal.set(segment, (child = newNode()));
          node = child;
        }
      }
      node.ops.set(method, op);
    }
  }

  private readonly sqliteIntBools: boolean;

  private deref(node: any): any {
    return derefLocal(this.spec, node);
  }

  operations(): OperationInfo[] {
    return this.ops.map(({ info }) => ({ ...info, pathParams: [...info.pathParams], statusCodes: [...info.statusCodes] }));
  }

  operation(operationId: string): OperationInfo {
    const info = this.op(operationId).info;
    return { ...info, pathParams: [...info.pathParams], statusCodes: [...info.statusCodes] };
  }

  /** Finds the operation for a method and a URL path (raw or percent-encoded; a query string is ignored). */
  match(method: string, urlPath: string): MatchedOperation | undefined {
    const path = stripQuery(urlPath);
    if (path.charCodeAt(0) !== 47 /* "/" */) return undefined;
    const bounds = this.bounds;
    const op = walk(this.routes, method.toUpperCase(), path, 1, bounds, 0);
    if (!op) return undefined;
    const pathParams: Record<string, string> = {};
    const names = op.info.pathParams;
    for (let i = 0; i < names.length; i++) {
      const value = path.slice(bounds[i * 2], bounds[i * 2 + 1]);
      try {
        pathParams[names[i]!] = value.includes('%') ? decodeURIComponent(value) : value;
      } catch {
        return undefined; // malformed percent-encoding: Synapse cannot route it either
      }
    }
    return { operation: op.info, pathParams };
  }

  /** Every path template that exists for some method: tells "wrong method" from "no such path". */
  pathExists(urlPath: string): boolean {
    const path = stripQuery(urlPath);
    return path.charCodeAt(0) === 47 && walk(this.routes, undefined, path, 1, this.bounds, 0) !== undefined;
  }

  private compiled(key: string, schema: () => any, params = false): ValidateFunction {
    const fullKey = `${params ? 'p' : 'b'}:${key}`;
    let fn = this.cache.get(fullKey);
    if (!fn) {
      let s = absolutizeRefs(schema());
      if (this.sqliteIntBools) s = widenSqliteBooleans(s);
      fn = (params ? this.paramAjv : this.ajv).compile(s);
      this.cache.set(fullKey, fn);
    }
    return fn;
  }

  private run(fn: ValidateFunction, data: unknown): ValidationResult {
    if (fn(data)) return VALID;
    return { valid: false, issues: simplify(fn.errors ?? []).map((e) => toIssue(e, data)) };
  }

  private op(operationId: string): Op {
    const op = this.byId.get(operationId);
    if (!op) throw new Error(`unknown operationId "${operationId}"`);
    return op;
  }

  private responseEntry(op: Op, status: number | string): ResponseEntry {
    let entry = op.cache.responses.get(status);
    if (!entry) {
      const code = String(status);
      const responses = op.node.responses ?? {};
      const response = this.deref(responses[code] ?? responses.default);
      entry = { declared: Object.hasOwn(responses, code), schema: response?.content?.['application/json']?.schema };
      op.cache.responses.set(status, entry);
    }
    return entry;
  }

  /** The JSON schema of a response body (the status's, else `default`'s), or undefined when there is none. */
  responseSchema(operationId: string, status: number | string): any {
    return this.responseEntry(this.op(operationId), status).schema;
  }

  /** Whether the operation declares this status code. */
  declaresStatus(operationId: string, status: number | string): boolean {
    return this.responseEntry(this.op(operationId), status).declared;
  }

  requestSchema(operationId: string): any {
    const op = this.op(operationId);
    return this.deref(op.node.requestBody)?.content?.['application/json']?.schema;
  }

  /** Checks that the status is declared for the operation and the body matches its schema. */
  validateResponse(operationId: string, status: number | string, body: unknown): ValidationResult {
    const op = this.op(operationId);
    const entry = this.responseEntry(op, status);
    if (!entry.declared) {
      return {
        valid: false,
        issues: [{ pointer: '', keyword: 'status', message: `status ${status} is not declared for ${operationId}`, expected: op.info.statusCodes.join(' | '), found: String(status) }],
      };
    }
    if (entry.fn === undefined) {
      const schema = entry.schema;
      entry.fn = schema ? this.compiled(`${operationId}:${status}`, () => schema) : null;
    }
    return entry.fn ? this.run(entry.fn, body) : VALID;
  }

  /** Checks a request body. `undefined` stands for "no body". */
  validateRequestBody(operationId: string, body: unknown): ValidationResult {
    const op = this.op(operationId);
    if (body === undefined) {
      return op.info.requestBodyRequired
        ? { valid: false, issues: [{ pointer: '', keyword: 'required', message: 'a request body is required', expected: 'a JSON body', found: 'nothing' }] }
        : VALID;
    }
    const cache = op.cache;
    if (cache.request === undefined) {
      const schema = this.requestSchema(operationId);
      cache.request = schema ? this.compiled(`${operationId}:request`, () => schema) : null;
    }
    if (!cache.request) return VALID;
    return this.run(cache.request, body);
  }

  /**
   * Checks a value against any schema node of the spec (a property, a
   * parameter's schema, a component); its `#/…` refs resolve against the
   * document. No type coercion. Compiled once per `cacheKey` (default: the
   * schema's JSON), so pass a stable key such as the node's JSON pointer.
   */
  validateValue(schema: unknown, value: unknown, cacheKey?: string): ValidationResult {
    return this.run(this.compiled(`value:${cacheKey ?? JSON.stringify(schema)}`, () => schema), value);
  }

  /**
   * Checks path and query parameters (given as the strings of a URL). The
   * query may be a raw query string (`?a=1&b=2`, parsed only when the
   * operation declares query parameters), URLSearchParams, or a record.
   */
  validateParameters(operationId: string, input: { path?: Record<string, string>; query?: string | URLSearchParams | Record<string, string | string[]> }): ValidationResult {
    const op = this.op(operationId);
    const params = (op.cache.params ??= [...(op.pathItem.parameters ?? []), ...(op.node.parameters ?? [])]
      .map((p) => this.deref(p))
      .filter((p) => p.in === 'path' || p.in === 'query')
      .map((p): ParamCheck => ({ name: p.name, in: p.in, required: p.required === true, array: p.schema?.type === 'array', schema: p.schema })));
    let query: URLSearchParams | undefined; // parsed on the first query parameter only
    let issues: ValidationIssue[] | undefined; // allocated on the first problem only
    for (const p of params) {
      let value: Json | undefined;
      if (p.in === 'path') value = input.path?.[p.name];
      else {
        query ??= toSearchParams(input.query);
        if (query.size > 0 && query.has(p.name)) {
          const all = query.getAll(p.name);
          value = p.array ? all : all[all.length - 1];
        }
      }
      if (value === undefined) {
        if (p.required) (issues ??= []).push({ pointer: `/${p.in}/${p.name}`, keyword: 'required', message: `${paramWhere(p)} is missing`, expected: 'present', found: 'nothing' });
        continue;
      }
      // Compiled on the parameter's own schema: ajv coerces a root value too.
      const fn = (p.fn ??= this.compiled(`${operationId}:param:${p.in}:${p.name}`, () => p.schema ?? {}, true));
      if (!fn(value)) {
        for (const e of simplify(fn.errors ?? [])) {
          const issue = toIssue(e, value);
          (issues ??= []).push({ ...issue, pointer: `/${p.in}/${p.name}${issue.pointer}`, message: `${paramWhere(p)} ${issue.message}` });
        }
      }
    }
    return issues === undefined ? VALID : { valid: false, issues };
  }
}

function toSearchParams(query: string | URLSearchParams | Record<string, string | string[]> | undefined): URLSearchParams {
  if (query instanceof URLSearchParams) return query;
  if (typeof query === 'string') return new URLSearchParams(query);
  return new URLSearchParams(Object.entries(query ?? {}).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])));
}

/** One line per issue: `pointer: message (expected X, found Y)`. */
export function formatIssue(issue: ValidationIssue): string {
  const detail = issue.expected !== undefined || issue.found !== undefined ? ` (expected ${issue.expected ?? '?'}, found ${issue.found ?? '?'})` : '';
  return `${issue.pointer || '/'}: ${issue.message}${detail}`;
}
