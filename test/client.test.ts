// The typed client against an in-test node:http server: what goes on the
// wire (auth, exact path bytes), how errors come back, paging, retry
// timing (fake timers), timeouts and aborts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSynapseAdminClient, isMatrixError, MatrixApiError, OPERATIONS, SynapseAdminError, type SynapseAdminClientOptions } from '../src/index.ts';
import { measureClientOverhead } from '../bench/client.ts';
import { INVENTORY } from './operations.ts';
import { bundle, deref } from './helpers/spec.ts';

const TOKEN = 'syt_YWRtaW4_SecretAdminToken_0x1234';

interface Seen {
  method: string;
  /** The request target exactly as it came over the socket. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Reply = { status?: number; json?: unknown; text?: string; headers?: Record<string, string> } | 'hang';

let server: http.Server;
let baseUrl: string;
let seen: Seen[] = [];
let handler: (req: Seen) => Reply = () => ({ json: {} });
/** Requests the server left unanswered on purpose; their sockets are destroyed after each test. */
let hanging: http.ServerResponse[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const s: Seen = { method: req.method!, url: req.url!, headers: req.headers, body };
      seen.push(s);
      const reply = handler(s);
      if (reply === 'hang') {
        hanging.push(res); // never answered; destroyed in afterEach
        return;
      }
      const text = reply.text ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
      res.writeHead(reply.status ?? 200, { 'content-type': reply.json === undefined ? 'text/html' : 'application/json', ...reply.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  vi.useRealTimers();
  for (const res of hanging) res.socket?.destroy();
  hanging = [];
  seen = [];
  handler = () => ({ json: {} });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const client = (extra: Partial<SynapseAdminClientOptions> = {}) => createSynapseAdminClient({ baseUrl, accessToken: TOKEN, ...extra });

/** Resolves with what the promise rejected with; fails the test when it resolved. */
async function rejection(p: Promise<unknown>): Promise<SynapseAdminError> {
  const outcome = await p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.v)}`);
  expect(outcome.e).toBeInstanceOf(SynapseAdminError);
  return outcome.e as SynapseAdminError;
}

function expectNoToken(err: unknown) {
  for (const text of [String(err), (err as Error).stack ?? '', JSON.stringify(err), inspect(err, { depth: 5 })]) {
    expect(text).not.toContain(TOKEN);
  }
}

/** Waits (on real I/O, not timers) until `cond` holds. */
async function until(cond: () => boolean, what: string) {
  for (let i = 0; i < 20_000; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('every operation', () => {
  it('is a typed method and reaches its method and path on the wire, with the bearer token', async () => {
    expect(Object.keys(OPERATIONS).sort()).toEqual(INVENTORY.map((r) => r.operationId).sort());
    const c = client();
    for (const row of INVENTORY) {
      const names = [...row.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const path = Object.fromEntries(names.map((n) => [n, `v-${n}`]));
      const op = bundle.paths[row.path][row.method.toLowerCase()];
      const init: Record<string, unknown> = { path };
      if (op.requestBody) init.body = {};
      if (row.operationId === 'checkUsernameAvailable') init.query = { username: 'bob' };
      seen = [];
      await (c as any)[row.operationId](init);
      expect(seen, row.operationId).toHaveLength(1);
      const expectedPath = row.path.replace(/\{([^}]+)\}/g, (_m, n) => `v-${n}`);
      expect(`${seen[0].method} ${seen[0].url.split('?')[0]}`, row.operationId).toBe(`${row.method} ${expectedPath}`);
      expect(seen[0].headers.authorization, row.operationId).toBe(`Bearer ${TOKEN}`);
      if (op.requestBody) expect(seen[0].headers['content-type'], row.operationId).toBe('application/json');
    }
  });

  it('call(operationId) is the same as the method', async () => {
    handler = (r) => ({ json: { name: decodeURIComponent(r.url.split('/').pop()!) } });
    const c = client();
    expect(await c.call('getUser', { path: { user_id: '@a:b' } })).toEqual(await c.getUser({ path: { user_id: '@a:b' } }));
    expect(seen.map((s) => s.url)).toEqual(['/_synapse/admin/v2/users/%40a%3Ab', '/_synapse/admin/v2/users/%40a%3Ab']);
  });

  it('sends the JSON body and the query as given, and the custom headers', async () => {
    const c = client({ headers: { 'user-agent': 'ops-bot/1' } });
    await c.createOrModifyUser({ path: { user_id: '@bob:x' }, body: { displayname: 'Bob', admin: false } });
    await c.listUsers({ query: { limit: 2, name: 'a&b=c', guests: false, not_user_type: ['bot', ''] } });
    expect(JSON.parse(seen[0].body)).toEqual({ displayname: 'Bob', admin: false });
    expect(seen[0].headers['user-agent']).toBe('ops-bot/1');
    expect(seen[1].url).toBe('/_synapse/admin/v2/users?limit=2&name=a%26b%3Dc&guests=false&not_user_type=bot&not_user_type=');
  });

  it('the Authorization header cannot be replaced per call', async () => {
    await client().getUser({ path: { user_id: '@a:b' }, headers: { Authorization: 'Bearer other' } });
    expect(seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});

describe('raw (openapi-fetch) client', () => {
  it('gives status and headers with the same auth, encoding and errors; middleware is refused', async () => {
    handler = () => ({ status: 201, json: { name: '@new:x' }, headers: { 'x-request-id': 'r1' } });
    const c = client();
    const { data, response } = await c.raw.PUT('/_synapse/admin/v2/users/{user_id}', { params: { path: { user_id: '@new:x' } }, body: { displayname: 'New' } });
    expect([response.status, response.headers.get('x-request-id'), data]).toEqual([201, 'r1', { name: '@new:x' }]);
    expect([seen[0].method, seen[0].url, seen[0].headers.authorization, seen[0].body]).toEqual(['PUT', '/_synapse/admin/v2/users/%40new%3Ax', `Bearer ${TOKEN}`, '{"displayname":"New"}']);
    handler = () => ({ status: 403, json: { errcode: 'M_FORBIDDEN', error: 'You are not a server admin' } });
    const err = (await rejection(c.raw.GET('/_synapse/admin/v2/users/{user_id}', { params: { path: { user_id: '@new:x' } } }))) as MatrixApiError;
    expect([err.status, err.errcode]).toEqual([403, 'M_FORBIDDEN']);
    // Both paths serialise the same way (openapi-fetch's serialisers).
    handler = () => ({ json: { users: [], total: 0 } });
    seen = [];
    const query = { limit: 2, name: 'a&b=c', guests: false, not_user_type: ['bot', ''] as ('bot' | '')[] };
    await c.raw.GET('/_synapse/admin/v2/users', { params: { query } });
    await c.listUsers({ query });
    expect(seen.map((s) => `${s.method} ${s.url} ${s.headers.authorization}`)).toEqual(Array(2).fill(`GET /_synapse/admin/v2/users?limit=2&name=a%26b%3Dc&guests=false&not_user_type=bot&not_user_type= Bearer ${TOKEN}`));
    expect(() => (c.raw as any).use({ onRequest() {} })).toThrow('raw.use/raw.eject: middleware is not supported by this client; pass a custom fetch to createSynapseAdminClient instead');
  });
});

describe('path encoding: the exact bytes on the wire', () => {
  const cases: Array<[op: 'getUser' | 'getDevice' | 'getUserByThreepid' | 'getUserByExternalId', path: Record<string, string>, wire: string]> = [
    ['getUser', { user_id: '@alice:example.org' }, '/_synapse/admin/v2/users/%40alice%3Aexample.org'],
    ['getUser', { user_id: '@alice:example.org:8448' }, '/_synapse/admin/v2/users/%40alice%3Aexample.org%3A8448'],
    ['getUser', { user_id: '@a/b:example.org' }, '/_synapse/admin/v2/users/%40a%2Fb%3Aexample.org'],
    ['getUser', { user_id: '@a#b:example.org' }, '/_synapse/admin/v2/users/%40a%23b%3Aexample.org'],
    ['getUser', { user_id: '@a?b=1&c%d e:x' }, '/_synapse/admin/v2/users/%40a%3Fb%3D1%26c%25d%20e%3Ax'],
    ['getUser', { user_id: '@zoë:例え.jp' }, '/_synapse/admin/v2/users/%40zo%C3%AB%3A%E4%BE%8B%E3%81%88.jp'],
    ['getUser', { user_id: '@🦀:x' }, '/_synapse/admin/v2/users/%40%F0%9F%A6%80%3Ax'],
    ['getDevice', { user_id: '@a:x', device_id: 'QBUAZ/IEUK#1' }, '/_synapse/admin/v2/users/%40a%3Ax/devices/QBUAZ%2FIEUK%231'],
    ['getDevice', { user_id: '@a:x', device_id: '...' }, '/_synapse/admin/v2/users/%40a%3Ax/devices/...'],
    ['getUserByThreepid', { medium: 'email', address: 'alice+tag@example.org' }, '/_synapse/admin/v1/threepid/email/users/alice%2Btag%40example.org'],
    ['getUserByExternalId', { provider: 'oidc-github', external_id: 'https://gh/u/1' }, '/_synapse/admin/v1/auth_providers/oidc-github/users/https%3A%2F%2Fgh%2Fu%2F1'],
  ];
  it.each(cases)('%s %j -> %s', async (op, path, wire) => {
    await (client() as any)[op]({ path });
    expect(seen.map((s) => s.url)).toEqual([wire]);
    // And the server decodes each segment back to the exact value.
    const segments = wire.split('/').map(decodeURIComponent);
    for (const v of Object.values(path)) expect(segments).toContain(v);
  });

  const bad: Array<[unknown, RegExp]> = [
    [undefined, /^missing path parameter "user_id"$/],
    ['', /^path parameter "user_id" is empty$/],
    ['.', /cannot be "\." or "\.\."/],
    ['..', /cannot be "\." or "\.\."/],
    [{ id: 1 }, /^path parameter "user_id" must be a string, got object$/],
    ['@a\uD800:x', /not well-formed Unicode/],
  ];
  it.each(bad)('rejects user_id %j without sending anything', async (value, message) => {
    const err = await rejection(client().getUser({ path: { user_id: value as string } }));
    expect(err.kind).toBe('invalid-request');
    expect(err.message).toMatch(message);
    expect(seen).toEqual([]);
  });
});

describe('errors', () => {
  // Every error status the spec declares, with the spec's own example bodies.
  const declared = new Map<string, any[]>();
  for (const item of Object.values<any>(bundle.paths)) {
    for (const op of Object.values<any>(item)) {
      for (const [status, resp] of Object.entries<any>(op.responses ?? {})) {
        if (Number(status) < 400) continue;
        const r = deref(resp);
        const examples = Object.values<any>(r.content['application/json'].examples ?? {}).map((e) => deref(e).value);
        declared.set(status, [...(declared.get(status) ?? []), ...examples]);
      }
    }
  }
  const rows = [...declared].flatMap(([status, examples]) => [...new Map(examples.map((e) => [JSON.stringify(e), e])).values()].map((e) => [Number(status), e] as const));

  it('the spec declares 400, 401, 403, 404, 429 and 500, each with examples', () => {
    expect([...declared.keys()].sort()).toEqual(['400', '401', '403', '404', '429', '500']);
    for (const [status, examples] of declared) expect(examples.length, status).toBeGreaterThan(0);
  });

  it.each(rows)('HTTP %i %j becomes a MatrixApiError with every field', async (status, body) => {
    handler = () => ({ status, json: { ...body, extra_field: [1] } });
    const err = await rejection(client().getUser({ path: { user_id: '@a:x' } }));
    expect(err).toBeInstanceOf(MatrixApiError);
    const e = err as MatrixApiError;
    expect(e.kind).toBe('http');
    expect([e.status, e.errcode, e.error]).toEqual([status, body.errcode, body.error]);
    expect(e.retryAfterMs).toBe(body.retry_after_ms);
    expect(e.body).toEqual({ ...body, extra_field: [1] });
    expect(e.message).toBe(`GET /_synapse/admin/v2/users/%40a%3Ax failed with HTTP ${status}: ${body.errcode}: ${body.error}`);
    expect(isMatrixError(e, body.errcode)).toBe(true);
    expect(isMatrixError(e, 'M_SOMETHING_ELSE')).toBe(false);
    expectNoToken(e);
  });

  const odd: Array<[string, Reply, RegExp]> = [
    ['empty body', { status: 500 }, /failed with HTTP 500: Internal Server Error \(empty body, not a Matrix error\)$/],
    ['HTML from a proxy', { status: 502, text: '<html><body>Bad gateway</body></html>' }, /HTTP 502: Bad Gateway \(non-JSON body, not a Matrix error: "<html><body>Bad gateway<\/body><\/html>"\)$/],
    ['JSON without errcode', { status: 404, json: { message: 'nope' } }, /HTTP 404: Not Found \(JSON object without errcode, not a Matrix error: "\{\\"message\\":\\"nope\\"\}"\)$/],
    ['a JSON array', { status: 400, json: [1, 2] }, /HTTP 400: Bad Request \(JSON body that is not an object, not a Matrix error: "\[1,2\]"\)$/],
  ];
  it.each(odd)('%s still gives one clear MatrixApiError', async (_name, reply, message) => {
    handler = () => reply;
    const err = (await rejection(client().getWhois({ path: { user_id: '@a:x' } }))) as MatrixApiError;
    expect(err).toBeInstanceOf(MatrixApiError);
    expect(err.errcode).toBeUndefined();
    expect(err.message).toMatch(/^GET \/_synapse\/admin\/v1\/whois\/%40a%3Ax failed with /);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
  });

  it('never shows the token, even when the server echoes it back', async () => {
    handler = (r) => ({ status: 403, json: { errcode: 'M_FORBIDDEN', error: `token ${r.headers.authorization} is not an admin`, echoed: r.headers.authorization } });
    const err = (await rejection(client().getUser({ path: { user_id: '@a:x' } }))) as MatrixApiError;
    expect(err.error).toBe('token Bearer <redacted> is not an admin');
    expect(err.body?.echoed).toBe('Bearer <redacted>');
    expectNoToken(err);
  });

  it('a 2xx answer that is not JSON, or empty, is an invalid-response error', async () => {
    handler = () => ({ text: '{"name": ' , headers: { 'content-type': 'application/json' } });
    let err = await rejection(client().getUser({ path: { user_id: '@a:x' } }));
    expect([err.kind, err.message]).toEqual(['invalid-response', "getUser: the server's 2xx answer is not valid JSON"]);
    handler = () => ({ text: '' });
    err = await rejection(client().getUser({ path: { user_id: '@a:x' } }));
    expect([err.kind, err.message]).toEqual(['invalid-response', 'getUser: the server answered 200 with an empty body, expected JSON']);
  });

  it('a refused connection is a network error naming the request, not the token', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await rejection(createSynapseAdminClient({ baseUrl: `http://127.0.0.1:${port}`, accessToken: TOKEN }).getUser({ path: { user_id: '@a:x' } }));
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/^GET \/_synapse\/admin\/v2\/users\/%40a%3Ax failed: fetch failed \(ECONNREFUSED\)$/);
    expectNoToken(err);
  });

  it('an unknown operation or a non-paginated one is refused', async () => {
    const c = client() as any;
    expect((await rejection(c.call('getUsr', {}))).message).toBe('unknown operation "getUsr"');
    expect(() => c.paginate('getUser', { path: { user_id: '@a:x' } })).toThrow('"getUser" is not a paginated operation');
  });
});

describe('options', () => {
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ baseUrl: 'matrix.example.org' }, 'baseUrl "matrix.example.org" is not an absolute URL'],
    [{ baseUrl: 'ftp://x' }, 'baseUrl must use http: or https:, not ftp:'],
    [{ baseUrl: 'http://x/?a=1' }, 'baseUrl must not have a query string or fragment'],
    [{ accessToken: '' }, 'accessToken must be a non-empty string'],
    [{ accessToken: `${TOKEN}\n` }, 'accessToken must be printable ASCII without spaces'],
    [{ timeoutMs: 0 }, 'timeoutMs must be a positive number of milliseconds, got 0'],
    [{ retry: { attempts: 0 } }, 'retry.attempts must be an integer from 1 to 10, got 0'],
    [{ retry: { attempts: 11 } }, 'retry.attempts must be an integer from 1 to 10, got 11'],
    [{ retry: { attempts: 2, maxDelayMs: -1 } }, 'retry.maxDelayMs must be a non-negative number of milliseconds, got -1'],
    [{ fetch: 'yes' }, 'fetch must be a function'],
  ];
  it.each(bad)('%j is refused with one line', (extra, message) => {
    let thrown: unknown;
    try {
      createSynapseAdminClient({ baseUrl, accessToken: TOKEN, ...extra } as SynapseAdminClientOptions);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SynapseAdminError);
    expect((thrown as SynapseAdminError).kind).toBe('invalid-options');
    expect((thrown as Error).message).toBe(`createSynapseAdminClient: ${message}`);
    expectNoToken(thrown);
  });

  it('a base URL with a path prefix and a trailing slash is kept', async () => {
    await createSynapseAdminClient({ baseUrl: `${baseUrl}/synapse/`, accessToken: TOKEN }).getUser({ path: { user_id: '@a:x' } });
    expect(seen[0].url).toBe('/synapse/_synapse/admin/v2/users/%40a%3Ax');
  });

  it('an injected fetch gets every request (a Request with the token) and its answer is used', async () => {
    const requests: Request[] = [];
    const c = createSynapseAdminClient({
      baseUrl: 'https://matrix.example.org',
      accessToken: TOKEN,
      fetch: async (r) => {
        requests.push(r);
        return Response.json({ available: true });
      },
    });
    expect(await c.checkUsernameAvailable({ query: { username: 'bob' } })).toEqual({ available: true });
    expect(requests.map((r) => [r.method, r.url, r.headers.get('authorization')])).toEqual([
      ['GET', 'https://matrix.example.org/_synapse/admin/v1/username_available?username=bob', `Bearer ${TOKEN}`],
    ]);
    expect(seen).toEqual([]);
  });
});

describe('timeouts and aborts', () => {
  it('timeoutMs aborts a request the server never answers', async () => {
    handler = () => 'hang';
    const started = performance.now();
    const err = await rejection(client({ timeoutMs: 150 }).getUser({ path: { user_id: '@a:x' } }));
    expect([err.kind, err.message]).toEqual(['timeout', 'GET /_synapse/admin/v2/users/%40a%3Ax timed out after 150 ms']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(seen).toHaveLength(1);
  });

  it("the caller's AbortSignal reaches the request", async () => {
    handler = () => 'hang';
    const controller = new AbortController();
    const p = client({ timeoutMs: 60_000 }).getUser({ path: { user_id: '@a:x' }, signal: controller.signal });
    await until(() => seen.length === 1, 'the request');
    controller.abort(new Error('user cancelled'));
    const err = await rejection(p);
    expect([err.kind, err.message]).toEqual(['aborted', 'GET /_synapse/admin/v2/users/%40a%3Ax was aborted']);
    expect((err.cause as Error).message).toBe('user cancelled');
  });

  it('an already aborted signal sends nothing', async () => {
    const err = await rejection(client().getUser({ path: { user_id: '@a:x' }, signal: AbortSignal.abort() }));
    expect(err.kind).toBe('aborted');
    expect(seen).toEqual([]);
  });
});

describe('pagination', () => {
  const users = Array.from({ length: 5 }, (_, i) => ({ name: `@u${i}:x`, admin: false, deactivated: false }));
  const media = Array.from({ length: 3 }, (_, i) => ({ media_id: `m${i}`, media_length: i }));
  /** A server that pages `items`, sending next_token as `tokenType`. */
  const pager = (key: string, items: unknown[], tokenType: 'string' | 'number') => (r: Seen) => {
    const q = new URL(r.url, 'http://x').searchParams;
    const from = Number(q.get('from') ?? 0);
    const limit = Number(q.get('limit') ?? 100);
    const next = from + limit < items.length ? from + limit : undefined;
    return { json: { [key]: items.slice(from, from + limit), total: items.length, ...(next === undefined ? {} : { next_token: tokenType === 'string' ? String(next) : next }) } };
  };

  it('the paginated operations are exactly those whose spec takes `from` and answers `next_token`', () => {
    const fromSpec = INVENTORY.filter((row) => {
      const op = bundle.paths[row.path][row.method.toLowerCase()];
      const takesFrom = (op.parameters ?? []).map(deref).some((p: any) => p.in === 'query' && p.name === 'from');
      const ok = deref(deref(op.responses['200'])?.content?.['application/json']?.schema);
      return takesFrom && ok?.properties?.next_token !== undefined;
    }).map((r) => r.operationId);
    const paginated = Object.entries(OPERATIONS).filter(([, d]) => 'page' in d).map(([id]) => id);
    expect(paginated.sort()).toEqual(fromSpec.sort());
    expect(paginated.sort()).toEqual(['listUserMedia', 'listUsers', 'listUsersV3']);
  });

  it.each([['listUsers'], ['listUsersV3']] as const)('%s: every user once, following the string next_token', async (op) => {
    handler = pager('users', users, 'string');
    const names: string[] = [];
    for await (const u of client().paginate(op, { query: { limit: 2, guests: false } })) names.push(u.name);
    expect(names).toEqual(users.map((u) => u.name));
    expect(seen.map((s) => s.url)).toEqual([
      `/_synapse/admin/${op === 'listUsers' ? 'v2' : 'v3'}/users?limit=2&guests=false`,
      `/_synapse/admin/${op === 'listUsers' ? 'v2' : 'v3'}/users?limit=2&guests=false&from=2`,
      `/_synapse/admin/${op === 'listUsers' ? 'v2' : 'v3'}/users?limit=2&guests=false&from=4`,
    ]);
  });

  it('listUserMedia: every file once, following the integer next_token, from a given start', async () => {
    handler = pager('media', media, 'number');
    const ids: string[] = [];
    for await (const m of client().paginate('listUserMedia', { path: { user_id: '@a:x' }, query: { limit: 1, from: 1 } })) ids.push(m.media_id);
    expect(ids).toEqual(['m1', 'm2']);
    expect(seen.map((s) => new URL(s.url, 'http://x').searchParams.get('from'))).toEqual(['1', '2']);
  });

  it('pages() yields whole pages with total; breaking out stops fetching', async () => {
    handler = pager('users', users, 'string');
    const totals: number[] = [];
    for await (const page of client().pages('listUsers', { query: { limit: 2 } })) {
      totals.push(page.total);
      if (totals.length === 2) break;
    }
    expect(totals).toEqual([5, 5]);
    expect(seen).toHaveLength(2);
  });

  it('an empty list ends after one request', async () => {
    handler = () => ({ json: { users: [], total: 0 } });
    const all = [];
    for await (const u of client().paginate('listUsers')) all.push(u);
    expect([all, seen.length]).toEqual([[], 1]);
  });

  const repeats: Array<[string, (r: Seen) => Reply, number, number]> = [
    ['the same token on every page', (r) => ({ json: { users: [users[r.url.includes('from') ? 1 : 0]], total: 9, next_token: '1' } }), 2, 2],
    ['a token pointing back to the start', (r) => ({ json: { users: [users[0]], total: 9, next_token: r.url.includes('from=7') ? '5' : '7' } }), 2, 2],
  ];
  it.each(repeats)('a server repeating a token (%s) stops with an error, not an endless loop', async (_name, reply, items, requests) => {
    handler = reply;
    const got: unknown[] = [];
    const err = await rejection(
      (async () => {
        for await (const u of client().paginate('listUsers', { query: { from: 5 } })) got.push(u);
      })(),
    );
    expect(err.kind).toBe('invalid-response');
    expect(err.message).toMatch(/^listUsers: the server sent next_token "\d" a second time; stopped paging instead of looping forever$/);
    expect([got.length, seen.length]).toEqual([items, requests]);
  });

  it('an error on a later page rejects the loop with that error', async () => {
    handler = (r) => (r.url.includes('from') ? { status: 500, json: { errcode: 'M_UNKNOWN', error: 'boom' } } : { json: { users: [users[0]], total: 2, next_token: '1' } });
    const got: unknown[] = [];
    const err = await rejection(
      (async () => {
        for await (const u of client().paginate('listUsers')) got.push(u);
      })(),
    );
    expect([(err as MatrixApiError).status, got.length]).toEqual([500, 1]);
  });
});

describe('retry on 429 M_LIMIT_EXCEEDED (fake timers)', () => {
  const limited = (ms?: number) => ({ status: 429, json: { errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests', ...(ms === undefined ? {} : { retry_after_ms: ms }) } });

  /** Advances fake time by `ms` and lets the I/O that follows settle. */
  async function advance(ms: number) {
    await vi.advanceTimersByTimeAsync(ms);
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  }

  it('waits exactly retry_after_ms before each retry, then succeeds', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const answers = [limited(1500), limited(2500), { json: { name: '@a:x' } }];
    handler = () => answers[seen.length - 1];
    const waits: Array<[number, number, string | undefined]> = [];
    const p = client({ retry: { attempts: 3, onRetry: (i) => waits.push([i.attempt, i.delayMs, i.error.errcode]) } }).getUser({ path: { user_id: '@a:x' } });
    await until(() => waits.length === 1, 'the first 429');
    await advance(1499);
    expect(seen).toHaveLength(1);
    await advance(1);
    await until(() => waits.length === 2, 'the second 429');
    expect(seen).toHaveLength(2);
    await advance(2499);
    expect(seen).toHaveLength(2);
    await advance(1);
    await expect(p).resolves.toEqual({ name: '@a:x' });
    expect(seen).toHaveLength(3);
    expect(waits).toEqual([
      [1, 1500, 'M_LIMIT_EXCEEDED'],
      [2, 2500, 'M_LIMIT_EXCEEDED'],
    ]);
    expect(new Set(seen.map((s) => s.headers.authorization))).toEqual(new Set([`Bearer ${TOKEN}`]));
  });

  it('retries a request body intact, and uses fallbackDelayMs when retry_after_ms is missing', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const answers = [limited(), { json: {} }];
    handler = () => answers[seen.length - 1];
    const waits: number[] = [];
    const p = client({ retry: { attempts: 2, fallbackDelayMs: 700, onRetry: (i) => waits.push(i.delayMs) } }).setServerAdminStatus({
      path: { user_id: '@a:x' },
      body: { admin: true },
    });
    await until(() => waits.length === 1, 'the 429');
    await advance(699);
    expect(seen).toHaveLength(1);
    await advance(1);
    await expect(p).resolves.toEqual({});
    expect(waits).toEqual([700]);
    expect(seen.map((s) => s.body)).toEqual(['{"admin":true}', '{"admin":true}']);
  });

  const gives_up: Array<[string, Partial<SynapseAdminClientOptions>, Reply, number]> = [
    ['no retry configured', {}, limited(10), 1],
    ['attempts used up', { retry: { attempts: 2 } }, limited(10), 2],
    ['429 that is not M_LIMIT_EXCEEDED', { retry: { attempts: 3 } }, { status: 429, text: 'slow down' }, 1],
    ['retry_after_ms above maxDelayMs', { retry: { attempts: 3, maxDelayMs: 5000 } }, limited(5001), 1],
    ['other errors', { retry: { attempts: 3 } }, { status: 500, json: { errcode: 'M_UNKNOWN', error: 'x' } }, 1],
  ];
  it.each(gives_up)('does not retry: %s', async (_name, extra, reply, requests) => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    handler = () => reply;
    const p = rejection(client(extra).getUser({ path: { user_id: '@a:x' } }));
    await until(() => seen.length === 1, 'the request');
    for (let i = 0; i < 5; i++) await advance(10);
    const err = (await p) as MatrixApiError;
    expect(err).toBeInstanceOf(MatrixApiError);
    expect(seen).toHaveLength(requests);
  });

  it('an abort during the wait stops at once with kind aborted', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    handler = () => limited(30_000);
    const controller = new AbortController();
    let waiting = false;
    const p = rejection(client({ retry: { attempts: 5, onRetry: () => (waiting = true) } }).getUser({ path: { user_id: '@a:x' }, signal: controller.signal }));
    await until(() => waiting, 'the 429');
    controller.abort();
    const err = await p;
    expect(err.kind).toBe('aborted');
    await advance(60_000);
    expect(seen).toHaveLength(1);
  });
});

describe('bench/client.ts', () => {
  it('measures the client against bare fetch on a local server (tiny run)', async () => {
    const r = await measureClientOverhead({ iterations: 20, rounds: 1 });
    for (const v of [r.ours, r.baseline]) expect(v > 0 && Number.isFinite(v)).toBe(true);
    expect(r.ratio).toBeCloseTo(r.ours / r.baseline, 10);
    await expect(measureClientOverhead({ iterations: 0 })).rejects.toThrow('iterations must be a positive integer, got 0');
  });
});
