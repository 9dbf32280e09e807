// The docs site (scripts/steps/docs.ts, scripts/lib/code-samples.ts):
// the page is built from a decorated copy of the bundle; every operation
// has curl and TypeScript samples that really do what the spec describes
// (curl is run, the TypeScript is type-checked against the client and run
// too, both against a recording server and checked with the project's
// validator); every x-synapse-… note is rendered where it belongs; the page
// references nothing outside itself. The browser test (browser.test.ts)
// checks the rendered page.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../scripts/lib/cli.ts';
import { CLIENT_MODULE, codeSamplesFor, sampleRequest, sampleUrl, serverUrl, TOKEN_ENV, type CodeSample } from '../scripts/lib/code-samples.ts';
import { BIN, ROOT } from '../scripts/lib/paths.ts';
import { buildDocs, decorate, inlineExternalImages, noteLines } from '../scripts/steps/docs.ts';
import { SynapseAdminValidator } from '../src/validation.ts';
import { bundle, deref, operations } from './helpers/spec.ts';

const TOKEN = 'docs-test-token';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'docs-test-'));
const decorated = decorate(bundle);
const validator = new SynapseAdminValidator(bundle);
const BASE = serverUrl(bundle);
const cases = operations.map(({ method, path: p, op }) => ({ id: op.operationId as string, method, path: p }));

function samplesOf(doc: any, c: { method: string; path: string }): CodeSample[] {
  return doc.paths[c.path][c.method.toLowerCase()]['x-codeSamples'];
}

// ---------------------------------------------------------------- a recording server

interface Recorded {
  sample: string;
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  body: string;
}

/** Answers every request with the first 2xx example of the operation it matches (without next_token, so paging stops). */
function answerFor(method: string, url: string): { status: number; body: unknown } {
  const m = validator.match(method, url);
  if (!m) return { status: 404, body: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' } };
  const op = bundle.paths[m.operation.path][method.toLowerCase()];
  for (const [status, r] of Object.entries<any>(op.responses)) {
    if (!status.startsWith('2')) continue;
    const media = deref(r).content?.['application/json'];
    const ex = media?.example ?? deref(Object.values<any>(media?.examples ?? {})[0])?.value ?? {};
    const body = structuredClone(ex);
    if (body && typeof body === 'object') delete body.next_token;
    return { status: Number(status), body };
  }
  return { status: 500, body: { errcode: 'M_UNKNOWN', error: 'no 2xx answer declared' } };
}

let server: http.Server;
let serverBase = '';
let currentSample = '';
const recorded: Recorded[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      // The TypeScript runner announces which sample runs next.
      const marker = /^\/__sample\/(.+)$/.exec(req.url ?? '');
      if (marker) {
        currentSample = decodeURIComponent(marker[1]!);
        res.writeHead(204).end();
        return;
      }
      recorded.push({
        sample: currentSample,
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
      });
      const a = answerFor(req.method ?? '', req.url ?? '');
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  rmSync(tmp, { recursive: true, force: true });
});

/** Checks that one recorded request is what the operation's spec describes. Returns problems as text. */
function checkRequest(id: string, r: Recorded | undefined): string[] {
  if (!r) return [`${id}: the sample sent no request`];
  const problems: string[] = [];
  const m = validator.match(r.method, r.url);
  if (m?.operation.operationId !== id) problems.push(`${id}: ${r.method} ${r.url} matches ${m?.operation.operationId ?? 'no operation'}`);
  if (r.authorization !== `Bearer ${TOKEN}`) problems.push(`${id}: Authorization is ${JSON.stringify(r.authorization)}`);
  if (!m) return problems;
  const query = new URL(r.url, 'http://x').searchParams;
  const params = validator.validateParameters(id, { path: m.pathParams, query });
  if (!params.valid) problems.push(`${id}: parameters: ${JSON.stringify(params.issues)}`);
  let body: unknown;
  if (r.body !== '') {
    if (!/^application\/json\b/.test(r.contentType ?? '')) problems.push(`${id}: body sent as ${r.contentType}`);
    try {
      body = JSON.parse(r.body);
    } catch {
      problems.push(`${id}: body is not JSON: ${r.body.slice(0, 80)}`);
    }
  }
  const b = validator.validateRequestBody(id, body);
  if (!b.valid) problems.push(`${id}: body: ${JSON.stringify(b.issues)}`);
  return problems;
}

function sh(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

// ---------------------------------------------------------------- tests

describe('code samples', () => {
  it.each(cases)('$id has one curl and one TypeScript sample, in the docs input only', (c) => {
    const samples = samplesOf(decorated, c);
    expect(samples.map((s) => s.lang)).toEqual(['curl', 'TypeScript']);
    expect(samples[0]!.source).toMatch(/^curl -X [A-Z]+ \\\n/);
    expect(samples[1]!.source).toContain(`from '${CLIENT_MODULE}'`);
    expect(samples[1]!.source).toMatch(new RegExp(`client\\.(?:${c.id}\\(|paginate\\('${c.id}')`));
    expect(samplesOf(bundle, c), 'the committed bundle must stay free of x-codeSamples').toBeUndefined();
  });

  it('every curl sample, run by sh, sends the request the spec describes', async () => {
    const problems: string[] = [];
    for (const c of cases) {
      const curl = samplesOf(decorated, c)[0]!.source.split(BASE).join(serverBase);
      const before = recorded.length;
      const res = await sh(curl + ' --silent --show-error --fail --output /dev/null', { [TOKEN_ENV]: TOKEN });
      if (res.code !== 0) problems.push(`${c.id}: curl exited ${res.code}: ${res.stderr.trim()}${res.code === 127 ? ' (is curl installed?)' : ''}`);
      if (recorded.length - before !== 1) problems.push(`${c.id}: curl sent ${recorded.length - before} requests`);
      const last = recorded[recorded.length - 1];
      problems.push(...checkRequest(c.id, last));
      const want = sampleUrl(serverBase, sampleRequest(bundle, c.path, c.method)).slice(serverBase.length);
      if (last && last.url !== want) problems.push(`${c.id}: curl sent ${last.url}, expected ${want}`);
    }
    expect(problems).toEqual([]);
  });

  it('every TypeScript sample type-checks against the client, and a wrong one does not', async () => {
    const dir = path.join(tmp, 'tsc');
    const files = cases.map((c) => {
      const file = path.join(dir, `${c.id}.mts`);
      return { file, source: samplesOf(decorated, c)[1]!.source };
    });
    // The negative control: a sample with a misspelt path parameter and a
    // wrongly typed query must fail, or the check is not checking anything.
    const broken = path.join(dir, 'broken.mts');
    const good = samplesOf(decorated, cases.find((c) => c.id === 'getSentInviteCount')!)[1]!.source;
    const bad = good.replace('user_id:', 'userId:').replace(/from_ts: \d+/, "from_ts: 'yesterday'");
    expect(bad).not.toBe(good);
    mkdirSync(dir, { recursive: true });
    for (const f of [...files, { file: broken, source: bad }]) writeFileSync(f.file, f.source);
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [path.join(ROOT, 'node_modules/@types')],
          // What `npm install synapse-admin-openapi` gives a user, pointed at the sources.
          paths: { [CLIENT_MODULE]: [path.join(ROOT, 'src/index.ts')] },
        },
        files: [...files.map((f) => f.file), broken],
      }),
    );
    const res = await runTool(BIN('tsc'), ['-p', path.join(dir, 'tsconfig.json'), '--pretty', 'false'], { cwd: dir });
    const errors = res.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    // tsc names files relative to its working directory.
    const isBroken = (l: string) => l.startsWith('broken.mts') || l.startsWith(broken);
    expect(errors.filter((l) => !isBroken(l)), 'samples that do not type-check').toEqual([]);
    const brokenErrors = errors.filter(isBroken);
    expect(brokenErrors.some((l) => l.includes("'userId'")), brokenErrors.join('\n')).toBe(true);
    expect(brokenErrors.some((l) => l.includes("'string' is not assignable to type 'number'")), brokenErrors.join('\n')).toBe(true);
  });

  it('every TypeScript sample, run with tsx, sends the same request as its curl sample', async () => {
    const dir = path.join(tmp, 'run');
    mkdirSync(dir, { recursive: true });
    const client = path.join(ROOT, 'src/index.ts');
    const imports: string[] = [];
    for (const c of cases) {
      const source = samplesOf(decorated, c)[1]!.source.split(`'${BASE}'`).join(`'${serverBase}'`).replace(`'${CLIENT_MODULE}'`, JSON.stringify(client));
      writeFileSync(path.join(dir, `${c.id}.mts`), source);
      imports.push(`await fetch(${JSON.stringify(`${serverBase}/__sample/${c.id}`)});\nawait import(${JSON.stringify(`./${c.id}.mts`)});`);
    }
    writeFileSync(path.join(dir, 'runner.mts'), `console.log = () => {};\n${imports.join('\n')}\n`);
    const res = await runTool(BIN('tsx'), [path.join(dir, 'runner.mts')], { cwd: dir, env: { [TOKEN_ENV]: TOKEN } });
    expect(res.code, res.stderr).toBe(0);
    const problems: string[] = [];
    for (const c of cases) {
      const mine = recorded.filter((r) => r.sample === c.id);
      if (mine.length !== 1) problems.push(`${c.id}: the TypeScript sample sent ${mine.length} requests`);
      problems.push(...checkRequest(c.id, mine[0]));
      // The same request as the curl sample: same URL (the curl test checks
      // that curl sends sampleUrl) and the same body.
      const req = sampleRequest(bundle, c.path, c.method);
      const want = sampleUrl(serverBase, req).slice(serverBase.length);
      if (mine[0] && (mine[0].method !== c.method || mine[0].url !== want)) problems.push(`${c.id}: TypeScript sent ${mine[0].method} ${mine[0].url}, curl sends ${c.method} ${want}`);
      if (mine[0] && JSON.stringify(mine[0].body === '' ? undefined : JSON.parse(mine[0].body)) !== JSON.stringify(req.body)) {
        problems.push(`${c.id}: TypeScript and curl send different bodies`);
      }
    }
    expect(problems).toEqual([]);
  });

  it.each([
    {
      name: 'a path parameter without an example',
      doc: { servers: [{ url: 'http://h' }], paths: { '/u/{id}': { get: { operationId: 'getU', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] } } } },
      error: 'getU: path parameter id has no example to build a sample from',
    },
    {
      name: 'a required body without an example',
      doc: {
        servers: [{ url: 'http://h' }],
        paths: { '/u': { post: { operationId: 'postU', requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } } } } },
      },
      error: 'postU: the required request body has no example to build a sample from',
    },
    {
      name: 'a required query parameter without an example',
      doc: { servers: [{ url: 'http://h' }], paths: { '/u': { get: { operationId: 'q', parameters: [{ name: 'n', in: 'query', required: true, schema: { type: 'string' } }] } } } },
      error: 'q: required query parameter n has no example to build a sample from',
    },
    { name: 'no server', doc: { paths: { '/u': { get: { operationId: 'x' } } } }, error: 'the spec declares no server to build sample URLs from' },
  ])('refuses to invent a sample for $name', ({ doc, error }) => {
    const [p, item] = Object.entries<any>(doc.paths)[0]!;
    const method = Object.keys(item)[0]!;
    expect(() => codeSamplesFor(doc, p, method)).toThrow(error);
  });

  it('encodes Matrix IDs in curl URLs and keeps shell metacharacters quoted', () => {
    const doc = {
      servers: [{ url: 'http://h' }],
      paths: {
        '/u/{id}': {
          put: {
            operationId: 'putU',
            parameters: [{ name: 'id', in: 'path', required: true, example: "@o'brien:ex/am#ple.org" }],
            requestBody: { content: { 'application/json': { example: { note: "it's $HOME `x`" } } } },
          },
        },
      },
    };
    expect(sampleRequest(doc, '/u/{id}', 'put').pathParams).toEqual({ id: "@o'brien:ex/am#ple.org" });
    const [curl, ts] = codeSamplesFor(doc, '/u/{id}', 'put');
    expect(curl!.source).toContain("'http://h/u/%40o'\\''brien%3Aex%2Fam%23ple.org'");
    expect(curl!.source).toContain(`--data '{\n  "note": "it'\\''s $HOME \`x\`"\n}'`);
    expect(ts!.source).toContain('const answer = await client.putU({\n');
    expect(ts!.source).toContain(`id: '@o\\'brien:ex/am#ple.org',`);
    expect(ts!.source).toContain(`note: 'it\\'s $HOME \`x\`',`);
  });
});

describe('version notes', () => {
  const NOTE_KEYS = ['x-synapse-added-in', 'x-synapse-changed', 'x-synapse-removed-in', 'x-synapse-sqlite-int-bool'];

  /** Every node of the bundle carrying a version note, with its JSON pointer and its parent's. */
  function annotated(node: unknown, ptr = '', parent = ''): Array<{ ptr: string; parent: string; node: any }> {
    if (!node || typeof node !== 'object') return [];
    const here = !Array.isArray(node) && NOTE_KEYS.some((k) => k in node) ? [{ ptr, parent, node }] : [];
    return [...here, ...Object.entries(node).flatMap(([k, v]) => annotated(v, `${ptr}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, ptr))];
  }
  const at = (doc: any, ptr: string) =>
    ptr
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((a, k) => a?.[k], doc);

  /** The words each note must turn into (independent of noteLines, which the test checks). */
  function expectedPhrases(n: any): string[] {
    const out: string[] = [];
    const added = n['x-synapse-added-in'];
    if (added !== undefined) out.push(added === 'unknown' ? 'Added in an early Synapse release' : `Added in Synapse ${added}.`);
    for (const [v, text] of Object.entries<string>(n['x-synapse-changed'] ?? {})) out.push(`Changed in Synapse ${v}: ${text.replace(/\.$/, '')}`);
    if (n['x-synapse-removed-in'] !== undefined) out.push(`Removed in Synapse ${n['x-synapse-removed-in']}`);
    if (n['x-synapse-sqlite-int-bool'] === true) out.push('may send `0`/`1` instead of `false`/`true`');
    return out;
  }

  const nodes = annotated(bundle);

  it('finds the annotations it is meant to render (operations, parameters, parameter schemas and fields)', () => {
    expect(nodes.filter((n) => /^\/paths\/[^/]+\/(get|put|post|delete)$/.test(n.ptr)).length).toBe(cases.length);
    expect(nodes.some((n) => n.ptr.startsWith('/components/parameters/'))).toBe(true);
    expect(nodes.some((n) => /\/properties\/[^/]+$/.test(n.ptr))).toBe(true);
    expect(nodes.some((n) => n.ptr.endsWith('/schema') && at(bundle, n.parent).in)).toBe(true);
  });

  it('renders every note into the description of what it annotates (a parameter schema: of the parameter)', () => {
    const problems: string[] = [];
    for (const n of nodes) {
      const isParamSchema = n.ptr.endsWith('/schema') && typeof at(bundle, n.parent)?.in === 'string';
      const target = at(decorated, isParamSchema ? n.parent : n.ptr);
      const description: string = target?.description ?? '';
      for (const phrase of expectedPhrases(n.node)) {
        if (!description.includes(phrase)) problems.push(`${n.ptr}: description lacks "${phrase}"`);
      }
    }
    expect(problems).toEqual([]);
  });

  it.each(cases)('$id shows its errata and upstream section', (c) => {
    const op = bundle.paths[c.path][c.method.toLowerCase()];
    const d: string = decorated.paths[c.path][c.method.toLowerCase()].description;
    for (const e of op['x-synapse-docs-errata'] ?? []) expect(d).toContain(e.replace(/\.$/, ''));
    expect(d).toContain(`“${op['x-synapse-doc-section']}”`);
    expect(d.startsWith(op.description.trimEnd()), 'the own description comes first').toBe(true);
  });

  it.each([
    { node: { 'x-synapse-added-in': '1.93.0' }, lines: ['Added in Synapse 1.93.0.'] },
    { node: { 'x-synapse-changed': { '1.100.0': 'b', '1.9.0': 'a.' } }, lines: ['Changed in Synapse 1.9.0: a.', 'Changed in Synapse 1.100.0: b.'] },
    { node: { 'x-synapse-removed-in': '1.51.0', deprecated: true }, lines: ['Removed in Synapse 1.51.0; older servers may still send it.'] },
    { node: { type: 'string' }, lines: [] },
  ])('noteLines($node) sorts versions numerically and words each note', ({ node, lines }) => {
    expect(noteLines(node, 'field')).toEqual(lines);
  });
});

describe('the page', () => {
  let html = '';
  beforeAll(async () => {
    const out = path.join(tmp, 'site', 'index.html');
    await buildDocs(out);
    html = readFileSync(out, 'utf8');
  });

  it('is one file that loads nothing from elsewhere, with Redoc telemetry off', () => {
    const external = [
      ...html.matchAll(/<(?:script|img|iframe|source|link)\b[^>]*\b(?:src|href)\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]+)/gi),
      ...html.matchAll(/url\(\s*["']?((?:https?:)?\/\/[^"')]+)/gi),
      ...html.matchAll(/@import\s+["']((?:https?:)?\/\/[^"']+)/gi),
      ...html.matchAll(/(?:import|from)\s*\(?\s*["']((?:https?:)?\/\/[^"']+)/g),
    ].map((m) => m[1]);
    expect(external).toEqual([]);
    expect(html).not.toMatch(/cdn\.redoc(?:ly)?\.(?:ly|com)\/redoc\/(?!v)|fonts\.googleapis|fonts\.gstatic/);
    expect(html).toContain('"disableTelemetry":true');
    expect(html).toContain('hydrate(__redoc_definition');
  });

  it('carries every operation, its samples and the intro sections', () => {
    // build-docs embeds the definition as one line of JSON (with `<` escaped as \u003c).
    const definition = JSON.parse(/const __redoc_definition = (.*);\n/.exec(html)?.[1] ?? 'null');
    expect(definition, 'the embedded definition could not be found').toBeTruthy();
    expect(definition.paths).toEqual(decorated.paths);
    for (const h of ['Base URL', 'Authentication', 'Errors', 'Matrix IDs in paths', 'Pagination', 'Versions and older servers', 'About this page']) {
      expect(definition.info.description).toContain(`## ${h}`);
    }
  });

  it('fails loudly when Redoc stops loading its badge from the CDN (so the swap needs a look)', () => {
    expect(() => inlineExternalImages('<html></html>')).toThrow(/no longer references https:\/\/cdn\.redoc\.ly/);
  });

  it('reports an unreadable bundle in one line', async () => {
    await expect(buildDocs(path.join(tmp, 'x.html'), path.join(tmp, 'missing.json'))).rejects.toThrow(/^cannot read the bundle .*missing\.json \(run npm run bundle\)/);
  });
});

describe.concurrent('npm run docs', () => {
  it.each([
    { args: ['--help'], code: 0, out: /^Usage: npm run docs/ },
    { args: ['--bogus'], code: 2, err: /^docs: Unknown option '--bogus'.*\(see npm run docs --help\)\n$/ },
    { args: ['extra'], code: 2, err: /^docs: Unexpected argument 'extra'.*\(see npm run docs --help\)\n$/ },
  ])('$args → exit $code', async ({ args, code, out, err }) => {
    const res = await runTool(BIN('tsx'), [path.join(ROOT, 'scripts/docs.ts'), ...args], { cwd: ROOT });
    expect(res.code).toBe(code);
    if (out) expect(res.stdout).toMatch(out);
    if (err) expect(res.stderr).toMatch(err);
  });
});
