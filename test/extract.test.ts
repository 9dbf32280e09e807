// The docs-example extractor: how it finds, maps and repairs blocks (on
// small made-up docs), that the committed fixtures are what it produces
// from ../shared today, and its command line.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildFixtures,
  bundleResolver,
  diffFixtures,
  DOC_SOURCES,
  extractBlocks,
  FIXTURES_DIR,
  loadManifest,
  repairJson,
  writeFixtures,
  type DocBlock,
  type DocSource,
} from '../scripts/lib/docs-examples.ts';
import { runTool } from '../scripts/lib/cli.ts';
import { BIN, ROOT, SHARED } from '../scripts/lib/paths.ts';

const resolve = bundleResolver();
const md = (era = 'test'): DocSource => ({ era, file: 'test.md', format: 'markdown', description: 'made up', synapse: { from: '0.0.0', to: '0.0.0' } });
const rendered = (era = 'test'): DocSource => ({ ...md(era), format: 'rendered' });
const fence = '```';

interface ExtractCase {
  name: string;
  source: DocSource;
  text: string;
  expected: Array<Partial<DocBlock>>;
}

const CASES: ExtractCase[] = [
  {
    name: 'a fenced response after a response sentence',
    source: md(),
    text: `# Doc\n## Query\n${fence}\nGET /_synapse/admin/v1/users/<user_id>/admin\n${fence}\nA response body like the following is returned:\n${fence}json\n{"admin": true}\n${fence}\n`,
    expected: [{ operationId: 'getServerAdminStatus', role: 'response', status: 200, line: 8, heading: 'Query', headingPath: ['Doc', 'Query'], fenced: true, fenceLang: 'json', json: 'valid', cue: { kind: 'response-sentence', line: 6 } }],
  },
  {
    name: 'a body inside the METHOD fence is the request',
    source: md(),
    text: `## Update\n${fence}\nPUT /_synapse/admin/v2/users/<user_id>/devices/<device_id>\n\n{\n  "display_name": "x"\n}\n${fence}\n`,
    expected: [{ operationId: 'updateDevice', role: 'request', status: null, line: 5, endLine: 7, cue: { kind: 'method-line-in-fence', line: 5 } }],
  },
  {
    name: 'bare JSON right under a METHOD line in rendered text is the request',
    source: rendered(),
    text: `Login as a user\n\nThe API is:\n\nPOST /_synapse/admin/v1/users/<user_id>/login\n{}\n\nA response body like the following is returned:\n\n{\n    "access_token": "t"\n}\n`,
    expected: [
      { operationId: 'loginAsUser', role: 'request', line: 6, heading: 'Login as a user', fenced: false },
      { operationId: 'loginAsUser', role: 'response', status: 200, line: 10, endLine: 12 },
    ],
  },
  {
    name: 'a "with a body of" sentence marks a request; the query string is ignored',
    source: rendered(),
    text: `Reset password\n\nPOST /_synapse/admin/v1/reset_password/<user_id>?x=1\n\nwith a body of:\n\n{"new_password": "s"}\n`,
    expected: [{ operationId: 'resetPassword', role: 'request', cue: { kind: 'body-of-sentence', line: 5 } }],
  },
  {
    name: 'an error sentence names the status',
    source: md(),
    text: `## Find\n${fence}\nGET /_synapse/admin/v1/threepid/<medium>/users/<address>\n${fence}\nReturns a \`404\` HTTP status code if no user was found, with a response body like this:\n${fence}json\n{"errcode": "M_NOT_FOUND", "error": "User not found"}\n${fence}\n`,
    expected: [{ operationId: 'getUserByThreepid', role: 'response', status: 404, cue: { kind: 'error-sentence', line: 5 } }],
  },
  {
    name: 'routes listed together share the example',
    source: md(),
    text: `## Whois\n${fence}\nGET /_synapse/admin/v1/whois/<user_id>\n${fence}\nand:\n${fence}\nGET /_matrix/client/r0/admin/whois/<userId>\n${fence}\nIt returns a JSON body like the following:\n${fence}json\n{"user_id": "u", "devices": {}}\n${fence}\n`,
    expected: [{ operationId: 'getWhois', alsoOperationIds: ['getWhoisClientApi'], role: 'response', status: 200 }],
  },
  {
    name: 'JSONC comments are removed and recorded',
    source: md(),
    text: `## Query\n${fence}\nGET /_synapse/admin/v2/users/<user_id>\n${fence}\nIt returns a JSON body like the following:\n${fence}jsonc\n{\n  "a": "b", // a note\n  "c": null /* gone */\n}\n${fence}\n`,
    expected: [{ json: 'repaired', repairs: [{ kind: 'line-comment', line: 8, removed: '// a note' }, { kind: 'block-comment', line: 9, removed: '/* gone */' }], repairedText: '{\n  "a": "b",\n  "c": null\n}' }],
  },
  {
    name: 'a trailing comma is removed and recorded',
    source: rendered(),
    text: `Delete multiple devices\n\nPOST /_synapse/admin/v2/users/<user_id>/delete_devices\n\n{\n  "devices": [\n    "A"\n  ],\n}\n`,
    expected: [{ operationId: 'deleteDevices', role: 'request', json: 'repaired', repairs: [{ kind: 'trailing-comma', line: 8, removed: ',' }], repairedText: '{\n  "devices": [\n    "A"\n  ]\n}' }],
  },
  {
    name: 'an ellipsis for elided items is removed with its comma',
    source: rendered(),
    text: `Delete multiple devices\n\nPOST /_synapse/admin/v2/users/<user_id>/delete_devices\n\n{"devices": ["A", ...]}\n`,
    expected: [{ json: 'repaired', repairs: [{ kind: 'ellipsis', line: 5, removed: '...' }], repairedText: '{"devices": ["A" ]}' }],
  },
  {
    name: 'a block with no METHOD line in its section is listed, not dropped',
    source: md(),
    text: `## Intro\nA response body like the following is returned:\n${fence}json\n{"a": 1}\n${fence}\n`,
    expected: [{ operationId: null, unmapped: 'no `METHOD /path` line in its section before the block', status: null, fixture: 'test/01-unmapped-response.json' }],
  },
  {
    name: 'a route the spec does not have is listed with the route',
    source: md(),
    text: `## Check\n${fence}\nPOST /_synapse/admin/v1/username_availabile?username=$localpart\n${fence}\nA response body like the following is returned:\n${fence}json\n{"available": true}\n${fence}\n`,
    expected: [{ operationId: null, unmapped: 'POST /_synapse/admin/v1/username_availabile is not an operation of the spec' }],
  },
  {
    name: 'a block without a request/response sentence is listed',
    source: md(),
    text: `## Query\n${fence}\nGET /_synapse/admin/v2/users/<user_id>\n${fence}\nSome unrelated words here.\n${fence}json\n{"a": 1}\n${fence}\n`,
    expected: [{ operationId: 'getUser', role: null, unmapped: 'no sentence or `METHOD /path` line right before it says whether it is a request or a response' }],
  },
  {
    name: 'a status the operation does not declare is listed',
    source: md(),
    text: `## Query\n${fence}\nGET /_synapse/admin/v2/users/<user_id>\n${fence}\nWith status \`418\` a response body like this is returned:\n${fence}json\n{"a": 1}\n${fence}\n`,
    expected: [{ status: 418, unmapped: 'status 418 is not declared for getUser' }],
  },
  {
    name: 'text that is not JSON even after repair keeps its raw text and reason',
    source: md(),
    text: `## Query\n${fence}\nGET /_synapse/admin/v2/users/<user_id>\n${fence}\nA response body like the following is returned:\n${fence}json\n{"a": <value>}\n${fence}\n`,
    expected: [{ json: 'invalid', fixture: null, rawText: '{"a": <value>}', rawFixture: 'test/01-getUser-response-200.raw.txt', unmapped: 'the block is not JSON and cannot be repaired' }],
  },
  {
    name: 'a capture preamble (line-number column) is skipped and doc lines are counted from the title',
    source: { ...md(), startMarker: '# User Admin API' },
    text: `1\n2\n{ "noise": true }\n# User Admin API\n## Admin\n${fence}\nGET /_synapse/admin/v1/users/<user_id>/admin\n${fence}\nA response body like the following is returned:\n${fence}json\n{"admin": false}\n${fence}\n`,
    expected: [{ operationId: 'getServerAdminStatus', line: 11, docLine: 8 }],
  },
];

describe('extractBlocks', () => {
  it.each(CASES)('$name', ({ source, text, expected }) => {
    const blocks = extractBlocks(text, source, resolve);
    expect(blocks).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(blocks[i]).toMatchObject(e));
    for (const b of blocks) {
      // Whatever the outcome, a block is either usable or says why not.
      expect(b.unmapped !== undefined || (b.operationId !== null && b.role !== null && b.fixture !== null)).toBe(true);
      if (b.json !== 'valid') {
        expect(() => JSON.parse(b.rawText!)).toThrow();
        expect(b.reason).toBeTruthy();
      }
      if (b.json === 'repaired') expect(JSON.parse(b.repairedText!)).toBeDefined();
    }
  });

  it('reports a missing start marker in one line', () => {
    expect(() => extractBlocks('no title here\n', { ...md(), startMarker: '# User Admin API' }, resolve)).toThrow(/test\.md: the line "# User Admin API" that starts the document is missing/);
  });

  it('repairJson leaves valid JSON alone and cannot fix what is not a known doc bug', () => {
    expect(repairJson('{"a": [1, 2]}')).toMatchObject({ ok: true, repairs: [] });
    expect(repairJson('{"a": undefined}').ok).toBe(false);
  });
});

// The byte-identity check needs the reference material; CI always has it.
// Without it, the test says so in its name and checks what it can: the
// committed fixtures against their own manifest.
const hasShared = DOC_SOURCES.every((s) => existsSync(path.join(SHARED, s.file)));

describe('committed fixtures', () => {
  const manifest = loadManifest();

  it(
    hasShared
      ? 'are byte-identical to a fresh extraction of ../shared, and extracting twice gives the same bytes'
      : 'match their manifest (../shared is absent, so the byte-identity check against the docs did NOT run)',
    async () => {
      if (hasShared) {
        const first = buildFixtures(SHARED, resolve);
        const second = buildFixtures(SHARED, resolve);
        expect([...second.files.entries()]).toEqual([...first.files.entries()]);
        expect(diffFixtures(FIXTURES_DIR, first.files)).toEqual([]);
        const dir = mkdtempSync(path.join(os.tmpdir(), 'docs-examples-'));
        try {
          writeFixtures(dir, first.files);
          expect(writeFixtures(dir, second.files)).toEqual({ written: [], removed: [] });
          for (const [rel, content] of first.files) expect(readFileSync(path.join(dir, rel), 'utf8')).toBe(content);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        // The command line says the same.
        const check = await runTool(BIN('tsx'), ['scripts/extract-examples.ts', '--check'], { cwd: ROOT });
        expect(check.code, check.stderr).toBe(0);
        expect(check.stdout).toMatch(/files up to date/);
      } else {
        for (const b of manifest.blocks) {
          if (b.fixture) expect(existsSync(path.join(FIXTURES_DIR, b.fixture)), b.fixture).toBe(true);
          if (b.rawFixture) expect(readFileSync(path.join(FIXTURES_DIR, b.rawFixture), 'utf8')).toBe(`${b.rawText}\n`);
        }
      }
    },
  );

  it('cover all six eras, every block mapped or listed with a reason, no stray files', () => {
    expect(manifest.sources.map((s) => s.era)).toEqual(DOC_SOURCES.map((s) => s.era));
    for (const s of manifest.sources) expect(s.blocks, s.era).toBe(manifest.blocks.filter((b) => b.era === s.era).length);
    expect(manifest.counts.blocks).toBe(manifest.blocks.length);
    expect(manifest.unmapped).toEqual(manifest.blocks.filter((b) => b.unmapped).map((b) => ({ id: b.id, reason: b.unmapped })));
    for (const b of manifest.blocks) {
      expect(b.unmapped !== undefined || (b.operationId && b.role && b.fixture), b.id).toBeTruthy();
      expect(b.heading, `${b.id} has a heading`).toBeTruthy();
    }
    const referenced = new Set(manifest.blocks.flatMap((b) => [b.fixture, b.rawFixture].filter(Boolean)));
    const onDisk = DOC_SOURCES.flatMap((s) => readdirSync(path.join(FIXTURES_DIR, s.era)).map((f) => `${s.era}/${f}`));
    expect(onDisk.sort()).toEqual([...referenced].sort());
  });

  it('record every doc bug with the raw text, the repair and why', () => {
    const repaired = manifest.blocks.filter((b) => b.json !== 'valid');
    expect(repaired.length).toBeGreaterThan(0);
    for (const b of repaired) {
      expect(() => JSON.parse(b.rawText!), b.id).toThrow();
      expect(b.repairs!.length, b.id).toBeGreaterThan(0);
      expect(b.repair, b.id).toMatch(/^Removed /);
      expect(b.reason, b.id).toBeTruthy();
      expect(JSON.parse(b.repairedText!)).toEqual(JSON.parse(readFileSync(path.join(FIXTURES_DIR, b.fixture!), 'utf8')));
    }
  });
});

describe('npm run extract-examples', () => {
  const run = (...args: string[]) => runTool(BIN('tsx'), ['scripts/extract-examples.ts', ...args], { cwd: ROOT });

  it('has --help, rejects bad arguments in one line, and checks the committed fixtures', async () => {
    const [help, unknown, missing, noShared, eraAlone] = await Promise.all([
      run('--help'),
      run('--bogus'),
      run('--file', 'no/such/file.md'),
      run('--shared', path.join(os.tmpdir(), 'no-such-shared-dir'), '--check'),
      run('--era', 'x'),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run extract-examples/);
    const oneLine = (r: { stderr: string }) => r.stderr.split('\n').filter((l) => l && !l.startsWith('npm warn'));
    expect(unknown.code).toBe(2);
    expect(oneLine(unknown)).toEqual([expect.stringMatching(/^extract-examples: Unknown option '--bogus'.*--help/)]);
    expect(missing.code).toBe(2);
    expect(oneLine(missing)).toEqual([expect.stringMatching(/^extract-examples: cannot read .*no\/such\/file\.md: no such file$/)]);
    expect(noShared.code).toBe(1);
    expect(oneLine(noShared)).toEqual([expect.stringMatching(/^extract-examples: cannot read .*no-such-shared-dir\/seeds\/000_30b188c40784ce58\.txt: no such file$/)]);
    expect(eraAlone.code).toBe(2);
    expect(oneLine(eraAlone)).toEqual(['extract-examples: --era only applies with --file (see npm run extract-examples --help)']);
  });
});
