// Runs the conformance cases (scripts/lib/cases.ts) through the project's
// validator (src/validation.ts: ajv 2020-12 + ajv-formats, all errors) and
// computes the report that `npm run conformance` prints and the tests
// assert. One validator instance is shared, so each schema compiles once.
import { isDeepStrictEqual } from 'node:util';
import { formatIssue, SynapseAdminValidator, type ValidationIssue, type ValidationResult } from '../../src/validation.ts';
import type { KnownDifference } from './conformance-known.ts';
import { effective, OPERATORS, pointerGet, type Operator } from './conformance-mutations.ts';
import { fixtureEntries, loadBundle, mutationSets, specExamples, type FixtureEntry, type MutationSet, type SpecExample } from './cases.ts';
import { DOC_SOURCES, loadManifest, type Manifest } from './docs-examples.ts';

export interface Validators {
  strict: SynapseAdminValidator;
  /** Accepts 0/1 for the booleans marked x-synapse-sqlite-int-bool. */
  sqlite: SynapseAdminValidator;
}

export function makeValidators(doc: any): Validators {
  return { strict: new SynapseAdminValidator(doc), sqlite: new SynapseAdminValidator(doc, { sqliteIntBools: true }) };
}

const issueKey = (i: { keyword: string; pointer: string }) => `${i.keyword} ${i.pointer || '/'}`;

// ---------------------------------------------------------------------------
// Fixtures

export interface FixtureResult {
  entry: FixtureEntry;
  outcome: 'passed' | 'known' | 'failed';
  issues: ValidationIssue[];
  /** Why the outcome is `failed`, one line each. */
  problems: string[];
}

export function validateBody(v: SynapseAdminValidator, operationId: string, role: 'request' | 'response', status: number | undefined, instance: unknown): ValidationResult {
  return role === 'request' ? v.validateRequestBody(operationId, instance) : v.validateResponse(operationId, status!, instance);
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** The schema node that governs `pointer` in an instance of `schema` (unresolved, so annotations next to a $ref stay visible). */
export function schemaNodeAt(doc: any, schema: any, pointer: string): any {
  let node = schema;
  for (const seg of pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    const e = effective(doc, node);
    if (seg in e.properties) node = e.properties[seg];
    else if (/^\d+$/.test(seg) && e.items !== undefined) node = e.items;
    else if (e.additionalProperties && typeof e.additionalProperties === 'object') node = e.additionalProperties;
    else return undefined;
  }
  return node;
}

/** An annotation on a schema node or, failing that, on what its $ref points at. */
export function annotation(doc: any, node: any, name: string): unknown {
  let n = node;
  while (n && typeof n === 'object') {
    if (n[name] !== undefined) return n[name];
    if (typeof n.$ref !== 'string') return undefined;
    n = pointerGet(doc, n.$ref);
  }
  return undefined;
}

/**
 * Checks that each difference's reason is true of the spec and the docs:
 * 0/1 only where the field is marked as an SQLite integer boolean (and the
 * tolerant validator accepts it), "added later" only where the field's
 * release is newer than the era, and so on. Returns one line per failure.
 */
export function checkReasons(doc: any, v: Validators, entry: FixtureEntry, known: KnownDifference, all: FixtureEntry[]): string[] {
  const problems: string[] = [];
  const schema = pointerGet(doc, entry.target!.schemaPointer);
  const era = DOC_SOURCES.find((s) => s.era === entry.block.era)!;
  const tolerant = validateBody(v.sqlite, entry.operationId, entry.role, entry.status, entry.instance);
  for (const d of known.differences) {
    for (const p of d.pointers) {
      const field = p.split('/').pop()!;
      const node = schemaNodeAt(doc, schema, p);
      const where = `${entry.id} ${p}`;
      if (node === undefined) {
        problems.push(`${where}: no schema node governs this pointer`);
        continue;
      }
      const addedIn = annotation(doc, node, 'x-synapse-added-in') as string | undefined;
      switch (d.reason) {
        case 'sqliteIntBool': {
          const value = pointerGet(entry.instance, p);
          if (annotation(doc, node, 'x-synapse-sqlite-int-bool') !== true) problems.push(`${where}: listed as a 0/1 boolean but the schema does not mark it x-synapse-sqlite-int-bool`);
          if (value !== 0 && value !== 1) problems.push(`${where}: listed as a 0/1 boolean but the example has ${JSON.stringify(value)}`);
          if (tolerant.issues.some((i) => i.pointer === p)) problems.push(`${where}: the SQLite-tolerant validator still rejects it`);
          break;
        }
        case 'addedLater':
          if (!addedIn || addedIn === 'unknown' || compareVersions(addedIn, era.synapse.to) <= 0) {
            problems.push(`${where}: listed as added after ${era.synapse.to}, but x-synapse-added-in is ${addedIn ?? 'absent'}`);
          }
          break;
        case 'addedUnknownRelease':
          if (addedIn !== 'unknown') problems.push(`${where}: listed as added in an unknown release, but x-synapse-added-in is ${addedIn ?? 'absent'}`);
          break;
        case 'incompleteExample': {
          if (addedIn && (addedIn === 'unknown' || compareVersions(addedIn, era.synapse.from) > 0)) {
            problems.push(`${where}: listed as left out of the example, but x-synapse-added-in ${addedIn} is not older than the era`);
          }
          const newer = all.filter(
            (f) =>
              f.operationId === entry.operationId &&
              f.role === entry.role &&
              f.status === entry.status &&
              compareVersions(DOC_SOURCES.find((s) => s.era === f.block.era)!.synapse.from, era.synapse.to) > 0 &&
              pointerGet(f.instance, p) !== undefined,
          );
          if (newer.length === 0) problems.push(`${where}: listed as left out of the example, but no newer era's example of ${entry.operationId} shows "${field}"`);
          break;
        }
      }
    }
  }
  return problems;
}

export function checkFixture(doc: any, v: Validators, entry: FixtureEntry, all: FixtureEntry[]): FixtureResult {
  if (!entry.target) {
    // The docs show a body (`{}`) for an operation that declares none: it
    // passes only if it carries nothing, i.e. is exactly the empty object.
    const empty = isDeepStrictEqual(entry.instance, {});
    return {
      entry,
      outcome: empty ? 'passed' : 'failed',
      issues: [],
      problems: empty ? [] : [`${entry.id}: ${entry.operationId} declares no ${entry.role} body, and the example is not the empty object`],
    };
  }
  const result = validateBody(v.strict, entry.operationId, entry.role, entry.status, entry.instance);
  const actual = new Set(result.issues.map(issueKey));
  if (!entry.known) {
    return {
      entry,
      outcome: result.valid ? 'passed' : 'failed',
      issues: result.issues,
      problems: result.issues.map((i) => `${entry.id} (${entry.operationId}): ${formatIssue(i)} [${i.keyword}] is not a known difference`),
    };
  }
  const expected = new Set(entry.known.differences.flatMap((d) => d.pointers.map((p) => issueKey({ keyword: d.keyword, pointer: p }))));
  const problems: string[] = [];
  for (const i of result.issues) if (!expected.has(issueKey(i))) problems.push(`${entry.id} (${entry.operationId}): ${formatIssue(i)} [${i.keyword}] is not a known difference`);
  for (const e of expected) if (!actual.has(e)) problems.push(`${entry.id} (${entry.operationId}): known difference "${e}" no longer occurs; remove it from conformance-known.ts`);
  problems.push(...checkReasons(doc, v, entry, entry.known, all));
  return { entry, outcome: problems.length === 0 ? 'known' : 'failed', issues: result.issues, problems };
}

/** For a repaired block: the raw text must not parse, the repaired text must, and give the fixture. */
export function checkRepair(entry: FixtureEntry): string[] {
  const b = entry.block;
  if (b.json !== 'repaired') return [];
  const problems: string[] = [];
  try {
    JSON.parse(b.rawText!);
    problems.push(`${b.id}: the raw docs text parses as JSON, so it needs no repair`);
  } catch {
    // expected: the raw text is not JSON
  }
  try {
    if (!isDeepStrictEqual(JSON.parse(b.repairedText!), entry.instance)) problems.push(`${b.id}: the repaired text does not give the fixture's value`);
  } catch (err) {
    problems.push(`${b.id}: the repaired text is not JSON either: ${(err as Error).message}`);
  }
  if (!b.repairs?.length || !b.repair || !b.reason) problems.push(`${b.id}: the manifest does not record what was repaired and why`);
  return problems;
}

// ---------------------------------------------------------------------------
// Spec examples

export interface ExampleResult {
  example: SpecExample;
  valid: boolean;
  issues: ValidationIssue[];
}

export function checkSpecExample(doc: any, v: SynapseAdminValidator, e: SpecExample): ExampleResult {
  const r = e.target
    ? validateBody(v, e.target.operationId, e.target.role, e.target.status, e.instance)
    : v.validateValue(pointerGet(doc, e.schemaPointer), e.instance, e.schemaPointer);
  return { example: e, valid: r.valid, issues: r.issues };
}

// ---------------------------------------------------------------------------
// Mutations

export interface MutationResult {
  set: MutationSet;
  mutation: MutationSet['mutations'][number];
  killed: boolean;
  /** The rejection names the mutated place (or its parent object, for a removed field). */
  related: boolean;
  issues: ValidationIssue[];
}

function relatedPointer(issue: string, mutated: string): boolean {
  const parent = mutated.slice(0, mutated.lastIndexOf('/'));
  return issue === mutated || issue.startsWith(`${mutated}/`) || issue === parent;
}

export function runMutation(v: SynapseAdminValidator, set: MutationSet, mutation: MutationSet['mutations'][number]): MutationResult {
  const t = set.target;
  const r = validateBody(v, t.operationId, t.role, t.status, mutation.instance);
  return { set, mutation, killed: !r.valid, related: r.issues.some((i) => relatedPointer(i.pointer, mutation.pointer)), issues: r.issues };
}

// ---------------------------------------------------------------------------
// The report

export interface EraRow {
  era: string;
  blocks: number;
  unmapped: number;
  /** Mapped, parsed blocks, counted once per operation they document. */
  fixtures: number;
  passed: number;
  known: number;
  failed: number;
  /** Blocks that are not JSON as written and were repaired. */
  repaired: number;
}

export interface ConformanceReport {
  eras: EraRow[];
  total: EraRow;
  specExamples: { total: number; media: number; parameter: number; schema: number; valid: number };
  mutations: {
    schemas: number;
    bases: number;
    generated: number;
    killed: number;
    survivedExplained: number;
    survivedUnexplained: number;
    killRate: number;
    byOperator: Record<Operator, { generated: number; killed: number }>;
  };
  /** Every failure, one line each; empty when everything conforms. */
  problems: string[];
}

export interface ConformanceRun {
  report: ConformanceReport;
  fixtures: FixtureResult[];
  examples: ExampleResult[];
  mutations: MutationResult[];
  manifest: Manifest;
}

export function runConformance(doc: any = loadBundle(), manifest: Manifest = loadManifest()): ConformanceRun {
  const v = makeValidators(doc);
  const entries = fixtureEntries(doc, manifest);
  const fixtures = entries.map((e) => checkFixture(doc, v, e, entries));
  const repairProblems = entries.filter((e, i) => entries.findIndex((x) => x.block === e.block) === i).flatMap(checkRepair);
  const exampleList = specExamples(doc);
  const examples = exampleList.map((e) => checkSpecExample(doc, v.strict, e));
  const sets = mutationSets(doc, entries, exampleList);
  const mutations = sets.flatMap((s) => s.mutations.map((m) => runMutation(v.strict, s, m)));

  const problems: string[] = [];
  problems.push(...fixtures.flatMap((f) => f.problems), ...repairProblems);
  for (const e of examples) if (!e.valid) problems.push(`${e.example.label} (${e.example.id}): ${e.issues.map(formatIssue).join('; ')}`);
  for (const m of mutations) {
    const explained = m.mutation.survivorReason !== undefined;
    if (!m.killed && !explained) problems.push(`surviving mutation ${m.mutation.id}: ${m.mutation.description}`);
    if (m.killed && explained) problems.push(`${m.mutation.id} is listed as a survivor but is rejected; remove it from MUTATION_SURVIVORS`);
    if (m.killed && !m.related) problems.push(`${m.mutation.id} is rejected for another reason than the mutation: ${m.issues.map(formatIssue).join('; ')}`);
  }
  for (const s of sets) if (s.bases.length === 0) problems.push(`schema ${s.schemaKey} (${s.target.operationId}) has no valid example to mutate`);

  const row = (era: string, blocks: Manifest['blocks'], fx: FixtureResult[]): EraRow => ({
    era,
    blocks: blocks.length,
    unmapped: blocks.filter((b) => b.unmapped).length,
    fixtures: fx.length,
    passed: fx.filter((f) => f.outcome === 'passed').length,
    known: fx.filter((f) => f.outcome === 'known').length,
    failed: fx.filter((f) => f.outcome === 'failed').length,
    repaired: blocks.filter((b) => b.json === 'repaired').length,
  });
  const eras = DOC_SOURCES.map((s) =>
    row(
      s.era,
      manifest.blocks.filter((b) => b.era === s.era),
      fixtures.filter((f) => f.entry.block.era === s.era),
    ),
  );
  const byOperator = Object.fromEntries(OPERATORS.map((o) => [o, { generated: 0, killed: 0 }])) as Record<Operator, { generated: number; killed: number }>;
  for (const m of mutations) {
    byOperator[m.mutation.operator].generated++;
    if (m.killed) byOperator[m.mutation.operator].killed++;
  }
  const killed = mutations.filter((m) => m.killed).length;
  const report: ConformanceReport = {
    eras,
    total: row('total', manifest.blocks, fixtures),
    specExamples: {
      total: examples.length,
      media: examples.filter((e) => e.example.kind === 'media').length,
      parameter: examples.filter((e) => e.example.kind === 'parameter').length,
      schema: examples.filter((e) => e.example.kind === 'schema').length,
      valid: examples.filter((e) => e.valid).length,
    },
    mutations: {
      schemas: sets.length,
      bases: sets.reduce((n, s) => n + s.bases.length, 0),
      generated: mutations.length,
      killed,
      survivedExplained: mutations.filter((m) => !m.killed && m.mutation.survivorReason !== undefined).length,
      survivedUnexplained: mutations.filter((m) => !m.killed && m.mutation.survivorReason === undefined).length,
      killRate: mutations.length ? killed / mutations.length : 1,
      byOperator,
    },
    problems,
  };
  return { report, fixtures, examples, mutations, manifest };
}

function table(header: string[], rows: Array<Array<string | number>>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: Array<string | number>) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The report as the text `npm run conformance` prints (and the tests print). */
export function formatReport(r: ConformanceReport): string {
  const eraRows = [...r.eras, r.total].map((e) => [e.era, e.blocks, e.unmapped, e.fixtures, e.passed, e.known, e.failed, e.repaired]);
  const m = r.mutations;
  const opRows = OPERATORS.map((o) => [o, m.byOperator[o].generated, m.byOperator[o].killed, m.byOperator[o].generated ? pct(m.byOperator[o].killed / m.byOperator[o].generated) : 'n/a']);
  return [
    'Docs examples (one fixture per JSON block and operation it documents)',
    table(['era', 'blocks', 'unmapped', 'fixtures', 'passed', 'known diff', 'failed', 'repaired doc bugs'], eraRows),
    '',
    `Spec examples: ${r.specExamples.valid}/${r.specExamples.total} valid (${r.specExamples.media} body, ${r.specExamples.parameter} parameter, ${r.specExamples.schema} schema-node examples)`,
    '',
    `Mutations: ${m.generated} generated from ${m.bases} valid examples of ${m.schemas} body schemas, ${m.killed} killed, kill rate ${pct(m.killRate)}` +
      ` (${m.survivedExplained} survivors explained, ${m.survivedUnexplained} unexplained)`,
    table(['operator', 'generated', 'killed', 'rate'], opRows),
    '',
    r.problems.length === 0 ? 'Conformance: OK' : `Conformance: ${r.problems.length} problem(s)\n${r.problems.map((p) => `  ${p}`).join('\n')}`,
  ].join('\n');
}

