// How the validator finds the operation for a request (src/validation.ts,
// the route tree): as Synapse does, literal segments are compared raw (still
// percent-encoded), a parameter takes one whole non-empty segment and is
// percent-decoded, and a literal segment wins over a parameter unless the
// literal branch has no operation for the method.
import { describe, expect, it } from 'vitest';
import { SynapseAdminValidator } from '../src/validation.ts';

const validator = new SynapseAdminValidator();

// [method, path, operationId or undefined, path parameters]
const CASES: Array<[string, string, string | undefined, Record<string, string>?]> = [
  ['GET', '/_synapse/admin/v2/users/%40alice%3Aexample.org', 'getUser', { user_id: '@alice:example.org' }],
  ['GET', '/_synapse/admin/v2/users/@alice:example.org', 'getUser', { user_id: '@alice:example.org' }],
  ['get', '/_synapse/admin/v2/users/@alice:example.org', 'getUser', { user_id: '@alice:example.org' }],
  ['PUT', '/_synapse/admin/v2/users/@alice:example.org?x=1#top', 'createOrModifyUser', { user_id: '@alice:example.org' }],
  ['GET', '/_synapse/admin/v2/users', 'listUsers', {}],
  ['GET', '/_synapse/admin/v2/users/%40a%3Ab/devices/DEV%2F1', 'getDevice', { user_id: '@a:b', device_id: 'DEV/1' }],
  // the literal "redact_status" wins for GET; POST has nothing there and backtracks to {user_id}
  ['GET', '/_synapse/admin/v1/user/redact_status/abc', 'getRedactionStatus', { redact_id: 'abc' }],
  ['POST', '/_synapse/admin/v1/user/redact_status/redact', 'redactUserEvents', { user_id: 'redact_status' }],
  ['GET', '/_matrix/client/r0/admin/whois/@a:b', 'getWhoisClientApi', { userId: '@a:b' }],
  // no operation
  ['GET', '/_synapse/admin/v2/users/', undefined],
  ['GET', '/_synapse/admin/v2/users//devices', undefined],
  ['GET', '/_synapse/admin/v2/users/@a:b/', undefined],
  ['GET', '/_synapse/admin/v2/%75sers/@a:b', undefined],
  ['GET', '/_synapse/admin/v2/users/%E0%A4%A', undefined],
  ['DELETE', '/_synapse/admin/v2/users/@a:b', undefined],
  ['GET', '_synapse/admin/v2/users', undefined],
  ['GET', '', undefined],
];

describe('route tree', () => {
  it.each(CASES)('%s %s → %s', (method, path, operationId, params) => {
    const m = validator.match(method, path);
    expect(m?.operation.operationId).toBe(operationId);
    if (operationId) expect(m!.pathParams).toEqual(params);
  });

  it.each([
    ['/_synapse/admin/v2/users/@a:b', true],
    ['/_synapse/admin/v1/user/redact_status/x', true],
    ['/_synapse/admin/v2/users/@a:b/nothing', false],
    ['/', false],
  ] as const)('pathExists(%s) is %s', (path, exists) => {
    expect(validator.pathExists(path)).toBe(exists);
  });
});

// checkExchange() remembers what each request line (method + URL) told it:
// the route and the parameter verdict. Bodies and statuses must still be
// checked per exchange, and a repeat must report the same request issues.
describe('request-line memo in validate --har', async () => {
  const { validateHarText } = await import('../src/cli/validate.ts');
  const user = (id: string) => `https://matrix.example.org/_synapse/admin/v2/users/${encodeURIComponent(id)}`;
  const entry = (url: string, status: number, body: unknown) => ({
    request: { method: 'GET', url },
    response: { status, content: { mimeType: 'application/json', text: JSON.stringify(body) } },
  });
  // The spec's own example of a user account: valid by construction.
  const good = new SynapseAdminValidator().spec.components.examples.UserAccount.value as Record<string, unknown>;
  const har = JSON.stringify({
    log: {
      entries: [
        entry(user('@alice:example.org'), 200, good),
        entry(user('@alice:example.org'), 200, { ...good, admin: 'no' }),
        entry(user('not-a-user-id'), 404, { errcode: 'M_NOT_FOUND', error: 'no such user' }),
        entry(user('not-a-user-id'), 404, { errcode: 'M_NOT_FOUND', error: 'no such user' }),
        entry(user('@alice:example.org'), 200, good),
      ],
    },
  });

  it('checks every body and repeats request issues for every exchange', () => {
    const v = new SynapseAdminValidator();
    for (let run = 0; run < 2; run++) {
      const { results } = validateHarText(v, har, 't.har');
      expect(results.map((r) => r.outcome)).toEqual(['valid', 'invalid', 'invalid', 'invalid', 'valid']);
      expect(results[1]!.issues.map((i) => `${i.where} ${i.pointer}`)).toEqual(['response.body /admin']);
      for (const r of [results[2]!, results[3]!]) expect(r.issues.map((i) => `${i.where} ${i.pointer} ${i.keyword}`)).toEqual(['request /path/user_id pattern']);
    }
  });
});
