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
