// generated/schema.d.ts and src/operations.generated.ts are what
// `npm run types` makes from the committed bundle today.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_DTS } from '../scripts/lib/paths.ts';
import { generateTypes, OPERATIONS_TS, operationRows } from '../scripts/steps/types.ts';
import { INVENTORY } from './operations.ts';
import { bundle } from './helpers/spec.ts';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'types-'));
  await generateTypes(path.join(dir, 'schema.d.ts'), path.join(dir, 'operations.generated.ts'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('generated types', () => {
  it.each([
    ['generated/schema.d.ts', SCHEMA_DTS, 'schema.d.ts'],
    ['src/operations.generated.ts', OPERATIONS_TS, 'operations.generated.ts'],
  ])('%s is fresh: regenerating gives the committed bytes', (name, committed, fresh) => {
    expect(readFileSync(committed, 'utf8'), `${name} is stale: run npm run types`).toBe(readFileSync(path.join(dir, fresh), 'utf8'));
  });

  const dts = () => readFileSync(SCHEMA_DTS, 'utf8');
  it.each([
    // --default-non-nullable false: a default does not make a request field required.
    ['request fields with a default stay optional', /RatelimitOverrideRequest: \{[^}]*messages_per_second\?: number;/],
    ['… and so do the redaction options', /RedactRequest: \{[\s\S]*?limit\?: number;/],
    // --root-types --root-types-no-schema-prefix
    ['each schema is also a top-level type', /^export type UserSummary = components\['schemas'\]\['UserSummary'\];$/m],
    // a string next_token for users, an integer one for media (the spec's distinction survives)
    ['UserList.next_token is a string', /UserList: \{[\s\S]*?next_token\?: string;/],
    ['UserMediaList.next_token is a number', /UserMediaList: \{[\s\S]*?next_token\?: number;/],
  ])('%s', (_name, pattern) => {
    expect(dts()).toMatch(pattern);
  });

  it('declares every operation of the inventory once, by operationId', () => {
    const start = dts().indexOf('export interface operations');
    const inOperations = [...dts().slice(start).matchAll(/^ {4}([a-zA-Z0-9]+): \{$/gm)].map((m) => m[1]);
    expect(inOperations.sort()).toEqual(INVENTORY.map((r) => r.operationId).sort());
  });

  it('the operation table matches the inventory (method, path) row for row', () => {
    const rows = operationRows(bundle).map((r) => `${r.operationId} ${r.method.toUpperCase()} ${r.path}`);
    expect(rows.sort()).toEqual(INVENTORY.map((r) => `${r.operationId} ${r.method} ${r.path}`).sort());
  });

  it('refuses an operation that looks paginated but has no single items array', () => {
    const doc = structuredClone(bundle);
    const op = doc.paths['/_synapse/admin/v2/users'].get;
    op.responses['200'] = { content: { 'application/json': { schema: { type: 'object', required: ['a', 'b'], properties: { a: { type: 'array' }, b: { type: 'array' }, next_token: { type: 'string' } } } } } };
    expect(() => operationRows(doc)).toThrow('listUsers looks paginated but its 200 answer has 2 required array properties, not 1');
  });
});
