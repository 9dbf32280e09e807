// The CLI against live servers: `check` and `proxy` against the project's
// mock (the shared one when the whole suite runs, else one started here)
// and against a small recorded-answers server that serves broken answers
// and logs every request it gets. Everything listens on loopback, on
// ephemeral ports, and is stopped in afterAll whatever happened.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startMock, type RunningMock } from '../scripts/lib/mock.ts';
import { plan } from '../src/cli/check.ts';
import { SynapseAdminValidator } from '../src/validation.ts';
import { cli, expectOneLineError, finished, FIX, startCli } from './fixtures/cli/harness.ts';

const USER = '@alice:example.org';
const ENC = encodeURIComponent(USER);
const TOKEN = 'cli-live-token';

/** Recorded answers by path; anything else gets a 404 M_NOT_FOUND, as Synapse answers for unknown users and items. */
const ANSWERS: Record<string, { status: number; body: unknown }> = {
  [`/_synapse/admin/v2/users/${ENC}`]: { status: 200, body: JSON.parse(readFileSync(path.join(FIX, 'user.broken.json'), 'utf8')) },
  [`/_synapse/admin/v1/users/${ENC}/admin`]: { status: 200, body: { admin: false } },
  [`/_synapse/admin/v2/users/${ENC}/devices`]: { status: 200, body: { devices: [], total: 0 } },
};

interface Recorded {
  server: Server;
  url: string;
  /** `METHOD path` of every request received. */
  seen: string[];
  /** When set, every request is refused with this token error. */
  refuse?: boolean;
}

async function recordedServer(): Promise<Recorded> {
  const rec = { seen: [] as string[] } as Recorded;
  rec.server = createServer((req, res) => {
    rec.seen.push(`${req.method} ${req.url}`);
    const pathOnly = (req.url ?? '/').split('?')[0]!;
    const answer = rec.refuse
      ? { status: 401, body: { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.', soft_logout: false } }
      : (ANSWERS[pathOnly] ?? { status: 404, body: { errcode: 'M_NOT_FOUND', error: 'Not found' } });
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  rec.server.listen(0, '127.0.0.1');
  await once(rec.server, 'listening');
  rec.url = `http://127.0.0.1:${(rec.server.address() as { port: number }).port}`;
  return rec;
}

let mock: RunningMock | undefined;
let mockUrl = '';
let mockToken = TOKEN;
let recorded: Recorded;

beforeAll(async () => {
  recorded = await recordedServer();
  // The suite-wide mock when the global setup started one, else our own.
  mockUrl = inject('mockUrl') ?? '';
  if (mockUrl) mockToken = inject('mockToken');
  else {
    mock = await startMock({ host: '127.0.0.1', port: 0, token: TOKEN });
    mockUrl = mock.url;
  }
});

afterAll(async () => {
  await mock?.stop();
  recorded?.server.closeAllConnections();
  await new Promise((resolve) => recorded?.server.close(resolve));
});

describe('check', () => {
  it('derives its calls from the spec: GET operations only, each one either called or skipped with a reason', () => {
    const validator = new SynapseAdminValidator();
    const calls = plan(validator);
    const gets = validator.operations().filter((o) => o.method === 'GET');
    expect(calls.map((c) => c.operation.operationId).sort()).toEqual(gets.map((o) => o.operationId).sort());
    expect(calls.every((c) => c.operation.method === 'GET')).toBe(true);
    expect(calls.filter((c) => c.skip).map((c) => c.operation.operationId)).toEqual(['getRedactionStatus']);
    // Calls that need an earlier answer come after the call that gives it.
    const order = calls.map((c) => c.operation.operationId);
    for (const c of calls) for (const p of c.params) if (p.source.after) expect(order.indexOf(p.source.after)).toBeLessThan(order.indexOf(c.operation.operationId));
  });

  it('against the mock: every answer valid, exit 0', async () => {
    const run = await cli(['check', '--base-url', mockUrl, '--user', USER], { env: { SYNAPSE_ADMIN_TOKEN: mockToken } });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    const calls = plan(new SynapseAdminValidator());
    const called = calls.filter((c) => !c.skip).length;
    expect(lines.filter((l) => l.startsWith('ok   '))).toHaveLength(called);
    expect(lines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(lines).toContain(`ok   #1 getUser GET /_synapse/admin/v2/users/${ENC} 200`);
    // device_id comes from the device list, external IDs and third-party IDs from the account.
    expect(lines.some((l) => /^ok {3}#\d+ getDevice GET \/_synapse\/admin\/v2\/users\/%40alice%3Aexample\.org\/devices\/\S+ 200$/.test(l))).toBe(true);
    expect(lines.some((l) => /^ok {3}#\d+ getUserByExternalId GET \/_synapse\/admin\/v1\/auth_providers\/\S+\/users\/\S+ 200$/.test(l))).toBe(true);
    expect(lines.some((l) => /^ok {3}#\d+ getSentInviteCount GET .*\?from_ts=0 200$/.test(l))).toBe(true);
    expect(lines.some((l) => /^skip #\d+ getRedactionStatus GET \/_synapse\/admin\/v1\/user\/redact_status\/\{redact_id\}: needs path parameter redact_id: a redact_id is only returned by POST \/_synapse\/admin\/v1\/user\/\{user_id\}\/redact, which changes state$/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe(`synapse-admin-openapi check: ${calls.length} exchanges from ${mockUrl} (user @alice:example.org): ${called} valid, 0 invalid (0 mismatches), ${calls.length - called} skipped`);
  });

  it('against recorded broken answers: mismatches, exit 1, and nothing but GET requests reached the server', async () => {
    recorded.seen.length = 0;
    const run = await cli(['check', '--base-url', recorded.url, '--user', USER, '--token-env', 'ADMIN_TOKEN', '--format', 'json'], { env: { ADMIN_TOKEN: 'x' } });
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout);
    const byOp = Object.fromEntries(report.exchanges.map((e: any) => [e.operationId, e]));
    expect(byOp.getUser.issues.map((i: any) => `${i.where} ${i.pointer} ${i.keyword}`)).toEqual(['response.body /name required', 'response.body /admin type', 'response.body /creation_ts type']);
    expect(byOp.getServerAdminStatus.outcome).toBe('valid');
    // A 404 is declared for a user's items, not for the user list: that one is a mismatch.
    expect(byOp.getWhois.outcome).toBe('valid');
    expect(byOp.listUsers.issues[0]).toMatchObject({ where: 'response.status', found: '404' });
    // The empty device list leaves no device_id to read.
    expect(byOp.getDevice).toMatchObject({ outcome: 'skipped', reason: 'the user has no device (the device list is empty)' });
    // Values taken from the (broken) account answer: its external ID and e-mail address.
    expect(recorded.seen).toContain('GET /_synapse/admin/v1/auth_providers/oidc-github/users/4711');
    expect(recorded.seen).toContain('GET /_synapse/admin/v1/threepid/email/users/alice%40example.org');
    const called = report.exchanges.filter((e: any) => e.outcome !== 'skipped').length;
    expect(recorded.seen).toHaveLength(called);
    expect(recorded.seen.every((s) => s.startsWith('GET '))).toBe(true);
  });

  it('a refused token: one line, exit 2, after a single request', async () => {
    recorded.seen.length = 0;
    recorded.refuse = true;
    try {
      const run = await cli(['check', '--base-url', recorded.url, '--user', USER], { env: { SYNAPSE_ADMIN_TOKEN: 'not-an-admin' } });
      expectOneLineError(run, /the server refused the token from SYNAPSE_ADMIN_TOKEN \(GET \/_synapse\/admin\/v2\/users\/%40alice%3Aexample\.org: 401 M_UNKNOWN_TOKEN: Invalid access token passed\.\); it must be a server admin's access token$/);
      expect(recorded.seen).toHaveLength(1);
    } finally {
      recorded.refuse = false;
    }
  });
});

describe('proxy', () => {
  it('passes traffic through Prism, prints one line per exchange, and reports on SIGINT', async () => {
    const child = startCli(['proxy', '--upstream', recorded.url, '--port', '0']);
    const done = finished(child);
    let url = '';
    try {
      // Wait for "listening on URL".
      let banner = '';
      url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`proxy did not start: ${banner}`)), 90_000);
        child.stdout!.on('data', (d) => {
          banner += d;
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+) -> /.exec(banner);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.on('exit', () => reject(new Error(`proxy exited: ${banner}`)));
      });
      const auth = { authorization: 'Bearer x' };
      const user = await fetch(`${url}/_synapse/admin/v2/users/${ENC}`, { headers: auth });
      // The client gets the upstream's answer as it was, broken or not.
      expect(user.status).toBe(200);
      expect(await user.json()).toMatchObject({ admin: 'yes', creation_ts: '1560432506' });
      const admin = await fetch(`${url}/_synapse/admin/v1/users/${ENC}/admin`, { headers: auth });
      expect(await admin.json()).toEqual({ admin: false });
      const put = await fetch(`${url}/_synapse/admin/v1/users/${ENC}/admin`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ admin: 'yes' }) });
      await put.arrayBuffer();
      expect(recorded.seen.slice(-3)).toEqual([`GET /_synapse/admin/v2/users/${ENC}`, `GET /_synapse/admin/v1/users/${ENC}/admin`, `PUT /_synapse/admin/v1/users/${ENC}/admin`]);
    } finally {
      child.kill('SIGINT');
    }
    const run = await done;
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toContain(`FAIL #1 getUser GET /_synapse/admin/v2/users/${ENC} 200 response.body /admin: must be boolean (expected boolean, found string "yes")`);
    expect(lines).toContain(`ok   #2 getServerAdminStatus GET /_synapse/admin/v1/users/${ENC}/admin 200`);
    // The request body is checked too.
    expect(lines).toContain(`FAIL #3 setServerAdminStatus PUT /_synapse/admin/v1/users/${ENC}/admin 200 request.body /admin: must be boolean (expected boolean, found string "yes")`);
    // Prism went with it: nothing listens on the proxy's port any more.
    await expect(fetch(`${url}/_synapse/admin/v1/users/${ENC}/admin`)).rejects.toThrow();
    expect(lines.at(-1)).toMatch(/^synapse-admin-openapi proxy: 3 exchanges from http:\/\/127\.0\.0\.1:\d+: 1 valid, 2 invalid \(4 mismatches\)$/);
  });
});
