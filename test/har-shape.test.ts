// `validate --har` tests each entry with a fast in-place check
// (entryLooksRight) and runs ajv on HAR_ENTRY_SHAPE only for the entries it
// rejects, to name the problem. The two must give the same answer for every
// entry, or a malformed entry would slip through (or a good one be refused
// with no error to show). Each case starts from a well-formed entry and
// changes one field; the table also holds changes both must accept.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { HAR_ENTRY_SHAPE, entryExchange, entryLooksRight } from '../src/cli/har.ts';
import { InputError } from '../src/cli/args.ts';

const ajvCheck = new Ajv2020({ allErrors: false, strict: true }).compile(HAR_ENTRY_SHAPE);

function goodEntry(): any {
  return {
    startedDateTime: '2026-01-01T00:00:00.000Z',
    time: 3,
    request: {
      method: 'PUT',
      url: 'https://matrix.example.org/_synapse/admin/v2/users/%40alice%3Aexample.org',
      headers: [],
      postData: { mimeType: 'application/json', text: '{"displayname":"Alice"}' },
    },
    response: { status: 200, headers: [], content: { size: 2, mimeType: 'application/json', text: '{}' } },
  };
}

/** Sets (or, for `undefined`, deletes) the field at a dotted path of a fresh good entry. */
function changed(path: string, value: unknown): unknown {
  const entry = goodEntry();
  if (path === '') return value;
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce((o, k) => o[k], entry);
  if (value === undefined) delete parent[keys.at(-1)!];
  else parent[keys.at(-1)!] = value;
  return entry;
}

// [field, new value, accepted?]
const CASES: Array<[string, unknown, boolean]> = [
  ['', null, false],
  ['', [], false],
  ['', 'entry', false],
  ['request', undefined, false],
  ['request', [], false],
  ['request', null, false],
  ['response', undefined, false],
  ['response', 'ok', false],
  ['request.method', undefined, false],
  ['request.method', '', false],
  ['request.method', 7, false],
  ['request.method', 'get', true],
  ['request.url', undefined, false],
  ['request.url', '', false],
  ['request.url', 'matrix.example.org/_synapse', false],
  ['request.url', '/_synapse/admin/v2/users', true],
  ['request.url', 'http://localhost:8008/x', true],
  ['request.url', ['/x'], false],
  ['request.postData', undefined, true],
  ['request.postData', null, false],
  ['request.postData', 'text', false],
  ['request.postData', {}, true],
  ['request.postData.text', 5, false],
  ['request.postData.mimeType', null, false],
  ['response.status', undefined, false],
  ['response.status', '200', false],
  ['response.status', 200.5, false],
  ['response.status', -1, false],
  ['response.status', 1000, false],
  ['response.status', 0, true],
  ['response.status', 999, true],
  ['response.content', undefined, true],
  ['response.content', null, false],
  ['response.content', [], false],
  ['response.content.size', '2', false],
  ['response.content.size', -1, true],
  ['response.content.size', 2.5, true],
  ['response.content.text', undefined, true],
  ['response.content.text', {}, false],
  ['response.content.mimeType', 1, false],
  ['response.content.encoding', 'base64', true],
  ['response.content.encoding', false, false],
];

describe('the fast HAR entry check agrees with ajv on HAR_ENTRY_SHAPE', () => {
  it.each(CASES)('%s = %j → accepted: %s', (field, value, accepted) => {
    const entry = changed(field, value);
    expect(ajvCheck(entry)).toBe(accepted);
    expect(entryLooksRight(entry)).toBe(accepted);
  });

  it('names the first problem of a rejected entry, with its place in the file', () => {
    expect(() => entryExchange(changed('response.status', '200'), 7, 't.har')).toThrow(InputError);
    expect(() => entryExchange(changed('response.status', '200'), 7, 't.har')).toThrow('"t.har" is not a HAR file this tool can read: /log/entries/6/response/status must be integer');
    expect(() => entryExchange(changed('request.url', undefined), 1, 't.har')).toThrow('/log/entries/0/request/url is missing');
  });
});
