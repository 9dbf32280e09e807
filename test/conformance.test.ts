// Conformance of the schemas with the documentation: one case per docs
// fixture (every era), the raw-vs-repaired doc bugs, every example inside
// the spec, the report `npm run conformance` prints, and the plain-data
// cases another validator can replay.
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatIssue, SynapseAdminValidator } from '../src/validation.ts';
import { checkFixture, checkRepair, formatReport, makeValidators, runConformance } from '../scripts/lib/conformance.ts';
import { KNOWN_DIFFERENCES, REASONS, type KnownDifference } from '../scripts/lib/conformance-known.ts';
import { conformanceCases, fixturesWithoutSchema, valueCases } from '../scripts/lib/cases.ts';
import { pointerGet } from '../scripts/lib/conformance-mutations.ts';
import { DOC_SOURCES } from '../scripts/lib/docs-examples.ts';
import { runTool } from '../scripts/lib/cli.ts';
import { BIN, ROOT } from '../scripts/lib/paths.ts';
import { bundle } from './helpers/spec.ts';

// One run: every schema compiles once and is shared by all cases below.
const run = runConformance(bundle);
const { report } = run;
const v = makeValidators(bundle);
const entries = run.fixtures.map((f) => f.entry);

describe('docs fixtures validate, or fail exactly as the known-differences table says', () => {
  const rows = run.fixtures.map((f) => ({ id: f.entry.id, op: f.entry.operationId, result: f }));
  it.each(rows)('$id ($op)', ({ result }) => {
    expect(result.problems).toEqual([]);
    expect(result.outcome).toBe(result.entry.known ? 'known' : 'passed');
    if (result.entry.known) {
      // Fails, and only at the listed places.
      const listed = result.entry.known.differences.flatMap((d) => d.pointers.map((p) => `${d.keyword} ${p}`)).sort();
      expect(result.issues.map((i) => `${i.keyword} ${i.pointer}`).sort()).toEqual(listed);
    } else {
      expect(result.issues).toEqual([]);
    }
  });

  it('the newest docs (current) have no known differences at all', () => {
    const current = run.fixtures.filter((f) => f.entry.block.era === 'current');
    expect(current.length).toBeGreaterThan(30);
    expect(current.every((f) => f.outcome === 'passed')).toBe(true);
    expect(KNOWN_DIFFERENCES.filter((k) => k.fixture.startsWith('current/'))).toEqual([]);
  });

  it('every known-difference entry names a fixture that exists, once, with a documented reason', () => {
    const ids = new Set(entries.map((e) => `${e.block.id} ${e.operationId}`));
    for (const k of KNOWN_DIFFERENCES) {
      expect(ids.has(`${k.fixture} ${k.operationId}`), k.fixture).toBe(true);
      for (const d of k.differences) expect(REASONS[d.reason]).toBeTruthy();
    }
    expect(new Set(KNOWN_DIFFERENCES.map((k) => `${k.fixture} ${k.operationId}`)).size).toBe(KNOWN_DIFFERENCES.length);
  });

  it('an empty body shown for an operation that takes none passes only as {}', () => {
    const noBody = entries.filter((e) => !e.target);
    expect(noBody.map((e) => e.operationId)).toEqual(DOC_SOURCES.map(() => 'deleteDevice'));
    for (const e of noBody) expect(e.instance).toEqual({});
    expect(checkFixture(bundle, v, { ...noBody[0]!, instance: { device: 'x' } }, entries).outcome).toBe('failed');
  });
});

describe('the checks can fail', () => {
  const oldUser = entries.find((e) => e.id === 'fixture:seed-003/01-getUser-response-200')!;
  const currentUser = entries.find((e) => e.id === 'fixture:current/01-getUser-response-200')!;
  const withKnown = (known: KnownDifference) => checkFixture(bundle, v, { ...oldUser, known }, entries);
  const base = oldUser.known!;

  it.each([
    {
      name: 'an unlisted difference',
      result: () => checkFixture(bundle, v, { ...currentUser, instance: { ...(currentUser.instance as object), admin: 'yes' } }, entries),
      problem: /\/admin: must be boolean .* is not a known difference/,
    },
    {
      name: 'a listed difference that no longer occurs',
      result: () => withKnown({ ...base, differences: [...base.differences, { keyword: 'required', pointers: ['/name'], reason: 'incompleteExample' }] }),
      problem: /known difference "required \/name" no longer occurs/,
    },
    {
      name: 'a 0/1 reason on a field not marked as an SQLite boolean',
      result: () => withKnown({ ...base, differences: base.differences.map((d) => (d.reason === 'addedLater' ? { ...d, reason: 'sqliteIntBool' as const } : d)) }),
      problem: /\/locked: listed as a 0\/1 boolean but the schema does not mark it/,
    },
    {
      name: 'an "added later" reason for a field of unknown release',
      result: () => withKnown({ ...base, differences: base.differences.map((d) => (d.reason === 'addedUnknownRelease' ? { ...d, reason: 'addedLater' as const } : d)) }),
      problem: /\/erased: listed as added after 1\.53\.0, but x-synapse-added-in is unknown/,
    },
    {
      name: 'an "incomplete example" reason for a field added later',
      result: () => withKnown({ ...base, differences: base.differences.map((d) => (d.reason === 'addedLater' ? { ...d, reason: 'incompleteExample' as const } : d)) }),
      problem: /\/suspended: listed as left out of the example, but x-synapse-added-in 1\.121\.0 is not older than the era/,
    },
  ])('fails on $name', ({ result, problem }) => {
    const r = result();
    expect(r.outcome).toBe('failed');
    expect(r.problems.join('\n')).toMatch(problem);
  });
});

describe('doc bugs: the raw text is not JSON, the repaired text is and validates', () => {
  const repaired = run.fixtures.filter((f) => f.entry.block.json === 'repaired');
  it.each(repaired.map((f) => ({ id: f.entry.id, f })))('$id', ({ f }) => {
    const b = f.entry.block;
    expect(() => JSON.parse(b.rawText!)).toThrow();
    expect(JSON.parse(b.repairedText!)).toEqual(f.entry.instance);
    expect(checkRepair(f.entry)).toEqual([]);
    expect(f.outcome).not.toBe('failed');
  });

  it('a repair that changes the data is caught', () => {
    const e = repaired[0]!.entry;
    expect(checkRepair({ ...e, instance: { changed: true } }).join('\n')).toMatch(/does not give the fixture's value/);
  });
});

describe('every example inside the spec validates', () => {
  it.each(run.examples.map((e) => ({ label: e.example.label, e })))('$label', ({ e }) => {
    expect(e.issues.map(formatIssue)).toEqual([]);
    expect(e.valid).toBe(true);
  });

  it('covers body, parameter and schema-node examples of components and operations', () => {
    const kinds = new Set(run.examples.map((e) => e.example.kind));
    expect([...kinds].sort()).toEqual(['media', 'parameter', 'schema']);
    expect(run.examples.some((e) => e.example.id.includes('/components/examples/'))).toBe(true);
    expect(run.examples.some((e) => e.example.id.startsWith('example:/paths/'))).toBe(true);
    expect(run.examples.some((e) => e.example.id.startsWith('example:/components/parameters/'))).toBe(true);
  });
});

describe('the report', () => {
  it('adds up, has no problems, and is what npm run conformance prints', async () => {
    // The same table as `npm run conformance`.
    console.log(formatReport(report));
    expect(report.problems).toEqual([]);
    expect(report.eras.map((e) => e.era)).toEqual(DOC_SOURCES.map((s) => s.era));
    for (const e of [...report.eras, report.total]) {
      expect(e.passed + e.known + e.failed, e.era).toBe(e.fixtures);
      expect(e.failed, e.era).toBe(0);
      expect(e.blocks, e.era).toBeGreaterThan(0);
    }
    expect(report.total.fixtures).toBe(run.fixtures.length);
    expect(report.total.known).toBe(KNOWN_DIFFERENCES.length);
    expect(report.total.blocks).toBe(run.manifest.blocks.length);
    expect(report.specExamples.valid).toBe(report.specExamples.total);

    const cli = await runTool(BIN('tsx'), ['scripts/conformance.ts'], { cwd: ROOT });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout.trim()).toBe(formatReport(report));
  });
});

describe('plain-data cases (scripts/lib/cases.ts)', () => {
  const cases = conformanceCases(bundle);
  const values = valueCases(bundle);

  it('are deterministic, uniquely named and JSON-serialisable', () => {
    expect(JSON.stringify(conformanceCases(bundle))).toBe(JSON.stringify(cases));
    expect(JSON.stringify(valueCases(bundle))).toBe(JSON.stringify(values));
    const ids = [...cases, ...values].map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of cases) expect(JSON.parse(JSON.stringify(c.instance))).toEqual(c.instance);
  });

  it('hold every fixture, body example and mutation the report counts', () => {
    const withoutSchema = fixturesWithoutSchema(bundle);
    expect(cases.filter((c) => c.kind === 'fixture')).toHaveLength(report.total.fixtures - withoutSchema.length);
    expect(cases.filter((c) => c.kind === 'spec-example')).toHaveLength(report.specExamples.media);
    expect(cases.filter((c) => c.kind === 'mutation')).toHaveLength(report.mutations.generated);
    expect(values).toHaveLength(report.specExamples.parameter + report.specExamples.schema);
    expect(cases.filter((c) => !c.expectValid && c.kind === 'fixture')).toHaveLength(KNOWN_DIFFERENCES.length);
  });

  it('give ajv, through schemaPointer alone, the expected verdict on every case', () => {
    // What another validator would do: take the schema at the pointer, validate.
    const plain = new SynapseAdminValidator(bundle);
    const disagreements: string[] = [];
    for (const c of [...cases, ...values]) {
      const schema = pointerGet(bundle, c.schemaPointer);
      expect(schema, c.schemaPointer).toBeDefined();
      const r = plain.validateValue(schema, c.instance, c.schemaPointer);
      if (r.valid !== c.expectValid) disagreements.push(`${c.id}: expected ${c.expectValid ? 'valid' : 'invalid'}`);
    }
    expect(disagreements).toEqual([]);
    expect(isDeepStrictEqual(cases.map((c) => c.expectValid).includes(false), true)).toBe(true);
  });
});
