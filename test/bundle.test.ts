// The committed bundle is what the sources produce today, and it is
// self-contained.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleInto } from '../scripts/lib/bundle.ts';
import { GENERATED } from '../scripts/lib/paths.ts';

const FILES = ['openapi.yaml', 'openapi.json', 'openapi.dereferenced.json', 'coverage.json'];

describe('bundle', () => {
  it('generated/ is fresh: re-bundling openapi/ gives the committed bytes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bundle-'));
    await bundleInto(dir);
    expect(readdirSync(dir).sort()).toEqual([...FILES].sort());
    for (const f of FILES) {
      expect(readFileSync(path.join(GENERATED, f), 'utf8'), `generated/${f} is stale: run npm run bundle`).toBe(readFileSync(path.join(dir, f), 'utf8'));
    }
  });

  it('has no external $ref, and the dereferenced file has none at all', () => {
    const refs = (text: string) => [...text.matchAll(/"\$ref":\s*"([^"]*)"/g)].map((m) => m[1]);
    expect(refs(readFileSync(path.join(GENERATED, 'openapi.json'), 'utf8')).filter((r) => !r.startsWith('#/'))).toEqual([]);
    expect(refs(readFileSync(path.join(GENERATED, 'openapi.dereferenced.json'), 'utf8'))).toEqual([]);
  });

  it('is OpenAPI 3.1.0', () => {
    expect(JSON.parse(readFileSync(path.join(GENERATED, 'openapi.json'), 'utf8')).openapi).toBe('3.1.0');
  });
});
