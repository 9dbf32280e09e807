// Shared by the e2e tests: where the mock is, raw HTTP with exact paths,
// and, derived from the spec for every operation, a valid request and a
// set of invalid ones with the Matrix error each must produce.
import http from 'node:http';
import { inject } from 'vitest';
import { readFileSync } from 'node:fs';
import { BUNDLE_DEREF } from '../../scripts/lib/paths.ts';
import { SynapseAdminValidator, type OperationInfo } from '../../src/validation.ts';
import { bundle, deref } from '../helpers/spec.ts';

export const validator = new SynapseAdminValidator(bundle);
const dereferenced: any = JSON.parse(readFileSync(BUNDLE_DEREF, 'utf8'));

export function mockUrl(): string {
  const url = inject('mockUrl');
  if (!url) throw new Error('the shared mock was not started: run these tests through vitest with test/setup/mock-global-setup.ts');
  return url;
}

export const mockToken = () => inject('mockToken');

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/** One HTTP request with the path sent exactly as given (no URL normalisation). */
export function rawRequest(base: string, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; agent?: http.Agent }): Promise<RawAnswer> {
  const url = new URL(base);
  // An explicit length: Node's client does not frame a body on HEAD by itself.
  const headers = opts.body === undefined ? opts.headers : { 'content-length': String(Buffer.byteLength(opts.body)), ...opts.headers };
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method: opts.method ?? 'GET', path: opts.path, headers, agent: opts.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: any;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

function parametersOf(op: OperationInfo): any[] {
  const item = bundle.paths[op.path];
  return [...(item.parameters ?? []), ...(item[op.method.toLowerCase()].parameters ?? [])].map((p: any) => deref(p));
}

function exampleOf(param: any): string {
  const value = param.example ?? deref(param.schema)?.example;
  if (value === undefined) throw new Error(`parameter "${param.name}" has no example to build a request from`);
  return String(value);
}

/** The first example of a response or request body content, or undefined. */
function firstExample(content: any): unknown {
  const examples = content?.examples ?? {};
  const first = Object.values<any>(examples)[0];
  if (first !== undefined) return deref(first).value;
  return content?.example;
}

export interface ValidRequest {
  op: OperationInfo;
  /** Decoded path parameters. */
  path: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  /** The status a plain request gets: the lowest 2xx the operation declares (what Prism answers). */
  status: number;
  /** The example Prism serves for that status, when the spec has one. */
  example: unknown;
}

/** A valid request for the operation, built from the spec's parameter and body examples. */
export function validRequest(op: OperationInfo): ValidRequest {
  const node = bundle.paths[op.path][op.method.toLowerCase()];
  const path: Record<string, string> = {};
  const query: Record<string, string> = {};
  for (const p of parametersOf(op)) {
    if (p.in === 'path') path[p.name] = exampleOf(p);
    else if (p.in === 'query' && p.required) query[p.name] = exampleOf(p);
  }
  let body: unknown;
  if (op.hasRequestBody) {
    body = firstExample(deref(node.requestBody).content?.['application/json']);
    if (body === undefined && op.requestBodyRequired) throw new Error(`${op.operationId} needs a request body example`);
  }
  const status = op.statusCodes.filter((s) => /^2\d\d$/.test(s)).sort()[0];
  if (!status) throw new Error(`${op.operationId} declares no 2xx answer`);
  const example = firstExample(deref(node.responses[status])?.content?.['application/json']);
  return { op, path, query, body, status: Number(status), example };
}

/** The URL path with every path parameter put in as is (raw Matrix IDs). */
export function rawPath(op: OperationInfo, path: Record<string, string>): string {
  return op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => path[name]!);
}

export function encodedPath(op: OperationInfo, path: Record<string, string>): string {
  return op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(path[name]!));
}

export interface InvalidCase {
  name: string;
  errcode: 'M_NOT_JSON' | 'M_BAD_JSON' | 'M_MISSING_PARAM' | 'M_INVALID_PARAM';
  /** A word the error message must contain (the field or parameter concerned). */
  mentions: string;
  path?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** Replaces the JSON body the client would send. */
  bodyText?: string;
  /** Replaces the request path the client would send (for encodings a client cannot produce). */
  rawPath?: string;
}

const CANDIDATES: unknown[] = ['text', 12345, 1.5, true, ['a'], { a: 1 }];

function jsonTypes(value: unknown): string[] {
  if (Array.isArray(value)) return ['array'];
  if (value === null) return ['null'];
  if (typeof value === 'number') return Number.isInteger(value) ? ['integer', 'number'] : ['number'];
  return [typeof value];
}

/** A value of a JSON type the schema does not allow, or undefined if it has no plain `type`. */
function wrongValueFor(schema: any): unknown {
  const types: string[] | undefined = typeof schema?.type === 'string' ? [schema.type] : Array.isArray(schema?.type) ? schema.type : undefined;
  if (!types) return undefined;
  return CANDIDATES.find((v) => !jsonTypes(v).some((t) => types.includes(t)));
}

/** Every kind of invalid input the operation's description makes possible, one of each. */
export function invalidCases(req: ValidRequest): InvalidCase[] {
  const { op } = req;
  const cases: InvalidCase[] = [];
  const params = parametersOf(op);
  const derefNode = dereferenced.paths[op.path][op.method.toLowerCase()];
  if (op.hasRequestBody) {
    cases.push({ name: 'malformed JSON body', errcode: 'M_NOT_JSON', mentions: 'JSON', bodyText: '{"oops": ' });
    const schema = derefNode.requestBody.content['application/json'].schema;
    const props = Object.entries<any>(schema.properties ?? {});
    const typed = props.find(([, s]) => wrongValueFor(s) !== undefined);
    if (typed) {
      const base = req.body && typeof req.body === 'object' ? req.body : {};
      cases.push({ name: `body field "${typed[0]}" of the wrong type`, errcode: 'M_BAD_JSON', mentions: `/${typed[0]}`, body: { ...base, [typed[0]]: wrongValueFor(typed[1]) } });
    }
    const required: string[] = schema.required ?? [];
    if (required.length > 0 && req.body && typeof req.body === 'object') {
      const { [required[0]!]: _dropped, ...rest } = req.body as Record<string, unknown>;
      cases.push({ name: `body without required field "${required[0]}"`, errcode: 'M_MISSING_PARAM', mentions: required[0]!, body: rest });
    }
  }
  const requiredQuery = params.find((p) => p.in === 'query' && p.required);
  if (requiredQuery) {
    const { [requiredQuery.name]: _dropped, ...rest } = req.query;
    cases.push({ name: `missing query parameter "${requiredQuery.name}"`, errcode: 'M_MISSING_PARAM', mentions: requiredQuery.name, query: rest });
  }
  const checkedQuery = params.find((p) => p.in === 'query' && (deref(p.schema).enum || ['integer', 'boolean', 'number'].includes(deref(p.schema).type)));
  if (checkedQuery) {
    cases.push({ name: `query parameter "${checkedQuery.name}" out of range`, errcode: 'M_INVALID_PARAM', mentions: checkedQuery.name, query: { ...req.query, [checkedQuery.name]: 'not-a-valid-value' } });
  }
  const checkedPath = params.find((p) => p.in === 'path' && (deref(p.schema).pattern || deref(p.schema).enum));
  if (checkedPath) {
    cases.push({ name: `path parameter "${checkedPath.name}" malformed`, errcode: 'M_INVALID_PARAM', mentions: checkedPath.name, path: { ...req.path, [checkedPath.name]: 'not-valid' } });
  }
  const anyPath = params.find((p) => p.in === 'path');
  if (cases.length === 0 && anyPath) {
    // Only free-form path parameters: the one invalid input left is a broken percent-encoding.
    const broken = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => (name === anyPath.name ? '%E0%A4%A' : encodeURIComponent(req.path[name]!)));
    cases.push({ name: `path parameter "${anyPath.name}" not valid percent-encoding`, errcode: 'M_INVALID_PARAM', mentions: 'percent-encoded', rawPath: broken });
  }
  return cases;
}

export const operations = validator.operations();
