// Every conformance case as plain data, for any validator to check:
//   - fixtures: the JSON examples of every docs era (test/fixtures/docs-examples),
//   - spec examples: the `example`/`examples` of request and response bodies in the bundle,
//   - mutations: each valid body broken in one constrained place.
// Each case names the schema by a JSON pointer into generated/openapi.json
// (`schemaPointer`; its `$ref`s resolve against that same document) and says
// whether the instance must validate. Nothing here runs a validator: the
// expectations come from the manifest and the decision tables in
// conformance-known.ts, so another implementation (e.g. Python's
// jsonschema) can be compared with ajv on exactly the same data.
//
// `conformanceCases()` returns body cases; `valueCases()` returns the
// examples placed on schema nodes and parameters (not bodies, so they have
// no operation/role). Both are deterministic: same repository, same output.
import { readFileSync } from 'node:fs';
import { BUNDLE_JSON } from './paths.ts';
import { DOC_SOURCES, FIXTURES_DIR, loadFixture, loadManifest, type DocBlock, type Manifest } from './docs-examples.ts';
import { KNOWN_DIFFERENCES, MUTATION_SURVIVORS, REASONS, type KnownDifference } from './conformance-known.ts';
import { escapePointer, mutationsOf, pointerGet, type Mutation } from './conformance-mutations.ts';
import { HTTP_METHODS, operationsOf } from '../../src/spec.ts';

export interface ConformanceCase {
  id: string;
  kind: 'fixture' | 'spec-example' | 'mutation';
  operationId: string;
  role: 'request' | 'response';
  status?: number;
  /** JSON pointer into generated/openapi.json of the schema to validate against. */
  schemaPointer: string;
  instance: unknown;
  expectValid: boolean;
  reason?: string;
}

export interface ValueCase {
  id: string;
  kind: 'schema-example' | 'parameter-example';
  schemaPointer: string;
  instance: unknown;
  expectValid: true;
}


export function loadBundle(file = BUNDLE_JSON): any {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Follows a `$ref` chain; returns the node and the pointer it lives at. */
function derefWithPointer(doc: any, node: any, pointer: string): { node: any; pointer: string } {
  let n = node;
  let p = pointer;
  while (n && typeof n.$ref === 'string' && n.$ref.startsWith('#/')) {
    p = n.$ref.slice(1);
    n = pointerGet(doc, p);
  }
  return { node: n, pointer: p };
}

export interface BodyTarget {
  operationId: string;
  method: string;
  path: string;
  role: 'request' | 'response';
  status?: number;
  /** Pointer of the `application/json` media type object. */
  mediaPointer: string;
  schemaPointer: string;
  /** Name of the schema for reports: the component name, or `<operationId> <status|request>` for inline ones. */
  schemaKey: string;
}

/** Every request and response body of the bundle with a JSON schema, in document order. */
export function bodyTargets(doc: any): BodyTarget[] {
  const out: BodyTarget[] = [];
  for (const { key: m, path: p, op } of operationsOf(doc)) {
    const opPtr = `/paths/${escapePointer(p)}/${m}`;
    const add = (role: 'request' | 'response', holder: any, holderPtr: string, status?: number) => {
      const { node, pointer } = derefWithPointer(doc, holder, holderPtr);
      const media = node?.content?.['application/json'];
      if (!media?.schema) return;
      const mediaPointer = `${pointer}/content/application~1json`;
      const schema = media.schema;
      const componentRef = typeof schema.$ref === 'string' && Object.keys(schema).length === 1 && schema.$ref.startsWith('#/components/schemas/');
      out.push({
        operationId: op.operationId,
        method: m.toUpperCase(),
        path: p,
        role,
        ...(status !== undefined ? { status } : {}),
        mediaPointer,
        schemaPointer: `${mediaPointer}/schema`,
        schemaKey: componentRef ? schema.$ref.slice('#/components/schemas/'.length) : `${op.operationId} ${status ?? 'request'}`,
      });
    };
    if (op.requestBody) add('request', op.requestBody, `${opPtr}/requestBody`);
    for (const [code, resp] of Object.entries<any>(op.responses ?? {})) {
      if (/^\d{3}$/.test(code)) add('response', resp, `${opPtr}/responses/${code}`, Number(code));
    }
  }
  return out;
}

export function findTarget(targets: BodyTarget[], operationId: string, role: 'request' | 'response', status?: number | null): BodyTarget | undefined {
  return targets.find((t) => t.operationId === operationId && t.role === role && (role === 'request' || t.status === status));
}

// ---------------------------------------------------------------------------
// Fixtures

export interface FixtureEntry {
  /** Case id: `fixture:<block id>`, plus `@<operationId>` for the extra operations of a shared example. */
  id: string;
  block: DocBlock;
  operationId: string;
  role: 'request' | 'response';
  status?: number;
  instance: unknown;
  /** Undefined when the operation declares no body of that kind (only the empty object `{}` is then acceptable). */
  target?: BodyTarget;
  known?: KnownDifference;
}

/** One entry per (usable fixture, operation it documents), in manifest order. */
export function fixtureEntries(doc: any, manifest: Manifest = loadManifest(), dir = FIXTURES_DIR): FixtureEntry[] {
  const targets = bodyTargets(doc);
  const out: FixtureEntry[] = [];
  for (const block of manifest.blocks) {
    if (!block.fixture || !block.operationId || !block.role || block.unmapped) continue;
    const instance = loadFixture(block, dir);
    for (const operationId of [block.operationId, ...block.alsoOperationIds]) {
      const target = findTarget(targets, operationId, block.role, block.status);
      const known = KNOWN_DIFFERENCES.find((k) => k.fixture === block.id && k.operationId === operationId);
      out.push({
        id: `fixture:${block.id}${operationId === block.operationId ? '' : `@${operationId}`}`,
        block,
        operationId,
        role: block.role,
        ...(block.status !== null ? { status: block.status } : {}),
        instance,
        ...(target ? { target } : {}),
        ...(known ? { known } : {}),
      });
    }
  }
  return out;
}

export function knownReasonText(k: KnownDifference): string {
  return k.differences.map((d) => `${d.keyword} at ${d.pointers.join(', ')}: ${REASONS[d.reason]}`).join('; ');
}

// ---------------------------------------------------------------------------
// Examples inside the spec

export interface SpecExample {
  /** `example:<pointer of the example value in the bundle>` plus, for shared component examples, `@<media pointer>`. */
  id: string;
  kind: 'media' | 'parameter' | 'schema';
  label: string;
  instance: unknown;
  schemaPointer: string;
  /** For media examples: the body they illustrate. */
  target?: BodyTarget;
}

const SCHEMA_MAPS = ['properties', 'patternProperties', 'dependentSchemas', '$defs'];
const SCHEMA_SINGLE = ['additionalProperties', 'items', 'not', 'propertyNames', 'contains', 'if', 'then', 'else', 'unevaluatedProperties', 'unevaluatedItems'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];

function walkSchemas(node: any, pointer: string, visit: (node: any, pointer: string) => void, seen: Set<string>): void {
  if (!node || typeof node !== 'object' || Array.isArray(node) || seen.has(pointer)) return;
  seen.add(pointer);
  visit(node, pointer);
  for (const k of SCHEMA_MAPS) for (const [name, sub] of Object.entries<any>(node[k] ?? {})) walkSchemas(sub, `${pointer}/${k}/${escapePointer(name)}`, visit, seen);
  for (const k of SCHEMA_SINGLE) walkSchemas(node[k], `${pointer}/${k}`, visit, seen);
  for (const k of SCHEMA_LISTS) (node[k] ?? []).forEach((sub: any, i: number) => walkSchemas(sub, `${pointer}/${k}/${i}`, visit, seen));
}

/** Every example in the bundle: body examples, parameter examples and examples on schema nodes, in document order. */
export function specExamples(doc: any): SpecExample[] {
  const out: SpecExample[] = [];
  const seen = new Set<string>();
  const push = (e: SpecExample) => {
    if (seen.has(e.id)) return;
    seen.add(e.id);
    out.push(e);
  };
  // Body examples, checked against each body they illustrate.
  for (const t of bodyTargets(doc)) {
    const media = pointerGet(doc, t.mediaPointer);
    const what = `${t.operationId} ${t.role === 'request' ? 'request' : `response ${t.status}`}`;
    if (media.example !== undefined) push({ id: `example:${t.mediaPointer}/example`, kind: 'media', label: `${what} example`, instance: media.example, schemaPointer: t.schemaPointer, target: t });
    for (const [name, ex] of Object.entries<any>(media.examples ?? {})) {
      const { node, pointer } = derefWithPointer(doc, ex, `${t.mediaPointer}/examples/${escapePointer(name)}`);
      if (node?.value === undefined) continue; // externalValue examples cannot be checked offline; the spec has none
      const valuePointer = `${pointer}/value`;
      const shared = !valuePointer.startsWith(t.mediaPointer);
      push({
        id: `example:${valuePointer}${shared ? `@${t.mediaPointer}` : ''}`,
        kind: 'media',
        label: `${what} example "${name}"`,
        instance: node.value,
        schemaPointer: t.schemaPointer,
        target: t,
      });
    }
  }
  // Parameter examples, checked against the parameter's schema (as typed values, not URL strings).
  const params: Array<{ node: any; pointer: string }> = Object.keys(doc.components?.parameters ?? {}).map((n) => ({ node: doc.components.parameters[n], pointer: `/components/parameters/${escapePointer(n)}` }));
  for (const [p, item] of Object.entries<any>(doc.paths ?? {})) {
    const base = `/paths/${escapePointer(p)}`;
    (item.parameters ?? []).forEach((x: any, i: number) => params.push(derefWithPointer(doc, x, `${base}/parameters/${i}`)));
    for (const m of HTTP_METHODS) (item[m]?.parameters ?? []).forEach((x: any, i: number) => params.push(derefWithPointer(doc, x, `${base}/${m}/parameters/${i}`)));
  }
  for (const { node, pointer } of params) {
    if (!node?.schema) continue;
    const label = `parameter "${node.name}" (${node.in})`;
    if (node.example !== undefined) push({ id: `example:${pointer}/example`, kind: 'parameter', label: `${label} example`, instance: node.example, schemaPointer: `${pointer}/schema` });
    for (const [name, ex] of Object.entries<any>(node.examples ?? {})) {
      const r = derefWithPointer(doc, ex, `${pointer}/examples/${escapePointer(name)}`);
      if (r.node?.value !== undefined) push({ id: `example:${r.pointer}/value@${pointer}`, kind: 'parameter', label: `${label} example "${name}"`, instance: r.node.value, schemaPointer: `${pointer}/schema` });
    }
  }
  // Examples on schema nodes (OpenAPI `example`, JSON Schema `examples`), anywhere a schema lives.
  const roots: Array<{ node: any; pointer: string }> = Object.keys(doc.components?.schemas ?? {}).map((n) => ({ node: doc.components.schemas[n], pointer: `/components/schemas/${escapePointer(n)}` }));
  for (const t of bodyTargets(doc)) roots.push({ node: pointerGet(doc, t.schemaPointer), pointer: t.schemaPointer });
  for (const { node, pointer } of params) if (node?.schema) roots.push({ node: node.schema, pointer: `${pointer}/schema` });
  const walked = new Set<string>();
  for (const r of roots) {
    walkSchemas(
      r.node,
      r.pointer,
      (node, pointer) => {
        if (node.example !== undefined) push({ id: `example:${pointer}/example`, kind: 'schema', label: `schema ${pointer} example`, instance: node.example, schemaPointer: pointer });
        if (Array.isArray(node.examples)) {
          node.examples.forEach((ex: unknown, i: number) => push({ id: `example:${pointer}/examples/${i}`, kind: 'schema', label: `schema ${pointer} examples[${i}]`, instance: ex, schemaPointer: pointer }));
        }
      },
      walked,
    );
  }
  return out;
}

// ---------------------------------------------------------------------------
// Mutations

export interface MutationSet {
  schemaKey: string;
  /** The body the mutations are validated as (the first one using the schema). */
  target: BodyTarget;
  bases: Array<{ from: string; instance: unknown }>;
  mutations: Array<Mutation & { id: string; base: number; survivorReason?: string }>;
}

const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));

/**
 * For every distinct body schema: its valid examples (the spec's examples
 * and the docs fixtures expected to validate) and every mutation of them.
 * Identical mutated instances are generated once.
 */
export function mutationSets(doc: any, fixtures: FixtureEntry[] = fixtureEntries(doc), examples: SpecExample[] = specExamples(doc)): MutationSet[] {
  const sets = new Map<string, MutationSet>();
  const setFor = (t: BodyTarget) => {
    let s = sets.get(t.schemaKey);
    if (!s) sets.set(t.schemaKey, (s = { schemaKey: t.schemaKey, target: t, bases: [], mutations: [] }));
    return s;
  };
  for (const t of bodyTargets(doc)) setFor(t);
  const seenBase = new Map<string, Set<string>>();
  const addBase = (t: BodyTarget, from: string, instance: unknown) => {
    const s = setFor(t);
    const seen = seenBase.get(s.schemaKey) ?? new Set<string>();
    seenBase.set(s.schemaKey, seen);
    const c = canonical(instance);
    if (seen.has(c)) return;
    seen.add(c);
    s.bases.push({ from, instance });
  };
  for (const e of examples) if (e.kind === 'media' && e.target) addBase(e.target, e.id, e.instance);
  // A component schema's own examples illustrate every body that uses it.
  for (const s of [...sets.values()]) {
    const component = doc.components?.schemas?.[s.schemaKey];
    if (!component) continue;
    const pointer = `/components/schemas/${escapePointer(s.schemaKey)}`;
    if (component.example !== undefined) addBase(s.target, `example:${pointer}/example`, component.example);
    (Array.isArray(component.examples) ? component.examples : []).forEach((ex: unknown, i: number) => addBase(s.target, `example:${pointer}/examples/${i}`, ex));
  }
  for (const f of fixtures) if (f.target && !f.known) addBase(f.target, f.id, f.instance);
  for (const s of sets.values()) {
    const schema = pointerGet(doc, s.target.schemaPointer);
    const seen = new Set<string>();
    s.bases.forEach((b, i) => {
      for (const m of mutationsOf(doc, s.schemaKey, schema, b.instance)) {
        const c = canonical(m.instance);
        if (seen.has(c)) continue;
        seen.add(c);
        const survivor = MUTATION_SURVIVORS.find((x) => x.mutation === m.key);
        s.mutations.push({ ...m, id: `mutation:${m.key} #${i + 1}`, base: i, ...(survivor ? { survivorReason: survivor.reason } : {}) });
      }
    });
  }
  return [...sets.values()];
}

// ---------------------------------------------------------------------------
// The cases

/** Every body case (fixtures, spec body examples, mutations), deterministic, data only. */
export function conformanceCases(doc: any = loadBundle()): ConformanceCase[] {
  const fixtures = fixtureEntries(doc);
  const examples = specExamples(doc);
  const cases: ConformanceCase[] = [];
  for (const f of fixtures) {
    if (!f.target) continue; // the operation declares no such body: nothing to validate against (see fixturesWithoutSchema)
    cases.push({
      id: f.id,
      kind: 'fixture',
      operationId: f.operationId,
      role: f.role,
      ...(f.status !== undefined ? { status: f.status } : {}),
      schemaPointer: f.target.schemaPointer,
      instance: f.instance,
      expectValid: !f.known,
      ...(f.known ? { reason: knownReasonText(f.known) } : {}),
    });
  }
  for (const e of examples) {
    if (e.kind !== 'media' || !e.target) continue;
    cases.push({
      id: e.id,
      kind: 'spec-example',
      operationId: e.target.operationId,
      role: e.target.role,
      ...(e.target.status !== undefined ? { status: e.target.status } : {}),
      schemaPointer: e.schemaPointer,
      instance: e.instance,
      expectValid: true,
    });
  }
  for (const s of mutationSets(doc, fixtures, examples)) {
    for (const m of s.mutations) {
      cases.push({
        id: m.id,
        kind: 'mutation',
        operationId: s.target.operationId,
        role: s.target.role,
        ...(s.target.status !== undefined ? { status: s.target.status } : {}),
        schemaPointer: s.target.schemaPointer,
        instance: m.instance,
        expectValid: m.survivorReason !== undefined,
        reason: m.survivorReason ?? m.description,
      });
    }
  }
  return cases;
}

/** Examples on schema nodes and parameters: each must validate against the schema at `schemaPointer`. */
export function valueCases(doc: any = loadBundle()): ValueCase[] {
  return specExamples(doc)
    .filter((e) => e.kind !== 'media')
    .map((e) => ({ id: e.id, kind: e.kind === 'parameter' ? 'parameter-example' : 'schema-example', schemaPointer: e.schemaPointer, instance: e.instance, expectValid: true }));
}

/** Docs fixtures that document a body the operation does not declare (so no schema applies). */
export function fixturesWithoutSchema(doc: any = loadBundle()): Array<{ id: string; operationId: string; role: string; instance: unknown }> {
  return fixtureEntries(doc)
    .filter((f) => !f.target)
    .map((f) => ({ id: f.id, operationId: f.operationId, role: f.role, instance: f.instance }));
}

export const ERA_ORDER = DOC_SOURCES.map((s) => s.era);
