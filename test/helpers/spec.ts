// Loads the committed bundle once per test file.
import { readFileSync } from 'node:fs';
import { BUNDLE_JSON } from '../../scripts/lib/paths.ts';
import { operationsOf } from '../../scripts/lib/bundle.ts';
import { derefLocal } from '../../src/json-pointer.ts';

export const bundle: any = JSON.parse(readFileSync(BUNDLE_JSON, 'utf8'));
export const operations = operationsOf(bundle);

/** Follows a local `#/…` $ref inside the bundle. */
export function deref<T = any>(node: any): T {
  return derefLocal<T>(bundle, node);
}
