// Build pipeline: our `npm run build -- --force` (lint, bundle + 3.0
// edition, types, docs, dist, with independent steps in parallel) against
// the same tools run bare, one after the other, on the same input — the
// overhead of our orchestration. Then a no-op rebuild against a full one:
// fresh steps must be skipped.
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTool } from '../scripts/lib/cli.ts';
import { BIN, ROOT } from '../scripts/lib/paths.ts';
import { timeMs, timeRow, type BenchOptions, type BenchRow } from './lib.ts';

/** Files the build reads or writes; copied so the benchmark never touches the working tree. */
const COPY = ['openapi', 'scripts', 'src', 'generated', 'lint', 'package.json', 'redocly.yaml', '.spectral.yaml', 'tsconfig.json', 'tsconfig.build.json'];

function makeSandbox(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-build-tree-'));
  for (const entry of COPY) cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return { dir, env: { SYNAPSE_ADMIN_CACHE_DIR: path.join(dir, '.cache') } };
}

let sandbox: { dir: string; env: NodeJS.ProcessEnv } | undefined;

async function mustRun(cmd: string, args: string[]): Promise<string> {
  const res = await runTool(cmd, args, { cwd: sandbox?.dir ?? ROOT, env: sandbox?.env });
  if (res.code !== 0) throw new Error(`${path.basename(cmd)} ${args.slice(0, 2).join(' ')} failed: ${(res.stderr || res.stdout).slice(0, 400)}`);
  return res.stdout;
}

const tsx = (script: string, ...args: string[]) => mustRun(BIN('tsx'), [path.join(sandbox!.dir, script), ...args]);

/** The bare tools our build drives, in the order a person would run them by hand. */
function bareSequence(out: string): Array<[string, string[]]> {
  const root = sandbox!.dir;
  const SPEC_ROOT = path.join(root, 'openapi/openapi.yaml');
  const BUNDLE_YAML = path.join(root, 'generated/openapi.yaml');
  const BUNDLE_JSON = path.join(root, 'generated/openapi.json');
  const ROOT = root;
  return [
    [BIN('redocly'), ['lint', SPEC_ROOT, '--config', path.join(ROOT, 'redocly.yaml')]],
    [BIN('redocly'), ['bundle', SPEC_ROOT, '-o', path.join(out, 'openapi.yaml')]],
    [BIN('redocly'), ['bundle', SPEC_ROOT, '--dereferenced', '--ext', 'json', '-o', path.join(out, 'openapi.dereferenced.json')]],
    [BIN('openapi-down-convert'), ['--input', BUNDLE_YAML, '--output', path.join(out, 'openapi-3.0.yaml')]],
    [BIN('spectral'), ['lint', BUNDLE_YAML, '--ruleset', path.join(ROOT, '.spectral.yaml')]],
    [BIN('openapi-typescript'), [BUNDLE_YAML, '--redocly', path.join(ROOT, 'redocly.yaml'), '-o', path.join(out, 'schema.d.ts')]],
    [BIN('redocly'), ['build-docs', BUNDLE_JSON, '-o', path.join(out, 'index.html')]],
    [BIN('tsc'), ['-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', path.join(out, 'dist')]],
  ];
}

export async function benchBuild(opts: BenchOptions): Promise<BenchRow[]> {
  const iterations = opts.smoke ? 1 : 2;
  const out = mkdtempSync(path.join(os.tmpdir(), 'bench-build-'));
  sandbox = makeSandbox();
  try {
    const full = await timeMs('build --force', () => tsx('scripts/build.ts', '--force'), iterations);
    const bare = await timeMs(
      'bare tools',
      async () => {
        for (const [cmd, args] of bareSequence(out)) await mustRun(cmd, args);
      },
      iterations,
    );
    // The forced builds above left every step fresh: this rebuild must skip them all.
    const noop = await timeMs('build (nothing changed)', async () => {
      const text = await tsx('scripts/build.ts');
      if (/done in/.test(text)) throw new Error(`a no-op rebuild ran a step:\n${text}`);
    }, opts.smoke ? 1 : 3);
    return [
      timeRow('build: full build vs the bare tools one by one', full, bare, 1.15),
      timeRow('build: no-op rebuild vs full build', noop, full, 0.25),
    ];
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(sandbox.dir, { recursive: true, force: true });
    sandbox = undefined;
  }
}
