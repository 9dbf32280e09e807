// Scale: synthetic specs of about 30, 150 and 600 operations, made by
// copying our operations under prefixed paths, go through lint, bundle,
// type generation and conformance validation. Growth from the smallest to
// the largest should stay linear (≤ 25× for 20× the operations).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { redoclyLint, spectralLint } from '../scripts/lib/lint.ts';
import { runTool } from '../scripts/lib/cli.ts';
import { BIN, BUNDLE_JSON, ROOT } from '../scripts/lib/paths.ts';
import { operationsOf } from '../src/spec.ts';
import { derefLocal } from '../src/json-pointer.ts';
import { SynapseAdminValidator } from '../src/validation.ts';
import { timeMs, type BenchOptions, type BenchRow } from './lib.ts';


/** A copy of the bundle with exactly `count` operations (ours, repeated under /sK prefixes). */
export function syntheticSpec(count: number): any {
  const base = JSON.parse(readFileSync(BUNDLE_JSON, 'utf8'));
  const ops = operationsOf(base).map(({ path: p, key: m, pathItem: item }) => ({ p, m, item }));
  const paths: Record<string, any> = {};
  for (let i = 0; i < count; i++) {
    const { p, m, item } = ops[i % ops.length]!;
    const copy = Math.floor(i / ops.length);
    const newPath = copy === 0 ? p : `/s${copy}${p}`;
    const target = (paths[newPath] ??= item.parameters ? { parameters: item.parameters } : {});
    target[m] = { ...item[m], operationId: copy === 0 ? item[m].operationId : `${item[m].operationId}S${copy}` };
  }
  return { ...base, paths };
}

async function run(cmd: string, args: string[]) {
  const res = await runTool(cmd, args, { cwd: ROOT });
  if (res.code !== 0) throw new Error(`${path.basename(cmd)} failed: ${res.stderr.slice(0, 500)}`);
}

function validateAllExamples(spec: any): number {
  const v = new SynapseAdminValidator(spec);
  let n = 0;
  for (const op of v.operations()) {
    for (const status of op.statusCodes) {
      const item = spec.paths[op.path][op.method.toLowerCase()];
      const response = derefLocal(spec, item.responses[status]);
      for (const example of Object.values<any>(response.content?.['application/json']?.examples ?? {})) {
        const ex = derefLocal(spec, example);
        if (!v.validateResponse(op.operationId, status, ex.value).valid) throw new Error(`example of ${op.operationId} ${status} is invalid`);
        n++;
      }
    }
  }
  return n;
}

export async function benchScale(opts: BenchOptions): Promise<BenchRow[]> {
  const sizes = opts.smoke ? [4, 8] : [30, 150, 600];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
  const redoclyConfig = path.join(ROOT, 'redocly.yaml');
  const ruleset = path.join(ROOT, '.spectral.yaml');
  const times: Record<string, number[]> = { lint: [], bundle: [], types: [], conformance: [] };
  // Subsets leave some shared components unused, which the project's Redocly
  // config (read by openapi-typescript) rejects; the scale run uses a config
  // without that one rule.
  const typesConfig = path.join(dir, 'redocly.yaml');
  writeFileSync(typesConfig, 'extends:\n  - recommended\nrules:\n  no-unused-components: off\n');
  try {
    for (const n of sizes) {
      const file = path.join(dir, `spec-${n}.json`);
      const spec = syntheticSpec(n);
      writeFileSync(file, JSON.stringify(spec));
      times.lint!.push(await timeMs(`lint ${n}`, () => Promise.all([redoclyLint(file, redoclyConfig), spectralLint(file, ruleset)]), 1));
      times.bundle!.push(await timeMs(`bundle ${n}`, () => run(BIN('redocly'), ['bundle', file, '-o', path.join(dir, `b-${n}.yaml`)]), 1));
      times.types!.push(await timeMs(`types ${n}`, () => run(BIN('openapi-typescript'), [file, '--redocly', typesConfig, '-o', path.join(dir, `t-${n}.d.ts`)]), 1));
      times.conformance!.push(await timeMs(`conformance ${n}`, () => validateAllExamples(spec), 1));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const first = sizes[0]!;
  const last = sizes[sizes.length - 1]!;
  const maxGrowth = opts.smoke ? 25 : 25;
  return Object.entries(times).map(([step, t]) => {
    const growth = t[t.length - 1]! / t[0]!;
    return {
      metric: `scale: ${step} ${last} vs ${first} ops (${sizes.map((s, i) => `${s}: ${t[i]!.toFixed(0)} ms`).join(', ')})`,
      ours: t[t.length - 1]!,
      baseline: t[0]!,
      unit: 'ms',
      ratio: growth,
      goal: `≤ ${maxGrowth}× (${last / first}× ops)`,
      met: growth <= maxGrowth,
    };
  });
}
