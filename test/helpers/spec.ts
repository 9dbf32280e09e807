// Loads the committed bundle once per test file.
import { readFileSync } from 'node:fs';
import { BUNDLE_JSON } from '../../scripts/lib/paths.ts';
import { operationsOf } from '../../scripts/lib/bundle.ts';

export const bundle: any = JSON.parse(readFileSync(BUNDLE_JSON, 'utf8'));
export const operations = operationsOf(bundle);

/** Follows a local `#/…` $ref inside the bundle. */
export function deref<T = any>(node: any): T {
  let n = node;
  while (n && typeof n === 'object' && typeof n.$ref === 'string') {
    n = n.$ref
      .slice(2)
      .split('/')
      .map((s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((acc: any, key: string) => acc?.[key], bundle);
  }
  return n;
}
