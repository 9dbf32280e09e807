// Validation throughput of `synapse-admin-openapi validate --har` (issue 8).
// A large HAR is generated from the spec's own examples (every operation,
// its request body, its success answer and an error answer), then checked
//   ours:     through validateHarText(), the CLI's code path (HAR parsing and
//             shape check, operation matching, parameters, request and
//             response bodies, report rendering), in process;
//   baseline: by bare ajv: one precompiled schema per (operation, status),
//             each response body JSON.parse'd from the same HAR and validated.
// Both start from the same HAR text. Throughput is responses per second;
// the goal is ours / baseline ≥ 0.8.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { loadBundledSpec, type OpenApiDocument } from '../src/spec.ts';
import { SynapseAdminValidator } from '../src/validation.ts';
import { validateHarText } from '../src/cli/validate.ts';
import { render } from '../src/cli/report.ts';
import { rateRow, type BenchOptions, type BenchRow } from './lib.ts';

const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

const METHODS = ['get', 'put', 'post', 'delete'] as const;

interface Sample {
  operationId: string;
  method: string;
  url: string;
  requestBody?: unknown;
  status: number;
  responseBody: unknown;
}

function resolver(spec: OpenApiDocument) {
  return (node: any): any => {
    let n = node;
    while (n && typeof n.$ref === 'string') n = n.$ref.slice(2).split('/').reduce((a: any, k: string) => a?.[k], spec);
    return n;
  };
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
  const deref = resolver(spec);
  const samples: Sample[] = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      const params: any[] = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(deref);
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
        samples.push({ operationId: op.operationId, method: m.toUpperCase(), url, requestBody, status: Number(status), responseBody: body });
      }
    }
  }
  return samples;
}

/** A HAR 1.2 document with `count` entries cycling through the samples, shaped like a browser export. */
export function buildHar(count: number, samples = sampleExchanges()): string {
  const entries = Array.from({ length: count }, (_, i) => {
    const s = samples[i % samples.length]!;
    const reqText = s.requestBody === undefined ? undefined : JSON.stringify(s.requestBody);
    const resText = JSON.stringify(s.responseBody);
    return {
      startedDateTime: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(),
      time: 3,
      request: {
        method: s.method,
        url: `https://matrix.example.org${s.url}`,
        httpVersion: 'HTTP/1.1',
        cookies: [],
        headers: [{ name: 'Authorization', value: 'Bearer <redacted>' }],
        queryString: [...new URL(s.url, 'https://x').searchParams].map(([name, value]) => ({ name, value })),
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
function bareAjv(spec: OpenApiDocument, samples: Sample[]) {
  const deref = resolver(spec);
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const id = 'https://bench.invalid/openapi.json';
  ajv.addSchema({ $id: id, components: { schemas: spec.components.schemas } });
  const absolutize = (n: any): any =>
    Array.isArray(n) ? n.map(absolutize) : n && typeof n === 'object' ? Object.fromEntries(Object.entries(n).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? id + v : absolutize(v)])) : n;
  const compiled = new Map<string, { response: (data: unknown) => boolean; request?: (data: unknown) => boolean }>();
  for (const s of samples) {
    const key = `${s.method} ${s.url} ${s.status}`;
    if (compiled.has(key)) continue;
    const op = Object.values(spec.paths).map((it) => it[s.method.toLowerCase()]).find((o) => o?.operationId === s.operationId);
    const response = deref(op.responses[String(s.status)]).content['application/json'].schema;
    const request = op.requestBody ? deref(op.requestBody).content['application/json'].schema : undefined;
    compiled.set(key, {
      response: ajv.compile(absolutize(response)) as (data: unknown) => boolean,
      ...(request ? { request: ajv.compile(absolutize(request)) as (data: unknown) => boolean } : {}),
    });
  }
  return compiled;
}

export interface ValidatorBenchResult {
  /** Responses per second through `validate --har`'s code path. */
  ours: number;
  /** Responses per second through bare ajv. */
  baseline: number;
  /** ours / baseline (goal ≥ 0.8). */
  ratio: number;
  exchanges: number;
}

/** Measures `validate --har` against bare ajv on one generated HAR. No side effects until called. */
export async function benchValidator(opts: { exchanges?: number; rounds?: number } = {}): Promise<ValidatorBenchResult> {
  const exchanges = opts.exchanges ?? 5000;
  const rounds = opts.rounds ?? 15;
  const spec = loadBundledSpec();
  const samples = sampleExchanges(spec);
  const har = buildHar(exchanges, samples);

  const validator = new SynapseAdminValidator(spec);
  const oursOnce = () => {
    const report = validateHarText(validator, har, 'bench.har');
    render(report, 'text', false);
    return report;
  };
  // Sanity: the generated traffic must be valid, or the numbers measure error reporting.
  const check = oursOnce();
  const bad = check.results.find((r) => r.outcome !== 'valid');
  if (bad) throw new Error(`bench HAR entry #${bad.index} ${bad.method} ${bad.path} is ${bad.outcome}: ${bad.reason ?? bad.issues.map((i) => `${i.where} ${i.pointer} ${i.message}`).join('; ')}`);

  const compiled = bareAjv(spec, samples);
  const baselineOnce = () => {
    const entries = JSON.parse(har).log.entries as any[];
    let valid = 0;
    for (const e of entries) {
      const u = new URL(e.request.url);
      const fns = compiled.get(`${e.request.method} ${u.pathname}${u.search} ${e.response.status}`)!;
      const requestOk = fns.request === undefined || e.request.postData === undefined || fns.request(JSON.parse(e.request.postData.text));
      if (requestOk && fns.response(JSON.parse(e.response.content.text))) valid++;
    }
    if (valid !== entries.length) throw new Error(`bare ajv rejected ${entries.length - valid} bench exchanges`);
  };
  baselineOnce();

  // Interleaved rounds, each side's best (least disturbed) round counts. CPU
  // time of the process, not wall time: on a shared machine wall time mostly
  // measures the neighbours. GC work done in helper threads is included.
  const cpuMs = (fn: () => unknown) => {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  let oursBest = Infinity;
  let baseBest = Infinity;
  for (let round = 0; round < rounds; round++) {
    oursBest = Math.min(oursBest, cpuMs(oursOnce));
    baseBest = Math.min(baseBest, cpuMs(baselineOnce));
  }
  const ours = exchanges / (oursBest / 1000);
  const baseline = exchanges / (baseBest / 1000);
  return { ours, baseline, ratio: ours / baseline, exchanges };
}

/** The row for `npm run bench` (bench/run.ts). */
export async function benchValidatorRows(opts: BenchOptions): Promise<BenchRow[]> {
  const r = await benchValidator(opts.smoke ? { exchanges: 200, rounds: 2 } : {});
  return [rateRow(`validate --har throughput vs bare ajv (${r.exchanges} exchanges)`, r.ours, r.baseline, 0.8, 'responses/s')];
}
