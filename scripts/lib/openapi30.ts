// OpenAPI 3.0 output for generators that do not read 3.1 yet.
// @apiture/openapi-down-convert does the conversion; this module adds the
// few rewrites it does not do (so the result is valid 3.0 and lints clean),
// lists precisely what is lost on the way, and refuses, with one line per
// construct, any 3.1-only construct that neither handles, rather than
// writing a file that only looks like 3.0.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { BUNDLE_YAML, GENERATED, ROOT } from './paths.ts';

// The converter is CommonJS; createRequire keeps tsx and tsc both happy.
const { Converter } = createRequire(import.meta.url)('@apiture/openapi-down-convert') as {
  Converter: new (doc: object, options?: { verbose?: boolean; allOfTransform?: boolean }) => { convert(): any };
};

export const OPENAPI30_YAML = path.join(GENERATED, 'openapi-3.0.yaml');

/** One thing the 3.0 file says less precisely than the 3.1 bundle. */
export interface Loss {
  /** JSON pointer into the 3.1 bundle. */
  pointer: string;
  keyword: string;
  /** What the 3.0 file has instead. */
  becomes: string;
}

/** Keywords of 3.1 / JSON Schema 2020-12 that 3.0 lacks and that nothing here converts: their presence stops the build. */
const UNSUPPORTED = [
  'if',
  'then',
  'else',
  'prefixItems',
  'dependentSchemas',
  'unevaluatedItems',
  'contains',
  'minContains',
  'maxContains',
  '$defs',
  '$anchor',
  '$dynamicRef',
  '$dynamicAnchor',
  'contentSchema',
];

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Calls fn on every schema object of the document (components, parameters, bodies, nested subschemas). */
export function walkSchemas(doc: any, fn: (schema: any, pointer: string) => void): void {
  const seen = new Set<any>();
  const visitSchema = (s: any, ptr: string) => {
    if (!s || typeof s !== 'object' || Array.isArray(s) || seen.has(s)) return;
    seen.add(s);
    fn(s, ptr);
    for (const key of ['items', 'not', 'additionalProperties', 'propertyNames', 'contains', 'unevaluatedItems', 'unevaluatedProperties', 'if', 'then', 'else', 'contentSchema']) {
      if (s[key] && typeof s[key] === 'object') visitSchema(s[key], `${ptr}/${key}`);
    }
    for (const key of ['allOf', 'anyOf', 'oneOf', 'prefixItems']) {
      if (Array.isArray(s[key])) s[key].forEach((b: any, i: number) => visitSchema(b, `${ptr}/${key}/${i}`));
    }
    for (const key of ['properties', 'patternProperties', '$defs', 'dependentSchemas']) {
      if (s[key] && typeof s[key] === 'object') for (const [k, v] of Object.entries(s[key])) visitSchema(v, `${ptr}/${key}/${escape(k)}`);
    }
  };
  // Schemas sit under any `schema` key (parameters, media types, headers) and in components.schemas.
  const visitDoc = (n: any, ptr: string) => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach((v, i) => visitDoc(v, `${ptr}/${i}`));
    for (const [k, v] of Object.entries(n)) {
      const p = `${ptr}/${escape(k)}`;
      if (k === 'schema' && v && typeof v === 'object') visitSchema(v, p);
      else if (k === 'schemas' && ptr === '#/components') for (const [name, s] of Object.entries(v as object)) visitSchema(s, `${p}/${escape(name)}`);
      else if (k !== 'examples' && k !== 'example') visitDoc(v, p);
    }
  };
  visitDoc(doc, '#');
}

/** Everything the conversion of this 3.1 document loses or rewrites lossily, in document order. Throws on constructs it cannot convert. */
export function lossesOf(doc: any): Loss[] {
  const losses: Loss[] = [];
  const refused: string[] = [];
  if (doc.info?.summary !== undefined) losses.push({ pointer: '#/info/summary', keyword: 'summary', becomes: 'dropped (3.0 info has no summary; info.description stays)' });
  if (doc.webhooks) losses.push({ pointer: '#/webhooks', keyword: 'webhooks', becomes: 'dropped (3.0 has no webhooks)' });
  if (doc.components?.pathItems) refused.push('#/components/pathItems: 3.0 has no reusable path items');
  if (doc.jsonSchemaDialect) refused.push('#/jsonSchemaDialect: 3.0 has a fixed schema dialect');
  walkSchemas(doc, (s, ptr) => {
    for (const key of UNSUPPORTED) if (key in s) refused.push(`${ptr}/${key}: no OpenAPI 3.0 equivalent`);
    if (typeof s.exclusiveMinimum === 'number' || typeof s.exclusiveMaximum === 'number') refused.push(`${ptr}: numeric exclusiveMinimum/exclusiveMaximum is not converted`);
    if (Array.isArray(s.type)) {
      const nonNull = s.type.filter((t: string) => t !== 'null');
      if (nonNull.length !== 1) refused.push(`${ptr}/type: the type list ${JSON.stringify(s.type)} has no 3.0 form (only [T, "null"] becomes nullable)`);
    } else if (s.type === 'null') refused.push(`${ptr}/type: "null" alone has no 3.0 form`);
    if (Array.isArray(s.examples) && s.examples.length > 1) {
      losses.push({ pointer: `${ptr}/examples`, keyword: 'examples', becomes: `example: ${JSON.stringify(s.examples[0])} (the other ${s.examples.length - 1} are dropped)` });
    }
    if (s.propertyNames) losses.push({ pointer: `${ptr}/propertyNames`, keyword: 'propertyNames', becomes: 'dropped: map keys are no longer constrained' });
    if (s.patternProperties) losses.push({ pointer: `${ptr}/patternProperties`, keyword: 'patternProperties', becomes: 'dropped' });
    if ('unevaluatedProperties' in s) losses.push({ pointer: `${ptr}/unevaluatedProperties`, keyword: 'unevaluatedProperties', becomes: 'dropped' });
    if (s.dependentRequired) {
      const rule = Object.entries<string[]>(s.dependentRequired).map(([k, v]) => `${k} needs ${v.join(', ')}`).join('; ');
      losses.push({ pointer: `${ptr}/dependentRequired`, keyword: 'dependentRequired', becomes: `dropped (${rule}): only the server enforces it` });
    }
    if (s.contentMediaType) losses.push({ pointer: `${ptr}/contentMediaType`, keyword: 'contentMediaType', becomes: 'dropped or turned into a format by the converter' });
  });
  if (refused.length > 0) {
    throw new Error(`cannot down-convert to OpenAPI 3.0 without losing meaning silently:\n${refused.map((r) => `  ${r}`).join('\n')}`);
  }
  return losses;
}

/** The 3.0.3 document for a 3.1 bundle. */
export function downConvert(doc31: any): any {
  lossesOf(doc31); // refuses what cannot be converted
  const identifier: string | undefined = doc31.info?.license?.identifier;
  // allOfTransform: a schema $ref with siblings (a description, x-synapse-changed) becomes
  // allOf: [$ref] so the siblings survive; plain $refs stay plain.
  const doc = new Converter(doc31, { verbose: false, allOfTransform: true }).convert();
  // What the converter leaves behind that 3.0 does not allow:
  delete doc.info.summary;
  if (identifier && doc.info.license && !doc.info.license.url) {
    doc.info.license.url = `https://spdx.org/licenses/${identifier}.html`;
  }
  walkSchemas(doc, (s) => {
    delete s.dependentRequired;
  });
  return doc;
}

const HEADER = `# OpenAPI 3.0.3 edition of generated/openapi.yaml, for code generators that do
# not read OpenAPI 3.1. Generated by scripts/steps/openapi30.ts with
# @apiture/openapi-down-convert; do not edit. The 3.1 bundle is the
# reference: what this edition loses is listed in README.md (section "The OpenAPI 3.0 edition").
`;

/** Converts a bundle file (YAML or JSON) and returns the YAML text of the 3.0 edition. */
export function openapi30Text(bundleFile = BUNDLE_YAML): string {
  if (!existsSync(bundleFile)) throw new Error(`${path.relative(ROOT, bundleFile)} does not exist: run npm run bundle first`);
  const doc31 = parse(readFileSync(bundleFile, 'utf8'));
  if (typeof doc31?.openapi !== 'string' || !doc31.openapi.startsWith('3.1')) {
    throw new Error(`${path.relative(ROOT, bundleFile)} is not an OpenAPI 3.1 document (openapi: ${JSON.stringify(doc31?.openapi)})`);
  }
  return HEADER + stringify(downConvert(doc31), { lineWidth: 0, aliasDuplicateObjects: false });
}

export function writeOpenapi30(bundleFile = BUNDLE_YAML, out = OPENAPI30_YAML): void {
  writeFileSync(out, openapi30Text(bundleFile));
}
