// The benchmarks cannot rot: each one runs once with tiny counts and must
// produce its rows with real numbers. (Goals are not asserted here: a smoke
// run's counts are too small to mean anything, and speed is judged by
// `npm run bench`, never by a test.)
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool } from '../scripts/lib/cli.ts';
import { BIN, ROOT } from '../scripts/lib/paths.ts';

const EXPECTED = [
  /^build: full build vs the bare tools/,
  /^build: no-op rebuild vs full build/,
  /^scale: lint /,
  /^scale: bundle /,
  /^scale: types /,
  /^scale: conformance /,
  /^mock throughput vs bare node:http/,
  /^mock p99 latency/,
  /^npm run mock: start to first answer/,
  /^mock RSS under load/,
  /^client: getUser via the typed client vs raw fetch/,
  /^validate --har throughput vs bare ajv/,
];

describe('npm run bench -- --smoke', () => {
  it('runs every benchmark and reports each row with a number, a ratio where there is a baseline, and a goal', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-')), 'latest.json');
    const res = await runTool(BIN('tsx'), [path.join(ROOT, 'bench/run.ts'), '--smoke', '--out', out], { cwd: ROOT });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^metric\s+\| ours\s+\| baseline\s+\| ratio\s+\| goal\s+\| met\?/m);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.smoke).toBe(true);
    for (const pattern of EXPECTED) {
      const row = report.rows.find((r: any) => pattern.test(r.metric));
      expect(row, `no row matches ${pattern}`).toBeDefined();
      expect(Number.isFinite(row.ours) && row.ours > 0, `${row.metric}: ours`).toBe(true);
      if (row.baseline !== null) expect(row.ratio).toBeCloseTo(row.ours / row.baseline, 6);
      expect(row.goal.length).toBeGreaterThan(0);
    }
  }, 360_000); // a full build twice and the mock: minutes when the rest of the suite shares the cores

  it('rejects an unknown benchmark name with one line and exit code 2', async () => {
    const res = await runTool(BIN('tsx'), [path.join(ROOT, 'bench/run.ts'), '--only', 'nope'], { cwd: ROOT });
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe('bench: unknown benchmark "nope" (choose from build, scale, mock, client, validator)');
  });
});
