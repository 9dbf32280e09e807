// Extraction of the JSON examples from the User Admin API documentation of
// every era (five old web captures and the current upstream file) into
// committed test fixtures with their provenance.
//
// For each docs file it finds every JSON block, fenced (```json …```, or a
// fence holding a `METHOD /path` line followed by a body) or bare (the
// rendered captures lost their fences), and records:
//   - where it is: file, era, line, nearest heading;
//   - what it is: the operation (the nearest `METHOD /path` line of the
//     section, resolved to an operationId through the bundle) and the role
//     (request body, or response body with its status) decided by the
//     sentence just before it;
//   - whether it is JSON: if not, the raw text, a minimally repaired text
//     (comments, trailing commas, ellipses removed) and why.
// A block that cannot be mapped or repaired is kept with the reason.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import jsonc from 'jsonc-parser';
import { SynapseAdminValidator } from '../../src/validation.ts';
import { ROOT, SHARED } from './paths.ts';

/** Where the fixtures and their manifest are committed. */
export const FIXTURES_DIR = path.join(ROOT, 'test', 'fixtures', 'docs-examples');
export const MANIFEST_NAME = 'manifest.json';

export type DocFormat = 'markdown' | 'rendered';

export interface DocSource {
  /** Stable name of the docs era; also the fixture sub-directory. */
  era: string;
  /** Path relative to the shared reference directory. */
  file: string;
  format: DocFormat;
  /** The line where the document proper starts (earlier lines are capture noise). */
  startMarker?: string;
  /** What the capture is and roughly which Synapse releases it documents. */
  description: string;
  /**
   * The Synapse releases the capture can belong to, judged from what it
   * documents against the changelog (e.g. shows `password_hash`: before
   * 1.51.0). Approximate; used to tell "added later" from "missing in the
   * example" when an old example lacks a field.
   */
  synapse: { from: string; to: string };
}

/** The six docs files, oldest era names first; `current` is the newest. */
export const DOC_SOURCES: DocSource[] = [
  {
    era: 'seed-000',
    synapse: { from: '1.41.0', to: '1.47.0' },
    file: 'seeds/000_30b188c40784ce58.txt',
    format: 'rendered',
    description:
      'Rendered page of a Gitea mirror (markdown era, no fences, no heading marks). Still shows password_hash, 0/1 booleans and the misspelled username_availabile route: about Synapse 1.41-1.47.',
  },
  {
    era: 'seed-001',
    synapse: { from: '1.53.0', to: '1.57.0' },
    file: 'seeds/001_dc5d01fc0d79e806.txt',
    format: 'rendered',
    description:
      'Text copy of the rendered docs site with every blank line and fence gone. Has account data and user_type on create, no password_hash, the delete_devices trailing comma: about Synapse 1.53-1.57.',
  },
  {
    era: 'seed-002',
    synapse: { from: '1.41.0', to: '1.47.0' },
    file: 'seeds/002_6d84f239419e2800.txt',
    format: 'markdown',
    startMarker: '# User Admin API',
    description:
      'Git blame view of the markdown (fences kept, indentation and blank lines lost). Same content era as seed-000: about Synapse 1.41-1.47.',
  },
  {
    era: 'seed-003',
    synapse: { from: '1.52.0', to: '1.53.0' },
    file: 'seeds/003_b1f12325e210ebbe.txt',
    format: 'markdown',
    startMarker: '# User Admin API',
    description:
      'cgit plain view of the markdown with a column of line numbers in front; the newest seed. Account data, no password_hash, still 0/1 booleans: about Synapse 1.52-1.53 (early 2022).',
  },
  {
    era: 'seed-004',
    synapse: { from: '1.25.0', to: '1.26.0' },
    file: 'seeds/004_4d3b20459b9b8731.txt',
    format: 'rendered',
    description:
      'Rendered page of the older reStructuredText docs (commit of 2021-01-12), the oldest era: no shadow_banned, no external_ids, booleans as 0/1 in lists: about Synapse 1.25-1.26.',
  },
  {
    era: 'current',
    synapse: { from: '1.157.1', to: '1.157.1' },
    file: 'upstream/user_admin_api.md',
    format: 'markdown',
    startMarker: '# User Admin API',
    description: 'The current upstream markdown, Synapse 1.157.1 (July 2026).',
  },
];

export interface Repair {
  kind: 'line-comment' | 'block-comment' | 'trailing-comma' | 'ellipsis';
  /** Line in the docs file. */
  line: number;
  /** The text that was removed. */
  removed: string;
}

export interface Endpoint {
  method: string;
  path: string;
  line: number;
}

export interface DocBlock {
  /** `<era>/<NN>-<operationId>-<role>[-<status>]`, NN counting the file's JSON blocks from 01. */
  id: string;
  era: string;
  source: string;
  /** First and last line of the JSON text in the docs file (1-based). */
  line: number;
  endLine: number;
  /** For captures with a preamble: the line inside the document proper (line of the start marker = 1). */
  docLine?: number;
  heading: string | null;
  headingPath: string[];
  fenced: boolean;
  fenceLang: string | null;
  /** The `METHOD /path` line the block belongs to. */
  endpoint: Endpoint | null;
  operationId: string | null;
  /** Other operations the same section documents with the same example (the two whois routes). */
  alsoOperationIds: string[];
  role: 'request' | 'response' | null;
  status: number | null;
  /** How the role was decided: the kind of sentence (or line) before the block, and its line. */
  cue: { kind: CueKind; line: number } | null;
  json: 'valid' | 'repaired' | 'invalid';
  /** Present when the raw text is not JSON. */
  parseError?: string;
  rawText?: string;
  repairedText?: string;
  repairs?: Repair[];
  /** One sentence: what the repair did. */
  repair?: string;
  /** Why the raw text is not JSON. */
  reason?: string;
  /** Why the block cannot be used as a fixture (unmapped, or not repairable). */
  unmapped?: string;
  /** The instance file (relative to the fixtures directory), when the block parses (possibly after repair). */
  fixture: string | null;
  /** The raw text file, for blocks that are not JSON as written. */
  rawFixture?: string;
}

export type CueKind =
  | 'method-line-in-fence'
  | 'follows-method-line'
  | 'body-of-sentence'
  | 'response-sentence'
  | 'error-sentence';

export interface SourceSummary {
  era: string;
  file: string;
  format: DocFormat;
  description: string;
  synapse: { from: string; to: string };
  sha256: string;
  lines: number;
  blocks: number;
}

export interface Manifest {
  description: string;
  sources: SourceSummary[];
  counts: { blocks: number; valid: number; repaired: number; invalid: number; unmapped: number };
  unmapped: Array<{ id: string; reason: string }>;
  blocks: DocBlock[];
}

// ---------------------------------------------------------------------------
// Line classification

const METHOD_LINE = /^\s*(GET|PUT|POST|DELETE|PATCH)\s+(\/\S*)/;
const FENCE = /^\s*(`{3,}|~{3,})\s*([^`]*?)\s*$/;
const MD_HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
/** Sub-section labels that are not headings of an operation. */
const GENERIC_LABELS = new Set(['parameters', 'response', 'errors', 'url parameters', 'body parameters', 'request', 'note']);
/** How prose sentences start; a heading of these docs never does. */
const PROSE_START =
  /^(If|In|The|To|This|These|That|Those|Note|When|Where|See|An?|It|Its|For|With|Without|Caution|Returns|Gets|Deletes|Updates|Changes|Checks|Fetches|Creates|Otherwise|Only|Also|By|Setting|Defaults|Raw|Ignoring|Markdown|Fork|Dirk)\b/;

function isJsonStart(trimmed: string): boolean {
  return trimmed.startsWith('{') || /^\[\s*($|[[{"\d-]|true|false|null)/.test(trimmed);
}

/**
 * A heading of a rendered capture (no `#` marks left): a short title-like
 * line that follows the end of a sentence, a code line or another heading.
 * An rST underline glued to the heading (`Title ------Text`) is cut off.
 */
function renderedHeading(line: string, previous: { text: string; kind: 'prose' | 'structure'; adjacent: boolean } | undefined): string | null {
  let t = line.trim();
  const glued = /^(.*?\S)\s*-{4,}/.exec(t);
  if (glued) t = glued[1]!;
  if (t.length < 3 || t.length > 80) return null;
  if (!/^[A-Z]/.test(t)) return null;
  if (/[.:,;!?]$/.test(t)) return null;
  if (/[`{}"=/<>_@•]|\d{2,}/.test(t)) return null;
  if (t.split(/\s+/).length > 12) return null;
  if (GENERIC_LABELS.has(t.toLowerCase())) return null;
  if (PROSE_START.test(t)) return null;
  // Right under an unfinished sentence it is a wrapped line, not a title
  // (list items often end without a full stop, so they do not count).
  if (previous && previous.adjacent && previous.kind === 'prose' && !/[.:;!?)}\]]$/.test(previous.text.trim()) && !/^\s*[-•*]\s/.test(previous.text)) return null;
  return t;
}

/**
 * Finds where a JSON value starting on `lines[from]` ends: the line where
 * its brackets balance. Strings, escapes and comments are skipped. Returns
 * -1 when the brackets never balance before `limit`.
 */
export function jsonExtent(lines: string[], from: number, limit = lines.length): number {
  let depth = 0;
  let inString = false;
  let inBlockComment = false;
  let started = false;
  for (let i = from; i < limit; i++) {
    const l = lines[i]!;
    for (let c = 0; c < l.length; c++) {
      const ch = l[c]!;
      if (inBlockComment) {
        if (ch === '*' && l[c + 1] === '/') {
          inBlockComment = false;
          c++;
        }
        continue;
      }
      if (inString) {
        if (ch === '\\') c++;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '/' && l[c + 1] === '/') break;
      else if (ch === '/' && l[c + 1] === '*') {
        inBlockComment = true;
        c++;
      } else if (ch === '{' || ch === '[') {
        depth++;
        started = true;
      } else if (ch === '}' || ch === ']') {
        depth--;
        if (started && depth === 0) return i;
      }
    }
    inString = false; // a string never spans lines in JSON; recover at the line end
  }
  return -1;
}

// ---------------------------------------------------------------------------
// JSON repair

const SK = { CloseBrace: 2, CloseBracket: 4, Comma: 5, LineComment: 12, BlockComment: 13, LineBreak: 14, Trivia: 15, Unknown: 16, EOF: 17 } as const;

export interface RepairResult {
  ok: boolean;
  text: string;
  repairs: Repair[];
  value?: unknown;
  error?: string;
}

/**
 * Why `text` is not JSON, or undefined when it is. The wording comes from
 * jsonc-parser (pinned), not from the JavaScript engine, so the manifest
 * reads the same on every Node version. `firstLine` is the docs-file line
 * of the text's first line.
 */
export function jsonProblem(text: string, firstLine = 1): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    // described below
  }
  const errors: jsonc.ParseError[] = [];
  jsonc.parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const e = errors[0];
  if (!e) return 'not JSON';
  const before = text.slice(0, e.offset);
  const line = firstLine + (before.match(/\n/g)?.length ?? 0);
  const column = e.offset - before.lastIndexOf('\n');
  return `${jsonc.printParseErrorCode(e.error)} at line ${line}, column ${column}`;
}

/**
 * Removes what keeps a docs example from being JSON, and nothing else:
 * `//` and `/* *\/` comments, commas before a closing bracket, and `...`
 * placeholders (with the comma that joins them). Everything else is kept
 * byte for byte, so the repaired text still reads like the original.
 * `firstLine` is the docs-file line of the text's first line.
 */
export function repairJson(raw: string, firstLine = 1): RepairResult {
  const scanner = jsonc.createScanner(raw, false);
  type Tok = { kind: number; offset: number; length: number; line: number };
  const toks: Tok[] = [];
  for (let k = scanner.scan(); k !== SK.EOF; k = scanner.scan()) {
    toks.push({ kind: k, offset: scanner.getTokenOffset(), length: scanner.getTokenLength(), line: scanner.getTokenStartLine() });
  }
  const significant = (i: number, step: 1 | -1): number => {
    for (let j = i + step; j >= 0 && j < toks.length; j += step) {
      const k = toks[j]!.kind;
      if (k !== SK.Trivia && k !== SK.LineBreak && k !== SK.LineComment && k !== SK.BlockComment) return j;
    }
    return -1;
  };
  const removals: Array<{ start: number; end: number }> = [];
  const repairs: Repair[] = [];
  const remove = (t: Tok, kind: Repair['kind']) => {
    removals.push({ start: t.offset, end: t.offset + t.length });
    repairs.push({ kind, line: firstLine + t.line, removed: raw.slice(t.offset, t.offset + t.length) });
  };
  // An ellipsis scans as one or more Unknown tokens made of dots.
  const isEllipsis = (t: Tok) => t.kind === SK.Unknown && /^\.+$/.test(raw.slice(t.offset, t.offset + t.length));
  toks.forEach((t, i) => {
    if (t.kind === SK.LineComment) remove(t, 'line-comment');
    else if (t.kind === SK.BlockComment) remove(t, 'block-comment');
    else if (isEllipsis(t)) {
      remove(t, 'ellipsis');
      const before = significant(i, -1);
      if (before >= 0 && toks[before]!.kind === SK.Comma) removals.push({ start: toks[before]!.offset, end: toks[before]!.offset + 1 });
    } else if (t.kind === SK.Comma) {
      const next = significant(i, 1);
      if (next >= 0 && (toks[next]!.kind === SK.CloseBrace || toks[next]!.kind === SK.CloseBracket)) remove(t, 'trailing-comma');
    }
  });
  let text = raw;
  for (const r of [...removals].sort((a, b) => b.start - a.start)) text = text.slice(0, r.start) + text.slice(r.end);
  text = text
    .split('\n')
    .map((l) => l.replace(/[ \t]+$/, ''))
    .join('\n');
  const error = jsonProblem(text, firstLine);
  if (error) return { ok: false, text, repairs, error };
  return { ok: true, text, repairs, value: JSON.parse(text) };
}

const REPAIR_REASON: Record<Repair['kind'], string> = {
  'line-comment': 'JSON has no comments; the block is JSONC',
  'block-comment': 'JSON has no comments; the block is JSONC',
  'trailing-comma': 'JSON allows no comma after the last member of an object or array',
  ellipsis: 'an ellipsis stands for elided items; JSON has no such token',
};

function describeRepairs(repairs: Repair[]): { repair: string; reason: string } {
  const byKind = new Map<Repair['kind'], Repair[]>();
  for (const r of repairs) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r]);
  const what: Record<Repair['kind'], string> = {
    'line-comment': '`//` comment',
    'block-comment': '`/* */` comment',
    'trailing-comma': 'trailing comma',
    ellipsis: '`...` placeholder',
  };
  const parts = [...byKind.entries()].map(([kind, rs]) => `${rs.length} ${what[kind]}${rs.length > 1 ? 's' : ''} (line${rs.length > 1 ? 's' : ''} ${rs.map((r) => r.line).join(', ')})`);
  const reasons = [...new Set([...byKind.keys()].map((k) => REPAIR_REASON[k]))];
  return { repair: `Removed ${parts.join(' and ')}; nothing else changed.`, reason: `${reasons.join('; ')}.` };
}

// ---------------------------------------------------------------------------
// Scanning a docs file

export type Event =
  | { type: 'heading'; line: number; text: string; level: number }
  | { type: 'method'; line: number; method: string; path: string; fence: number | null }
  | { type: 'block'; line: number; endLine: number; text: string; fence: number | null; fenceLang: string | null; fenceOpenLine: number | null; methodInFence: boolean };

export type OperationResolver = (method: string, docPath: string) => { operationId: string } | { error: string };

/** Resolves `METHOD /path` lines of the docs (with `<placeholders>` and query strings) through the bundle. */
export function bundleResolver(validator = new SynapseAdminValidator()): OperationResolver & { statuses: (id: string) => string[] } {
  const resolve = ((method: string, docPath: string) => {
    const m = validator.match(method, docPath);
    if (m) return { operationId: m.operation.operationId };
    const bare = docPath.split('?')[0];
    return validator.pathExists(docPath)
      ? { error: `${method} ${bare} is not in the spec (the path exists with another method)` }
      : { error: `${method} ${bare} is not an operation of the spec` };
  }) as OperationResolver & { statuses: (id: string) => string[] };
  resolve.statuses = (id) => validator.operation(id).statusCodes;
  return resolve;
}

function detectFormat(lines: string[]): DocFormat {
  return lines.some((l) => MD_HEADING.test(l) || /^\s*```/.test(l)) ? 'markdown' : 'rendered';
}

export function scanEvents(lines: string[], start: number, format: DocFormat): Event[] {
  const events: Event[] = [];
  let previous: { text: string; kind: 'prose' | 'structure'; adjacent: boolean } | undefined;
  let fenceCount = 0;
  for (let i = start; i < lines.length; i++) {
    const l = lines[i]!;
    const trimmed = l.trim();
    if (trimmed === '') {
      if (previous) previous.adjacent = false;
      continue;
    }
    const fence = FENCE.exec(l);
    if (fence) {
      // Collect the fenced lines up to the closing fence.
      const fenceId = ++fenceCount;
      const lang = fence[2] ? fence[2] : null;
      let close = i + 1;
      while (close < lines.length && !/^\s*(`{3,}|~{3,})\s*$/.test(lines[close]!)) close++;
      let methodSeen = false;
      for (let j = i + 1; j < close; j++) {
        const t = lines[j]!.trim();
        if (t === '') continue;
        const m = METHOD_LINE.exec(lines[j]!);
        if (m) {
          events.push({ type: 'method', line: j + 1, method: m[1]!, path: m[2]!, fence: fenceId });
          methodSeen = true;
          continue;
        }
        if (isJsonStart(t) || (lang && /^jsonc?$/i.test(lang))) {
          const end = jsonExtent(lines, j, close);
          const last = end >= 0 ? end : close - 1;
          events.push({
            type: 'block',
            line: j + 1,
            endLine: last + 1,
            text: lines.slice(j, last + 1).join('\n'),
            fence: fenceId,
            fenceLang: lang,
            fenceOpenLine: i + 1,
            methodInFence: methodSeen,
          });
          j = last;
        }
      }
      i = close;
      previous = { text: '```', kind: 'structure', adjacent: true };
      continue;
    }
    const md = MD_HEADING.exec(l);
    if (md) {
      events.push({ type: 'heading', line: i + 1, text: md[2]!, level: md[1]!.length });
      previous = { text: l, kind: 'structure', adjacent: true };
      continue;
    }
    const m = METHOD_LINE.exec(l);
    if (m) {
      events.push({ type: 'method', line: i + 1, method: m[1]!, path: m[2]!, fence: null });
      previous = { text: l, kind: 'structure', adjacent: true };
      continue;
    }
    if (isJsonStart(trimmed)) {
      const end = jsonExtent(lines, i);
      const last = end >= 0 ? end : lines.length - 1;
      events.push({ type: 'block', line: i + 1, endLine: last + 1, text: lines.slice(i, last + 1).join('\n'), fence: null, fenceLang: null, fenceOpenLine: null, methodInFence: false });
      i = last;
      previous = { text: '}', kind: 'structure', adjacent: true };
      continue;
    }
    if (format === 'rendered') {
      const h = renderedHeading(l, previous);
      if (h) {
        events.push({ type: 'heading', line: i + 1, text: h, level: 2 });
        previous = { text: h, kind: 'structure', adjacent: true };
        continue;
      }
    }
    previous = { text: l, kind: 'prose', adjacent: true };
  }
  return events;
}

const REQUEST_CUE = /\bbody of\b|\brequest body\b/i;
const RESPONSE_CUE = /\b(response|returns?|returned)\b/i;
const STATUS_IN_CUE = /`?\b([1-5]\d\d)\b`?(?:\s+OK)?\s*(?:HTTP\s+)?status|(?:status|HTTP code)\s*(?:code\s*)?`?([1-5]\d\d)\b/i;

/**
 * Decides request or response from the lines just before a block: the
 * block directly after a `METHOD /path` line is its request body, otherwise
 * the nearest sentence says "with a body of" (request) or "… is returned" /
 * "response" (response, with a status when one is named).
 */
function cueFor(lines: string[], block: Extract<Event, { type: 'block' }>, start: number): { role: 'request' | 'response'; status: number | null; cue: { kind: CueKind; line: number } } | null {
  if (block.methodInFence) return { role: 'request', status: null, cue: { kind: 'method-line-in-fence', line: block.line } };
  const from = (block.fenceOpenLine ?? block.line) - 2; // index of the line before the block (or its fence)
  let prose = 0;
  for (let i = from; i >= start && prose < 3; i--) {
    const l = lines[i]!;
    const t = l.trim();
    if (t === '') continue;
    if (METHOD_LINE.test(l)) {
      return prose === 0 ? { role: 'request', status: null, cue: { kind: 'follows-method-line', line: i + 1 } } : null;
    }
    if (FENCE.test(l) || MD_HEADING.test(l) || /^[}\]]/.test(t)) return null;
    prose++;
    if (REQUEST_CUE.test(t) && !RESPONSE_CUE.test(t)) return { role: 'request', status: null, cue: { kind: 'body-of-sentence', line: i + 1 } };
    if (RESPONSE_CUE.test(t)) {
      const s = STATUS_IN_CUE.exec(t);
      const status = s ? Number(s[1] ?? s[2]) : null;
      return { role: 'response', status, cue: { kind: status !== null && status >= 400 ? 'error-sentence' : 'response-sentence', line: i + 1 } };
    }
  }
  return null;
}

function slug(s: string | null): string {
  return s ?? 'unmapped';
}

/**
 * Extracts every JSON block of one docs file. `text` is the file content,
 * `source` says which era it is. Pure: the same input gives the same output.
 */
export function extractBlocks(text: string, source: DocSource, resolve: ReturnType<typeof bundleResolver>): DocBlock[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let start = 0;
  if (source.startMarker) {
    start = lines.findIndex((l) => l.trim() === source.startMarker);
    if (start < 0) throw new Error(`${source.file}: the line "${source.startMarker}" that starts the document is missing`);
  }
  const events = scanEvents(lines, start, source.format);
  const blocks: DocBlock[] = [];
  let n = 0;
  const headingStack: Array<{ level: number; text: string; line: number }> = [];
  let lastHeadingLine = start; // 1-based line of the section start
  events.forEach((ev, idx) => {
    if (ev.type === 'heading') {
      while (headingStack.length && headingStack[headingStack.length - 1]!.level >= ev.level) headingStack.pop();
      headingStack.push({ level: ev.level, text: ev.text, line: ev.line });
      lastHeadingLine = ev.line;
      return;
    }
    if (ev.type !== 'block') return;
    n++;
    const num = String(n).padStart(2, '0');
    // The endpoint: the nearest METHOD line of this section before the block.
    const methods = events
      .slice(0, idx)
      .filter((e): e is Extract<Event, { type: 'method' }> => e.type === 'method' && e.line > lastHeadingLine);
    const nearest = methods[methods.length - 1];
    // Routes listed together (after the previous block, same method) share
    // the example, as the two whois routes do; the first one is primary.
    const previousBlock = events.slice(0, idx).filter((e) => e.type === 'block').pop();
    const group = nearest ? methods.filter((m) => m.method === nearest.method && (!previousBlock || m.line > previousBlock.line)) : [];
    const cue = cueFor(lines, ev, start);
    let unmapped: string | undefined;
    let operationId: string | null = null;
    const also: string[] = [];
    let status: number | null = cue?.status ?? null;
    if (!nearest) unmapped = 'no `METHOD /path` line in its section before the block';
    else {
      const r = resolve(nearest.method, nearest.path);
      if ('error' in r) unmapped = r.error;
      else {
        const ids = [...new Set(group.map((m) => resolve(m.method, m.path)).flatMap((x) => ('operationId' in x ? [x.operationId] : [])))];
        operationId = ids[0] ?? r.operationId;
        also.push(...ids.filter((x) => x !== operationId));
      }
    }
    if (!unmapped && !cue) unmapped = 'no sentence or `METHOD /path` line right before it says whether it is a request or a response';
    if (!unmapped && operationId && cue?.role === 'response') {
      const declared = resolve.statuses(operationId);
      if (status === null) status = Number(declared.filter((s) => /^2\d\d$/.test(s)).sort()[0] ?? NaN);
      if (!declared.includes(String(status))) unmapped = `status ${status} is not declared for ${operationId}`;
    }
    const role = cue?.role ?? null;
    const id = `${source.era}/${num}-${slug(operationId)}-${role ?? 'unknown'}${role === 'response' && status !== null ? `-${status}` : ''}`;
    const error = jsonProblem(ev.text, ev.line);
    const block: DocBlock = {
      id,
      era: source.era,
      source: source.file,
      line: ev.line,
      endLine: ev.endLine,
      ...(start > 0 ? { docLine: ev.line - start } : {}),
      heading: headingStack.length ? headingStack[headingStack.length - 1]!.text : null,
      headingPath: headingStack.map((h) => h.text),
      fenced: ev.fence !== null,
      fenceLang: ev.fenceLang,
      endpoint: nearest ? { method: nearest.method, path: nearest.path, line: nearest.line } : null,
      operationId,
      alsoOperationIds: also,
      role,
      status: role === 'response' ? status : null,
      cue: cue?.cue ?? null,
      json: 'valid',
      fixture: `${id}.json`,
    };
    if (error) {
      const fixed = repairJson(ev.text, ev.line);
      block.parseError = error;
      block.rawText = ev.text;
      block.rawFixture = `${id}.raw.txt`;
      if (fixed.ok && fixed.repairs.length > 0) {
        const d = describeRepairs(fixed.repairs);
        block.json = 'repaired';
        block.repairedText = fixed.text;
        block.repairs = fixed.repairs;
        block.repair = d.repair;
        block.reason = d.reason;
      } else {
        block.json = 'invalid';
        block.fixture = null;
        block.reason = `not JSON and not repairable by removing comments, trailing commas or ellipses: ${fixed.error ?? error}`;
        unmapped ??= 'the block is not JSON and cannot be repaired';
      }
    }
    if (unmapped) block.unmapped = unmapped;
    blocks.push(block);
  });
  return blocks;
}

// ---------------------------------------------------------------------------
// Whole-corpus extraction and fixture files

export function readDocsFile(file: string): string {
  if (!existsSync(file)) throw new Error(`cannot read ${file}: no such file`);
  if (!statSync(file).isFile()) throw new Error(`cannot read ${file}: not a regular file`);
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** A docs file outside the known eras: format and start guessed from its content. */
export function adhocSource(file: string, era: string, text: string): DocSource {
  const lines = text.split('\n');
  const marker = lines.some((l) => l.trim() === '# User Admin API') ? '# User Admin API' : undefined;
  return {
    era,
    file,
    format: detectFormat(lines),
    ...(marker ? { startMarker: marker } : {}),
    description: `Ad-hoc extraction of ${file}.`,
    synapse: { from: 'unknown', to: 'unknown' },
  };
}

const stable = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

/** Runs the extraction over every era and returns the manifest and the files to write (relative path → content). */
export function buildFixtures(sharedDir = SHARED, resolve = bundleResolver()): { manifest: Manifest; files: Map<string, string> } {
  const files = new Map<string, string>();
  const sources: SourceSummary[] = [];
  const blocks: DocBlock[] = [];
  for (const source of DOC_SOURCES) {
    const text = readDocsFile(path.join(sharedDir, source.file));
    const found = extractBlocks(text, source, resolve);
    sources.push({
      era: source.era,
      file: source.file,
      format: source.format,
      description: source.description,
      synapse: source.synapse,
      sha256: createHash('sha256').update(text).digest('hex'),
      lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0),
      blocks: found.length,
    });
    for (const b of found) {
      if (b.fixture) files.set(b.fixture, stable(JSON.parse(b.repairedText ?? b.rawText ?? textOf(text, b))));
      if (b.rawFixture) files.set(b.rawFixture, b.rawText + '\n');
      blocks.push(b);
    }
  }
  const unmapped = blocks.filter((b) => b.unmapped).map((b) => ({ id: b.id, reason: b.unmapped! }));
  const manifest: Manifest = {
    description:
      'Every JSON block of the User Admin API docs, per era, with provenance, operation and role. Generated by `npm run extract-examples`; do not edit by hand.',
    sources,
    counts: {
      blocks: blocks.length,
      valid: blocks.filter((b) => b.json === 'valid').length,
      repaired: blocks.filter((b) => b.json === 'repaired').length,
      invalid: blocks.filter((b) => b.json === 'invalid').length,
      unmapped: unmapped.length,
    },
    unmapped,
    blocks,
  };
  files.set(MANIFEST_NAME, stable(manifest));
  return { manifest, files };
}

function textOf(text: string, b: DocBlock): string {
  return text.replace(/\r\n?/g, '\n').split('\n').slice(b.line - 1, b.endLine).join('\n');
}

/** Files under `dir` that the extraction owns: the manifest and everything in the era directories. */
function ownedFiles(dir: string): string[] {
  const out: string[] = [];
  if (existsSync(path.join(dir, MANIFEST_NAME))) out.push(MANIFEST_NAME);
  for (const s of DOC_SOURCES) {
    const eraDir = path.join(dir, s.era);
    if (!existsSync(eraDir)) continue;
    for (const f of readdirSync(eraDir).sort()) out.push(`${s.era}/${f}`);
  }
  return out;
}

/** Writes the files and removes stale ones the extraction owns. Returns what changed. */
export function writeFixtures(dir: string, files: Map<string, string>): { written: string[]; removed: string[] } {
  const written: string[] = [];
  const removed: string[] = [];
  for (const f of ownedFiles(dir)) {
    if (!files.has(f)) {
      rmSync(path.join(dir, f));
      removed.push(f);
    }
  }
  for (const [rel, content] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const target = path.join(dir, rel);
    if (existsSync(target) && readFileSync(target, 'utf8') === content) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
    written.push(rel);
  }
  return { written, removed };
}

/** Differences between `files` and what is on disk under `dir` (missing, different or stale files). */
export function diffFixtures(dir: string, files: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [rel, content] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const target = path.join(dir, rel);
    if (!existsSync(target)) problems.push(`missing ${rel}`);
    else if (readFileSync(target, 'utf8') !== content) problems.push(`differs ${rel}`);
  }
  for (const f of ownedFiles(dir)) if (!files.has(f)) problems.push(`stale ${f}`);
  return problems;
}

/** The committed manifest. */
export function loadManifest(dir = FIXTURES_DIR): Manifest {
  const file = path.join(dir, MANIFEST_NAME);
  if (!existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run npm run extract-examples`);
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

/** The instance of a fixture (the parsed, possibly repaired, JSON). */
export function loadFixture(block: DocBlock, dir = FIXTURES_DIR): unknown {
  if (!block.fixture) throw new Error(`${block.id} has no instance: ${block.unmapped ?? 'not JSON'}`);
  return JSON.parse(readFileSync(path.join(dir, block.fixture), 'utf8'));
}
