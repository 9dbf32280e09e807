// Breaking-change classifier for two bundles (OpenAPI 3.1, 3.0 also read).
// Why this is written here rather than taken from a library: see decision
// G5 in docs/decisions.md (api-smart-diff misclassifies response type
// changes and 3.1 type lists; openapi-diff reads no 3.1).
//
// The rule behind every schema verdict: a request schema may only accept
// more (clients keep sending what they sent), a response schema may only
// promise more (clients keep receiving what they handle). So "narrowed"
// breaks requests and "widened" breaks responses. Removing a field breaks
// both sides (the generated type loses it). Anything this module does not
// understand is reported as breaking, never skipped.
import { pointerGet } from '../../src/json-pointer.ts';

export type Severity = 'breaking' | 'non-breaking';
export type Side = 'operations' | 'requests' | 'responses' | 'schemas';

export interface Change {
  severity: Severity;
  side: Side;
  /** Stable code of the kind of change, e.g. `enum-value-removed`. */
  kind: string;
  /** `GET /path (operationId)`, or `components` for schema-level changes. */
  operation: string;
  /** Where in the operation: `query parameter limit`, `request body /threepids/0/medium`, `response 200 body /name`. */
  where: string;
  message: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

/** Keywords that change no validation outcome: changing them is never reported. */
const ANNOTATIONS = new Set(['title', 'description', 'example', 'examples', 'externalDocs', '$comment', 'xml', 'discriminator', 'deprecated', 'summary', '$schema', '$id']);

/** Keywords the schema comparison understands. Any other keyword that changes is reported as unclassified (breaking). */
const UNDERSTOOD = new Set([
  'type', 'nullable', 'enum', 'const', 'format', 'pattern', 'properties', 'required', 'additionalProperties', 'items', 'propertyNames',
  'dependentRequired', 'allOf', 'anyOf', 'oneOf', 'not', 'default', 'readOnly', 'writeOnly', '$ref',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'multipleOf', 'uniqueItems',
]);

type Direction = 'request' | 'response';
type Effect = 'narrowed' | 'widened' | 'changed' | 'removed';

const show = (v: unknown) => JSON.stringify(v);
const isObj = (v: unknown): v is Record<string, any> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
const sameJson = (a: unknown, b: unknown) => show(canonical(a)) === show(canonical(b));

function canonical(v: any): any {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObj(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}

// $ref values are URI fragments: percent-decode them, then read the JSON pointer.
const refGet = (doc: any, ref: string): any => pointerGet(doc, decodeURIComponent(ref));

/** Follows local $refs; the last ref followed names the component (for messages and cycle checks). */
function resolve(doc: any, node: any): { node: any; ref?: string } {
  let n = node;
  let ref: string | undefined;
  for (let i = 0; i < 50 && isObj(n) && typeof n.$ref === 'string'; i++) {
    if (!n.$ref.startsWith('#')) throw new Error(`external $ref ${n.$ref} is not supported: diff bundled files`);
    ref = n.$ref;
    const target = refGet(doc, n.$ref);
    if (target === undefined) throw new Error(`$ref ${n.$ref} points nowhere`);
    // 3.1 allows siblings next to $ref: they apply together with the target.
    const { $ref: _r, ...siblings } = n;
    n = Object.keys(siblings).length > 0 && isObj(target) ? { allOf: [target], ...siblings } : target;
  }
  return { node: n, ref };
}

/** allOf merged into one schema (properties and required united, other keywords: the last one wins). */
function flatten(doc: any, schema: any): any {
  const { node } = resolve(doc, schema);
  if (!isObj(node) || !Array.isArray(node.allOf)) return node;
  const { allOf, ...own } = node;
  const parts = [...allOf.map((p: any) => flatten(doc, p)), own];
  const merged: any = {};
  for (const p of parts) {
    if (!isObj(p)) continue;
    for (const [k, v] of Object.entries(p)) {
      if (k === 'properties') merged.properties = { ...merged.properties, ...v };
      else if (k === 'required') merged.required = [...new Set([...(merged.required ?? []), ...(v as string[])])];
      else merged[k] = v;
    }
  }
  return merged;
}

/** The JSON types a schema admits (undefined: any). Folds nullable (3.0) and const/enum-only schemas. */
function typesOf(s: any): Set<string> | undefined {
  let types: string[] | undefined = s.type === undefined ? undefined : Array.isArray(s.type) ? [...s.type] : [s.type];
  if (types && s.nullable === true) types.push('null');
  return types ? new Set(types) : undefined;
}

function enumOf(s: any): unknown[] | undefined {
  if ('const' in s) return [s.const];
  return Array.isArray(s.enum) ? s.enum : undefined;
}

const covers = (set: Set<string>, t: string) => set.has(t) || (t === 'integer' && set.has('number'));

/** What a bound change does: `lower` bounds (minimum, minLength…) narrow when raised. */
function boundEffect(before: number | undefined, after: number | undefined, lower: boolean): Effect | undefined {
  if (before === after) return undefined;
  if (before === undefined) return 'narrowed';
  if (after === undefined) return 'widened';
  return (lower ? after > before : after < before) ? 'narrowed' : 'widened';
}

const LOWER_BOUNDS = ['minimum', 'minLength', 'minItems', 'minProperties'];
const UPPER_BOUNDS = ['maximum', 'maxLength', 'maxItems', 'maxProperties'];

export interface DiffContext {
  before: any;
  after: any;
}

class Collector {
  readonly changes: Change[] = [];
  add(c: Change) {
    this.changes.push(c);
  }
}

/** The severity of a schema effect in a request or a response. */
function severityOf(effect: Effect, dir: Direction): Severity {
  if (effect === 'changed' || effect === 'removed') return 'breaking';
  return (dir === 'request') === (effect === 'narrowed') ? 'breaking' : 'non-breaking';
}

interface SchemaSite {
  dir: Direction;
  operation: string;
  /** e.g. `request body`, `response 200 body`, `query parameter limit`. */
  label: string;
}

function compareSchema(ctx: DiffContext, out: Collector, site: SchemaSite, beforeRaw: any, afterRaw: any, at: string, seen: Set<string>): void {
  const b0 = resolve(ctx.before, beforeRaw);
  const a0 = resolve(ctx.after, afterRaw);
  const key = `${b0.ref ?? ''}|${a0.ref ?? ''}|${at}`;
  if ((b0.ref || a0.ref) && seen.has(key)) return;
  seen.add(key);
  const b = flatten(ctx.before, beforeRaw);
  const a = flatten(ctx.after, afterRaw);
  const where = `${site.label}${at ? ` ${at}` : ''}`;
  const report = (effect: Effect, kind: string, message: string) =>
    out.add({ severity: severityOf(effect, site.dir), side: site.dir === 'request' ? 'requests' : 'responses', kind, operation: site.operation, where, message });

  if (b === true || a === true || b === undefined || a === undefined || !isObj(b) || !isObj(a)) {
    if (!sameJson(b, a)) report('changed', 'schema-replaced', `schema changed from ${show(b)?.slice(0, 60)} to ${show(a)?.slice(0, 60)}`);
    return;
  }

  // Types (with nullable), then enum/const.
  const tb = typesOf(b);
  const ta = typesOf(a);
  if (tb || ta) {
    const removed = tb ? [...tb].filter((t) => !ta || !covers(ta, t)) : ['any type but the listed ones'];
    const added = ta ? [...ta].filter((t) => !tb || !covers(tb, t)) : ['any type'];
    if (!tb) report('narrowed', 'type-narrowed', `now only ${[...ta!].join(' | ')} (was any type)`);
    else if (!ta) report('widened', 'type-widened', `now any type (was ${[...tb].join(' | ')})`);
    else {
      if (removed.length) report('narrowed', removed.includes('null') && removed.length === 1 ? 'null-removed' : 'type-narrowed', `no longer ${removed.join(' or ')} (now ${[...ta].join(' | ')})`);
      if (added.length) report('widened', added.includes('null') && added.length === 1 ? 'null-added' : 'type-widened', `may now be ${added.join(' or ')} (was ${[...tb].join(' | ')})`);
    }
  }
  const eb = enumOf(b);
  const ea = enumOf(a);
  if (eb && ea) {
    const gone = eb.filter((v) => !ea.some((w) => sameJson(v, w)));
    const fresh = ea.filter((v) => !eb.some((w) => sameJson(v, w)));
    if (gone.length) report('narrowed', 'enum-value-removed', `value${gone.length > 1 ? 's' : ''} ${gone.map(show).join(', ')} no longer allowed`);
    if (fresh.length) report('widened', 'enum-value-added', `new value${fresh.length > 1 ? 's' : ''} ${fresh.map(show).join(', ')}`);
  } else if (eb && !ea) report('widened', 'enum-removed', `no longer limited to ${eb.map(show).join(', ')}`);
  else if (!eb && ea) report('narrowed', 'enum-added', `now limited to ${ea.map(show).join(', ')}`);

  // Bounds and string rules.
  for (const k of LOWER_BOUNDS) {
    const e = boundEffect(b[k], a[k], true);
    if (e) report(e, `${k}-changed`, `${k} ${b[k] ?? 'none'} -> ${a[k] ?? 'none'}`);
  }
  for (const k of UPPER_BOUNDS) {
    const e = boundEffect(b[k], a[k], false);
    if (e) report(e, `${k}-changed`, `${k} ${b[k] ?? 'none'} -> ${a[k] ?? 'none'}`);
  }
  for (const k of ['exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'uniqueItems', 'not']) {
    if (!sameJson(b[k], a[k])) report(b[k] === undefined ? 'narrowed' : a[k] === undefined ? 'widened' : 'changed', `${k}-changed`, `${k} ${show(b[k]) ?? 'none'} -> ${show(a[k]) ?? 'none'}`);
  }
  for (const k of ['pattern', 'format']) {
    if (b[k] !== a[k]) {
      const effect: Effect = b[k] === undefined ? 'narrowed' : a[k] === undefined ? 'widened' : 'changed';
      report(effect, `${k}-changed`, `${k} ${show(b[k]) ?? 'none'} -> ${show(a[k]) ?? 'none'}`);
    }
  }
  if (!sameJson(b.default, a.default) && site.dir === 'request') {
    report('changed', 'default-changed', `default ${show(b.default) ?? 'none'} -> ${show(a.default) ?? 'none'}: the same request now means something else`);
  }
  for (const k of ['readOnly', 'writeOnly']) {
    if (Boolean(b[k]) !== Boolean(a[k])) report('changed', `${k}-changed`, `${k} ${Boolean(b[k])} -> ${Boolean(a[k])}`);
  }

  // Objects.
  const pb: Record<string, any> = isObj(b.properties) ? b.properties : {};
  const pa: Record<string, any> = isObj(a.properties) ? a.properties : {};
  const rb = new Set<string>(Array.isArray(b.required) ? b.required : []);
  const ra = new Set<string>(Array.isArray(a.required) ? a.required : []);
  for (const name of Object.keys(pb)) {
    if (!(name in pa)) report('removed', 'property-removed', `field "${name}" removed`);
  }
  for (const name of Object.keys(pa)) {
    if (!(name in pb)) {
      if (ra.has(name) && site.dir === 'request') report('narrowed', 'required-property-added', `new required field "${name}"`);
      else report(site.dir === 'request' ? 'widened' : 'narrowed', 'property-added', `new ${ra.has(name) ? 'required' : 'optional'} field "${name}"`);
    }
  }
  for (const name of ra) if (!rb.has(name) && name in pb) report('narrowed', 'property-became-required', `field "${name}" is now required`);
  for (const name of rb) if (!ra.has(name) && name in pa) report('widened', 'property-became-optional', `field "${name}" is now optional`);
  for (const name of rb) if (!ra.has(name) && !(name in pa) && !(name in pb)) report('widened', 'property-became-optional', `field "${name}" is no longer required`);
  for (const name of ra) if (!rb.has(name) && !(name in pa) && !(name in pb)) report('narrowed', 'property-became-required', `field "${name}" is now required`);
  for (const name of Object.keys(pb)) {
    if (name in pa) compareSchema(ctx, out, site, pb[name], pa[name], `${at}/${name}`, seen);
  }
  const apb = b.additionalProperties;
  const apa = a.additionalProperties;
  if (!sameJson(apb, apa)) {
    const closedB = apb === false;
    const closedA = apa === false;
    if (!closedB && closedA) report('narrowed', 'additional-properties-closed', 'no longer accepts fields it does not list');
    else if (closedB && !closedA) report('widened', 'additional-properties-opened', 'now accepts fields it does not list');
    else if (isObj(apb) && isObj(apa)) compareSchema(ctx, out, site, apb, apa, `${at}/*`, seen);
    else if (isObj(apb) && apa === undefined) report('widened', 'additional-properties-opened', 'map values are no longer constrained');
    else if (apb === undefined && isObj(apa)) report('narrowed', 'additional-properties-constrained', 'map values are now constrained');
    else report('changed', 'additional-properties-changed', `additionalProperties ${show(apb)} -> ${show(apa)}`);
  }
  if (b.propertyNames || a.propertyNames) {
    if (b.propertyNames && a.propertyNames) compareSchema(ctx, out, site, b.propertyNames, a.propertyNames, `${at}/(keys)`, seen);
    else report(a.propertyNames ? 'narrowed' : 'widened', 'property-names-changed', a.propertyNames ? 'map keys are now constrained' : 'map keys are no longer constrained');
  }
  const db: Record<string, string[]> = b.dependentRequired ?? {};
  const da: Record<string, string[]> = a.dependentRequired ?? {};
  for (const [k, needs] of Object.entries(da)) {
    const extra = needs.filter((n) => !(db[k] ?? []).includes(n));
    if (extra.length) report('narrowed', 'dependent-required-added', `"${k}" now needs ${extra.map((x) => `"${x}"`).join(', ')}`);
  }
  for (const [k, needs] of Object.entries(db)) {
    const gone = needs.filter((n) => !(da[k] ?? []).includes(n));
    if (gone.length) report('widened', 'dependent-required-removed', `"${k}" no longer needs ${gone.map((x) => `"${x}"`).join(', ')}`);
  }

  // Arrays.
  if (b.items !== undefined || a.items !== undefined) {
    if (b.items !== undefined && a.items !== undefined) compareSchema(ctx, out, site, b.items, a.items, `${at}/[]`, seen);
    else report(a.items ? 'narrowed' : 'widened', 'items-changed', a.items ? 'list items are now constrained' : 'list items are no longer constrained');
  }

  // Alternatives, compared branch by branch in order.
  for (const k of ['anyOf', 'oneOf']) {
    const xb: any[] = Array.isArray(b[k]) ? b[k] : [];
    const xa: any[] = Array.isArray(a[k]) ? a[k] : [];
    if (xb.length === 0 && xa.length === 0) continue;
    if (xb.length === 0 || xa.length === 0) {
      report('changed', `${k}-changed`, `${k} ${xb.length === 0 ? 'added' : 'removed'}`);
      continue;
    }
    for (let i = 0; i < Math.min(xb.length, xa.length); i++) compareSchema(ctx, out, site, xb[i], xa[i], `${at}/(${k} ${i + 1})`, seen);
    if (xa.length > xb.length) report('widened', `${k}-branch-added`, `${xa.length - xb.length} more alternative(s)`);
    if (xa.length < xb.length) report('narrowed', `${k}-branch-removed`, `${xb.length - xa.length} alternative(s) fewer`);
  }

  // Anything else: not understood, so not assumed harmless.
  const keys = new Set([...Object.keys(b), ...Object.keys(a)]);
  for (const k of keys) {
    if (UNDERSTOOD.has(k) || ANNOTATIONS.has(k) || k.startsWith('x-')) continue;
    if (!sameJson(b[k], a[k])) report('changed', 'unclassified', `"${k}" changed from ${show(b[k]) ?? 'none'} to ${show(a[k]) ?? 'none'}; review by hand`);
  }
}

interface OperationRef {
  key: string;
  method: string;
  path: string;
  op: any;
  pathItem: any;
}

/** Operations keyed by method and path shape (path parameter names do not matter to a client). */
function operationsOf(doc: any): Map<string, OperationRef> {
  const ops = new Map<string, OperationRef>();
  for (const [p, rawItem] of Object.entries<any>(doc.paths ?? {})) {
    const item = resolve(doc, rawItem).node ?? {};
    for (const m of METHODS) {
      if (!item[m]) continue;
      const key = `${m.toUpperCase()} ${p.replace(/\{[^}]+\}/g, '{}')}`;
      ops.set(key, { key, method: m.toUpperCase(), path: p, op: item[m], pathItem: item });
    }
  }
  return ops;
}

const label = (o: OperationRef) => `${o.method} ${o.path}${o.op.operationId ? ` (${o.op.operationId})` : ''}`;

function parametersOf(doc: any, o: OperationRef): Map<string, any> {
  const params = new Map<string, any>();
  const pathNames = [...o.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  for (const raw of [...(o.pathItem.parameters ?? []), ...(o.op.parameters ?? [])]) {
    const p = resolve(doc, raw).node;
    if (!isObj(p)) continue;
    // Path parameters are matched by position: renaming one changes nothing for a client.
    const key = p.in === 'path' ? `path #${pathNames.indexOf(p.name) + 1}` : `${p.in} ${p.name}`;
    params.set(key, p);
  }
  return params;
}

function jsonContent(doc: any, node: any): Record<string, any> {
  const n = resolve(doc, node).node;
  return isObj(n?.content) ? n.content : {};
}

function compareOperation(ctx: DiffContext, out: Collector, b: OperationRef, a: OperationRef): void {
  const operation = label(a);
  const add = (severity: Severity, side: Side, kind: string, where: string, message: string) => out.add({ severity, side, kind, operation, where, message });
  if (b.op.operationId !== a.op.operationId) {
    add('breaking', 'operations', 'operation-id-changed', 'operationId', `renamed from "${b.op.operationId}" to "${a.op.operationId}": generated client methods change name`);
  }
  if (!b.op.deprecated && a.op.deprecated) add('non-breaking', 'operations', 'operation-deprecated', 'operation', 'now deprecated');
  if (b.op.deprecated && !a.op.deprecated) add('non-breaking', 'operations', 'operation-undeprecated', 'operation', 'no longer deprecated');
  const secB = b.op.security ?? ctx.before.security ?? [];
  const secA = a.op.security ?? ctx.after.security ?? [];
  if (!sameJson(secB, secA)) add('breaking', 'requests', 'security-changed', 'security', `security requirements changed from ${show(secB)} to ${show(secA)}`);

  // Parameters.
  const pb = parametersOf(ctx.before, b);
  const pa = parametersOf(ctx.after, a);
  for (const [key, p] of pb) {
    const q = pa.get(key);
    const where = `${p.in} parameter ${p.name}`;
    if (!q) {
      add('breaking', 'requests', 'parameter-removed', where, 'parameter removed');
      continue;
    }
    if (!p.required && q.required) add('breaking', 'requests', 'parameter-became-required', where, 'now required');
    if (p.required && !q.required) add('non-breaking', 'requests', 'parameter-became-optional', where, 'now optional');
    for (const k of ['style', 'explode', 'allowReserved']) {
      if (p[k] !== q[k]) add('breaking', 'requests', 'parameter-serialization-changed', where, `${k} ${show(p[k]) ?? 'default'} -> ${show(q[k]) ?? 'default'}`);
    }
    compareSchema(ctx, out, { dir: 'request', operation, label: where }, p.schema ?? {}, q.schema ?? {}, '', new Set());
  }
  for (const [key, q] of pa) {
    if (pb.has(key)) continue;
    const where = `${q.in} parameter ${q.name}`;
    if (q.required) add('breaking', 'requests', 'required-parameter-added', where, 'new required parameter');
    else add('non-breaking', 'requests', 'optional-parameter-added', where, 'new optional parameter');
  }

  // Request body.
  const bodyB = resolve(ctx.before, b.op.requestBody).node;
  const bodyA = resolve(ctx.after, a.op.requestBody).node;
  if (bodyB && !bodyA) add('breaking', 'requests', 'request-body-removed', 'request body', 'the operation no longer takes a body');
  else if (!bodyB && bodyA) {
    if (bodyA.required) add('breaking', 'requests', 'request-body-added', 'request body', 'a body is now required');
    else add('non-breaking', 'requests', 'request-body-added', 'request body', 'accepts an optional body');
  } else if (bodyB && bodyA) {
    if (!bodyB.required && bodyA.required) add('breaking', 'requests', 'request-body-became-required', 'request body', 'the body is now required');
    if (bodyB.required && !bodyA.required) add('non-breaking', 'requests', 'request-body-became-optional', 'request body', 'the body is now optional');
    const cb = jsonContent(ctx.before, bodyB);
    const ca = jsonContent(ctx.after, bodyA);
    for (const media of Object.keys(cb)) {
      if (!(media in ca)) add('breaking', 'requests', 'request-media-type-removed', 'request body', `${media} is no longer accepted`);
      else compareSchema(ctx, out, { dir: 'request', operation, label: `request body${Object.keys(cb).length > 1 ? ` (${media})` : ''}` }, cb[media].schema ?? {}, ca[media].schema ?? {}, '', new Set());
    }
    for (const media of Object.keys(ca)) if (!(media in cb)) add('non-breaking', 'requests', 'request-media-type-added', 'request body', `${media} is now accepted too`);
  }

  // Responses.
  const rsB: Record<string, any> = b.op.responses ?? {};
  const rsA: Record<string, any> = a.op.responses ?? {};
  for (const status of Object.keys(rsB)) {
    const where = `response ${status}`;
    if (!(status in rsA)) {
      add('breaking', 'responses', 'response-status-removed', where, `status ${status} is no longer described`);
      continue;
    }
    const cb = jsonContent(ctx.before, rsB[status]);
    const ca = jsonContent(ctx.after, rsA[status]);
    for (const media of Object.keys(cb)) {
      if (!(media in ca)) add('breaking', 'responses', 'response-media-type-removed', where, `no longer answers ${media}`);
      else compareSchema(ctx, out, { dir: 'response', operation, label: `response ${status} body${Object.keys(cb).length > 1 ? ` (${media})` : ''}` }, cb[media].schema ?? {}, ca[media].schema ?? {}, '', new Set());
    }
    for (const media of Object.keys(ca)) if (!(media in cb)) add(Object.keys(cb).length === 0 ? 'non-breaking' : 'breaking', 'responses', 'response-media-type-added', where, `may now answer ${media}`);
    const hb: Record<string, any> = resolve(ctx.before, rsB[status]).node?.headers ?? {};
    const ha: Record<string, any> = resolve(ctx.after, rsA[status]).node?.headers ?? {};
    for (const h of Object.keys(hb)) if (!(h in ha)) add('breaking', 'responses', 'response-header-removed', where, `header ${h} is no longer sent`);
    for (const h of Object.keys(ha)) if (!(h in hb)) add('non-breaking', 'responses', 'response-header-added', where, `new header ${h}`);
  }
  for (const status of Object.keys(rsA)) {
    if (!(status in rsB)) add('non-breaking', 'responses', 'response-status-added', `response ${status}`, `status ${status} is now described`);
  }
}

/** Every change between two bundles, classified. */
export function diffSpecs(before: any, after: any): Change[] {
  for (const [name, doc] of [['old', before], ['new', after]] as const) {
    if (!isObj(doc) || typeof doc.openapi !== 'string' || !/^3\.[01]\./.test(doc.openapi)) {
      throw new Error(`the ${name} document is not OpenAPI 3.0 or 3.1 (openapi: ${show(isObj(doc) ? doc.openapi : undefined)})`);
    }
  }
  const ctx: DiffContext = { before, after };
  const out = new Collector();
  const ob = operationsOf(before);
  const oa = operationsOf(after);
  for (const [key, b] of ob) {
    const a = oa.get(key);
    if (!a) out.add({ severity: 'breaking', side: 'operations', kind: 'operation-removed', operation: label(b), where: 'operation', message: 'operation removed' });
    else compareOperation(ctx, out, b, a);
  }
  for (const [key, a] of oa) {
    if (!ob.has(key)) out.add({ severity: 'non-breaking', side: 'operations', kind: 'operation-added', operation: label(a), where: 'operation', message: 'new operation' });
  }
  // Named schemas are part of the generated types people import (components['schemas']['User']).
  const sb: Record<string, any> = before.components?.schemas ?? {};
  const sa: Record<string, any> = after.components?.schemas ?? {};
  for (const name of Object.keys(sb)) {
    if (!(name in sa)) out.add({ severity: 'breaking', side: 'schemas', kind: 'schema-removed', operation: 'components', where: `schema ${name}`, message: 'named schema removed: the generated type of that name disappears' });
  }
  for (const name of Object.keys(sa)) {
    if (!(name in sb)) out.add({ severity: 'non-breaking', side: 'schemas', kind: 'schema-added', operation: 'components', where: `schema ${name}`, message: 'new named schema' });
  }
  return out.changes;
}

const SIDES: Array<[Side, string]> = [
  ['operations', 'Operations'],
  ['requests', 'Requests'],
  ['responses', 'Responses'],
  ['schemas', 'Named schemas'],
];

/** The human-readable report: breaking first, each by side, then by operation. */
export function formatChanges(changes: Change[], against: string): string {
  const lines: string[] = [];
  for (const severity of ['breaking', 'non-breaking'] as const) {
    const list = changes.filter((c) => c.severity === severity);
    lines.push(`${severity === 'breaking' ? 'Breaking' : 'Non-breaking'} changes: ${list.length === 0 ? 'none' : list.length}`);
    for (const [side, title] of SIDES) {
      const bySide = list.filter((c) => c.side === side);
      if (bySide.length === 0) continue;
      lines.push(`  ${title}:`);
      for (const operation of [...new Set(bySide.map((c) => c.operation))]) {
        lines.push(`    ${operation}`);
        for (const c of bySide.filter((x) => x.operation === operation)) lines.push(`      ${c.where}: ${c.message} [${c.kind}]`);
      }
    }
  }
  const breaking = changes.filter((c) => c.severity === 'breaking').length;
  lines.push(`Compared with ${against}: ${breaking} breaking, ${changes.length - breaking} non-breaking.`);
  return lines.join('\n');
}
