// `npm run diff` as a user runs it: git refs (in a throw-away repository
// made here, never the project's), files, exit codes 0/1/2, one clear line
// per bad input, and the release check against the newest v* tag. Most
// cases run the command in-process (diffMain, with the same error-to-exit
// mapping as runMain); the last ones spawn the real script.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError, runTool } from '../scripts/lib/cli.ts';
import { diffMain } from '../scripts/lib/diff-cli.ts';
import { BIN, ROOT } from '../scripts/lib/paths.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'diff-cli-'));
const repo = path.join(dir, 'repo');
const base = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/diff/base.json'), 'utf8'));

/** base with one breaking change (a response field removed) and one additive one. */
function changed(): any {
  const d = structuredClone(base);
  delete d.components.schemas.User.properties.creation_ts;
  d.components.schemas.UserRequest.properties.reason = { type: 'string' };
  return d;
}
/** base with an additive change only. */
function additive(): any {
  const d = structuredClone(base);
  d.components.schemas.UserRequest.properties.reason = { type: 'string' };
  return d;
}

const files = {
  base: path.join(dir, 'base.json'),
  breaking: path.join(dir, 'breaking.json'),
  additive: path.join(dir, 'additive.json'),
  notJson: path.join(dir, 'not.json'),
  notOpenapi: path.join(dir, 'swagger.json'),
};

/** Runs the command in-process: what scripts/diff.ts + runMain would print and exit with. */
async function diff(...args: string[]) {
  let out = '';
  let err = '';
  let code: number;
  try {
    code = await diffMain(args, { out: (t) => (out += t), err: (t) => (err += t) });
  } catch (e) {
    err += `diff: ${(e as Error).message}\n`;
    code = e instanceof UsageError ? 2 : 1;
  }
  return { code, out: out.trim(), err: err.trim() };
}

/** Runs the real script, as `npm run diff` does. */
async function spawnDiff(...args: string[]) {
  const res = await runTool(BIN('tsx'), [path.join(ROOT, 'scripts/diff.ts'), ...args], { cwd: ROOT });
  return { code: res.code, out: res.stdout.trim(), err: res.stderr.trim() };
}

async function git(...args: string[]) {
  const res = await runTool('git', ['-C', repo, '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', ...args], {
    env: { GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.org', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.org', GIT_CONFIG_NOSYSTEM: '1' },
  });
  if (res.code !== 0) throw new Error(`git ${args.join(' ')}: ${res.stderr}`);
}

const writeJson = (file: string, value: unknown) => writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
const setVersion = (v: string) => writeJson(path.join(repo, 'package.json'), { name: 'fixture', version: v });
const setBundle = (doc: unknown) => writeJson(path.join(repo, 'generated', 'openapi.json'), doc);

beforeAll(async () => {
  writeJson(files.base, base);
  writeJson(files.breaking, changed());
  writeJson(files.additive, additive());
  writeFileSync(files.notJson, '{ "openapi": ');
  writeJson(files.notOpenapi, { swagger: '2.0', paths: {} });

  mkdirSync(path.join(repo, 'generated'), { recursive: true });
  await git('init', '--quiet', '--initial-branch=main');
  writeFileSync(path.join(repo, 'README'), 'fixture\n');
  setVersion('0.0.1');
  await git('add', '.');
  await git('commit', '--quiet', '-m', 'before any bundle');
  await git('tag', 'no-bundle');
  setBundle(base);
  setVersion('0.1.0');
  await git('add', '.');
  await git('commit', '--quiet', '-m', 'release 0.1.0');
  await git('tag', 'v0.1.0');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run diff (files)', () => {
  it('exits 1 and lists breaking changes first, by side, when there are breaking changes', async () => {
    const r = await diff('--base', files.base, '--head', files.breaking);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toEqual([
      'Breaking changes: 2',
      '  Responses:',
      '    GET /users (listUsers)',
      '      response 200 body /users/[]: field "creation_ts" removed [property-removed]',
      '    GET /users/{user_id} (getUser)',
      '      response 200 body: field "creation_ts" removed [property-removed]',
      'Non-breaking changes: 1',
      '  Requests:',
      '    PUT /users/{user_id} (putUser)',
      '      request body: new optional field "reason" [property-added]',
      `Compared with ${files.base}: 2 breaking, 1 non-breaking.`,
    ]);
  });

  it('prints the example shown in the README', async () => {
    // Relative paths start where the user ran npm (INIT_CWD), as they do for npm run diff.
    const saved = process.env.INIT_CWD;
    process.env.INIT_CWD = ROOT;
    const r = await diff('--base', 'test/fixtures/diff/base.json', '--head', 'test/fixtures/diff/example-after.json').finally(() => {
      if (saved === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = saved;
    });
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toEqual([
      'Breaking changes: 3',
      '  Requests:',
      '    PUT /users/{user_id} (putUser)',
      '      request body /kind: value "bot" no longer allowed [enum-value-removed]',
      '  Responses:',
      '    GET /users (listUsers)',
      '      response 200 body /users/[]: field "creation_ts" removed [property-removed]',
      '    GET /users/{user_id} (getUser)',
      '      response 200 body: field "creation_ts" removed [property-removed]',
      'Non-breaking changes: 2',
      '  Requests:',
      '    PUT /users/{user_id} (putUser)',
      '      request body: new optional field "reason" [property-added]',
      '  Responses:',
      '    GET /users/{user_id} (getUser)',
      '      response 403: status 403 is now described [response-status-added]',
      'Compared with test/fixtures/diff/base.json: 3 breaking, 2 non-breaking.',
    ]);
  });

  it('exits 0 when the changes are all non-breaking, and --json gives both lists', async () => {
    const r = await diff('--base', files.base, '--head', files.additive, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.breaking).toEqual([]);
    expect(report.nonBreaking).toEqual([
      { severity: 'non-breaking', side: 'requests', kind: 'property-added', operation: 'PUT /users/{user_id} (putUser)', where: 'request body', message: 'new optional field "reason"' },
    ]);
  });

  const BAD: Array<{ args: () => string[]; line: RegExp }> = [
    { args: () => [], line: /^diff: missing the git ref to compare with \(see npm run diff --help\)$/ },
    { args: () => ['a', 'b'], line: /^diff: expected one git ref, got 2: a b/ },
    { args: () => ['HEAD', '--base', files.base], line: /^diff: give a git ref or --base FILE, not both/ },
    { args: () => ['--frobnicate'], line: /^diff: Unknown option '--frobnicate'/ },
    { args: () => ['--base', path.join(dir, 'missing.json')], line: /^diff: no such file: .*missing\.json$/ },
    { args: () => ['--base', files.notJson], line: /^diff: .*not\.json is not JSON: / },
    { args: () => ['--base', files.notOpenapi], line: /^diff: .*swagger\.json is not an OpenAPI 3\.0\/3\.1 document$/ },
    { args: () => ['no-such-ref', '--repo', repo], line: /^diff: unknown git ref "no-such-ref"$/ },
    { args: () => ['no-bundle', '--repo', repo], line: /^diff: no-bundle has no generated\/openapi\.json$/ },
    { args: () => ['HEAD', '--repo', dir], line: /^diff: .* is not a git repository$/ },
  ];
  it.each(BAD)('exits 2 with one line for $line', async ({ args, line }) => {
    const r = await diff(...args());
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(line);
  });

  it('--help explains the exit codes', async () => {
    const r = await diff('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: npm run diff -- <git-ref>/);
    expect(r.out).toContain('Exit status: 0 no breaking change');
  });
});

describe('npm run diff (git refs and the release check)', () => {
  it('compares the working tree with a tag', async () => {
    setBundle(changed());
    const r = await diff('v0.1.0', '--repo', repo);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Breaking changes: 2\n/);
    expect(r.out).toMatch(/Compared with v0.1.0: 2 breaking, 1 non-breaking\.$/);
  });

  it('--release-check demands the bump the diff calls for', async () => {
    setBundle(changed());
    setVersion('0.1.1');
    const tooSmall = await diff('--release-check', '--repo', repo);
    expect(tooSmall.code).toBe(1);
    expect(tooSmall.err).toBe('release check: version 0.1.1 is a patch bump from 0.1.0, but 2 breaking changes since then need a minor bump');

    setVersion('0.2.0');
    const enough = await diff('--release-check', '--repo', repo);
    expect(enough.code).toBe(0);
    expect(enough.out).toBe('release check: 0.2.0 is fine after v0.1.0 (0.1.0): 2 breaking, 1 non-breaking change(s), minor bump needed at least.');

    setBundle(additive());
    setVersion('0.1.1');
    expect((await diff('--release-check', '--repo', repo)).code).toBe(0);
  });

  it('--release-check has nothing to compare before the first release tag', async () => {
    await git('tag', '-d', 'v0.1.0');
    try {
      const r = await diff('--release-check', '--repo', repo);
      expect(r.code).toBe(0);
      expect(r.out).toBe('release check: no release tag (v*) yet; version 0.1.1 is the first release, nothing to compare.');
    } finally {
      await git('tag', 'v0.1.0', 'HEAD');
    }
  });
});

describe('scripts/diff.ts (spawned)', () => {
  it('exits 1 on breaking changes and 2 with one line on an unknown ref', async () => {
    const [breaking, unknown] = await Promise.all([spawnDiff('--base', files.base, '--head', files.breaking), spawnDiff('no-such-ref', '--repo', repo)]);
    expect(breaking.code).toBe(1);
    expect(breaking.out).toMatch(/^Breaking changes: 2\n[\s\S]*Compared with .*: 2 breaking, 1 non-breaking\.$/);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe('diff: unknown git ref "no-such-ref"');
  });
});
