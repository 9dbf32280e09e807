// Build step: TypeScript types and the client's operation table, both
// derived from the bundle.
//
// - generated/schema.d.ts: openapi-typescript 7 on generated/openapi.yaml
//   (it reads redocly.yaml too). The options are deliberate; see OTS_FLAGS.
// - src/operations.generated.ts: operationId -> method, path and, for the
//   paginated operations, which array property holds the items. The client
//   needs this at run time (types vanish), and it must not be a hand copy.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runTool, stripToolNoise } from '../lib/cli.ts';
import type { Step } from '../lib/freshness.ts';
import { BIN, BUNDLE_JSON, BUNDLE_YAML, ROOT, SCHEMA_DTS } from '../lib/paths.ts';

export const OPERATIONS_TS = path.join(ROOT, 'src', 'operations.generated.ts');

/**
 * openapi-typescript options, each chosen on purpose:
 * - --default-non-nullable false: a `default` must not make a request-body
 *   field required (RatelimitOverrideRequest, RedactRequest, … have defaults
 *   the caller may leave out).
 * - --root-types --root-types-no-schema-prefix: also export each schema as a
 *   top-level type (`User`, `UserSummary`, `MatrixError`, …) for consumers.
 * Left at their defaults on purpose: no --enum (a .d.ts has no run-time
 * values; unions suffice), no --immutable (request objects stay writable),
 * no --exclude-deprecated (old servers still serve deprecated operations),
 * no --additional-properties (unknown fields are not part of the contract),
 * no --path-params-as-types (path parameters are passed separately so the
 * client can percent-encode them), no --alphabetize (keep spec order).
 */
export const OTS_FLAGS = ['--default-non-nullable', 'false', '--root-types', '--root-types-no-schema-prefix'];

export const step: Step = {
  name: 'types',
  inputs: [BUNDLE_YAML, BUNDLE_JSON, path.join(ROOT, 'redocly.yaml'), path.join(ROOT, 'scripts/steps/types.ts')],
  outputs: [SCHEMA_DTS, OPERATIONS_TS],
};

/** Runs openapi-typescript on the bundle and writes the declarations to `outFile`. */
export async function generateSchemaTypes(outFile: string): Promise<void> {
  mkdirSync(path.dirname(outFile), { recursive: true });
  const res = await runTool(BIN('openapi-typescript'), [BUNDLE_YAML, '--output', outFile, '--redocly', path.join(ROOT, 'redocly.yaml'), ...OTS_FLAGS], { cwd: ROOT });
  if (res.code !== 0) {
    const detail = stripToolNoise(`${res.stderr}\n${res.stdout}`).split('\n').find((l) => l.trim()) ?? `exit code ${res.code}`;
    throw new Error(`openapi-typescript failed: ${detail}`);
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface OperationRow {
  operationId: string;
  method: string;
  path: string;
  /** For paginated operations: the array property of the 200 answer that holds the items. */
  items?: string;
}

function deref(doc: any, node: any): any {
  let n = node;
  while (n && typeof n.$ref === 'string') {
    n = n.$ref
      .slice(2)
      .split('/')
      .map((s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((acc: any, key: string) => acc?.[key], doc);
  }
  return n;
}

/**
 * The operation table. An operation is paginated when it takes a `from`
 * query parameter and its 200 answer has a `next_token` property; the items
 * are the one required array property of that answer.
 */
export function operationRows(doc: any): OperationRow[] {
  const rows: OperationRow[] = [];
  for (const [p, item] of Object.entries<any>(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      if (typeof op.operationId !== 'string') throw new Error(`${method.toUpperCase()} ${p} has no operationId`);
      const row: OperationRow = { operationId: op.operationId, method, path: p };
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((x: any) => deref(doc, x));
      const ok = deref(doc, deref(doc, op.responses?.['200'])?.content?.['application/json']?.schema);
      if (params.some((x: any) => x.in === 'query' && x.name === 'from') && ok?.properties?.next_token) {
        const arrays = (ok.required ?? []).filter((k: string) => deref(doc, ok.properties[k])?.type === 'array');
        if (arrays.length !== 1) {
          throw new Error(`${op.operationId} looks paginated but its 200 answer has ${arrays.length} required array properties, not 1`);
        }
        row.items = arrays[0];
      }
      rows.push(row);
    }
  }
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.operationId)) throw new Error(`operationId ${r.operationId} is used twice`);
    seen.add(r.operationId);
  }
  return rows;
}

export function renderOperations(doc: any): string {
  const lines = operationRows(doc).map((r) => {
    const page = r.items ? `, page: { items: '${r.items}' }` : '';
    return `  ${r.operationId}: { method: '${r.method}', path: '${r.path}'${page} },`;
  });
  return [
    '// Generated by `npm run types` from generated/openapi.json: do not edit.',
    '// operationId -> HTTP method and path template; `page.items` marks the',
    '// paginated operations (a `from` query parameter and a `next_token` in the',
    '// 200 answer) and names the array that holds their items.',
    'export const OPERATIONS = {',
    ...lines,
    '} as const;',
    '',
  ].join('\n');
}

/** Writes both outputs into the given files (the tests generate to a temp dir and compare). */
export async function generateTypes(schemaOut = SCHEMA_DTS, operationsOut = OPERATIONS_TS): Promise<void> {
  for (const f of [BUNDLE_JSON, BUNDLE_YAML]) {
    if (!existsSync(f)) throw new Error(`${path.relative(ROOT, f)} is missing: run npm run bundle first`);
  }
  const doc = JSON.parse(readFileSync(BUNDLE_JSON, 'utf8'));
  const table = renderOperations(doc);
  await generateSchemaTypes(schemaOut);
  mkdirSync(path.dirname(operationsOut), { recursive: true });
  writeFileSync(operationsOut, table);
}

export const run = () => generateTypes();
