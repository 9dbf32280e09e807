// The breaking-change classifier on crafted before/after pairs: each pair
// is test/fixtures/diff/base.json with one change, and the exact list of
// changes it must produce. Then the versioning rule, and the real bundle.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { diffSpecs, formatChanges, type Change } from '../scripts/lib/diff.ts';
import { bumpBetween, checkRelease, requiredBump } from '../scripts/lib/diff-release.ts';
import { BUNDLE_JSON, ROOT } from '../scripts/lib/paths.ts';
import { OPENAPI30_YAML } from '../scripts/lib/openapi30.ts';

const base = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/diff/base.json'), 'utf8'));
const S = (d: any) => d.components.schemas;
const op = (d: any, p: string, m: string) => d.paths[p][m];

/** `severity side kind @ operationId where` for each expected change. */
type Row = { name: string; change: (after: any) => void; expect: string[] };

const PAIRS: Row[] = [
  { name: 'nothing changed', change: () => {}, expect: [] },
  {
    name: 'only descriptions, examples and x- extensions changed',
    change: (d) => {
      S(d).User.description = 'Another text.';
      S(d).User.properties.name.example = '@bob:example.org';
      S(d).User['x-synapse-added-in'] = '1.2.3';
      op(d, '/users', 'get').summary = 'List';
    },
    expect: [],
  },
  { name: 'an operation removed', change: (d) => delete d.paths['/users/{user_id}/sessions'], expect: ['breaking operations operation-removed @logoutUser operation'] },
  {
    name: 'an operation added',
    change: (d) => (d.paths['/users/{user_id}/sessions'].get = { operationId: 'listSessions', security: [{ AdminAccessToken: [] }], responses: { '200': { description: 'ok' } } }),
    expect: ['non-breaking operations operation-added @listSessions operation'],
  },
  { name: 'an operationId renamed', change: (d) => (op(d, '/users', 'get').operationId = 'getUsers'), expect: ['breaking operations operation-id-changed @getUsers operationId'] },
  { name: 'an operation deprecated', change: (d) => (op(d, '/users', 'get').deprecated = true), expect: ['non-breaking operations operation-deprecated @listUsers operation'] },
  {
    name: 'a path parameter renamed (same URL shape)',
    change: (d) => {
      d.paths['/users/{id}'] = d.paths['/users/{user_id}'];
      delete d.paths['/users/{user_id}'];
      d.paths['/users/{id}'].parameters = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^@' } }];
    },
    expect: [],
  },
  { name: 'security changed', change: (d) => (op(d, '/users', 'get').security = []), expect: ['breaking requests security-changed @listUsers security'] },
  // Parameters.
  {
    name: 'a required query parameter added',
    change: (d) => op(d, '/users', 'get').parameters.push({ name: 'from', in: 'query', required: true, schema: { type: 'string' } }),
    expect: ['breaking requests required-parameter-added @listUsers query parameter from'],
  },
  {
    name: 'an optional query parameter added',
    change: (d) => op(d, '/users', 'get').parameters.push({ name: 'from', in: 'query', schema: { type: 'string' } }),
    expect: ['non-breaking requests optional-parameter-added @listUsers query parameter from'],
  },
  { name: 'a query parameter removed', change: (d) => op(d, '/users', 'get').parameters.pop(), expect: ['breaking requests parameter-removed @listUsers query parameter order_by'] },
  { name: 'a query parameter became required', change: (d) => (op(d, '/users', 'get').parameters[0].required = true), expect: ['breaking requests parameter-became-required @listUsers query parameter limit'] },
  {
    name: 'a parameter enum lost a value',
    change: (d) => (op(d, '/users', 'get').parameters[1].schema.enum = ['name']),
    expect: ['breaking requests enum-value-removed @listUsers query parameter order_by'],
  },
  {
    name: 'a parameter minimum raised and its default changed',
    change: (d) => Object.assign(op(d, '/users', 'get').parameters[0].schema, { minimum: 1, default: 10 }),
    expect: ['breaking requests minimum-changed @listUsers query parameter limit', 'breaking requests default-changed @listUsers query parameter limit'],
  },
  {
    name: 'a parameter serialisation changed',
    change: (d) => (op(d, '/users', 'get').parameters[1].explode = false),
    expect: ['breaking requests parameter-serialization-changed @listUsers query parameter order_by'],
  },
  // Request bodies.
  { name: 'a request field removed', change: (d) => delete S(d).UserRequest.properties.avatar_url, expect: ['breaking requests property-removed @putUser request body'] },
  {
    name: 'a new required request field',
    change: (d) => {
      S(d).UserRequest.properties.reason = { type: 'string' };
      S(d).UserRequest.required.push('reason');
    },
    expect: ['breaking requests required-property-added @putUser request body'],
  },
  { name: 'a new optional request field', change: (d) => (S(d).UserRequest.properties.reason = { type: 'string' }), expect: ['non-breaking requests property-added @putUser request body'] },
  { name: 'a request field became required', change: (d) => S(d).UserRequest.required.push('password'), expect: ['breaking requests property-became-required @putUser request body'] },
  { name: 'a request field became optional', change: (d) => (S(d).UserRequest.required = []), expect: ['non-breaking requests property-became-optional @putUser request body'] },
  {
    name: 'a request type narrowed (string -> integer changes both ways)',
    change: (d) => (S(d).UserRequest.properties.displayname = { type: 'integer' }),
    expect: ['breaking requests type-narrowed @putUser request body /displayname', 'non-breaking requests type-widened @putUser request body /displayname', 'non-breaking requests maxLength-changed @putUser request body /displayname'],
  },
  { name: 'a request type widened (null now accepted)', change: (d) => (S(d).UserRequest.properties.avatar_url = { type: ['string', 'null'] }), expect: ['non-breaking requests null-added @putUser request body /avatar_url'] },
  { name: 'a request enum lost a value', change: (d) => (S(d).UserRequest.properties.kind.enum = ['user']), expect: ['breaking requests enum-value-removed @putUser request body /kind'] },
  { name: 'a request enum gained a value', change: (d) => S(d).UserRequest.properties.kind.enum.push('support'), expect: ['non-breaking requests enum-value-added @putUser request body /kind'] },
  { name: 'a request maxLength lowered', change: (d) => (S(d).UserRequest.properties.displayname.maxLength = 50), expect: ['breaking requests maxLength-changed @putUser request body /displayname'] },
  { name: 'a request minLength lowered', change: (d) => (S(d).UserRequest.properties.password.minLength = 6), expect: ['non-breaking requests minLength-changed @putUser request body /password'] },
  { name: 'a request pattern added', change: (d) => (S(d).UserRequest.properties.avatar_url.pattern = '^mxc://'), expect: ['breaking requests pattern-changed @putUser request body /avatar_url'] },
  { name: 'a request object closed', change: (d) => (S(d).UserRequest.additionalProperties = false), expect: ['breaking requests additional-properties-closed @putUser request body'] },
  { name: 'a request body no longer required', change: (d) => (op(d, '/users/{user_id}', 'put').requestBody.required = false), expect: ['non-breaking requests request-body-became-optional @putUser request body'] },
  { name: 'a request body removed', change: (d) => delete op(d, '/users/{user_id}', 'put').requestBody, expect: ['breaking requests request-body-removed @putUser request body'] },
  {
    name: 'a required request body added',
    change: (d) => (op(d, '/users/{user_id}/sessions', 'delete').requestBody = { required: true, content: { 'application/json': { schema: { type: 'object' } } } }),
    expect: ['breaking requests request-body-added @logoutUser request body'],
  },
  // Responses.
  {
    name: 'a response field removed (User is in two responses)',
    change: (d) => {
      delete S(d).User.properties.kind;
      S(d).User.required = S(d).User.required.filter((n: string) => n !== 'kind');
    },
    expect: ['breaking responses property-removed @getUser response 200 body', 'breaking responses property-removed @listUsers response 200 body /users/[]'],
  },
  {
    name: 'a response field became optional',
    change: (d) => (S(d).User.required = S(d).User.required.filter((n: string) => n !== 'admin')),
    expect: ['breaking responses property-became-optional @getUser response 200 body', 'breaking responses property-became-optional @listUsers response 200 body /users/[]'],
  },
  {
    name: 'a response field added and an optional one became required',
    change: (d) => {
      S(d).MatrixError.properties.retry_after_ms = { type: 'integer' };
      S(d).MatrixError.required.push('error');
    },
    expect: [
      'non-breaking responses property-added @listUsers response 400 body',
      'non-breaking responses property-became-required @listUsers response 400 body',
      'non-breaking responses property-added @getUser response 404 body',
      'non-breaking responses property-became-required @getUser response 404 body',
      'non-breaking responses property-added @putUser response 400 body',
      'non-breaking responses property-became-required @putUser response 400 body',
    ],
  },
  {
    name: 'a response field may now be null',
    change: (d) => (S(d).UserList.properties.total.type = ['integer', 'null']),
    expect: ['breaking responses null-added @listUsers response 200 body /total'],
  },
  {
    name: 'a response field may no longer be null',
    change: (d) => (S(d).User.properties.displayname.type = 'string'),
    expect: ['non-breaking responses null-removed @getUser response 200 body /displayname', 'non-breaking responses null-removed @listUsers response 200 body /users/[]/displayname'],
  },
  { name: 'a response integer became a number', change: (d) => (S(d).UserList.properties.total.type = 'number'), expect: ['breaking responses type-widened @listUsers response 200 body /total'] },
  {
    name: 'a response type changed (integer -> string)',
    change: (d) => (S(d).UserList.properties.total.type = 'string'),
    expect: ['breaking responses type-widened @listUsers response 200 body /total', 'non-breaking responses type-narrowed @listUsers response 200 body /total'],
  },
  {
    name: 'a response enum gained a value (clients with closed enums break)',
    change: (d) => S(d).User.properties.threepids.items.properties.medium.enum.push('matrix'),
    expect: ['breaking responses enum-value-added @getUser response 200 body /threepids/[]/medium', 'breaking responses enum-value-added @listUsers response 200 body /users/[]/threepids/[]/medium'],
  },
  {
    name: 'a response enum lost a value',
    change: (d) => (S(d).User.properties.kind.enum = ['user']),
    expect: ['non-breaking responses enum-value-removed @getUser response 200 body /kind', 'non-breaking responses enum-value-removed @listUsers response 200 body /users/[]/kind'],
  },
  {
    name: 'a response field pinned to one value (const)',
    change: (d) => (S(d).UserList.properties.total.const = 1),
    expect: ['non-breaking responses enum-added @listUsers response 200 body /total'],
  },
  { name: 'a response status removed', change: (d) => delete op(d, '/users/{user_id}', 'get').responses['404'], expect: ['breaking responses response-status-removed @getUser response 404'] },
  {
    name: 'a response status added',
    change: (d) => (op(d, '/users/{user_id}', 'get').responses['403'] = { $ref: '#/components/responses/Error' }),
    expect: ['non-breaking responses response-status-added @getUser response 403'],
  },
  {
    name: 'map values constrained in a response',
    change: (d) => (S(d).Ack.additionalProperties = { type: 'boolean', const: true }),
    expect: ['non-breaking responses enum-added @putUser response 200 body /*', 'non-breaking responses enum-added @logoutUser response 200 body /*'],
  },
  // Named schemas and what the classifier does not know.
  { name: 'an unused named schema removed', change: (d) => delete S(d).Unused, expect: ['breaking schemas schema-removed @components schema Unused'] },
  {
    name: 'a keyword the classifier does not know changed',
    change: (d) => (S(d).UserRequest.properties.avatar_url.contentEncoding = 'base64'),
    expect: ['breaking requests unclassified @putUser request body /avatar_url'],
  },
  // Same meaning, other spelling.
  {
    name: 'OpenAPI 3.0 spelling of the same schemas (nullable, enum of one)',
    change: (d) => {
      d.openapi = '3.0.3';
      S(d).User.properties.displayname = { type: 'string', nullable: true };
    },
    expect: [],
  },
  {
    name: 'a $ref replaced by the same schema inline',
    change: (d) => (op(d, '/users/{user_id}', 'put').responses['200'].content['application/json'].schema = structuredClone(S(d).Ack)),
    expect: [],
  },
];

function describeChange(c: Change): string {
  const id = /\((\w+)\)$/.exec(c.operation)?.[1] ?? c.operation;
  return `${c.severity} ${c.side} ${c.kind} @${id} ${c.where}`;
}

describe('npm run diff classifies each crafted pair', () => {
  it.each(PAIRS)('$name', ({ change, expect: expected }) => {
    const after = structuredClone(base);
    change(after);
    const got = diffSpecs(base, after).map(describeChange);
    expect([...got].sort()).toEqual([...expected].sort());
  });

  it('reports breaking changes first, split by requests and responses, with a summary line', () => {
    const after = structuredClone(base);
    delete S(after).UserRequest.properties.avatar_url;
    S(after).User.properties.kind.enum.push('support');
    S(after).UserRequest.properties.reason = { type: 'string' };
    const text = formatChanges(diffSpecs(base, after), 'v0.1.0');
    expect(text.split('\n')).toEqual([
      'Breaking changes: 3',
      '  Requests:',
      '    PUT /users/{user_id} (putUser)',
      '      request body: field "avatar_url" removed [property-removed]',
      '  Responses:',
      '    GET /users (listUsers)',
      '      response 200 body /users/[]/kind: new value "support" [enum-value-added]',
      '    GET /users/{user_id} (getUser)',
      '      response 200 body /kind: new value "support" [enum-value-added]',
      'Non-breaking changes: 1',
      '  Requests:',
      '    PUT /users/{user_id} (putUser)',
      '      request body: new optional field "reason" [property-added]',
      'Compared with v0.1.0: 3 breaking, 1 non-breaking.',
    ]);
  });

  it('refuses documents that are not OpenAPI 3.x, and external $refs', () => {
    expect(() => diffSpecs({ swagger: '2.0' }, base)).toThrow('the old document is not OpenAPI 3.0 or 3.1 (openapi: undefined)');
    const after = structuredClone(base);
    S(after).User.properties.name = { $ref: 'other.json#/Name' };
    expect(() => diffSpecs(base, after)).toThrow('external $ref other.json#/Name is not supported: diff bundled files');
  });
});

describe('on the real bundle', () => {
  const bundle = JSON.parse(readFileSync(BUNDLE_JSON, 'utf8'));

  it('finds nothing between the bundle and itself', () => {
    expect(diffSpecs(bundle, structuredClone(bundle))).toEqual([]);
  });

  it('finds exactly the documented losses of the OpenAPI 3.0 edition, as loosened responses', () => {
    const got = diffSpecs(bundle, parse(readFileSync(OPENAPI30_YAML, 'utf8'))).map(describeChange);
    expect(got.sort()).toEqual(
      [
        'breaking responses property-names-changed @listMemberships response 200 body /memberships',
        'breaking responses dependent-required-removed @getRatelimitOverride response 200 body',
        'breaking responses dependent-required-removed @getRatelimitOverride response 200 body',
        'breaking responses dependent-required-removed @setRatelimitOverride response 200 body',
        'breaking responses dependent-required-removed @setRatelimitOverride response 200 body',
      ].sort(),
    );
  });
});

describe('the version follows semver by the diff', () => {
  const breaking: Change = { severity: 'breaking', side: 'responses', kind: 'property-removed', operation: 'x', where: 'y', message: 'z' };
  const additive: Change = { ...breaking, severity: 'non-breaking', kind: 'property-added' };
  const RULES: Array<{ from: string; changes: Change[]; need: string }> = [
    { from: '0.1.0', changes: [breaking, additive], need: 'minor' },
    { from: '0.1.0', changes: [additive], need: 'patch' },
    { from: '0.1.0', changes: [], need: 'none' },
    { from: '1.4.2', changes: [breaking], need: 'major' },
    { from: '1.4.2', changes: [additive], need: 'minor' },
    { from: '1.4.2', changes: [], need: 'none' },
  ];
  it.each(RULES)('from $from with $changes.length change(s) needs a $need bump', ({ from, changes, need }) => {
    expect(requiredBump(changes, from)).toBe(need);
  });

  const CHECKS: Array<{ from: string; to: string; changes: Change[]; problem: string | undefined }> = [
    { from: '1.4.2', to: '2.0.0', changes: [breaking], problem: undefined },
    { from: '1.4.2', to: '1.5.0', changes: [breaking], problem: 'version 1.5.0 is a minor bump from 1.4.2, but 1 breaking change since then needs a major bump' },
    { from: '1.4.2', to: '1.4.3', changes: [additive, additive], problem: 'version 1.4.3 is a patch bump from 1.4.2, but 2 non-breaking changes since then need a minor bump' },
    { from: '0.1.0', to: '0.2.0', changes: [breaking], problem: undefined },
    { from: '0.1.0', to: '0.1.1', changes: [breaking], problem: 'version 0.1.1 is a patch bump from 0.1.0, but 1 breaking change since then needs a minor bump' },
    { from: '0.1.0', to: '0.1.0', changes: [], problem: undefined },
  ];
  it.each(CHECKS)('$from -> $to: $problem', ({ from, to, changes, problem }) => {
    expect(checkRelease(from, to, changes)).toBe(problem);
  });

  it('rejects a version that goes down or is not semver', () => {
    expect(() => bumpBetween('1.2.0', '1.1.9')).toThrow('version went down from 1.2.0 to 1.1.9');
    expect(() => bumpBetween('1.2', '1.3.0')).toThrow('"1.2" is not a semantic version (MAJOR.MINOR.PATCH)');
  });
});
