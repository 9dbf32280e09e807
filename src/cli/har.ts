// HAR 1.2 (HTTP Archive, as exported by browsers, mitmproxy, Charles, …):
// checks that a file has the shape this tool reads and turns its entries
// into exchanges. Only the fields the checks need are required.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { InputError } from './args.js';
import type { Body, Exchange } from './exchange.js';

// The part of the HAR 1.2 format this tool reads
// (http://www.softwareishard.com/blog/har-12-spec/), in two pieces: the
// envelope is checked once, each entry just before it is used. (One pass
// over a large HAR up front costs as much as a tenth of the whole run: by the
// time the checks reach an entry again it has left the CPU cache.)

/** The envelope: `log.entries` must be an array. */
export const HAR_LOG_SHAPE = {
  type: 'object',
  required: ['log'],
  properties: {
    log: { type: 'object', required: ['entries'], properties: { entries: { type: 'array' } } },
  },
} as const;

/** One entry of `log.entries`. */
export const HAR_ENTRY_SHAPE = {
  type: 'object',
  required: ['request', 'response'],
  properties: {
    request: {
      type: 'object',
      required: ['method', 'url'],
      properties: {
        method: { type: 'string', minLength: 1 },
        // Absolute, or at least a path. (A pattern, not minLength: ajv counts
        // the code points of every URL for minLength, a pattern stops at once.)
        url: { type: 'string', pattern: '^(/|[A-Za-z][A-Za-z0-9+.-]*:)' },
        postData: { type: 'object', properties: { mimeType: { type: 'string' }, text: { type: 'string' } } },
      },
    },
    response: {
      type: 'object',
      required: ['status'],
      properties: {
        status: { type: 'integer', minimum: 0, maximum: 999 },
        content: {
          type: 'object',
          properties: { size: { type: 'number' }, mimeType: { type: 'string' }, text: { type: 'string' }, encoding: { type: 'string' } },
        },
      },
    },
  },
} as const;

let shapes: { log: ValidateFunction; entry: ValidateFunction } | undefined;

function shapeChecks() {
  if (!shapes) {
    const ajv = new Ajv2020({ allErrors: false, strict: true });
    shapes = { log: ajv.compile(HAR_LOG_SHAPE), entry: ajv.compile(HAR_ENTRY_SHAPE) };
  }
  return shapes;
}

function describe(err: ErrorObject, prefix = ''): string {
  const at = `${prefix}${err.instancePath}` || '/';
  if (err.keyword === 'required') return `${at === '/' ? '' : at}/${(err.params as { missingProperty: string }).missingProperty} is missing`;
  return `${at} ${err.message}`;
}

function wrongShape(file: string, err: ErrorObject, prefix = ''): InputError {
  return new InputError(`"${file}" is not a HAR file this tool can read: ${describe(err, prefix)}`);
}

function body(text: string | undefined, mimeType: string | undefined, encoding: string | undefined): Body | undefined {
  if (text === undefined) return undefined;
  const decoded = encoding === 'base64' ? Buffer.from(text, 'base64').toString('utf8') : text;
  return mimeType === undefined ? { text: decoded } : { text: decoded, mimeType };
}

/**
 * Checks the envelope of HAR data (already JSON-parsed) and returns its
 * entries, each still to be checked by entryExchange(); a wrong shape is an
 * InputError naming the first problem.
 */
export function harEntries(har: unknown, file: string): unknown[] {
  const { log } = shapeChecks();
  if (!log(har)) throw wrongShape(file, log.errors![0]!);
  const entries = (har as { log: { entries: unknown[] } }).log.entries;
  if (entries.length === 0) throw new InputError(`HAR file "${file}" holds no entries (log.entries is empty)`);
  return entries;
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalString = (v: unknown) => v === undefined || typeof v === 'string';
const URL_START = new RegExp(HAR_ENTRY_SHAPE.properties.request.properties.url.pattern, 'u');

/**
 * HAR_ENTRY_SHAPE's conditions, tested in place: the fast path for the
 * entries that pass (nearly all). ajv runs only on an entry this rejects, to
 * name the problem; test/har-shape.test.ts holds the two to the same answers.
 */
export function entryLooksRight(entry: unknown): boolean {
  if (!isObject(entry)) return false;
  const { request, response } = entry;
  if (!isObject(request) || !isObject(response)) return false;
  const { method, url, postData } = request;
  if (typeof method !== 'string' || method.length === 0 || typeof url !== 'string' || !URL_START.test(url)) return false;
  if (postData !== undefined && !(isObject(postData) && optionalString(postData.mimeType) && optionalString(postData.text))) return false;
  const { status, content } = response;
  if (!Number.isInteger(status) || status < 0 || status > 999) return false;
  if (content === undefined) return true;
  return isObject(content) && (content.size === undefined || Number.isFinite(content.size)) && optionalString(content.mimeType) && optionalString(content.text) && optionalString(content.encoding);
}

/** One entry of a HAR as an exchange (`index` is 1-based); an entry of the wrong shape is an InputError. */
export function entryExchange(entry: unknown, index: number, file: string): Exchange {
  if (!entryLooksRight(entry)) {
    const { entry: check } = shapeChecks();
    if (!check(entry)) throw wrongShape(file, check.errors![0]!, `/log/entries/${index - 1}`);
  }
  const { request, response } = entry as { request: any; response: any };
  const content = response.content ?? {};
  const exchange: Exchange = {
    index,
    method: request.method,
    url: request.url,
    requestBody: request.postData ? body(request.postData.text, request.postData.mimeType, undefined) : undefined,
    status: response.status,
    responseBody: body(content.text, content.mimeType || undefined, content.encoding),
  };
  if (content.text === undefined && content.size > 0) exchange.responseBodyUnrecorded = true;
  return exchange;
}
