// Build step: bundle openapi/ into generated/ (see scripts/lib/bundle.ts).
import path from 'node:path';
import { bundleInto } from '../lib/bundle.ts';
import type { Step } from '../lib/freshness.ts';
import { BUNDLE_DEREF, BUNDLE_JSON, BUNDLE_YAML, COVERAGE_JSON, GENERATED, ROOT, SPEC_DIR } from '../lib/paths.ts';

export const step: Step = {
  name: 'bundle',
  inputs: [SPEC_DIR, path.join(ROOT, 'redocly.yaml'), path.join(ROOT, 'scripts/lib/bundle.ts')],
  outputs: [BUNDLE_YAML, BUNDLE_JSON, BUNDLE_DEREF, COVERAGE_JSON],
};

export const run = () => bundleInto(GENERATED);
