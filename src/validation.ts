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

type Op = OperationInfo & { regex: RegExp; node: any; pathItem: any };

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

/** Per-operation lookups, so that validating one exchange builds no cache keys. */
interface OpCache {
  params?: ParamCheck[];
  schemas: Map<string, any>;
  responses: Map<string, ValidateFunction | null>;
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
  private readonly byMethod = new Map<string, Op[]>();
  private readonly opCaches = new Map<Op, OpCache>();
  private readonly infos = new Map<Op, OperationInfo>();

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
        return {
          operationId: node.operationId as string,
          method,
          path: p,
          tag: node.tags?.[0] as string,
          pathParams,
          hasRequestBody: Boolean(body),
          requestBodyRequired: body?.required === true,
          statusCodes: Object.keys(node.responses ?? {}),
          regex: new RegExp('^' + p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '([^/]+)') + '$'),
          node,
          pathItem: item,
        };
      });
    // Literal segments win over templated ones when two templates could match.
    this.ops.sort((a, b) => b.path.replace(/\{[^}]+\}/g, '').length - a.path.replace(/\{[^}]+\}/g, '').length);
    for (const op of this.ops) {
      const { regex: _r, node: _n, pathItem: _p, ...info } = op;
      // Shared by every match() answer, hence frozen.
      this.infos.set(op, Object.freeze({ ...info, pathParams: Object.freeze([...info.pathParams]) as string[], statusCodes: Object.freeze([...info.statusCodes]) as string[] }));
      this.byId.set(op.operationId, op);
      this.byMethod.set(op.method, [...(this.byMethod.get(op.method) ?? []), op]);
    }
  }

  private readonly sqliteIntBools: boolean;

  private deref(node: any): any {
    return derefLocal(this.spec, node);
  }

  operations(): OperationInfo[] {
    return this.ops.map(({ regex: _r, node: _n, pathItem: _p, ...info }) => info);
  }

  operation(operationId: string): OperationInfo {
    const { regex: _r, node: _n, pathItem: _p, ...info } = this.op(operationId);
    return info;
  }

  /** Finds the operation for a method and a URL path (raw or percent-encoded; a query string is ignored). */
  match(method: string, urlPath: string): MatchedOperation | undefined {
    const cut = urlPath.search(/[?#]/);
    const pathOnly = cut < 0 ? urlPath : urlPath.slice(0, cut);
    for (const op of this.byMethod.get(method) ?? this.byMethod.get(method.toUpperCase()) ?? []) {
      const m = op.regex.exec(pathOnly);
      if (!m) continue;
      const pathParams: Record<string, string> = {};
      try {
        for (let i = 0; i < op.pathParams.length; i++) {
          const raw = m[i + 1]!;
          pathParams[op.pathParams[i]!] = raw.includes('%') ? decodeURIComponent(raw) : raw;
        }
      } catch {
        continue; // malformed percent-encoding: no operation matches
      }
      return { operation: this.infos.get(op)!, pathParams };
    }
    return undefined;
  }

  /** Every path template that exists for some method: tells "wrong method" from "no such path". */
  pathExists(urlPath: string): boolean {
    const pathOnly = urlPath.split(/[?#]/)[0]!;
    return this.ops.some((o) => o.regex.test(pathOnly));
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
    if (fn(data)) return { valid: true, issues: [] };
    return { valid: false, issues: simplify(fn.errors ?? []).map((e) => toIssue(e, data)) };
  }

  private op(operationId: string): Op {
    const op = this.byId.get(operationId);
    if (!op) throw new Error(`unknown operationId "${operationId}"`);
    return op;
  }

  private opCache(op: Op): OpCache {
    let c = this.opCaches.get(op);
    if (!c) {
      c = { schemas: new Map(), responses: new Map() };
      this.opCaches.set(op, c);
    }
    return c;
  }

  /** The JSON schema of a response body, or undefined when the status is not declared or has no JSON body. */
  responseSchema(operationId: string, status: number | string): any {
    const op = this.op(operationId);
    const cache = this.opCache(op).schemas;
    const code = String(status);
    if (cache.has(code)) return cache.get(code);
    const response = this.deref(op.node.responses?.[code] ?? op.node.responses?.default);
    const schema = response?.content?.['application/json']?.schema;
    cache.set(code, schema);
    return schema;
  }

  requestSchema(operationId: string): any {
    const op = this.op(operationId);
    return this.deref(op.node.requestBody)?.content?.['application/json']?.schema;
  }

  /** Checks that the status is declared for the operation and the body matches its schema. */
  validateResponse(operationId: string, status: number | string, body: unknown): ValidationResult {
    const op = this.op(operationId);
    if (!(String(status) in (op.node.responses ?? {}))) {
      return {
        valid: false,
        issues: [{ pointer: '', keyword: 'status', message: `status ${status} is not declared for ${operationId}`, expected: op.statusCodes.join(' | '), found: String(status) }],
      };
    }
    const cache = this.opCache(op).responses;
    let fn = cache.get(String(status));
    if (fn === undefined) {
      const schema = this.responseSchema(operationId, status);
      fn = schema ? this.compiled(`${operationId}:${status}`, () => schema) : null;
      cache.set(String(status), fn);
    }
    if (!fn) return { valid: true, issues: [] };
    return this.run(fn, body);
  }

  /** Checks a request body. `undefined` stands for "no body". */
  validateRequestBody(operationId: string, body: unknown): ValidationResult {
    const op = this.op(operationId);
    if (body === undefined) {
      return op.requestBodyRequired
        ? { valid: false, issues: [{ pointer: '', keyword: 'required', message: 'a request body is required', expected: 'a JSON body', found: 'nothing' }] }
        : { valid: true, issues: [] };
    }
    const cache = this.opCache(op);
    if (cache.request === undefined) {
      const schema = this.requestSchema(operationId);
      cache.request = schema ? this.compiled(`${operationId}:request`, () => schema) : null;
    }
    if (!cache.request) return { valid: true, issues: [] };
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

  /** Checks path and query parameters (given as the strings of a URL). */
  validateParameters(operationId: string, input: { path?: Record<string, string>; query?: URLSearchParams | Record<string, string | string[]> }): ValidationResult {
    const op = this.op(operationId);
    const cache = this.opCache(op);
    cache.params ??= [...(op.pathItem.parameters ?? []), ...(op.node.parameters ?? [])]
      .map((p) => this.deref(p))
      .filter((p) => p.in === 'path' || p.in === 'query')
      .map((p) => ({ name: p.name, in: p.in, required: p.required === true, array: p.schema?.type === 'array', schema: p.schema }));
    const query = input.query instanceof URLSearchParams ? input.query : new URLSearchParams(Object.entries(input.query ?? {}).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])));
    const issues: ValidationIssue[] = [];
    for (const p of cache.params) {
      let value: Json | undefined;
      if (p.in === 'path') value = input.path?.[p.name];
      else if (query.has(p.name)) {
        const all = query.getAll(p.name);
        value = p.array ? all : all[all.length - 1];
      }
      if (value === undefined) {
        if (p.required) issues.push({ pointer: `/${p.in}/${p.name}`, keyword: 'required', message: `${paramWhere(p)} is missing`, expected: 'present', found: 'nothing' });
        continue;
      }
      // Compiled on the parameter's own schema: ajv coerces a root value too.
      const fn = (p.fn ??= this.compiled(`${operationId}:param:${p.in}:${p.name}`, () => p.schema ?? {}, true));
      if (!fn(value)) {
        for (const e of simplify(fn.errors ?? [])) {
          const issue = toIssue(e, value);
          issues.push({ ...issue, pointer: `/${p.in}/${p.name}${issue.pointer}`, message: `${paramWhere(p)} ${issue.message}` });
        }
      }
    }
    return { valid: issues.length === 0, issues };
  }
}

/** One line per issue: `pointer: message (expected X, found Y)`. */
export function formatIssue(issue: ValidationIssue): string {
  const detail = issue.expected !== undefined || issue.found !== undefined ? ` (expected ${issue.expected ?? '?'}, found ${issue.found ?? '?'})` : '';
  return `${issue.pointer || '/'}: ${issue.message}${detail}`;
}
