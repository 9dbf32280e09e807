// Build step: generated/openapi-3.0.yaml, the OpenAPI 3.0 edition of the
// bundle (see scripts/lib/openapi30.ts). Runs after the bundle step.
import path from 'node:path';
import type { Step } from '../lib/freshness.ts';
import { OPENAPI30_YAML, writeOpenapi30 } from '../lib/openapi30.ts';
import { BUNDLE_YAML, ROOT } from '../lib/paths.ts';

export const step: Step = {
  name: 'openapi30',
  inputs: [
    BUNDLE_YAML,
    path.join(ROOT, 'scripts/lib/openapi30.ts'),
    // A new converter release may convert differently.
    path.join(ROOT, 'node_modules/@apiture/openapi-down-convert/package.json'),
  ],
  outputs: [OPENAPI30_YAML],
};

export const run = async () => writeOpenapi30();
