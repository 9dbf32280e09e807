// Build pipeline: our `npm run build -- --force` (lint, bundle + 3.0
// edition, types, docs, dist, with independent steps in parallel) against
// the same tools run bare, one after the other, on the same input — the
// overhead of our orchestration. Then a no-op rebuild against a full one:
// fresh steps must be skipped.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTool } from '../scripts/lib/cli.ts';
import { BIN, BUNDLE_JSON, BUNDLE_YAML, ROOT, SPEC_ROOT } from '../scripts/lib/paths.ts';
import { timeMs, timeRow, type BenchOptions, type BenchRow } from './lib.ts';

async function mustRun(cmd: string, args: string[]): Promise<string> {
  const res = await runTool(cmd, args, { cwd: ROOT });
  if (res.code !== 0) throw new Error(`${path.basename(cmd)} ${args.slice(0, 2).join(' ')} failed: ${(res.stderr || res.stdout).slice(0, 400)}`);
  return res.stdout;
}

const tsx = (script: string, ...args: string[]) => mustRun(BIN('tsx'), [path.join(ROOT, script), ...args]);

/** The bare tools our build drives, in the order a person would run them by hand. */
function bareSequence(out: string): Array<[string, string[]]> {
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
  try {
    // Make sure every step has run once, so the no-op rebuild below really is one.
    await tsx('scripts/build.ts');
    const full = await timeMs('build --force', () => tsx('scripts/build.ts', '--force'), iterations);
    const bare = await timeMs(
      'bare tools',
      async () => {
        for (const [cmd, args] of bareSequence(out)) await mustRun(cmd, args);
      },
      iterations,
    );
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
  }
}
