// The mock's own behaviour on the shared mock (started by the global
// setup): routing like Synapse, auth header variants, Prism's Prefer
// controls, bodies Prism never sees, malformed HTTP. Each answer that
// belongs to an operation is validated against the spec.
import net from 'node:net';
import { describe, expect, test } from 'vitest';
import { bundle, deref } from './helpers/spec.ts';
import { mockToken, mockUrl, rawRequest, validator, type RawAnswer } from './e2e/helpers.ts';

const USER = '/_synapse/admin/v2/users/%40alice%3Aexample.org';
const auth = () => ({ authorization: `Bearer ${mockToken()}` });
const UNRECOGNIZED = { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' };

function example(path: string, method: string, status: string, name: string): unknown {
  return deref(deref(bundle.paths[path][method].responses[status]).content['application/json'].examples[name]).value;
}

/** When the request is one of the spec's operations, the answer must be one it declares, in the declared shape. */
function expectDeclared(method: string, path: string, answer: RawAnswer) {
  const matched = validator.match(method, path);
  expect(matched, `${method} ${path} is an operation`).toBeDefined();
  const result = validator.validateResponse(matched!.operation.operationId, answer.status, answer.json);
  expect(result.issues, answer.text).toEqual([]);
}

describe('routing', () => {
  test.each([
    ['/'],
    ['/nope'],
    ['/_synapse/admin/v2/users/%40alice%3Aexample.org/nope'],
    ['/_synapse/admin/v2/users/%40alice%3Aexample.org/'],
    ['/_synapse/admin/v1/auth_providers//users/12345'],
    ['/_synapse/admin/v9/users'],
  ])('unknown path %s → 404 M_UNRECOGNIZED, with or without a token', async (path) => {
    for (const headers of [{}, auth()]) {
      const answer = await rawRequest(mockUrl(), { path, headers });
      expect(answer.status).toBe(404);
      expect(answer.headers['content-type']).toBe('application/json');
      expect(answer.json).toEqual(UNRECOGNIZED);
    }
  });

  test.each([
    ['PATCH', '/_synapse/admin/v2/users', 'GET, HEAD, OPTIONS'],
    ['POST', USER, 'GET, PUT, HEAD, OPTIONS'],
    ['DELETE', '/_synapse/admin/v1/username_available?username=a', 'GET, HEAD, OPTIONS'],
    ['PUT', '/_synapse/admin/v1/users/%40a%3Ab/override_ratelimit', 'GET, POST, DELETE, HEAD, OPTIONS'],
  ])('%s on %s (a known path) → 405 M_UNRECOGNIZED, Allow: %s', async (method, path, allow) => {
    const answer = await rawRequest(mockUrl(), { method, path, headers: auth() });
    expect(answer.status).toBe(405);
    expect(answer.json).toEqual(UNRECOGNIZED);
    expect(answer.headers.allow).toBe(allow);
  });

  test('HEAD answers like GET without a body; OPTIONS answers 204 with CORS headers', async () => {
    const get = await rawRequest(mockUrl(), { path: USER, headers: auth() });
    const head = await rawRequest(mockUrl(), { method: 'HEAD', path: USER, headers: auth() });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.text)));
    const options = await rawRequest(mockUrl(), { method: 'OPTIONS', path: USER });
    expect(options.status).toBe(204);
    expect(options.headers['access-control-allow-origin']).toBe('*');
    expect(options.headers['access-control-allow-headers']).toContain('Authorization');
  });
});

describe('Authorization header', () => {
  test.each([
    ['no header', 'M_MISSING_TOKEN', {}, /Missing access token/],
    ['the token as a query parameter only', 'M_MISSING_TOKEN', { query: true }, /Authorization: Bearer header/],
    ['another scheme', 'M_MISSING_TOKEN', { authorization: 'Basic YWRtaW46cGFzcw==' }, /Invalid Authorization header/],
    ['a lower-case scheme', 'M_MISSING_TOKEN', { authorization: `bearer TOKEN` }, /Invalid Authorization header/],
    ['no token after Bearer', 'M_MISSING_TOKEN', { authorization: 'Bearer' }, /Invalid Authorization header/],
    ['two words after Bearer', 'M_MISSING_TOKEN', { authorization: 'Bearer TOKEN extra' }, /Invalid Authorization header/],
    ['a wrong token', 'M_UNKNOWN_TOKEN', { authorization: 'Bearer someone-else' }, /Unrecognised access token/],
  ])('%s → 401 %s', async (_name, errcode, spec: { authorization?: string; query?: boolean }, message) => {
    const headers: Record<string, string> = {};
    if (spec.authorization) headers.authorization = spec.authorization.replace('TOKEN', mockToken());
    const path = spec.query ? `${USER}?access_token=${mockToken()}` : USER;
    const answer = await rawRequest(mockUrl(), { path, headers });
    expect(answer.status).toBe(401);
    expect(answer.json.errcode).toBe(errcode);
    expect(answer.json.error).toMatch(message);
    expectDeclared('GET', USER, answer);
  });
});

describe('Prefer header (Prism mock controls)', () => {
  const P = '/_synapse/admin/v2/users/{user_id}';
  test.each([
    ['code=404', 'GET', USER, 404, example(P, 'get', '404', 'userNotFound')],
    ['code=401, example=unknownToken', 'GET', USER, 401, example(P, 'get', '401', 'unknownToken')],
    ['code=400, example=notJson', 'GET', USER, 400, example(P, 'get', '400', 'notJson')],
    ['code=429', 'GET', USER, 429, example(P, 'get', '429', 'limitExceeded')],
    ['code=500', 'GET', USER, 500, example(P, 'get', '500', 'internal')],
    ['code=201', 'PUT', USER, 201, example(P, 'put', '201', 'userAccount')],
  ])('Prefer: %s → the declared answer', async (prefer, method, path, status, body) => {
    const answer = await rawRequest(mockUrl(), { method, path, headers: { ...auth(), prefer }, body: method === 'PUT' ? '{"displayname":"A"}' : undefined });
    expect(answer.status).toBe(status);
    expect(answer.json).toEqual(body);
    expectDeclared(method, path, answer);
  });

  test('Prefer: dynamic=true → generated data that still fits the schema', async () => {
    const answer = await rawRequest(mockUrl(), { path: USER, headers: { ...auth(), prefer: 'dynamic=true' } });
    expect(answer.status).toBe(200);
    expectDeclared('GET', USER, answer);
  });

  test.each([
    ['code=418', /Prefer code=418: getUser declares no such status \(it declares 200, 400/],
    ['code=201', /Prefer code=201: getUser declares no such status/],
    ['example=nope', /Prefer example=nope: the 200 response of getUser has no example of that name \(it has userAccount\)/],
    ['code=404, example=nope', /the 404 response of getUser has no example of that name \(it has userNotFound\)/],
    ['dynamic=maybe', /Prefer dynamic=maybe: must be true or false/],
  ])('Prefer: %s asks for what the spec lacks → 400 M_INVALID_PARAM saying so', async (prefer, message) => {
    const answer = await rawRequest(mockUrl(), { path: USER, headers: { ...auth(), prefer } });
    expect(answer.status).toBe(400);
    expect(answer.json.errcode).toBe('M_INVALID_PARAM');
    expect(answer.json.error).toMatch(message);
  });

  test('answers reused from the cache still follow Prefer, encoding and body', async () => {
    const plain = () => rawRequest(mockUrl(), { path: USER, headers: auth() });
    const first = await plain();
    const forced = await rawRequest(mockUrl(), { path: USER, headers: { ...auth(), prefer: 'code=404' } });
    const raw = await rawRequest(mockUrl(), { path: '/_synapse/admin/v2/users/@alice:example.org', headers: auth() });
    const again = await plain();
    expect([first.status, forced.status, raw.status, again.status]).toEqual([200, 404, 200, 200]);
    expect(again.text).toBe(first.text);
    expect(raw.text).toBe(first.text);
    // Same path, different bodies: the invalid one must not get the valid one's cached answer.
    const path = '/_synapse/admin/v1/users/%40a%3Ab/admin';
    const ok = await rawRequest(mockUrl(), { method: 'PUT', path, headers: auth(), body: '{"admin":true}' });
    const bad = await rawRequest(mockUrl(), { method: 'PUT', path, headers: auth(), body: '{"admin":"true"}' });
    expect([ok.status, bad.status]).toEqual([200, 400]);
  });
});

describe('request bodies', () => {
  const PUT_USER = { method: 'PUT', path: USER };
  test.each([
    ['not UTF-8', 400, 'M_NOT_JSON', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), /not valid UTF-8/],
    ['a JSON array', 400, 'M_BAD_JSON', '[]', /Request body \/: must be object/],
    ['empty', 400, 'M_NOT_JSON', '', /needs a JSON object body/],
    ['whitespace only', 400, 'M_NOT_JSON', '  \n', /needs a JSON object body/],
    ['two wrong fields', 400, 'M_BAD_JSON', '{"admin":"yes","locked":"no"}', /Request body \/admin: must be boolean .*; and 1 more problem$/],
    ['a list of threepids with a wrong item', 400, 'M_BAD_JSON', '{"threepids":[{"medium":"fax","address":"x"}]}', /\/threepids\/0\/medium/],
  ])('%s → %s %s', async (_name, status, errcode, body, message) => {
    const answer = await rawRequest(mockUrl(), { ...PUT_USER, headers: auth(), body });
    expect(answer.status).toBe(status);
    expect(answer.json.errcode).toBe(errcode);
    expect(answer.json.error).toMatch(message);
    expectDeclared('PUT', USER, answer);
  });

  test('JSON sent as text/plain is accepted, as Synapse ignores the content type', async () => {
    const answer = await rawRequest(mockUrl(), { ...PUT_USER, headers: { ...auth(), 'content-type': 'text/plain' }, body: '{"displayname":"A"}' });
    expect(answer.status).toBe(200);
    expectDeclared('PUT', USER, answer);
  });

  test('a body over 1 MiB → 413 M_TOO_LARGE and the connection is closed', async () => {
    const big = JSON.stringify({ displayname: 'x'.repeat(1024 * 1024 + 10) });
    const answer = await rawRequest(mockUrl(), { ...PUT_USER, headers: auth(), body: big });
    expect(answer.status).toBe(413);
    expect(answer.json.errcode).toBe('M_TOO_LARGE');
    expect(answer.headers.connection).toBe('close');
  });
});

test.each([
  ['a garbage request line', 400, 'M_UNKNOWN', 'HELLO THERE\r\n\r\n'],
  ['headers over 16 KiB', 431, 'M_TOO_LARGE', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
])('malformed HTTP (%s) → %s %s', async (_name, status, errcode, payload) => {
  const url = new URL(mockUrl());
  const text = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.end(payload));
    let data = '';
    socket.on('data', (d) => (data += d));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
  const [head, body] = text.split('\r\n\r\n');
  expect(head!.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : 'Request Header Fields Too Large'}`);
  expect(JSON.parse(body!).errcode).toBe(errcode);
});
