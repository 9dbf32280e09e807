// Every operation of the spec, through the typed client, against the shared
// mock: the normal answer (Matrix IDs percent-encoded by the client, and
// raw), both auth failures, and each invalid input the spec makes possible.
// Every answer is validated against the spec with src/validation.ts.
import { describe, expect, test } from 'vitest';
import { createSynapseAdminClient, MatrixApiError } from '../../src/index.ts';
import { INVENTORY } from '../operations.ts';
import { invalidCases, mockToken, mockUrl, operations, rawPath, rawRequest, validator, validRequest, type ValidRequest } from './helpers.ts';

interface Tamper {
  /** Send no Authorization header at all. */
  dropAuth?: boolean;
  /** Replace the JSON body the client serialised. */
  bodyText?: string;
  /** Replace the request path the client built. */
  rawPath?: string;
}

interface Outcome {
  status: number;
  body: any;
}

/** Calls one operation through the typed client; HTTP errors (MatrixApiError) become outcomes too. */
async function callOp(operationId: string, init: { path?: object; query?: object; body?: unknown }, opts: { token?: string; tamper?: Tamper } = {}): Promise<Outcome> {
  let status = 0;
  const tamper = opts.tamper ?? {};
  const client = createSynapseAdminClient({
    baseUrl: mockUrl(),
    accessToken: opts.token ?? mockToken(),
    fetch: async (request) => {
      const url = new URL(request.url);
      const target = tamper.rawPath ? `${url.origin}${tamper.rawPath}${url.search}` : request.url;
      const headers = new Headers(request.headers);
      if (tamper.dropAuth) headers.delete('authorization');
      const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
      const body = tamper.bodyText ?? (hasBody ? await request.text() : undefined);
      const response = await fetch(new Request(target, { method: request.method, headers, body: hasBody ? body : undefined }));
      status = response.status;
      return response;
    },
  });
  try {
    const data = await client.call(operationId as any, init as any);
    return { status, body: data };
  } catch (err) {
    if (err instanceof MatrixApiError) return { status: err.status, body: err.body };
    throw err;
  }
}

function expectConforms(operationId: string, outcome: Outcome) {
  const result = validator.validateResponse(operationId, outcome.status, outcome.body);
  expect(result.issues, `${operationId} ${outcome.status} ${JSON.stringify(outcome.body)}`).toEqual([]);
}

const requests: ValidRequest[] = operations.map(validRequest);
const rows = requests.map((r) => [r.op.operationId, r] as const);

test('the table covers every operation of the inventory, and nothing else', () => {
  expect(requests.map((r) => r.op.operationId).sort()).toEqual(INVENTORY.map((r) => r.operationId).sort());
  expect(requests).toHaveLength(37);
});

describe.each(rows)('%s', (operationId, req) => {
  test('answers its success status with the spec example, through the typed client', async () => {
    const outcome = await callOp(operationId, { path: req.path, query: req.query, body: req.body });
    expect(outcome.status).toBe(req.status);
    expectConforms(operationId, outcome);
    if (req.example !== undefined) expect(outcome.body).toEqual(req.example);
  });

  // Operations without path parameters have nothing to encode.
  if (req.op.pathParams.length > 0) {
    test('answers the same with raw (unencoded) IDs in the path', async () => {
      const query = new URLSearchParams(req.query).toString();
      const answer = await rawRequest(mockUrl(), {
        method: req.op.method,
        path: rawPath(req.op, req.path) + (query ? `?${query}` : ''),
        headers: { authorization: `Bearer ${mockToken()}`, 'content-type': 'application/json' },
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
      });
      expect(answer.status).toBe(req.status);
      expectConforms(operationId, { status: answer.status, body: answer.json });
      if (req.example !== undefined) expect(answer.json).toEqual(req.example);
    });
  }

  test('refuses a request without a token (401 M_MISSING_TOKEN) and with an unknown one (401 M_UNKNOWN_TOKEN)', async () => {
    const init = { path: req.path, query: req.query, body: req.body };
    const missing = await callOp(operationId, init, { tamper: { dropAuth: true } });
    expect(missing.status).toBe(401);
    expect(missing.body.errcode).toBe('M_MISSING_TOKEN');
    expectConforms(operationId, missing);
    const unknown = await callOp(operationId, init, { token: 'not-the-admin-token' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.errcode).toBe('M_UNKNOWN_TOKEN');
    expectConforms(operationId, unknown);
  });

  const cases = invalidCases(req);
  test('has at least one invalid input to try', () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  test.each(cases.map((c) => [c.name, c] as const))('rejects %s with 400 and a Matrix error naming it', async (_name, c) => {
    const outcome = await callOp(
      operationId,
      { path: c.path ?? req.path, query: c.query ?? req.query, body: 'body' in c ? c.body : req.body },
      { tamper: { bodyText: c.bodyText, rawPath: c.rawPath } },
    );
    expect(outcome.status).toBe(400);
    expect(outcome.body.errcode).toBe(c.errcode);
    expect(outcome.body.error).toContain(c.mentions);
    expect(outcome.body.error).not.toMatch(/\n/);
    expectConforms(operationId, outcome);
  });
});
