// The validation CLI (issue 8), driven as a subprocess the way CI runs it:
// `validate` against recorded fixtures (valid and broken), the three output
// formats, and every kind of bad input, which must end in exactly one line
// on stderr and exit code 2. Live servers (check, proxy) are in
// test/cli-live.test.ts.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../scripts/lib/paths.ts';
import { cli, expectOneLineError } from './fixtures/cli/harness.ts';

const FIX = path.join(ROOT, 'test/fixtures/cli');
const USER = '/_synapse/admin/v2/users/@alice:example.org';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cli-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.concurrent('validate: outcomes against recorded fixtures', () => {
  const CASES: Array<{ name: string; args: string[]; code: 0 | 1; lines: RegExp[]; absent?: RegExp[]; input?: string }> = [
    {
      name: 'a valid answer',
      args: ['validate', '--method', 'GET', '--path', USER, '--status', '200', 'user.valid.json'],
      code: 0,
      lines: [/^synapse-admin-openapi validate: 1 exchange from user\.valid\.json: 1 valid, 0 invalid \(0 mismatches\)$/],
    },
    {
      name: 'a broken answer: one line per mismatch with operation, pointer, expected and found',
      args: ['validate', '--method', 'GET', '--path', USER, '--status', '200', 'user.broken.json'],
      code: 1,
      lines: [
        /^FAIL #1 getUser GET \/_synapse\/admin\/v2\/users\/@alice:example\.org 200 response\.body \/name: required field "name" is missing \(expected present, found nothing\)$/,
        /^FAIL #1 getUser .* response\.body \/admin: must be boolean \(expected boolean, found string "yes"\)$/,
        /^FAIL #1 getUser .* response\.body \/creation_ts: must be integer \(expected integer, found string "1560432506"\)$/,
        /1 invalid \(3 mismatches\)$/,
      ],
    },
    {
      name: 'SQLite 0/1 booleans fail by default',
      args: ['validate', '--method', 'GET', '--path', USER, '--status', '200', 'user.sqlite.json'],
      code: 1,
      lines: [/response\.body \/admin: must be boolean \(expected boolean, found integer 0\)$/, /response\.body \/shadow_banned: must be boolean \(expected boolean, found integer 1\)$/],
    },
    {
      name: 'SQLite 0/1 booleans pass with --sqlite-int-bools',
      args: ['validate', '--sqlite-int-bools', '--method', 'GET', '--path', USER, '--status', '200', 'user.sqlite.json'],
      code: 0,
      lines: [/1 valid, 0 invalid/],
      absent: [/^FAIL/m],
    },
    {
      name: 'a broken request body',
      args: ['validate', '--method', 'PUT', '--path', USER, '--status', '200', '--request-body', 'upsert.request.broken.json', 'user.valid.json'],
      code: 1,
      lines: [/createOrModifyUser PUT .* request\.body \/admin: must be boolean \(expected boolean, found string "no"\)$/, /request\.body \/threepids\/0\/medium: must be one of the allowed values \(expected "email" \| "msisdn", found "fax"\)$/],
    },
    {
      name: 'a valid request body',
      args: ['validate', '--method', 'PUT', '--path', USER, '--status', '201', '--request-body', 'upsert.request.json', 'user.valid.json'],
      code: 0,
      lines: [/1 valid/],
    },
    {
      name: 'query parameters out of range',
      args: ['validate', '--method', 'GET', '--path', '/_synapse/admin/v2/users?limit=-1', '--query', 'dir=x', '--status', '200', 'user.valid.json'],
      code: 1,
      lines: [/listUsers GET \/_synapse\/admin\/v2\/users\?limit=-1&dir=x 200 request \/query\/limit: query parameter "limit" must be >= 0 \(expected >= 0, found "-1"\)$/, /request \/query\/dir: .*\(expected "f" \| "b", found "x"\)$/],
    },
    {
      name: 'an undeclared status',
      args: ['validate', '--method', 'GET', '--path', USER, '--status', '418', 'user.valid.json'],
      code: 1,
      lines: [/response\.status \/: status 418 is not declared for getUser \(expected 200 \| 400 \| 401 \| 403 \| 404 \| 429 \| 500, found 418\)$/],
    },
    {
      name: 'a declared JSON body that is missing',
      args: ['validate', '--method', 'GET', '--path', USER, '--status', '200'],
      code: 1,
      lines: [/response\.body \/: the response has no body, but the operation declares a JSON body/],
    },
    {
      name: 'the response body from standard input',
      args: ['validate', '--method', 'GET', '--path', USER, '--status', '200', '-'],
      input: readFileSync(path.join(FIX, 'user.broken.json'), 'utf8'),
      code: 1,
      lines: [/from -: 0 valid, 1 invalid \(3 mismatches\)$/],
    },
    {
      name: 'a valid HAR: preflight, other APIs, aborted requests and unrecorded bodies are skipped and counted',
      args: ['validate', '--har', 'traffic.valid.har'],
      code: 0,
      lines: [
        /^skip 1 exchange: OPTIONS requests are not API operations/,
        /^skip 1 exchange: no operation in the spec has this path/,
        /^skip 1 exchange: no response was recorded/,
        /^skip 1 exchange: the recording holds no response body \(content\.text missing; save the HAR with content\)/,
        /^synapse-admin-openapi validate: 10 exchanges from traffic\.valid\.har: 6 valid, 0 invalid \(0 mismatches\), 4 skipped$/,
      ],
      absent: [/^FAIL/m],
    },
    {
      name: 'a valid HAR, verbose: one line per exchange (base64 bodies decoded)',
      args: ['validate', '--har', 'traffic.valid.har', '--verbose'],
      code: 0,
      lines: [/^ok {3}#2 getUser GET /, /^ok {3}#3 listUsers GET \/_synapse\/admin\/v2\/users\?from=0&limit=10/, /^ok {3}#5 listDevices /, /^ok {3}#8 checkUsernameAvailable .* 400$/, /^skip #7 GET \/_matrix\/client\/v3\/sync/],
    },
    {
      name: 'a broken HAR: every kind of mismatch, the valid entry left alone',
      args: ['validate', '--har', 'traffic.broken.har'],
      code: 1,
      lines: [
        /^FAIL #1 getUser .* response\.body \/admin: must be boolean/,
        /^FAIL #2 listDevices .* 204 response\.status \/: status 204 is not declared for listDevices/,
        /^FAIL #3 listUsers GET \/_synapse\/admin\/v2\/users\?limit=lots 200 request \/query\/limit: query parameter "limit" must be integer \(expected integer, found string "lots"\)$/,
        /^FAIL #4 setServerAdminStatus PUT .* request\.body \/admin: must be boolean \(expected boolean, found string "yes"\)$/,
        /^FAIL #5 getWhois GET .* 500 response\.body \/: the body is text\/html, not JSON/,
        /^FAIL #6 \(no operation\) PATCH .* route \/: PATCH is not declared for this path \(expected GET \| PUT, found PATCH\)$/,
        /7 exchanges from traffic\.broken\.har: 1 valid, 6 invalid \(7 mismatches\)$/,
      ],
      absent: [/#7/],
    },
  ];

  it.each(CASES)('$name', async ({ args, code, lines, absent, input }) => {
    const run = await cli(args, { input });
    expect(run.code, run.stdout + run.stderr).toBe(code);
    expect(run.stderr).toBe('');
    const out = run.stdout.trimEnd().split('\n');
    for (const pattern of lines) expect(out.some((l) => pattern.test(l)), `${pattern} in\n${run.stdout}`).toBe(true);
    for (const pattern of absent ?? []) expect(run.stdout).not.toMatch(pattern);
  });

  it('--format json: the same findings, machine-readable', async () => {
    const run = await cli(['validate', '--har', 'traffic.broken.har', '--format', 'json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ tool: 'synapse-admin-openapi', command: 'validate', source: 'traffic.broken.har', summary: { exchanges: 7, valid: 1, invalid: 6, skipped: 0, issues: 7 } });
    const flat = report.exchanges.flatMap((e: any) => e.issues.map((i: any) => `${e.index} ${e.operationId ?? '-'} ${i.where} ${i.pointer} ${i.keyword}`));
    expect(flat).toEqual([
      '1 getUser response.body /name required',
      '1 getUser response.body /admin type',
      '2 listDevices response.status  status',
      '3 listUsers request /query/limit type',
      '4 setServerAdminStatus request.body /admin type',
      '5 getWhois response.body  json',
      '6 - route  method',
    ]);
    expect(report.exchanges[0].issues[1]).toMatchObject({ expected: 'boolean', found: 'string "yes"' });
    expect(report.exchanges[6]).toMatchObject({ index: 7, operationId: 'getServerAdminStatus', outcome: 'valid', issues: [] });
  });

  it('--format junit: well-formed XML a CI dashboard can read, written with --output', async () => {
    const file = path.join(tmp, 'report.xml');
    const run = await cli(['validate', '--har', 'traffic.broken.har', '--format', 'junit', '--output', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    // With the report in a file, the CI log still gets the summary.
    expect(run.stderr).toMatch(/^synapse-admin-openapi validate: 7 exchanges .*6 invalid.*\(report: .*report\.xml\)\n$/);
    // Parsed by a real XML parser (Python's), not by regular expressions.
    const parsed = await new Promise<string>((resolve, reject) => {
      const py = spawn('/usr/bin/python3', ['-c', [
        'import json, sys, xml.etree.ElementTree as E',
        'r = E.parse(sys.argv[1]).getroot()',
        'cases = [{"suite": s.get("name"), "name": c.get("name"), "failure": (c.find("failure").text if c.find("failure") is not None else None)} for s in r for c in s]',
        'print(json.dumps({"tag": r.tag, "tests": r.get("tests"), "failures": r.get("failures"), "cases": cases}))',
      ].join('\n'), file]);
      let out = '';
      py.stdout.on('data', (d) => (out += d));
      py.stderr.on('data', (d) => (out += d));
      py.on('error', reject);
      py.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(out))));
    });
    const xml = JSON.parse(parsed);
    expect(xml).toMatchObject({ tag: 'testsuites', tests: '7', failures: '6' });
    expect(xml.cases).toHaveLength(7);
    const getUser = xml.cases.find((c: any) => c.suite === 'getUser');
    expect(getUser.failure).toContain('response.body /admin: must be boolean (expected boolean, found string "yes")');
    expect(xml.cases.find((c: any) => c.suite === 'getServerAdminStatus').failure).toBeNull();
  });
});

describe.concurrent('bad input: one clear line and exit code 2', () => {
  const CASES: Array<{ name: string; args: string[] | (() => Promise<string[]>); error: RegExp; env?: Record<string, string> }> = [
    { name: 'a missing response file', args: ['validate', '--method', 'GET', '--path', USER, '--status', '200', 'nope.json'], error: /cannot read response body "nope\.json": no such file$/ },
    { name: 'a directory instead of a file', args: ['validate', '--har', '.'], error: /cannot read HAR file "\.": it is a directory$/ },
    { name: 'a response file that is not JSON', args: ['validate', '--method', 'GET', '--path', USER, '--status', '200', 'not-json.json'], error: /response body "not-json\.json" is not valid JSON: / },
    { name: 'a request body file that is not JSON', args: ['validate', '--method', 'PUT', '--path', USER, '--status', '200', '--request-body', 'not-json.json', 'user.valid.json'], error: /request body "not-json\.json" is not valid JSON/ },
    { name: 'a HAR that is not JSON', args: ['validate', '--har', 'traffic.truncated.har'], error: /HAR file "traffic\.truncated\.har" is not valid JSON: / },
    { name: 'a HAR of the wrong shape', args: ['validate', '--har', 'traffic.wrong-shape.har'], error: /"traffic\.wrong-shape\.har" is not a HAR file this tool can read: \/log\/entries\/0\/request\/url is missing$/ },
    { name: 'a HAR without entries', args: ['validate', '--har', 'traffic.empty.har'], error: /HAR file "traffic\.empty\.har" holds no entries/ },
    { name: 'a HAR where no entry matches an operation', args: ['validate', '--har', 'traffic.other-api.har'], error: /none of the 2 entries in "traffic\.other-api\.har" could be checked \(the first, GET \/_matrix\/client\/versions: no operation in the spec has this path\)$/ },
    { name: 'a path that matches no operation', args: ['validate', '--method', 'GET', '--path', '/_synapse/admin/v1/rooms', '--status', '200', 'user.valid.json'], error: /--path \/_synapse\/admin\/v1\/rooms matches no operation of the spec$/ },
    { name: 'a method the path does not have', args: ['validate', '--method', 'DELETE', '--path', USER, '--status', '200', 'user.valid.json'], error: /DELETE \/_synapse\/admin\/v2\/users\/@alice:example\.org matches no operation of the spec \(this path has GET, PUT\)$/ },
    { name: 'an unknown flag', args: ['validate', '--bogus'], error: /Unknown option '--bogus' \(see synapse-admin-openapi validate --help\)$/ },
    { name: 'an unknown format', args: ['validate', '--har', 'traffic.valid.har', '--format', 'xml'], error: /--format must be one of text, json, junit, not "xml"/ },
    { name: 'a status that is no status', args: ['validate', '--method', 'GET', '--path', USER, '--status', 'ok', 'user.valid.json'], error: /--status must be an HTTP status code from 100 to 599, not "ok"$/ },
    { name: 'a missing --status', args: ['validate', '--method', 'GET', '--path', USER, 'user.valid.json'], error: /--status is required with --method and --path/ },
    { name: 'a HAR and one exchange at once', args: ['validate', '--har', 'traffic.valid.har', '--method', 'GET'], error: /--har checks a whole HAR file; it cannot be combined with --method$/ },
    { name: 'nothing to validate', args: ['validate'], error: /give --method, --path and --status for one exchange, or --har FILE/ },
    { name: 'an unwritable report file', args: ['validate', '--har', 'traffic.valid.har', '--output', '/nonexistent-dir/report.txt'], error: /cannot write the report to "\/nonexistent-dir\/report\.txt"/ },
    { name: 'an unknown command', args: ['lint'], error: /unknown command "lint"; the commands are validate, check, proxy/ },
    { name: 'no command', args: [], error: /give a command: validate, check, proxy/ },
    { name: 'check: a missing token variable', args: ['check', '--base-url', 'http://127.0.0.1:8008', '--user', '@alice:example.org'], error: /environment variable SYNAPSE_ADMIN_TOKEN is not set; put the admin access token there/ },
    { name: 'check: an empty token variable elsewhere', args: ['check', '--base-url', 'http://127.0.0.1:8008', '--user', '@alice:example.org', '--token-env', 'MY_TOKEN'], env: { MY_TOKEN: ' ' }, error: /environment variable MY_TOKEN is empty/ },
    { name: 'check: an unreachable server', args: async () => ['check', '--base-url', `http://127.0.0.1:${await closedPort()}`, '--user', '@alice:example.org'], env: { SYNAPSE_ADMIN_TOKEN: 'x' }, error: /cannot reach http:\/\/127\.0\.0\.1:\d+ \(GET \/_synapse\/admin\/v2\/users\/%40alice%3Aexample\.org\): ECONNREFUSED$/ },
    { name: 'check: a user ID that is none', args: ['check', '--base-url', 'http://127.0.0.1:8008', '--user', 'alice'], env: { SYNAPSE_ADMIN_TOKEN: 'x' }, error: /--user "alice" is not a Matrix user ID such as @alice:example\.org$/ },
    { name: 'check: a base URL that is none', args: ['check', '--base-url', 'matrix.example.org', '--user', '@alice:example.org'], error: /--base-url "matrix\.example\.org" is not a URL/ },
    { name: 'proxy: an unreachable upstream', args: async () => ['proxy', '--upstream', `http://127.0.0.1:${await closedPort()}`, '--port', '0'], error: /cannot reach the upstream http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED$/ },
    { name: 'proxy: a port that is none', args: ['proxy', '--upstream', 'http://127.0.0.1:8008', '--port', 'high'], error: /--port must be a port number from 0 to 65535, not "high"$/ },
    { name: 'check: a timeout that is none', args: ['check', '--base-url', 'http://127.0.0.1:8008', '--user', '@alice:example.org', '--timeout', 'soon'], env: { SYNAPSE_ADMIN_TOKEN: 'x' }, error: /--timeout must be a positive number of seconds, not "soon"$/ },
    { name: 'proxy: a timeout of zero', args: ['proxy', '--upstream', 'http://127.0.0.1:8008', '--timeout', '0'], error: /--timeout must be a positive number of seconds, not "0"$/ },
  ];

  it.each(CASES)('$name', async ({ args, error, env }) => {
    const run = await cli(typeof args === 'function' ? await args() : args, { env });
    expectOneLineError(run, error);
  });
});

describe.concurrent('--help on every command', () => {
  it.each([
    { args: ['--help'], text: [/^Usage: synapse-admin-openapi <command>/, /^ {2}validate /m, /^ {2}check /m, /^ {2}proxy /m, /Exit codes: 0 all valid, 1 mismatches found, 2 usage or input error\./] },
    { args: ['validate', '--help'], text: [/^Usage:\n {2}synapse-admin-openapi validate --method METHOD/, /--har FILE/, /--sqlite-int-bools/, /--format text\|json\|junit/, /Exit codes/] },
    { args: ['check', '--help'], text: [/^Usage: synapse-admin-openapi check --base-url URL --user USER_ID/, /--token-env NAME/, /never from the\ncommand line/, /only GET|but GET requests/, /Exit codes/] },
    { args: ['proxy', '--help'], text: [/^Usage: synapse-admin-openapi proxy --upstream URL/, /--errors/, /--port PORT/, /Ctrl-C/, /Exit codes/] },
  ])('$args', async ({ args, text }) => {
    const run = await cli(args);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    for (const pattern of text) expect(run.stdout).toMatch(pattern);
  });
});
