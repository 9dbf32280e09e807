// `validate`: one recorded exchange given as flags and files, or every
// exchange of a HAR file.
import { SynapseAdminValidator } from '../validation.js';
import { COMMON_HELP, COMMON_OPTIONS, InputError, TOOL, UsageError, parse, parseFormat } from './args.js';
import { checkExchange, declaredMethods, pathAndQuery, type Body, type Exchange, type ExchangeResult } from './exchange.js';
import { readJson, readText, parseJson } from './files.js';
import { entryExchange, harEntries } from './har.js';
import { exitCode, type Report } from './report.js';
import { emit } from './output.js';

export const VALIDATE_HELP = `Usage:
  ${TOOL} validate --method METHOD --path PATH --status CODE [options] [RESPONSE.json]
  ${TOOL} validate --har TRAFFIC.har [options]

Checks recorded traffic against the spec: the request's path and query
parameters and body, and the response's status and body, against the
operation that the method and path select.

One exchange:
  --method METHOD         HTTP method of the request (GET, PUT, POST, DELETE)
  --path PATH             request path, raw or percent-encoded, optionally
                          with ?query (e.g. /_synapse/admin/v2/users/@a:example.org)
  --query QUERY           query string, if not already part of --path (limit=10&dir=b)
  --status CODE           HTTP status of the response
  --request-body FILE     the JSON request body (- for standard input)
  RESPONSE.json           the JSON response body (- for standard input); leave
                          it out when the response had no body

Every exchange of a HAR file:
  --har FILE              a HAR 1.2 file as saved by browsers and proxies. Entries
                          whose path no operation has (other APIs, static files)
                          and CORS preflights are skipped and counted.

${COMMON_HELP}
`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  method: { type: 'string' },
  path: { type: 'string' },
  query: { type: 'string' },
  status: { type: 'string' },
  'request-body': { type: 'string' },
  har: { type: 'string' },
} as const;

/** The code path of `validate --har`: HAR text in, report out. Shared with bench/validator.ts. */
export function validateHarText(validator: SynapseAdminValidator, text: string, file: string): Report {
  const entries = harEntries(parseJson(text, file, 'HAR file'), file);
  // Entry by entry (shape check, then the exchange): each entry is checked
  // while it is in the CPU cache, and each exchange object dies young.
  const results = new Array<ExchangeResult>(entries.length);
  for (let i = 0; i < entries.length; i++) results[i] = checkExchange(validator, entryExchange(entries[i], i + 1, file));
  if (results.every((r) => r.outcome === 'skipped')) {
    const first = results[0]!;
    throw new InputError(`none of the ${results.length} entries in "${file}" could be checked (the first, ${first.method} ${first.path}: ${first.reason})`);
  }
  return { command: 'validate', source: file, results };
}

function parseStatus(value: string | undefined): number {
  if (value === undefined) throw new UsageError(`--status is required with --method and --path (see ${TOOL} validate --help)`);
  if (!/^[1-5][0-9][0-9]$/.test(value)) throw new UsageError(`--status must be an HTTP status code from 100 to 599, not "${value}"`);
  return Number(value);
}

function singleExchange(validator: SynapseAdminValidator, values: Record<string, string | boolean | undefined>, positionals: string[]): Report {
  const method = values.method as string | undefined;
  const path = values.path as string | undefined;
  if (method === undefined || path === undefined) {
    throw new UsageError(`give --method, --path and --status for one exchange, or --har FILE (see ${TOOL} validate --help)`);
  }
  if (!/^[A-Za-z]+$/.test(method)) throw new UsageError(`--method must be an HTTP method such as GET, not "${method}"`);
  if (!path.startsWith('/')) throw new UsageError(`--path must start with "/", not "${path}" (give the path without scheme and host)`);
  const status = parseStatus(values.status as string | undefined);
  if (positionals.length > 1) throw new UsageError(`expected at most one response file, got ${positionals.length}: ${positionals.join(' ')}`);

  let url = path;
  const query = values.query as string | undefined;
  if (query !== undefined && query !== '') url += (path.includes('?') ? '&' : '?') + query.replace(/^\?/, '');

  // A path the spec does not know is an input error here: there is nothing to check it against.
  const pathOnly = pathAndQuery(url).path;
  if (!validator.match(method, pathOnly)) {
    const methods = declaredMethods(validator, pathOnly);
    if (methods.length === 0) throw new InputError(`--path ${pathOnly} matches no operation of the spec`);
    throw new InputError(`${method.toUpperCase()} ${pathOnly} matches no operation of the spec (this path has ${methods.join(', ')})`);
  }

  const requestFile = values['request-body'] as string | undefined;
  const requestBody: Body | undefined = requestFile === undefined ? undefined : { value: readJson(requestFile, 'request body') };
  const responseFile = positionals[0];
  let responseBody: Body | undefined;
  if (responseFile !== undefined) {
    const text = readText(responseFile, 'response body');
    // An empty file stands for an empty body; anything else must be JSON.
    responseBody = text.trim() === '' ? undefined : { value: parseJson(text, responseFile, 'response body') };
  }
  const exchange: Exchange = { index: 1, method, url, requestBody, status, responseBody };
  return { command: 'validate', source: responseFile ?? `${method.toUpperCase()} ${pathOnly}`, results: [checkExchange(validator, exchange)] };
}

export async function validateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('validate', OPTIONS, argv, true);
  if (values.help) {
    process.stdout.write(VALIDATE_HELP);
    return 0;
  }
  const format = parseFormat('validate', values.format);
  const validator = new SynapseAdminValidator(undefined, { sqliteIntBools: values['sqlite-int-bools'] === true });
  let report: Report;
  if (values.har !== undefined) {
    const extra = (['method', 'path', 'query', 'status', 'request-body'] as const).filter((k) => values[k] !== undefined);
    if (extra.length > 0 || positionals.length > 0) {
      throw new UsageError(`--har checks a whole HAR file; it cannot be combined with ${extra.length > 0 ? extra.map((k) => `--${k}`).join(', ') : `the file argument "${positionals[0]}"`}`);
    }
    report = validateHarText(validator, readText(values.har, 'HAR file'), values.har);
  } else {
    report = singleExchange(validator, values, positionals);
  }
  emit(report, { format, output: values.output, verbose: values.verbose === true });
  return exitCode(report.results);
}
