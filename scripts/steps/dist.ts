// Build step: compile src/ into dist/ (ESM + .d.ts) with tsc -p tsconfig.build.json.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runTool } from '../lib/cli.ts';
import type { Step } from '../lib/freshness.ts';
import { BIN, BUNDLE_JSON, ROOT, SCHEMA_DTS } from '../lib/paths.ts';

export const DIST = path.join(ROOT, 'dist');
export const BUILD_TSCONFIG = path.join(ROOT, 'tsconfig.build.json');

export const step: Step = {
  name: 'dist',
  inputs: [path.join(ROOT, 'src'), SCHEMA_DTS, BUNDLE_JSON, BUILD_TSCONFIG, path.join(ROOT, 'tsconfig.json'), path.join(ROOT, 'scripts/steps/dist.ts')],
  outputs: [path.join(DIST, 'index.js'), path.join(DIST, 'index.d.ts')],
};

/** Compiles src/ into `outDir` (a fresh directory: stale files of deleted modules must not ship). */
export async function compileDist(outDir = DIST): Promise<void> {
  if (!existsSync(SCHEMA_DTS)) throw new Error(`${path.relative(ROOT, SCHEMA_DTS)} is missing: run npm run types first`);
  rmSync(outDir, { recursive: true, force: true });
  const res = await runTool(BIN('tsc'), ['-p', BUILD_TSCONFIG, '--outDir', outDir], { cwd: ROOT });
  if (res.code !== 0) {
    const lines = `${res.stdout}\n${res.stderr}`.split('\n').filter((l) => /error TS\d+/.test(l));
    const first = lines[0] ?? (res.stdout.trim() || res.stderr.trim()).split('\n')[0];
    throw new Error(`tsc -p tsconfig.build.json failed${lines.length > 1 ? ` (${lines.length} errors, first shown)` : ''}: ${first}`);
  }
  if (!readFileSync(path.join(outDir, 'index.d.ts'), 'utf8').includes('createSynapseAdminClient')) {
    throw new Error('dist/index.d.ts does not export createSynapseAdminClient');
  }
}

export const run = () => compileDist();
