// HAR 1.2 (HTTP Archive, as exported by browsers, mitmproxy, Charles, …):
// checks that a file has the shape this tool reads and turns its entries
// into exchanges. Only the fields the checks need are required.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { InputError } from './args.js';
import type { Body, Exchange } from './exchange.js';

/** The part of the HAR 1.2 format this tool reads (http://www.softwareishard.com/blog/har-12-spec/). */
export const HAR_SHAPE = {
  type: 'object',
  required: ['log'],
  properties: {
    log: {
      type: 'object',
      required: ['entries'],
      properties: {
        entries: {
          type: 'array',
          items: {
            type: 'object',
            required: ['request', 'response'],
            properties: {
              request: {
                type: 'object',
                required: ['method', 'url'],
                properties: {
                  method: { type: 'string', minLength: 1 },
                  url: { type: 'string', minLength: 1 },
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
          },
        },
      },
    },
  },
} as const;

let shapeCheck: ValidateFunction | undefined;

function describe(err: ErrorObject): string {
  const at = err.instancePath || '/';
  if (err.keyword === 'required') return `${at === '/' ? '' : at}/${(err.params as { missingProperty: string }).missingProperty} is missing`;
  return `${at} ${err.message}`;
}

function body(text: string | undefined, mimeType: string | undefined, encoding: string | undefined): Body | undefined {
  if (text === undefined) return undefined;
  const decoded = encoding === 'base64' ? Buffer.from(text, 'base64').toString('utf8') : text;
  return mimeType === undefined ? { text: decoded } : { text: decoded, mimeType };
}

/** Checks the shape of HAR data (already JSON-parsed) and returns its entries; a wrong shape is an InputError naming the first problem. */
export function harEntries(har: unknown, file: string): unknown[] {
  shapeCheck ??= new Ajv2020({ allErrors: false, strict: true }).compile(HAR_SHAPE);
  if (!shapeCheck(har)) {
    throw new InputError(`"${file}" is not a HAR file this tool can read: ${describe(shapeCheck.errors![0]!)}`);
  }
  const entries = (har as { log: { entries: unknown[] } }).log.entries;
  if (entries.length === 0) throw new InputError(`HAR file "${file}" holds no entries (log.entries is empty)`);
  return entries;
}

/** One entry of a HAR whose shape harEntries() accepted, as an exchange (`index` is 1-based). */
export function entryExchange(entry: unknown, index: number): Exchange {
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

/** Every entry of HAR data as an exchange. */
export function harExchanges(har: unknown, file: string): Exchange[] {
  return harEntries(har, file).map((e, i) => entryExchange(e, i + 1));
}
