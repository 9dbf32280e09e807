// Wrong data is rejected: every request and response schema, fed broken
// copies of its valid examples (a required field dropped, a wrong type,
// null, a value outside an enum, a forbidden extra field, a bad map key),
// must reject each one, and for that reason.
import { describe, expect, it } from 'vitest';
import { formatIssue, SynapseAdminValidator } from '../src/validation.ts';
import { mutationSets } from '../scripts/lib/cases.ts';
import { MUTATION_SURVIVORS } from '../scripts/lib/conformance-known.ts';
import { mutationsOf, OPERATORS } from '../scripts/lib/conformance-mutations.ts';
import { runMutation, validateBody } from '../scripts/lib/conformance.ts';
import { bundle } from './helpers/spec.ts';

const validator = new SynapseAdminValidator(bundle);
const sets = mutationSets(bundle);
const results = sets.flatMap((s) => s.mutations.map((m) => runMutation(validator, s, m)));

describe('mutations of every body schema are rejected', () => {
  it.each(sets.map((s) => ({ key: s.schemaKey, n: s.mutations.length, s })))('$key ($n mutations)', ({ s }) => {
    expect(s.bases.length, `${s.schemaKey} needs a valid example to mutate`).toBeGreaterThan(0);
    for (const b of s.bases) {
      const r = validateBody(validator, s.target.operationId, s.target.role, s.target.status, b.instance);
      expect(r.issues.map(formatIssue), `base ${b.from} must be valid`).toEqual([]);
    }
    const mine = results.filter((r) => r.set === s);
    const survivors = mine.filter((r) => !r.killed && r.mutation.survivorReason === undefined).map((r) => `${r.mutation.id}: ${r.mutation.description}`);
    expect(survivors).toEqual([]);
    const wrongReason = mine.filter((r) => r.killed && !r.related).map((r) => `${r.mutation.id}: ${r.issues.map(formatIssue).join('; ')}`);
    expect(wrongReason).toEqual([]);
  });

  it('the kill rate is 100% of applicable mutations, and every listed survivor really survives', () => {
    const killed = results.filter((r) => r.killed).length;
    console.log(`mutations: ${results.length} generated, ${killed} killed, kill rate ${((killed / results.length) * 100).toFixed(1)}%`);
    expect(results.length).toBeGreaterThan(500);
    for (const s of MUTATION_SURVIVORS) {
      const hits = results.filter((r) => r.mutation.key === s.mutation);
      expect(hits.length, `${s.mutation} is generated`).toBeGreaterThan(0);
      expect(hits.every((r) => !r.killed), `${s.mutation} survives`).toBe(true);
    }
    expect(killed + results.filter((r) => !r.killed && r.mutation.survivorReason !== undefined).length).toBe(results.length);
  });

  it('every operator is applied where the spec gives it a place, and nowhere else', () => {
    const count = (op: string) => results.filter((r) => r.mutation.operator === op).length;
    for (const op of OPERATORS.filter((o) => o !== 'extra-property')) expect(count(op), op).toBeGreaterThan(0);
    // Every object in this spec is open on purpose (decision C6): a closed one would get extra-property mutations.
    const closed = JSON.stringify(bundle).match(/"(additionalProperties|unevaluatedProperties)":false/g) ?? [];
    if (closed.length === 0) expect(count('extra-property')).toBe(0);
    else expect(count('extra-property')).toBeGreaterThan(0);
  });
});

describe('the mutation operators', () => {
  const doc = {
    components: {
      schemas: {
        Id: { type: 'string', pattern: '^!' },
        Thing: {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'tags'],
          properties: {
            kind: { type: 'string', enum: ['a', 'b'] },
            tags: { type: 'array', items: { type: 'integer' } },
            note: { type: ['string', 'null'] },
            rooms: { type: 'object', propertyNames: { $ref: '#/components/schemas/Id' }, additionalProperties: { type: 'boolean' } },
            either: { anyOf: [{ type: 'object', required: ['x'], properties: { x: { type: 'integer' } } }, { type: 'array', maxItems: 0 }] },
          },
          dependentRequired: { note: ['rooms'] },
        },
      },
    },
  };
  const base = { kind: 'a', tags: [1], note: null, rooms: { '!r': true }, either: { x: 1 } };
  const muts = mutationsOf(doc, 'Thing', doc.components.schemas.Thing, base);
  const keys = muts.map((m) => m.key);

  it.each([
    'Thing drop-required /kind',
    'Thing drop-required /tags',
    'Thing drop-dependent /rooms',
    'Thing wrong-type /',
    'Thing null /',
    'Thing extra-property /mutated_extra_field',
    'Thing outside-enum /kind',
    'Thing wrong-type /tags/0',
    'Thing null /tags/0',
    'Thing wrong-type /note',
    'Thing bad-property-name /rooms/mutated key',
    'Thing wrong-type /rooms/!r',
    'Thing wrong-type /either',
    'Thing drop-required /either/x',
    'Thing wrong-type /either/x',
  ])('generates %s', (key) => {
    expect(keys).toContain(key);
  });

  it('does not null a field that allows null, and each mutation changes the instance in one place', () => {
    expect(keys).not.toContain('Thing null /note');
    for (const m of muts) expect(m.instance).not.toEqual(base);
  });

  it('a loosened schema lets mutations survive, and the suite reports them', () => {
    const loose = structuredClone(bundle);
    delete loose.components.schemas.LoginAsUserResponse.required;
    const v = new SynapseAdminValidator(loose);
    const s = mutationSets(loose).find((x) => x.schemaKey === 'LoginAsUserResponse')!;
    const strict = mutationSets(bundle).find((x) => x.schemaKey === 'LoginAsUserResponse')!;
    // The loose schema makes no drop-required mutation; the strict one's drop-required survives the loose validator.
    expect(s.mutations.some((m) => m.operator === 'drop-required')).toBe(false);
    const dropped = strict.mutations.find((m) => m.operator === 'drop-required')!;
    expect(runMutation(v, { ...strict, target: s.target }, dropped).killed).toBe(false);
  });
});
