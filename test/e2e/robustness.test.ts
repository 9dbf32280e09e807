// A bounded barrage of malformed and random requests (seeded, so a failure
// can be replayed) against the shared mock on loopback: it must answer
// every one without crashing, never with an undeclared 5xx, always with a
// Matrix error body for 4xx, and still serve correct answers afterwards.
import http from 'node:http';
import net from 'node:net';
import { expect, test } from 'vitest';
import { inject } from 'vitest';
import { encodedPath, mockToken, mockUrl, operations, rawRequest, validator, validRequest } from './helpers.ts';

const REQUESTS = 1200;
const RAW_SOCKETS = 60;
const CONCURRENCY = 16;
const SEED = 0x5eed;

/** mulberry32: small, seedable, good enough to pick test inputs. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const valid = operations.map(validRequest);
const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];

interface Attempt {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

function makeAttempt(rand: () => number): Attempt {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const randomText = (max: number) => {
    const n = Math.floor(rand() * max);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCodePoint(pick([0x20 + Math.floor(rand() * 95), 0xe9, 0x1f600, 0x2603, 0x25, 0x2f]));
    return s;
  };
  const base = pick(valid);
  const path: Record<string, string> = { ...base.path };
  for (const name of Object.keys(path)) {
    path[name] = pick([path[name]!, randomText(40), '@' + randomText(10) + ':' + randomText(10), 'x'.repeat(3000), '..', '%', '@a:b']);
  }
  let urlPath = encodedPath(base.op, path);
  const mangle = rand();
  if (mangle < 0.08) urlPath = urlPath.replace(/%[0-9A-F]{2}/, '%G1');
  else if (mangle < 0.14) urlPath = `${urlPath}/${encodeURIComponent(randomText(8))}`;
  else if (mangle < 0.18) urlPath = urlPath.replace(/\/[^/]+$/, '') || '/';
  else if (mangle < 0.22) urlPath = `/${encodeURIComponent(randomText(30))}`;
  else if (mangle < 0.25) urlPath = urlPath.replace('%40', '@').replace('%3A', ':');
  const query = new URLSearchParams(base.query);
  const queryRoll = rand();
  if (queryRoll < 0.3) query.set(pick(['limit', 'from', 'dir', 'order_by', 'guests', 'from_ts', 'username', 'deactivated', randomText(5)]), pick(['-1', 'abc', '1e9', '', 'true', 'b', randomText(20), '99999999999999999999']));
  else if (queryRoll < 0.4) query.delete(pick([...query.keys(), 'username']));
  const queryString = query.toString();

  const headers: Record<string, string> = {};
  const authRoll = rand();
  if (authRoll < 0.7) headers.authorization = `Bearer ${mockToken()}`;
  else if (authRoll < 0.8) headers.authorization = pick(['Bearer', 'Basic abc', `Bearer ${randomText(30).replace(/[^\x21-\x7e]/g, 'x') || 'y'}`, 'Bearer a b']);
  if (rand() < 0.2) headers.prefer = pick(['code=404', 'code=400', 'code=500', 'code=201', 'code=999', 'example=nope', 'dynamic=true', 'code=abc', `example=${randomText(6)}`]).replace(/[^\x20-\x7e]/g, 'x');
  if (rand() < 0.2) headers['content-type'] = pick(['text/plain', 'application/xml', 'application/json; charset=latin1', 'multipart/form-data']);

  let body: Buffer | undefined;
  const bodyRoll = rand();
  if (bodyRoll < 0.35 && base.body !== undefined) body = Buffer.from(JSON.stringify(base.body));
  else if (bodyRoll < 0.5) body = Buffer.from(JSON.stringify({ ...(typeof base.body === 'object' ? base.body : {}), [pick(['admin', 'password', 'devices', 'rooms', 'limit', 'suspend', 'valid_until_ms'])]: pick([null, 1, 'x', [], {}, true, -5]) }));
  else if (bodyRoll < 0.6) body = Buffer.from(Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)));
  else if (bodyRoll < 0.65) body = Buffer.from('['.repeat(5000) + ']'.repeat(5000));
  else if (bodyRoll < 0.7) body = Buffer.from(randomText(100));
  const method = rand() < 0.8 ? base.op.method : pick(METHODS);
  return { method, path: queryString ? `${urlPath}?${queryString}` : urlPath, headers, body };
}

function garbage(rand: () => number): Buffer {
  const kinds = [
    () => Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 300) }, () => Math.floor(rand() * 256))),
    () => Buffer.from('GET /_synapse/admin/v2/users HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'),
    () => Buffer.from('POST /_synapse/admin/v1/deactivate/%40a%3Ab HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'),
    () => Buffer.from(`GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
    () => Buffer.from('GET / HTTP/9.9\r\n\r\n'),
    () => Buffer.from('GET /_synapse/admin/v2/users HTTP/1.1\r\nHost: x\r\n'),
  ];
  return kinds[Math.floor(rand() * kinds.length)]!();
}

/** Sends bytes on a fresh socket; resolves with whatever came back (maybe nothing) once the server closes or goes quiet. */
function sendRaw(base: URL, payload: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(base.port), base.hostname);
    let data = '';
    const done = () => {
      socket.destroy();
      resolve(data);
    };
    socket.setTimeout(1500, done);
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', done);
  });
}

test(`${REQUESTS} random or malformed requests and ${RAW_SOCKETS} garbage connections: no crash, no undeclared 5xx, Matrix errors throughout`, async () => {
  const rand = prng(SEED);
  const base = new URL(mockUrl());
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const attempts = Array.from({ length: REQUESTS }, () => makeAttempt(rand));
  const statuses = new Map<number, number>();
  const problems: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < attempts.length) {
      const a = attempts[next++]!;
      const answer = await rawRequest(mockUrl(), { method: a.method, path: a.path, headers: a.headers, body: a.body, agent }).catch((err: Error) => {
        throw new Error(`no answer (${err.message}) to ${a.method} ${a.path.slice(0, 120)} ${JSON.stringify(a.headers)}`);
      });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const where = `${a.method} ${a.path.slice(0, 120)} ${JSON.stringify(a.headers)} → ${answer.status} ${answer.text.slice(0, 200)}`;
      const lookup = a.method === 'HEAD' ? 'GET' : a.method;
      const matched = /^[^?]*%(?![0-9A-Fa-f]{2})/.test(a.path) ? undefined : validator.match(lookup, a.path);
      const forced = /code=(\d+)/.exec(a.headers.prefer ?? '')?.[1];
      if (answer.status >= 500) {
        // A 5xx is only acceptable when the operation declares it and the request asked for it.
        if (!matched || !matched.operation.statusCodes.includes(String(answer.status)) || forced !== String(answer.status)) problems.push(`undeclared 5xx: ${where}`);
      }
      if (answer.status >= 400 && a.method !== 'HEAD') {
        if (answer.headers['content-type'] !== 'application/json' || typeof answer.json?.errcode !== 'string' || typeof answer.json?.error !== 'string') {
          problems.push(`not a Matrix error: ${where}`);
        }
      }
      if (matched && a.method !== 'HEAD' && answer.status !== 413 && answer.status !== 405) {
        const result = validator.validateResponse(matched.operation.operationId, answer.status, answer.json);
        if (!result.valid) problems.push(`does not fit the spec (${result.issues.map((i) => i.message).join('; ')}): ${where}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();

  const rawAnswers = await Promise.all(Array.from({ length: RAW_SOCKETS }, () => sendRaw(base, garbage(rand))));
  for (const text of rawAnswers) {
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
    if (status >= 500) problems.push(`garbage got ${text.slice(0, 200)}`);
  }

  expect(problems.slice(0, 10)).toEqual([]);
  // The barrage really exercised the mock: successes, validation errors, auth errors and routing errors.
  for (const status of [200, 400, 401, 404]) expect(statuses.get(status) ?? 0, `answers with status ${status}`).toBeGreaterThan(0);
  expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);

  // Still alive, the same Prism child, and still correct.
  process.kill(inject('mockPrismPid'), 0);
  for (const req of valid) {
    const query = new URLSearchParams(req.query).toString();
    const answer = await rawRequest(mockUrl(), {
      method: req.op.method,
      path: encodedPath(req.op, req.path) + (query ? `?${query}` : ''),
      headers: { authorization: `Bearer ${mockToken()}` },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
    });
    expect(answer.status, req.op.operationId).toBe(req.status);
    if (req.example !== undefined) expect(answer.json, req.op.operationId).toEqual(req.example);
  }
});
