// Build step: lint the sources (Redocly) and the fresh bundle (Spectral).
// Runs after the bundle step so Spectral can reuse generated/openapi.yaml.
import path from 'node:path';
import type { Step } from '../lib/freshness.ts';
import { formatProblem, lintAll } from '../lib/lint.ts';
import { BUNDLE_YAML, ROOT, SPEC_DIR } from '../lib/paths.ts';

export const step: Step = {
  name: 'lint',
  inputs: [SPEC_DIR, path.join(ROOT, 'redocly.yaml'), path.join(ROOT, '.spectral.yaml'), path.join(ROOT, 'lint')],
  outputs: [],
};

export async function run(): Promise<void> {
  const problems = await lintAll({ bundle: BUNDLE_YAML });
  const failing = problems.filter((p) => p.severity === 'error' || p.severity === 'warning');
  if (failing.length > 0) {
    throw new Error(`lint found ${failing.length} problem(s):\n${failing.map(formatProblem).join('\n')}`);
  }
}
