// A second TypeScript generator: @hey-api/openapi-ts builds an SDK from the
// 3.1 bundle and from the 3.0 edition; tsc 5.9 (strict) compiles each SDK
// together with test/codegen/hey-api/usage.ts.txt, whose @ts-expect-error
// lines prove the types are precise. The 3.1 SDK then makes one real call
// to a loopback server.
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../../scripts/lib/paths.ts';
import { runTool } from '../../scripts/lib/cli.ts';
import { bundle } from '../helpers/spec.ts';
import { CODEGEN_DIR, mustRun, tempDir } from './helpers.ts';

const CONFIG = path.join(CODEGEN_DIR, 'hey-api', 'openapi-ts.config.ts');
const EDITIONS = [
  { edition: 'OpenAPI 3.1 bundle', input: 'generated/openapi.json', sub: 'from-3.1' },
  { edition: 'OpenAPI 3.0 edition', input: 'generated/openapi-3.0.yaml', sub: 'from-3.0' },
];
const dir = tempDir('hey-api');
let tsc: { code: number; output: string };

beforeAll(async () => {
  // One SDK per edition, each with the usage check beside it; one tsc run checks both.
  for (const { input, sub } of EDITIONS) {
    await mustRun(BIN('openapi-ts'), ['--file', CONFIG], { cwd: ROOT, env: { OPENAPI_TS_INPUT: input, OPENAPI_TS_OUTPUT: path.join(dir, sub, 'sdk') } });
    copyFileSync(path.join(CODEGEN_DIR, 'hey-api', 'usage.ts.txt'), path.join(dir, sub, 'usage.ts'));
  }
  const config = JSON.parse(readFileSync(path.join(CODEGEN_DIR, 'hey-api', 'tsconfig.json'), 'utf8'));
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ ...config, files: EDITIONS.map((e) => `${e.sub}/usage.ts`) }));
  const res = await runTool(BIN('tsc'), ['-p', path.join(dir, 'tsconfig.json')], { cwd: dir });
  tsc = { code: res.code, output: `${res.stdout}${res.stderr}`.trim() };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('@hey-api/openapi-ts SDK', () => {
  it.each(EDITIONS)('from the $edition type-checks with tsc --strict, expected errors included', ({ sub }) => {
    expect(tsc.output.split('\n').filter((l) => l.startsWith(sub))).toEqual([]);
  });

  it('tsc finishes cleanly on both SDKs', () => {
    expect(tsc.output).toBe('');
    expect(tsc.code).toBe(0);
  });

  it('has one SDK function per operation', async () => {
    const sdk = await import(pathToFileURL(path.join(dir, EDITIONS[0]!.sub, 'sdk', 'index.ts')).href);
    const ids = Object.values<any>(bundle.paths).flatMap((item) => Object.values<any>(item).map((op) => op.operationId)).filter(Boolean);
    expect(ids.filter((id) => typeof sdk[id] !== 'function')).toEqual([]);
  });

  it('calls a loopback server with the bearer token and an encoded user ID, and returns the body', async () => {
    const sdkDir = path.join(dir, EDITIONS[0]!.sub, 'sdk');
    const sdk = await import(pathToFileURL(path.join(sdkDir, 'index.ts')).href);
    const { client } = await import(pathToFileURL(path.join(sdkDir, 'client.gen.ts')).href);
    const answer = { name: '@alice:example.org', admin: false, deactivated: false, displayname: null };
    const seen: Array<{ method?: string; url?: string; auth?: string }> = [];
    const server = createServer((req: IncomingMessage, res) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      client.setConfig({ baseUrl: `http://127.0.0.1:${port}`, auth: () => 'admin-token' });
      const res = await sdk.getUser({ path: { user_id: '@alice:example.org' } });
      expect(res.data).toEqual(answer);
      expect(seen).toEqual([{ method: 'GET', url: '/_synapse/admin/v2/users/%40alice%3Aexample.org', auth: 'Bearer admin-token' }]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
