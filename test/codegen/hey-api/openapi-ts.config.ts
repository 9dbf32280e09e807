// @hey-api/openapi-ts configuration for the second TypeScript generator
// check (test/codegen/hey-api.test.ts). By hand:
//   OPENAPI_TS_OUTPUT=/tmp/sdk npx openapi-ts -f test/codegen/hey-api/openapi-ts.config.ts
// OPENAPI_TS_INPUT picks another bundle (the test also feeds it
// generated/openapi-3.0.yaml). Paths are made absolute: openapi-ts reads a
// relative "generated/openapi.json" as an "organization/project" shorthand
// for its hosted registry.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@hey-api/openapi-ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export default defineConfig({
  input: path.resolve(root, process.env.OPENAPI_TS_INPUT ?? 'generated/openapi.json'),
  output: {
    path: path.resolve(root, process.env.OPENAPI_TS_OUTPUT ?? 'node_modules/.cache/synapse-admin-openapi/hey-api'),
  },
  plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/sdk'],
  logs: { level: 'warn', file: false },
});
