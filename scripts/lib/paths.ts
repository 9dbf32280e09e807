// Where things live. Every script and test takes its paths from here.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SPEC_DIR = path.join(ROOT, 'openapi');
export const SPEC_ROOT = path.join(SPEC_DIR, 'openapi.yaml');
export const GENERATED = path.join(ROOT, 'generated');
export const BUNDLE_YAML = path.join(GENERATED, 'openapi.yaml');
export const BUNDLE_JSON = path.join(GENERATED, 'openapi.json');
export const BUNDLE_DEREF = path.join(GENERATED, 'openapi.dereferenced.json');
export const COVERAGE_JSON = path.join(GENERATED, 'coverage.json');
export const SCHEMA_DTS = path.join(GENERATED, 'schema.d.ts');
export const DOCS_HTML = path.join(GENERATED, 'docs', 'index.html');
/** Freshness state of the build steps; SYNAPSE_ADMIN_CACHE_DIR moves it (the build benchmark does). */
export const CACHE_DIR = process.env.SYNAPSE_ADMIN_CACHE_DIR ?? path.join(ROOT, 'node_modules', '.cache', 'synapse-admin-openapi');
export const BIN = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);
/** The shared reference material, present in CI and in development, beside the repository. */
export const SHARED = path.resolve(ROOT, '..', 'shared');
