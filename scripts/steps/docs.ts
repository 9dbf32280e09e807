// Build step: the API reference website, generated/docs/index.html.
//
// Input is a decorated copy of the bundle (written to a temp dir, never
// committed): every operation gets curl and TypeScript samples as
// `x-codeSamples` (scripts/lib/code-samples.ts), and every `x-synapse-…`
// version note is rendered as text into the description of the operation,
// parameter or field it annotates, because Redoc would otherwise show the
// raw extension (or nothing). Redocly's build-docs then renders one HTML
// file with the Redoc bundle inlined, so the page needs no network at all.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { operationsOf } from '../lib/bundle.ts';
import { runTool, stripToolNoise } from '../lib/cli.ts';
import { addCodeSamples, TOKEN_ENV } from '../lib/code-samples.ts';
import type { Step } from '../lib/freshness.ts';
import { BIN, BUNDLE_JSON, DOCS_HTML, ROOT } from '../lib/paths.ts';

export const step: Step = {
  name: 'docs',
  inputs: [
    BUNDLE_JSON,
    path.join(ROOT, 'scripts/steps/docs.ts'),
    path.join(ROOT, 'scripts/lib/code-samples.ts'),
    // The pagination rule the samples share with the client.
    path.join(ROOT, 'scripts/steps/types.ts'),
    path.join(ROOT, 'node_modules/@redocly/cli/package.json'),
  ],
  outputs: [DOCS_HTML],
};

/** Redoc options (Redoc CE 3, as bundled by @redocly/cli 2). */
export const REDOC_OPTIONS = {
  // Only these tabs are shown, in this order; samples in other languages would be hidden.
  codeSamples: { languages: [{ lang: 'curl' }, { lang: 'TypeScript' }] },
  sortRequiredPropsFirst: true,
  jsonSamplesExpandLevel: 3,
  schemasExpansionLevel: 1,
};

// Redoc 3 shows a "docs by Redocly" badge whose image it loads from the
// Redocly CDN, with no option to turn it off. The page must not leave the
// file, so the build swaps the two image URLs for an inline SVG of the
// same words; the badge and its link stay.
const CDN_LOGOS = ['https://cdn.redoc.ly/redoc/logo-mini-full.svg', 'https://cdn.redoc.ly/redoc/logo-mini.svg'];
const INLINE_LOGO =
  'data:image/svg+xml,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="52" height="14" viewBox="0 0 52 14">' +
      '<text x="0" y="11" font-family="sans-serif" font-size="11" font-weight="600" fill="#0044d4">Redocly</text></svg>',
  );

const DOCS_ONLY_INTRO = `
## About this page
Each operation comes with a \`curl\` command and a TypeScript
snippet using this package's client (\`createSynapseAdminClient\`). Both
read the admin access token from the \`${TOKEN_ENV}\` environment
variable and use the example values of the description, so replace the
user IDs and bodies with your own. Version notes (*Added in*, *Changed in*,
*Removed in*) appear in the text of the operation, parameter or field they
concern.
`;

// ---------------------------------------------------------------------------
// Version notes

function isObject(n: unknown): n is Record<string, any> {
  return typeof n === 'object' && n !== null && !Array.isArray(n);
}

function versionSort(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 || Number.isNaN(d)) return Number.isNaN(d) ? a.localeCompare(b) : d;
  }
  return 0;
}

function sentence(s: string): string {
  const t = String(s).trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** The text lines for the x-synapse-… notes of one operation, parameter or schema (empty when it has none). */
export function noteLines(node: Record<string, any>, kind: 'operation' | 'parameter' | 'field'): string[] {
  const lines: string[] = [];
  const added = node['x-synapse-added-in'];
  if (added !== undefined) {
    lines.push(added === 'unknown' ? 'Added in an early Synapse release (which one is not recorded).' : `Added in Synapse ${added}.`);
  }
  const changed = node['x-synapse-changed'];
  if (isObject(changed)) {
    for (const v of Object.keys(changed).sort(versionSort)) lines.push(`Changed in Synapse ${v}: ${sentence(changed[v])}`);
  }
  const removed = node['x-synapse-removed-in'];
  if (removed !== undefined) {
    lines.push(kind === 'field' ? `Removed in Synapse ${removed}; older servers may still send it.` : `Removed in Synapse ${removed}.`);
  }
  if (node['x-synapse-sqlite-int-bool'] === true) {
    lines.push('Servers that store their data in SQLite may send `0`/`1` instead of `false`/`true`.');
  }
  return lines;
}

function appendDescription(node: Record<string, any>, text: string): void {
  const current = typeof node.description === 'string' ? node.description.trimEnd() : '';
  node.description = current ? `${current}\n\n${text}\n` : `${text}\n`;
}

function renderOperation(op: Record<string, any>): void {
  const blocks: string[] = [];
  const lines = noteLines(op, 'operation');
  if (lines.length > 0) blocks.push(`**Synapse versions**\n\n${lines.map((l) => `- ${l}`).join('\n')}`);
  const errata = op['x-synapse-docs-errata'];
  if (Array.isArray(errata) && errata.length > 0) {
    blocks.push(`**Where Synapse's documentation differs**\n\n${errata.map((e: string) => `- ${sentence(e)}`).join('\n')}`);
  }
  const section = op['x-synapse-doc-section'];
  if (typeof section === 'string') blocks.push(`*Upstream documentation section: “${section}”.*`);
  if (blocks.length > 0) appendDescription(op, blocks.join('\n\n'));
}

/**
 * Renders every x-synapse-… note of `doc` into the description of the node
 * it annotates, in place. Returns the nodes it changed, for tests.
 */
export function renderVersionNotes(doc: any): number {
  let changed = 0;
  const operations = new Set<object>();
  for (const { op } of operationsOf(doc)) {
    if (isObject(op)) {
      renderOperation(op);
      operations.add(op);
      changed++;
    }
  }
  const seen = new Set<object>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node) || seen.has(node)) return;
    seen.add(node);
    if (operations.has(node)) {
      // Already rendered above; its parameters and schemas are visited below.
    } else if (typeof node.in === 'string' && typeof node.name === 'string') {
      // A parameter: its schema's notes belong to it too, since Redoc shows
      // the parameter's description and not the one of its schema.
      const schema = isObject(node.schema) ? node.schema : {};
      seen.add(schema);
      const lines = [...noteLines(node, 'parameter'), ...noteLines(schema, 'parameter')];
      if (lines.length > 0) {
        appendDescription(node, lines.map((l) => `*${l}*`).join(' '));
        changed++;
      }
    } else {
      const lines = noteLines(node, 'field');
      if (lines.length > 0) {
        appendDescription(node, lines.map((l) => `*${l}*`).join(' '));
        changed++;
      }
    }
    Object.values(node).forEach(visit);
  };
  visit(doc.paths);
  visit(doc.components);
  return changed;
}

/** A deep copy of the bundle with version notes rendered and code samples added: the input of the docs build. */
export function decorate(bundle: any): any {
  const doc = structuredClone(bundle);
  addCodeSamples(doc);
  renderVersionNotes(doc);
  doc.info.description = `${String(doc.info.description ?? '').trimEnd()}\n${DOCS_ONLY_INTRO}`;
  return doc;
}

// ---------------------------------------------------------------------------
// The build

/** Replaces the CDN-hosted badge images in Redoc's bundle with an inline one; throws if Redoc changed. */
export function inlineExternalImages(html: string): string {
  let out = html;
  for (const url of CDN_LOGOS) {
    if (!out.includes(url)) {
      throw new Error(`the Redoc bundle no longer references ${url}; check the page for new external requests before adjusting scripts/steps/docs.ts`);
    }
    out = out.split(url).join(INLINE_LOGO);
  }
  return out;
}

/** Builds the docs page from `bundlePath` into `outFile`. Returns the page's size in bytes. */
export async function buildDocs(outFile: string = DOCS_HTML, bundlePath: string = BUNDLE_JSON): Promise<number> {
  let bundle: any;
  try {
    bundle = JSON.parse(readFileSync(bundlePath, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the bundle ${path.relative(ROOT, bundlePath) || bundlePath} (run npm run bundle): ${(err as Error).message}`);
  }
  const work = mkdtempSync(path.join(os.tmpdir(), 'synapse-admin-docs-'));
  try {
    const input = path.join(work, 'openapi.json');
    const raw = path.join(work, 'index.html');
    writeFileSync(input, JSON.stringify(decorate(bundle), null, 2));
    // Run from the temp dir so Redocly picks up no redocly.yaml: the docs
    // options are the ones above. REDOCLY_TELEMETRY=off also makes the
    // page itself start with telemetry disabled.
    const res = await runTool(
      BIN('redocly'),
      ['build-docs', input, '--inlineBundle', '--output', raw, '--openapi', JSON.stringify(REDOC_OPTIONS)],
      { cwd: work, env: { REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' } },
    );
    if (res.code !== 0) throw new Error(`redocly build-docs failed:\n${stripToolNoise(res.stderr + res.stdout)}`);
    const html = inlineExternalImages(readFileSync(raw, 'utf8'));
    if (!html.includes('"disableTelemetry":true')) throw new Error('the docs page was built with Redoc telemetry enabled');
    mkdirSync(path.dirname(outFile), { recursive: true });
    writeFileSync(outFile, html);
    return Buffer.byteLength(html);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const bytes = await buildDocs();
  process.stdout.write(`docs: wrote ${path.relative(ROOT, DOCS_HTML)} (${Math.round(bytes / 1024)} KiB)\n`);
}
