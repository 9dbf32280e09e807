// The OpenAPI 3.0 edition: committed and fresh, lint-clean, and it loses
// exactly what README.md says it loses, nothing more.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProblem, redoclyLint, spectralLint } from '../../scripts/lib/lint.ts';
import { OPENAPI30_YAML, downConvert, lossesOf, openapi30Text, walkSchemas } from '../../scripts/lib/openapi30.ts';
import { BUNDLE_YAML, ROOT } from '../../scripts/lib/paths.ts';
import { operationsOf } from '../../scripts/lib/bundle.ts';
import { bundle } from '../helpers/spec.ts';
import { CODEGEN_DIR } from './helpers.ts';

const committed = readFileSync(OPENAPI30_YAML, 'utf8');
const doc30 = parse(committed);

/** What the conversion loses, as README.md lists it. Keep both in step. */
const DOCUMENTED_LOSSES = [
  { pointer: '#/info/summary', keyword: 'summary' },
  { pointer: '#/components/schemas/UserType/examples', keyword: 'examples' },
  { pointer: '#/components/schemas/Memberships/properties/memberships/propertyNames', keyword: 'propertyNames' },
  { pointer: '#/components/schemas/RatelimitOverride/dependentRequired', keyword: 'dependentRequired' },
];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'openapi30-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('generated/openapi-3.0.yaml', () => {
  it('is fresh: converting generated/openapi.yaml again gives the committed bytes', () => {
    expect(committed, 'generated/openapi-3.0.yaml is stale: run npm run bundle (or npm run build)').toBe(openapi30Text(BUNDLE_YAML));
  });

  it('is OpenAPI 3.0.3 with every operation, status code and component schema of the bundle', () => {
    expect(doc30.openapi).toBe('3.0.3');
    const shape = (doc: any) => operationsOf(doc).map(({ method, path: p, op }) => `${method} ${p} ${op.operationId} ${Object.keys(op.responses).join(',')}`);
    expect(shape(doc30)).toEqual(shape(bundle));
    expect(Object.keys(doc30.components.schemas)).toEqual(Object.keys(bundle.components.schemas));
  });

  it('keeps no 3.1-only construct', () => {
    const found: string[] = [];
    let schemas = 0;
    walkSchemas(doc30, (n, ptr) => {
      schemas++;
      if (Array.isArray(n.type)) found.push(`${ptr}: type list`);
      if (n.type === 'null') found.push(`${ptr}: type null`);
      for (const k of ['const', 'examples', 'propertyNames', 'dependentRequired', 'prefixItems', '$defs', 'unevaluatedProperties']) {
        if (k in n) found.push(`${ptr}: ${k}`);
      }
    });
    expect(schemas).toBeGreaterThan(200);
    expect(found).toEqual([]);
    expect(doc30.info.summary).toBeUndefined();
    expect(doc30.info.license).toEqual({ name: bundle.info.license.name, url: `https://spdx.org/licenses/${bundle.info.license.identifier}.html` });
  });

  it('loses exactly the documented constructs', () => {
    expect(lossesOf(bundle).map(({ pointer, keyword }) => ({ pointer, keyword }))).toEqual(DOCUMENTED_LOSSES);
    const doc = [path.join(ROOT, 'README.md')].find((f) => existsSync(f) && readFileSync(f, 'utf8').includes('What it loses'));
    expect(doc, 'no README section lists what the 3.0 edition loses').toBeDefined();
    const readme = readFileSync(doc!, 'utf8');
    expect(DOCUMENTED_LOSSES.filter((l) => !readme.includes(l.pointer.replace('#/components/schemas/', '')))).toEqual([]);
  });

  it('turns [T, "null"] into nullable and const into a one-value enum', () => {
    expect(doc30.components.schemas.User.properties.displayname).toMatchObject({ type: 'string', nullable: true });
    expect(doc30.components.schemas.UsernameAvailability.properties.available).toMatchObject({ type: 'boolean', enum: [true] });
    // A $ref with siblings keeps them by moving the $ref into allOf.
    expect(doc30.components.schemas.UserUpsertRequest.properties.user_type.allOf).toEqual([{ $ref: '#/components/schemas/UserType' }]);
  });

  it('lints clean with Redocly and Spectral (3.0 rule set: test/codegen/spectral-openapi-3.0.yaml)', async () => {
    const [redocly, spectral] = await Promise.all([
      redoclyLint(OPENAPI30_YAML, path.join(ROOT, 'redocly.yaml')),
      spectralLint(OPENAPI30_YAML, path.join(CODEGEN_DIR, 'spectral-openapi-3.0.yaml')),
    ]);
    expect([...redocly, ...spectral].map(formatProblem)).toEqual([]);
  });

  const REFUSED: Array<{ what: string; schema: any; message: RegExp }> = [
    { what: 'a type list that is not [T, "null"]', schema: { type: ['string', 'integer'] }, message: /type list \["string","integer"\] has no 3\.0 form/ },
    { what: 'prefixItems', schema: { type: 'array', prefixItems: [{ type: 'string' }] }, message: /prefixItems: no OpenAPI 3\.0 equivalent/ },
    { what: 'if/then', schema: { if: { required: ['a'] }, then: { required: ['b'] } }, message: /\/if: no OpenAPI 3\.0 equivalent/ },
    { what: 'numeric exclusiveMinimum', schema: { type: 'integer', exclusiveMinimum: 0 }, message: /numeric exclusiveMinimum/ },
    { what: 'type null alone', schema: { type: 'null' }, message: /"null" alone has no 3\.0 form/ },
  ];

  it.each(REFUSED)('refuses $what with a line naming where it is', ({ schema, message }) => {
    const doc = { openapi: '3.1.0', info: { title: 't', version: '1' }, paths: {}, components: { schemas: { Broken: { type: 'object', properties: { field: schema } } } } };
    expect(() => downConvert(doc)).toThrow(message);
    expect(() => downConvert(doc)).toThrow(/#\/components\/schemas\/Broken\/properties\/field/);
  });

  it('says what to do when the bundle is missing', () => {
    expect(() => openapi30Text(path.join(tmp, 'missing.yaml'))).toThrow(/missing\.yaml does not exist: run npm run bundle first$/);
  });

  it('refuses an input that is not OpenAPI 3.1', () => {
    const file = path.join(tmp, 'old.yaml');
    writeFileSync(file, 'openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {}\n');
    expect(() => openapi30Text(file)).toThrow(/is not an OpenAPI 3\.1 document \(openapi: "3\.0\.3"\)/);
  });
});
