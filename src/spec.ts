// Access to the bundled description (generated/openapi.json), which ships
// with the package. Resolved relative to this module so it works from
// src/ (tests, tsx) and from dist/ (installed package) alike.
import { readFileSync } from 'node:fs';

export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, any>>;
  components: Record<string, Record<string, any>>;
  [key: string]: unknown;
};

let cached: OpenApiDocument | undefined;

/** The bundled OpenAPI document, parsed once. */
export function loadBundledSpec(): OpenApiDocument {
  cached ??= JSON.parse(readFileSync(new URL('../generated/openapi.json', import.meta.url), 'utf8')) as OpenApiDocument;
  return cached;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface OperationEntry {
  /** Upper case, as on the wire. */
  method: string;
  /** The lower-case key of the operation in its path item. */
  key: HttpMethod;
  path: string;
  op: any;
  pathItem: any;
}

/** Every operation of an OpenAPI document, in document order: the one walk over paths × methods. */
export function operationsOf(doc: { paths?: Record<string, any> }): OperationEntry[] {
  return Object.entries<any>(doc.paths ?? {}).flatMap(([path, pathItem]) =>
    HTTP_METHODS.filter((key) => pathItem?.[key]).map((key) => ({ method: key.toUpperCase(), key, path, op: pathItem[key], pathItem })),
  );
}
