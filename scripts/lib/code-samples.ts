// Code samples for the docs site, derived from the spec: for every
// operation one curl command and one TypeScript snippet using our client
// (createSynapseAdminClient from src/index.ts). Nothing here is written per
// operation: path, query and body values come from the examples the spec
// carries, so a spec change changes the samples.
//
// The samples go into a decorated copy of the bundle as `x-codeSamples`
// (Redoc shows them beside each operation); the committed bundle never
// contains them.
import { operationRows } from '../steps/types.ts';
import { operationsOf } from './bundle.ts';
import { pointerGet } from '../../src/json-pointer.ts';

/** The environment variable every sample reads the admin access token from. */
export const TOKEN_ENV = 'SYNAPSE_ADMIN_TOKEN';
/** The module specifier the TypeScript samples import the client from (the package name). */
export const CLIENT_MODULE = 'synapse-admin-openapi';

export interface CodeSample {
  lang: string;
  label: string;
  source: string;
}

/** One concrete request an operation's sample sends, built from the spec's examples. */
export interface SampleRequest {
  operationId: string;
  method: string;
  /** The path template, e.g. `/_synapse/admin/v2/users/{user_id}`. */
  pathTemplate: string;
  /** Raw (not encoded) example values of every path parameter, in template order. */
  pathParams: Record<string, string>;
  /** Example values of the required query parameters, in declaration order. */
  query: Array<[string, string]>;
  /** The same query parameters with their typed example values, for the TypeScript sample. */
  typedQuery: Record<string, unknown>;
  /** The example request body, or undefined when the operation takes none. */
  body?: unknown;
}

class SampleError extends Error {}

function pointer(doc: any, ref: string): any {
  if (!ref.startsWith('#/')) throw new SampleError(`cannot follow the non-local $ref ${ref}`);
  return pointerGet(doc, ref);
}

function deref(doc: any, node: any): any {
  let n = node;
  for (let hops = 0; n && typeof n === 'object' && typeof n.$ref === 'string'; hops++) {
    if (hops > 20) throw new SampleError(`$ref cycle at ${node.$ref}`);
    n = pointer(doc, n.$ref);
  }
  return n;
}

function firstExample(doc: any, holder: any): { found: boolean; value?: unknown } {
  if (!holder || typeof holder !== 'object') return { found: false };
  if ('example' in holder) return { found: true, value: holder.example };
  if (holder.examples && !Array.isArray(holder.examples)) {
    const first = Object.values<any>(holder.examples)[0];
    if (first !== undefined) return { found: true, value: deref(doc, first).value };
  }
  return { found: false };
}

/** The example value of a parameter: its own example(s), else its schema's example, default or first enum value. */
function parameterExample(doc: any, param: any): { found: boolean; value?: unknown } {
  const own = firstExample(doc, param);
  if (own.found) return own;
  const schema = deref(doc, param.schema);
  if (schema && typeof schema === 'object') {
    if ('example' in schema) return { found: true, value: schema.example };
    if (Array.isArray(schema.examples) && schema.examples.length > 0) return { found: true, value: schema.examples[0] };
    if ('default' in schema) return { found: true, value: schema.default };
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return { found: true, value: schema.enum[0] };
  }
  return { found: false };
}

function queryStrings(name: string, value: unknown): Array<[string, string]> {
  // Query parameters use the OpenAPI default style (form, exploded): arrays repeat the key.
  return (Array.isArray(value) ? value : [value]).map((v) => [name, String(v)]);
}

/** Builds the request an operation's samples send, or throws naming the operation and what is missing. */
export function sampleRequest(doc: any, pathTemplate: string, method: string): SampleRequest {
  const item = doc.paths?.[pathTemplate];
  const op = item?.[method.toLowerCase()];
  if (!op) throw new SampleError(`no operation ${method.toUpperCase()} ${pathTemplate} in the spec`);
  const where = `${op.operationId ?? `${method.toUpperCase()} ${pathTemplate}`}`;
  const params = new Map<string, any>();
  // Operation-level parameters override path-level ones with the same name and location.
  for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => deref(doc, p))) {
    params.set(`${p.in}:${p.name}`, p);
  }
  const pathParams: Record<string, string> = {};
  for (const name of [...pathTemplate.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)) {
    const p = params.get(`path:${name}`);
    if (!p) throw new SampleError(`${where}: path parameter {${name}} is not declared`);
    const ex = parameterExample(doc, p);
    if (!ex.found) throw new SampleError(`${where}: path parameter ${name} has no example to build a sample from`);
    pathParams[name] = String(ex.value);
  }
  const query: Array<[string, string]> = [];
  const typedQuery: Record<string, unknown> = {};
  for (const p of params.values()) {
    if (p.in !== 'query' || p.required !== true) continue;
    const ex = parameterExample(doc, p);
    if (!ex.found) throw new SampleError(`${where}: required query parameter ${p.name} has no example to build a sample from`);
    query.push(...queryStrings(p.name, ex.value));
    typedQuery[p.name] = ex.value;
  }
  let body: unknown;
  if (op.requestBody) {
    const rb = deref(doc, op.requestBody);
    const media = rb.content?.['application/json'];
    if (!media) throw new SampleError(`${where}: the request body has no application/json content`);
    let ex = firstExample(doc, media);
    if (!ex.found) ex = firstExample(doc, deref(doc, media.schema));
    if (ex.found) body = ex.value;
    else if (rb.required === true) throw new SampleError(`${where}: the required request body has no example to build a sample from`);
  }
  return { operationId: op.operationId, method: method.toUpperCase(), pathTemplate, pathParams, query, typedQuery, body };
}

/** The base URL of the first server, with its variables at their defaults. */
export function serverUrl(doc: any): string {
  const server = doc.servers?.[0];
  if (!server?.url) throw new SampleError('the spec declares no server to build sample URLs from');
  return String(server.url).replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = server.variables?.[name]?.default;
    if (v === undefined) throw new SampleError(`server variable {${name}} has no default`);
    return String(v);
  });
}

/** The request's URL: path parameters percent-encoded, required query parameters appended. */
export function sampleUrl(baseUrl: string, req: SampleRequest): string {
  const p = req.pathTemplate.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(req.pathParams[name]!));
  const qs = new URLSearchParams(req.query).toString();
  return baseUrl.replace(/\/+$/, '') + p + (qs ? `?${qs}` : '');
}

/** Quotes a string for a POSIX shell (single quotes; embedded ones closed, escaped and reopened). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function curlSample(baseUrl: string, req: SampleRequest): string {
  // The URL gets a line of its own: it is long, and the other lines stay readable.
  const lines = [`curl -X ${req.method}`, shellQuote(sampleUrl(baseUrl, req)), `-H "Authorization: Bearer $${TOKEN_ENV}"`];
  if (req.body !== undefined) {
    lines.push(`-H 'Content-Type: application/json'`, `--data ${shellQuote(JSON.stringify(req.body, null, 2))}`);
  }
  return lines.join(' \\\n  ');
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A single-quoted JavaScript string literal. */
export function tsString(s: string): string {
  return `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

/** A JavaScript literal for a JSON value, with unquoted keys where they are valid identifiers. */
export function tsLiteral(value: unknown, indent = ''): string {
  const next = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => next + tsLiteral(v, next)).join(',\n')},\n${indent}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${next}${IDENT.test(k) ? k : tsString(k)}: ${tsLiteral(v, next)}`).join(',\n')},\n${indent}}`;
  }
  return typeof value === 'string' ? tsString(value) : JSON.stringify(value);
}

/** The argument of a client operation method (`{ path, query, body }`), or undefined when it needs none. */
function clientInit(req: SampleRequest): Record<string, unknown> | undefined {
  const init: Record<string, unknown> = {};
  if (Object.keys(req.pathParams).length > 0) init.path = req.pathParams;
  if (Object.keys(req.typedQuery).length > 0) init.query = req.typedQuery;
  if (req.body !== undefined) init.body = req.body;
  return Object.keys(init).length > 0 ? init : undefined;
}

/** A literal on one line when it is short, spread over lines otherwise. */
function compactLiteral(value: unknown, indent = ''): string {
  const flat = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(flat).join(', ')}]`;
    if (v && typeof v === 'object') {
      const e = Object.entries(v);
      return e.length === 0 ? '{}' : `{ ${e.map(([k, x]) => `${IDENT.test(k) ? k : tsString(k)}: ${flat(x)}`).join(', ')} }`;
    }
    return typeof v === 'string' ? tsString(v) : JSON.stringify(v);
  };
  const one = flat(value);
  return one.length <= 60 ? one : tsLiteral(value, indent);
}

/** The item variable of a pagination loop: `users` gives `user`, anything else `item`. */
function itemName(items: string): string {
  return /^[a-z]+[^s]s$/.test(items) ? items.slice(0, -1) : 'item';
}

/**
 * A TypeScript snippet for the request, using the package's client: the
 * operation's method (`client.getUser({ path: … })`, which resolves to the
 * answer's body and throws a MatrixApiError on an error status) or, for a
 * paginated operation (`pageItems` names its items array), a loop over
 * `client.paginate(…)`.
 */
export function typescriptSample(baseUrl: string, req: SampleRequest, pageItems?: string): string {
  const init = clientInit(req);
  const head = [
    `import { createSynapseAdminClient } from '${CLIENT_MODULE}';`,
    '',
    'const client = createSynapseAdminClient({',
    `  baseUrl: ${tsString(baseUrl)},`,
    `  accessToken: process.env.${TOKEN_ENV} ?? '',`,
    '});',
    '',
  ];
  if (pageItems) {
    const v = itemName(pageItems);
    const args = [tsString(req.operationId), ...(init ? [compactLiteral(init)] : [])].join(', ');
    return [
      ...head,
      '// Fetches page after page (following next_token) until the last one.',
      `for await (const ${v} of client.paginate(${args})) {`,
      `  console.log(${v});`,
      '}',
    ].join('\n');
  }
  return [...head, `const answer = await client.${req.operationId}(${init ? compactLiteral(init) : ''});`, 'console.log(answer);'].join('\n');
}

/** curl and TypeScript samples for one operation. */
export function codeSamplesFor(doc: any, pathTemplate: string, method: string, pageItems?: string): CodeSample[] {
  const base = serverUrl(doc);
  const req = sampleRequest(doc, pathTemplate, method);
  return [
    { lang: 'curl', label: 'curl', source: curlSample(base, req) },
    { lang: 'TypeScript', label: 'TypeScript', source: typescriptSample(base, req, pageItems) },
  ];
}

/** Adds `x-codeSamples` to every operation of `doc`, in place. Returns how many operations got samples. */
export function addCodeSamples(doc: any): number {
  // Which operations page, and through which array, follows the client's own
  // rule (the table it is generated from), so the samples and the client agree.
  const pageItems = new Map(operationRows(doc).map((r) => [r.operationId, r.items]));
  let n = 0;
  for (const { key, path: p, op } of operationsOf(doc)) {
    op['x-codeSamples'] = codeSamplesFor(doc, p, key, pageItems.get(op.operationId));
    n++;
  }
  return n;
}
