// Validation throughput of `synapse-admin-openapi validate --har` (issue 8).
// A large HAR is generated from the spec's own examples (every operation,
// its request body, its success answer and an error answer), then checked
//   ours:     through validateHarText(), the CLI's code path (HAR parsing and
//             shape checks, operation matching, parameters, request and
//             response bodies, report rendering), in process;
//   baseline: by bare ajv: one precompiled schema per (operation, status),
//             looked up by the entry's method, URL and status, each body
//             JSON.parse'd from the same HAR and validated.
// Both start from the same HAR text. Throughput is responses per second;
// the goal is ours / baseline ≥ 0.8. A second run gives every entry a user
// ID of its own, so the CLI's request-line memo (src/cli/exchange.ts) hits
// only on the few URLs without a user in them; it is reported without a goal.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { loadBundledSpec, operationsOf, type OpenApiDocument } from '../src/spec.ts';
import { derefLocal } from '../src/json-pointer.ts';
import { SynapseAdminValidator } from '../src/validation.ts';
import { validateHarText } from '../src/cli/validate.ts';
import { render } from '../src/cli/report.ts';
import { rateRow, type BenchOptions, type BenchRow } from './lib.ts';

const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

interface Sample {
  operationId: string;
  /** The operation object in the spec (for the baseline's schemas). */
  op: any;
  method: string;
  url: string;
  requestBody?: unknown;
  status: number;
  responseBody: unknown;
}

/** The first example of a media type (`example` or the first of `examples`). */
function firstExample(media: any, deref: (n: any) => any): unknown {
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  const first = Object.values<any>(media.examples ?? {})[0];
  return first === undefined ? undefined : deref(first).value;
}

/** One success and one error exchange per operation, built from the spec's examples. */
export function sampleExchanges(spec: OpenApiDocument = loadBundledSpec()): Sample[] {
  const deref = (node: any) => derefLocal(spec, node);
  const samples: Sample[] = [];
  for (const { method, path: template, op, pathItem } of operationsOf(spec)) {
    const params: any[] = [...(pathItem.parameters ?? []), ...(op.parameters ?? [])].map(deref);
    let path = template;
    const query = new URLSearchParams();
    for (const p of params) {
      const value = p.example ?? p.schema?.example;
      if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(String(value)));
      else if (p.in === 'query' && (p.required || p.name === 'limit')) query.set(p.name, String(value));
    }
    const url = `${path}${query.size > 0 ? `?${query}` : ''}`;
    const requestBody = op.requestBody ? firstExample(deref(op.requestBody).content?.['application/json'], deref) : undefined;
    for (const status of Object.keys(op.responses)) {
      // The success answer and one error answer (a MatrixError) per operation.
      if (!/^2/.test(status) && status !== '400') continue;
      const body = firstExample(deref(op.responses[status]).content?.['application/json'], deref);
      if (body === undefined) continue;
      samples.push({ operationId: op.operationId, op, method, url, requestBody, status: Number(status), responseBody: body });
    }
  }
  return samples;
}

/** The example user ID as it appears in the sample URLs (percent-encoded). */
const EXAMPLE_USER = encodeURIComponent('@alice:example.org');

/** The path and query of HAR entry `i`; with `distinct`, its user is `@u<i>:example.org`. */
function entryUrl(sample: Sample, i: number, distinct: boolean): string {
  return distinct ? sample.url.replaceAll(EXAMPLE_USER, encodeURIComponent(`@u${i}:example.org`)) : sample.url;
}

/**
 * A HAR 1.2 document with `count` entries cycling through the samples,
 * shaped like a browser export. With `distinct`, each entry asks about a
 * user of its own (`@u<i>:example.org`), so no two request lines repeat.
 */
export function buildHar(count: number, samples = sampleExchanges(), distinct = false): string {
  const entries = Array.from({ length: count }, (_, i) => {
    const s = samples[i % samples.length]!;
    const url = entryUrl(s, i, distinct);
    const reqText = s.requestBody === undefined ? undefined : JSON.stringify(s.requestBody);
    const resText = JSON.stringify(s.responseBody);
    return {
      startedDateTime: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(),
      time: 3,
      request: {
        method: s.method,
        url: `https://matrix.example.org${url}`,
        httpVersion: 'HTTP/1.1',
        cookies: [],
        headers: [{ name: 'Authorization', value: 'Bearer <redacted>' }],
        queryString: [...new URL(url, 'https://x').searchParams].map(([name, value]) => ({ name, value })),
        ...(reqText === undefined ? {} : { postData: { mimeType: 'application/json', text: reqText } }),
        headersSize: -1,
        bodySize: reqText?.length ?? 0,
      },
      response: {
        status: s.status,
        statusText: '',
        httpVersion: 'HTTP/1.1',
        cookies: [],
        headers: [{ name: 'Content-Type', value: 'application/json' }],
        content: { size: resText.length, mimeType: 'application/json', text: resText },
        redirectURL: '',
        headersSize: -1,
        bodySize: resText.length,
      },
      cache: {},
      timings: { send: 0, wait: 3, receive: 0 },
    };
  });
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'bench/validator.ts', version: '1' }, entries } });
}

/**
 * Bare ajv, set up the way a hand-rolled checker would be: the components
 * added once, one compiled schema per response (and per request body),
 * looked up by the entry's method, URL and status.
 */
function bareAjv(spec: OpenApiDocument, samples: Sample[], count: number, distinct: boolean) {
  const deref = (node: any) => derefLocal(spec, node);
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const id = 'https://bench.invalid/openapi.json';
  ajv.addSchema({ $id: id, components: { schemas: spec.components.schemas } });
  const absolutize = (n: any): any =>
    Array.isArray(n) ? n.map(absolutize) : n && typeof n === 'object' ? Object.fromEntries(Object.entries(n).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? id + v : absolutize(v)])) : n;
  type Fns = { response: (data: unknown) => boolean; request?: (data: unknown) => boolean };
  const bySample = new Map<Sample, Fns>();
  for (const s of samples) {
    const op = s.op;
    const response = deref(op.responses[String(s.status)]).content['application/json'].schema;
    const request = op.requestBody ? deref(op.requestBody).content['application/json'].schema : undefined;
    bySample.set(s, {
      response: ajv.compile(absolutize(response)) as (data: unknown) => boolean,
      ...(request ? { request: ajv.compile(absolutize(request)) as (data: unknown) => boolean } : {}),
    });
  }
  // The lookup table by "METHOD path?query status", for every URL the HAR holds.
  const compiled = new Map<string, Fns>();
  for (let i = 0; i < (distinct ? count : samples.length); i++) {
    const s = samples[i % samples.length]!;
    compiled.set(`${s.method} ${entryUrl(s, i, distinct)} ${s.status}`, bySample.get(s)!);
  }
  return compiled;
}

export interface ValidatorBenchResult {
  /** Responses per second through `validate --har`'s code path. */
  ours: number;
  /** Responses per second through bare ajv. */
  baseline: number;
  /** ours / baseline, the median over paired rounds (goal ≥ 0.8). */
  ratio: number;
  exchanges: number;
}

export interface ValidatorBenchOptions {
  /** Entries in the generated HAR. */
  exchanges?: number;
  /** Passes over the HAR per timed sample. */
  passes?: number;
  /** Paired samples (one of ours, one of the baseline's). */
  rounds?: number;
  /** Untimed passes of each side first. */
  warmup?: number;
  /** Give every entry a request line of its own (see buildHar). */
  distinct?: boolean;
}

/** Measures `validate --har` against bare ajv on one generated HAR. No side effects until called. */
export async function benchValidator(opts: ValidatorBenchOptions = {}): Promise<ValidatorBenchResult> {
  const { exchanges = 5000, passes = 4, rounds = 11, warmup = 3, distinct = false } = opts;
  const spec = loadBundledSpec();
  const samples = sampleExchanges(spec);
  const har = buildHar(exchanges, samples, distinct);

  const validator = new SynapseAdminValidator(spec);
  function oursOnce() {
    const report = validateHarText(validator, har, 'bench.har');
    render(report, 'text', false);
    return report;
  }
  // Sanity: the generated traffic must be valid, or the numbers measure error reporting.
  const check = oursOnce();
  const bad = check.results.find((r) => r.outcome !== 'valid');
  if (bad) throw new Error(`bench HAR entry #${bad.index} ${bad.method} ${bad.path} is ${bad.outcome}: ${bad.reason ?? bad.issues.map((i) => `${i.where} ${i.pointer} ${i.message}`).join('; ')}`);

  const compiled = bareAjv(spec, samples, exchanges, distinct);
  function baselineOnce() {
    const entries = JSON.parse(har).log.entries as any[];
    let valid = 0;
    for (const e of entries) {
      const u = new URL(e.request.url);
      const fns = compiled.get(`${e.request.method} ${u.pathname}${u.search} ${e.response.status}`)!;
      const requestOk = fns.request === undefined || e.request.postData === undefined || fns.request(JSON.parse(e.request.postData.text));
      if (requestOk && fns.response(JSON.parse(e.response.content.text))) valid++;
    }
    if (valid !== entries.length) throw new Error(`bare ajv rejected ${entries.length - valid} bench exchanges`);
  }
  baselineOnce();

  // Each timed sample is a few passes over the HAR, so each side pays its
  // share of garbage collection instead of one side dodging a collection by
  // luck. Samples are paired (ours and the baseline's back to back,
  // alternating which goes first) and the median of the pair ratios is the
  // result, so a slow spell on this shared machine hits both halves of a
  // pair alike. CPU time of the process, not wall time: on a shared machine
  // wall time mostly measures the neighbours.
  const cpuMs = (fn: () => unknown) => {
    const start = process.cpuUsage();
    for (let i = 0; i < passes; i++) fn();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000 / passes;
  };
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  // Warm-up: until the JIT has settled and V8 has sized the heap for this much data.
  for (let i = 0; i < warmup; i++) {
    oursOnce();
    baselineOnce();
  }
  const oursMs: number[] = [];
  const baseMs: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const oursFirst = round % 2 === 0;
    const a = cpuMs(oursFirst ? oursOnce : baselineOnce);
    const b = cpuMs(oursFirst ? baselineOnce : oursOnce);
    const [o, base] = oursFirst ? [a, b] : [b, a];
    oursMs.push(o);
    baseMs.push(base);
    ratios.push(base / o); // throughput ratio: ours/baseline = baseline time / our time
  }
  return { ours: exchanges / (median(oursMs) / 1000), baseline: exchanges / (median(baseMs) / 1000), ratio: median(ratios), exchanges };
}

/** The rows for `npm run bench` (bench/run.ts). */
export async function benchValidatorRows(opts: BenchOptions): Promise<BenchRow[]> {
  const size: ValidatorBenchOptions = opts.smoke ? { exchanges: 200, passes: 1, rounds: 2, warmup: 0 } : {};
  const r = await benchValidator(size);
  const d = await benchValidator({ ...size, distinct: true });
  return [
    rateRow(`validate --har throughput vs bare ajv (${r.exchanges} exchanges)`, r.ours, r.baseline, 0.8, 'responses/s'),
    { ...rateRow(`  same, a user ID of its own in every entry`, d.ours, d.baseline, 0.8, 'responses/s'), goal: 'report', met: null },
  ];
}
