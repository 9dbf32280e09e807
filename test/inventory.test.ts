// The bundle describes exactly the operations of the inventory, each one
// complete: operationId, summary, description, one tag, security, examples
// and the shared Matrix error responses.
import { describe, expect, it } from 'vitest';
import { INVENTORY } from './operations.ts';
import { bundle, deref, operations } from './helpers/spec.ts';

const key = (m: string, p: string) => `${m} ${p}`;

describe('operation inventory', () => {
  it('holds exactly the 26 seed-era and 11 current-era operations', () => {
    expect(INVENTORY.filter((r) => r.era === 'seed-003')).toHaveLength(26);
    expect(INVENTORY.filter((r) => r.era === 'current')).toHaveLength(11);
    expect(operations.map((o) => key(o.method, o.path)).sort()).toEqual(INVENTORY.map((r) => key(r.method, r.path)).sort());
  });

  it('has unique operationIds', () => {
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  const rows = INVENTORY.map((r) => ({ ...r, op: operations.find((o) => key(o.method, o.path) === key(r.method, r.path))?.op }));

  it.each(rows)('$method $path is $operationId and complete', ({ operationId, op }) => {
    expect(op, 'operation missing from the bundle').toBeDefined();
    expect(op.operationId).toBe(operationId);
    expect(op.summary?.length).toBeGreaterThan(5);
    expect(op.description?.length).toBeGreaterThan(30);
    expect(op.tags).toHaveLength(1);
    expect(bundle.tags.map((t: any) => t.name)).toContain(op.tags[0]);
    expect(op.security).toEqual([{ AdminAccessToken: [] }]);
    expect(op['x-synapse-doc-section']).toBeTruthy();
    expect(op['x-synapse-added-in']).toMatch(/^(\d+\.\d+\.\d+|unknown)$/);

    const responses = op.responses;
    const success = Object.keys(responses).filter((c) => c.startsWith('2'));
    expect(success.length).toBeGreaterThan(0);
    for (const code of success) {
      const media = deref(responses[code]).content?.['application/json'];
      expect(media, `${code} has a JSON body`).toBeDefined();
      expect(Object.keys(media.examples ?? {}).length + (media.example === undefined ? 0 : 1), `${code} has an example`).toBeGreaterThan(0);
    }
    for (const code of ['400', '401', '403', '429', '500']) {
      const media = deref(responses[code])?.content?.['application/json'];
      expect(media, `declares ${code}`).toBeDefined();
      expect(deref(media.schema).title, `${code} uses the Matrix error`).toBe('MatrixError');
    }
    if (op.requestBody) {
      const media = deref(op.requestBody).content['application/json'];
      expect(Object.keys(media.examples ?? {}).length, 'request body example').toBeGreaterThan(0);
    }
    for (const p of (op.parameters ?? []).map(deref)) {
      expect(p.example ?? p.examples, `parameter ${p.name} has an example`).toBeDefined();
    }
  });
});
