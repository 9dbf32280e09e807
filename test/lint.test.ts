// Lint is clean, and each of our own rules really fires: a small spec is
// broken once per rule (each break in its own operation) and linted with
// the project's configuration.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { lintAll, redoclyLint, spectralLint, type Problem } from '../scripts/lib/lint.ts';
import { ROOT } from '../scripts/lib/paths.ts';

const errorRef = { $ref: '#/components/responses/Error' };

/** A tiny valid spec in our house style; `op(id)` makes one compliant operation. */
function op(id: string): any {
  return {
    operationId: id,
    summary: `Operation ${id}`,
    description: 'Does one thing for the tests.',
    tags: ['Accounts'],
    security: [{ AdminAccessToken: [] }],
    'x-synapse-doc-section': 'Test',
    'x-synapse-added-in': '1.2.3',
    responses: {
      '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' }, example: {} } } },
      '400': errorRef,
      '401': errorRef,
      '500': errorRef,
    },
  };
}

const BROKEN: Array<{ rule: string; tool: 'redocly' | 'spectral'; path: string; mutate: (o: any, item: any) => void }> = [
  { rule: 'synapse-operation-id-camel-case', tool: 'spectral', path: '/a', mutate: (o) => (o.operationId = 'Get_user') },
  { rule: 'rule/operation-id-camel-case', tool: 'redocly', path: '/a', mutate: () => {} },
  { rule: 'synapse-operation-security', tool: 'spectral', path: '/b', mutate: (o) => delete o.security },
  { rule: 'rule/operation-has-security', tool: 'redocly', path: '/b', mutate: () => {} },
  { rule: 'synapse-operation-tag', tool: 'spectral', path: '/c', mutate: (o) => (o.tags = []) },
  { rule: 'synapse-error-is-matrix-error', tool: 'spectral', path: '/d', mutate: (o) => (o.responses['404'] = { description: 'gone', content: { 'application/json': { schema: { type: 'object', title: 'Other' } } } }) },
  { rule: 'synapse-success-has-example', tool: 'spectral', path: '/e', mutate: (o) => delete o.responses['200'].content['application/json'].example },
  { rule: 'synapse-shared-user-id-parameter', tool: 'spectral', path: '/f/{user_id}', mutate: (_o, item) => (item.parameters = [{ name: 'user_id', in: 'path', required: true, schema: { type: 'string' }, example: '@a:b' }]) },
  { rule: 'synapse-version-values', tool: 'spectral', path: '/g', mutate: (o) => (o['x-synapse-added-in'] = 'v1.2') },
  { rule: 'synapse-changed-map', tool: 'spectral', path: '/h', mutate: (o) => (o['x-synapse-changed'] = { soon: 'something' }) },
  { rule: 'synapse-operation-provenance', tool: 'spectral', path: '/i', mutate: (o) => delete o['x-synapse-doc-section'] },
  { rule: 'synapse-removed-is-deprecated', tool: 'spectral', path: '/j', mutate: (o) => (o['x-synapse-removed-in'] = '1.51.0') },
];

function makeSpec(broken: boolean) {
  const paths: Record<string, any> = {};
  BROKEN.forEach((row, i) => {
    const item: any = paths[row.path] ?? {};
    const o = op(`op${i}`);
    if (broken) {
      row.mutate(o, item);
      if (row.rule === 'rule/operation-has-security') delete o.security;
      if (row.rule === 'rule/operation-id-camel-case') o.operationId = 'Get_user2';
    }
    item[['get', 'put', 'post', 'delete'][Object.keys(item).filter((k) => k !== 'parameters').length]] = o;
    if (row.path.includes('{user_id}') && !item.parameters) item.parameters = [{ $ref: '#/components/parameters/UserId' }];
    paths[row.path] = item;
  });
  return {
    openapi: '3.1.0',
    info: { title: 'Lint fixture', version: '1.0.0', description: 'Fixture.', license: { name: 'MIT', identifier: 'MIT' } },
    servers: [{ url: 'http://localhost', description: 'local test server', 'x-internal': true }],
    security: [{ AdminAccessToken: [] }],
    tags: [{ name: 'Accounts', description: 'Accounts.' }],
    paths,
    components: {
      securitySchemes: { AdminAccessToken: { type: 'http', scheme: 'bearer' } },
      parameters: { UserId: { name: 'user_id', in: 'path', required: true, schema: { type: 'string', pattern: '^@', maxLength: 255 }, example: '@a:b' } },
      responses: {
        Error: {
          description: 'error',
          content: { 'application/json': { schema: { type: 'object', title: 'MatrixError', required: ['errcode'], properties: { errcode: { type: 'string', pattern: '^M_', maxLength: 64 } } }, example: { errcode: 'M_UNKNOWN' } } },
        },
      },
    },
  };
}

describe('lint', () => {
  it('reports nothing on the project spec', async () => {
    const problems = await lintAll();
    expect(problems.map((p) => `${p.rule}: ${p.message} ${p.file}:${p.line}`)).toEqual([]);
  });

  describe('custom rules fire on a deliberately broken spec', () => {
    let problems: Problem[] = [];
    let control: Problem[] = [];
    beforeAll(async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'lint-fixture-'));
      const write = (name: string, doc: unknown) => {
        const file = path.join(dir, name);
        writeFileSync(file, stringify(doc));
        return file;
      };
      const brokenFile = write('broken.yaml', makeSpec(true));
      const goodFile = write('good.yaml', makeSpec(false));
      const redoclyConfig = path.join(ROOT, 'redocly.yaml');
      const ruleset = path.join(ROOT, '.spectral.yaml');
      [problems, control] = await Promise.all([
        Promise.all([redoclyLint(brokenFile, redoclyConfig), spectralLint(brokenFile, ruleset)]).then((r) => r.flat()),
        Promise.all([redoclyLint(goodFile, redoclyConfig), spectralLint(goodFile, ruleset)]).then((r) => r.flat()),
      ]);
    });

    it.each(BROKEN)('$rule ($tool) fires at $path', ({ rule, tool, path: p }) => {
      const hits = problems.filter((x) => x.rule === rule && x.tool === tool);
      expect(hits.length, `${rule} did not fire`).toBeGreaterThan(0);
      const ptr = '#/paths/' + p.replace(/~/g, '~0').replace(/\//g, '~1');
      expect(hits.some((h) => h.pointer.startsWith(ptr)), `${rule} fired elsewhere: ${hits.map((h) => h.pointer)}`).toBe(true);
    });

    it('the unbroken twin passes every custom rule', () => {
      const ours = control.filter((x) => x.rule.startsWith('synapse-') || x.rule.startsWith('rule/'));
      expect(ours.map((x) => `${x.rule} ${x.pointer}`)).toEqual([]);
    });
  });
});
