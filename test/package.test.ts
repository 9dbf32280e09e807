// The published package, as a consumer gets it: build dist/ into a staging
// copy of the package, `npm pack` it, install the tarball into a temporary
// project (offline, from npm's cache), run it, and type-check two consumer
// files with tsc (one must compile, one must fail with the marked errors).
// (dist/ of the checkout is left alone: the build goes to a temp dir.)
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, GENERATED, ROOT } from '../scripts/lib/paths.ts';
import { compileDist } from '../scripts/steps/dist.ts';
import { OPERATIONS } from '../src/index.ts';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'consumer');
const PKG = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function run(cmd: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, maxBuffer: 16 << 20, env: { ...process.env, npm_config_update_notifier: 'false' } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}
const npmNoise = (s: string) => s.split('\n').filter((l) => l.trim() && !/^npm warn (Unknown user config|using --force)/.test(l)).join('\n');

/**
 * A lockfile for the consumer: the tarball plus the package's runtime
 * dependencies, copied (with their resolved URL and integrity) from the
 * repository's package-lock.json, so nothing is resolved against a registry.
 */
const REGISTRY = (process.env.npm_config_registry || 'https://registry.npmjs.org/').replace(/\/?$/, '/');

function consumerLock(name: string, spec: string, integrity: string) {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const packages: Record<string, any> = {
    '': { name, dependencies: { [PKG.name]: spec } },
    [`node_modules/${PKG.name}`]: { version: PKG.version, resolved: spec, integrity, license: PKG.license, dependencies: PKG.dependencies, engines: PKG.engines, ...(PKG.bin ? { bin: PKG.bin } : {}) },
  };
  const todo = Object.keys(PKG.dependencies ?? {});
  while (todo.length) {
    const key = `node_modules/${todo.shift()}`;
    if (packages[key]) continue;
    const entry = lock.packages?.[key];
    if (!entry) throw new Error(`package-lock.json has no top-level ${key}`);
    const { dev, devOptional, peer, optional, ...kept } = entry;
    // This lockfile omits `resolved`; the registry's tarball URL is implied by name and version.
    const bare = key.slice('node_modules/'.length);
    kept.resolved ??= `${REGISTRY}${bare}/-/${bare.split('/').pop()}-${entry.version}.tgz`;
    packages[key] = kept;
    todo.push(...Object.keys(entry.dependencies ?? {}));
  }
  return { name, lockfileVersion: 3, requires: true, packages };
}

let tmp: string;
let consumer: string;
let packed: { filename: string; integrity: string; files: { path: string }[] };

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'package-'));
  const stage = path.join(tmp, 'pkg');
  mkdirSync(stage);
  copyFileSync(path.join(ROOT, 'package.json'), path.join(stage, 'package.json'));
  for (const f of ['README.md', 'LICENSE']) {
    try {
      copyFileSync(path.join(ROOT, f), path.join(stage, f));
    } catch {
      // optional files
    }
  }
  // All of generated/: `files` in package.json decides what ships.
  cpSync(GENERATED, path.join(stage, 'generated'), { recursive: true });
  await compileDist(path.join(stage, 'dist'));

  const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], stage);
  if (pack.code !== 0) throw new Error(`npm pack failed: ${npmNoise(pack.stderr)}`);
  packed = JSON.parse(pack.stdout)[0];

  consumer = path.join(tmp, 'consumer');
  mkdirSync(consumer);
  for (const f of readdirSync(FIXTURE)) copyFileSync(path.join(FIXTURE, f), path.join(consumer, f));
  const spec = `file:../${packed.filename}`;
  const manifest = JSON.parse(readFileSync(path.join(consumer, 'package.json'), 'utf8'));
  writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ ...manifest, dependencies: { [PKG.name]: spec } }, null, 2));
  writeFileSync(path.join(consumer, 'package-lock.json'), JSON.stringify(consumerLock(manifest.name, spec, packed.integrity), null, 2));
  // Offline, from a lockfile: npm ci needs only the dependency tarballs,
  // by integrity, which the repository's own `npm ci` put in npm's cache.
  const install = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], consumer);
  if (install.code !== 0) throw new Error(`npm ci of the consumer (tarball + cached dependencies) failed: ${npmNoise(install.stderr)}`);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds dist/ (ESM + .d.ts) and the generated API files, and nothing from the sources', () => {
    const files = packed.files.map((f) => f.path).sort();
    for (const f of ['package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/client.js', 'dist/client.d.ts', 'dist/operations.generated.js', 'generated/schema.d.ts', 'generated/openapi.json', 'generated/openapi.yaml']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => !/^(dist\/|generated\/|package\.json$|README\.md$|LICENSE$)/.test(f))).toEqual([]);
    expect(files.filter((f) => /^dist\/.*\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('generated/docs/'))).toEqual([]);
  });

  it('exports ., ./schema, ./openapi.json and ./openapi.yaml', () => {
    expect(Object.keys(PKG.exports)).toEqual(expect.arrayContaining(['.', './schema', './openapi.json', './openapi.yaml']));
    expect(PKG.exports['.']).toMatchObject({ types: './dist/index.d.ts', import: './dist/index.js' });
    expect(PKG.exports['./schema']).toEqual({ types: './generated/schema.d.ts' });
    expect(PKG.dependencies['openapi-fetch']).toBeDefined();
  });
});

describe('a consumer project that installed the tarball', () => {
  it('imports and runs it: an exact request on the wire, paging, the bundle subpaths', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      const from = Number(new URL(req.url!, 'http://x').searchParams.get('from') ?? 0);
      res.end(JSON.stringify(req.url!.includes('/v2/users?') ? { users: [{ name: `@u${from}:x` }], total: 2, ...(from === 0 ? { next_token: '1' } : {}) } : { name: '@zoë:x' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const script = [
        "import { createSynapseAdminClient, OPERATIONS } from 'synapse-admin-openapi';",
        "import spec from 'synapse-admin-openapi/openapi.json' with { type: 'json' };",
        "import { readFileSync } from 'node:fs';",
        "const c = createSynapseAdminClient({ baseUrl: process.argv[2], accessToken: 'tok' });",
        "const user = await c.getUser({ path: { user_id: '@zoë:x' } });",
        'const names = [];',
        "for await (const u of c.paginate('listUsers', { query: { limit: 1 } })) names.push(u.name);",
        "const yaml = readFileSync(new URL(import.meta.resolve('synapse-admin-openapi/openapi.yaml')), 'utf8');",
        "let deep = 'allowed';",
        "try { await import('synapse-admin-openapi/dist/client.js'); } catch (e) { deep = e.code; }",
        'console.log(JSON.stringify({ user, names, openapi: spec.openapi, yaml: yaml.startsWith("openapi: 3.1.0"), operations: Object.keys(OPERATIONS).length, deep }));',
      ].join('\n');
      writeFileSync(path.join(consumer, 'run.mjs'), script);
      const out = await run(process.execPath, ['run.mjs', `http://127.0.0.1:${(server.address() as AddressInfo).port}`], consumer);
      expect(out.stderr).toBe('');
      expect(JSON.parse(out.stdout)).toEqual({
        user: { name: '@zoë:x' },
        names: ['@u0:x', '@u1:x'],
        openapi: '3.1.0',
        yaml: true,
        operations: Object.keys(OPERATIONS).length,
        deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
      });
      expect(seen).toEqual([
        'GET /_synapse/admin/v2/users/%40zo%C3%AB%3Ax Bearer tok',
        'GET /_synapse/admin/v2/users?limit=1 Bearer tok',
        'GET /_synapse/admin/v2/users?limit=1&from=1 Bearer tok',
      ]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('installs the synapse-admin-openapi command, which validates with the packaged spec', async () => {
    writeFileSync(path.join(consumer, 'admin.json'), JSON.stringify({ admin: true }));
    writeFileSync(path.join(consumer, 'not-admin.json'), JSON.stringify({ admin: 'yes' }));
    const bin = path.join(consumer, 'node_modules', '.bin', 'synapse-admin-openapi');
    const args = ['validate', '--method', 'GET', '--path', '/_synapse/admin/v1/users/@alice:example.org/admin', '--status', '200'];
    const ok = await run(bin, [...args, 'admin.json'], consumer);
    expect(ok.code, `${ok.stderr}${ok.stdout}`).toBe(0);
    const bad = await run(bin, [...args, 'not-admin.json'], consumer);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('/admin');
  });

  it('type-checks two consumer files: good.ts (every operation) compiles, bad.ts fails with exactly the marked errors', async () => {
    const good = readFileSync(path.join(FIXTURE, 'good.ts'), 'utf8');
    for (const id of Object.keys(OPERATIONS)) expect(good, `good.ts should call ${id}`).toContain(`c.${id}(`);
    const lines = readFileSync(path.join(FIXTURE, 'bad.ts'), 'utf8').split('\n');
    const expected = lines.flatMap((l, i) => {
      const m = /\/\/ (TS\d+) (.+)$/.exec(l);
      return m ? [{ file: 'bad.ts', line: i + 1, code: m[1], text: m[2].trim() }] : [];
    });
    expect(expected.length).toBeGreaterThanOrEqual(8);

    // One tsc run over both files (tsconfig.json lists them); it is the slow part of this suite.
    const tsc = await run(process.execPath, [BIN('tsc'), '-p', 'tsconfig.json'], consumer);
    expect(tsc.code).not.toBe(0);
    // Group tsc's output into errors: a "file(line,col): error TSnnnn: …" line plus its indented elaboration.
    const errors: { file: string; line: number; code: string; text: string }[] = [];
    for (const l of `${tsc.stdout}\n${tsc.stderr}`.split('\n')) {
      const m = /^([\w./-]+)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(l);
      if (m) errors.push({ file: m[1], line: Number(m[2]), code: m[3], text: m[4] });
      else if (/^\s/.test(l) && errors.length) errors[errors.length - 1].text += ` ${l.trim()}`;
      else if (l.trim()) errors.push({ file: '?', line: -1, code: 'unexpected output', text: l });
    }
    expect(errors.filter((e) => e.file !== 'bad.ts'), 'good.ts (and the package types) must compile cleanly').toEqual([]);
    for (const e of expected) {
      const hit = errors.find((x) => x.line === e.line && x.code === e.code && x.text.includes(e.text));
      expect(hit, `bad.ts:${e.line} should fail with ${e.code} mentioning ${e.text}; tsc said:\n${tsc.stdout}`).toBeDefined();
    }
    expect(errors.filter((x) => !expected.some((e) => e.line === x.line)), 'errors on unmarked lines of bad.ts').toEqual([]);
  });
});
