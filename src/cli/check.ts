// `check`: calls the read-only operations for one user on a live server and
// checks every answer. The list of calls is derived from the spec: every GET
// operation whose required parameters can be filled from the user ID, from
// an option, or from an earlier answer. Only GET requests are ever sent.
import { SynapseAdminValidator, type OperationInfo } from '../validation.js';
import { COMMON_HELP, COMMON_OPTIONS, InputError, TOOL, UsageError, joinUrl, networkError, parse, parseBaseUrl, parseFormat, parseTimeout } from './args.js';
import { checkExchange, type ExchangeResult } from './exchange.js';
import { exitCode, type Report } from './report.js';
import { emit } from './output.js';
import { derefLocal } from '../json-pointer.js';

export const DEFAULT_TOKEN_ENV = 'SYNAPSE_ADMIN_TOKEN';

export const CHECK_HELP = `Usage: ${TOOL} check --base-url URL --user USER_ID [options]

Calls every read-only (GET) operation of the spec that can be filled in for
one user on a live server, and checks each answer against the spec. It never
sends anything but GET requests, so it changes nothing on the server.

The admin access token is read from an environment variable, never from the
command line (where it would end up in shell history and process lists):

  SYNAPSE_ADMIN_TOKEN=syt_... ${TOOL} check --base-url https://matrix.example.org --user @alice:example.org

Options:
  --base-url URL        the homeserver's client-API base URL (a path prefix is kept)
  --user USER_ID        the user to read, e.g. @alice:example.org
  --token-env NAME      environment variable holding the token (default ${DEFAULT_TOKEN_ENV})
  --from-ts MS          from_ts for the counting operations, in ms since the epoch
                        (default 0: since the server started counting)
  --timeout SECONDS     give up on a call after this long (default 10)

How parameters are filled: user_id/userId from --user; username from its
localpart; device_id from the first device in the device list; provider and
external_id from the user's first external ID; medium and address from the
user's first third-party ID. Operations whose inputs cannot be had this way
(a redact_id exists only after a state-changing redaction request) are
listed as skipped, with the reason.

${COMMON_HELP.replace(/\n  -v, --verbose[^\n]*\n/, '\n  -v, --verbose             accepted; check always lists every operation\n')}
`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  'base-url': { type: 'string' },
  user: { type: 'string' },
  'token-env': { type: 'string' },
  'from-ts': { type: 'string' },
  timeout: { type: 'string' },
} as const;

/** What one call needs to know to fill a parameter. */
interface Context {
  user: string;
  fromTs: string;
  answers: Map<string, unknown>;
}

/** How a parameter gets its value: directly, or from the answer of an earlier GET. */
interface Source {
  after?: string;
  required?: boolean;
  fill: (ctx: Context) => string | undefined;
  /** Said when the value cannot be had. */
  missing: string;
}

const fromAnswer = (operationId: string, pick: (body: any) => unknown, missing: string): Source => ({
  after: operationId,
  fill: (ctx) => {
    const v = pick(ctx.answers.get(operationId));
    return typeof v === 'string' && v !== '' ? v : undefined;
  },
  missing,
});

/** Parameter sources by `in:name`. Parameters not listed cannot be filled. */
export const SOURCES: Record<string, Source> = {
  'path:user_id': { fill: (c) => c.user, missing: '' },
  'path:userId': { fill: (c) => c.user, missing: '' },
  // Optional on the list operations: narrows them to the user instead of listing everyone.
  'query:user_id': { fill: (c) => c.user, missing: '' },
  'query:username': { fill: (c) => c.user.slice(1).split(':')[0], missing: '' },
  'query:from_ts': { fill: (c) => c.fromTs, missing: '' },
  'path:device_id': fromAnswer('listDevices', (b) => b?.devices?.[0]?.device_id, 'the user has no device (the device list is empty)'),
  'path:provider': fromAnswer('getUser', (b) => b?.external_ids?.[0]?.auth_provider, 'the user has no external ID'),
  'path:external_id': fromAnswer('getUser', (b) => b?.external_ids?.[0]?.external_id, 'the user has no external ID'),
  'path:medium': fromAnswer('getUser', (b) => b?.threepids?.[0]?.medium, 'the user has no third-party ID'),
  'path:address': fromAnswer('getUser', (b) => b?.threepids?.[0]?.address, 'the user has no third-party ID'),
};

/** Why parameters without a source cannot be filled, where we know. */
const NO_SOURCE: Record<string, string> = {
  'path:redact_id': 'a redact_id is only returned by POST /_synapse/admin/v1/user/{user_id}/redact, which changes state',
};

export interface PlannedCall {
  operation: OperationInfo;
  /** The parameters to fill, with their sources. */
  params: Array<{ in: 'path' | 'query'; name: string; source: Source }>;
  /** Set when the call cannot be made at all. */
  skip?: string;
}

/** The GET operations of the spec, in an order where every answer a call depends on comes first. */
export function plan(validator: SynapseAdminValidator): PlannedCall[] {
  const spec = validator.spec;
  const deref = (n: any) => derefLocal(spec, n);
  const calls: PlannedCall[] = [];
  // Spec order (the validator's own order is tuned for matching, not reading).
  for (const item of Object.values(spec.paths)) {
    if (!item.get) continue;
    const operation = validator.operation(item.get.operationId);
    const declared: any[] = [...(item.parameters ?? []), ...(item.get.parameters ?? [])].map(deref);
    const params: PlannedCall['params'] = [];
    let skip: string | undefined;
    for (const p of declared) {
      if (p.in !== 'path' && p.in !== 'query') continue;
      const key = `${p.in}:${p.name}`;
      const source = SOURCES[key];
      if (source) params.push({ in: p.in, name: p.name, source });
      else if (p.required) skip ??= `needs ${p.in} parameter ${p.name}: ${NO_SOURCE[key] ?? 'this tool has no way to know a value for it'}`;
    }
    calls.push(skip ? { operation, params, skip } : { operation, params });
  }
  // Stable: spec order, but calls that need an earlier answer go last.
  const rank = (c: PlannedCall) => (c.params.some((p) => p.source.after) ? 1 : 0);
  return calls.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i).map(({ c }) => c);
}

function buildUrl(call: PlannedCall, ctx: Context): { url: string } | { missing: string } {
  let path = call.operation.path;
  const query = new URLSearchParams();
  for (const p of call.params) {
    const after = p.source.after;
    if (after !== undefined && !ctx.answers.has(after)) return { missing: `needs ${p.name} from the answer of ${after}, which did not succeed` };
    const value = p.source.fill(ctx);
    if (value === undefined) return { missing: p.source.missing };
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(value));
    else query.set(p.name, value);
  }
  const q = query.toString();
  return { url: q ? `${path}?${q}` : path };
}

function errorSummary(status: number, text: string): string {
  try {
    const body = JSON.parse(text);
    if (body && typeof body.errcode === 'string') return `${status} ${body.errcode}${typeof body.error === 'string' ? `: ${body.error}` : ''}`;
  } catch {
    /* not JSON: the status says enough */
  }
  return String(status);
}

export async function checkCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('check', OPTIONS, argv, true);
  if (values.help) {
    process.stdout.write(CHECK_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`check takes no file arguments, got "${positionals[0]}" (see ${TOOL} check --help)`);
  const format = parseFormat('check', values.format);
  const base = parseBaseUrl('check', '--base-url', values['base-url']);
  const user = values.user;
  if (user === undefined) throw new UsageError(`--user is required, e.g. --user @alice:example.org (see ${TOOL} check --help)`);
  const fromTs = values['from-ts'] ?? '0';
  if (!/^\d+$/.test(fromTs)) throw new UsageError(`--from-ts must be milliseconds since the Unix epoch, not "${fromTs}"`);
  const timeout = parseTimeout(values.timeout, 10);
  const tokenEnv = values['token-env'] ?? DEFAULT_TOKEN_ENV;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) throw new UsageError(`--token-env takes the name of an environment variable, not "${tokenEnv}"`);

  const validator = new SynapseAdminValidator(undefined, { sqliteIntBools: values['sqlite-int-bools'] === true });
  const calls = plan(validator);
  const userCheck = calls.find((c) => c.params.some((p) => p.in === 'path' && p.name === 'user_id'));
  if (userCheck) {
    const r = validator.validateParameters(userCheck.operation.operationId, { path: { user_id: user } });
    if (r.issues.some((i) => i.pointer.startsWith('/path/user_id'))) throw new UsageError(`--user "${user}" is not a Matrix user ID such as @alice:example.org`);
  }
  const token = process.env[tokenEnv];
  if (token === undefined || token.trim() === '') {
    throw new InputError(`environment variable ${tokenEnv} is ${token === undefined ? 'not set' : 'empty'}; put the admin access token there (or name another variable with --token-env)`);
  }

  const ctx: Context = { user, fromTs, answers: new Map() };
  const results: ExchangeResult[] = [];
  for (const call of calls) {
    const index = results.length + 1;
    const op = call.operation;
    const skipped = (reason: string): ExchangeResult => ({ index, method: 'GET', path: op.path, status: 0, operationId: op.operationId, outcome: 'skipped', reason, issues: [] });
    if (call.skip) {
      results.push(skipped(call.skip));
      continue;
    }
    const built = buildUrl(call, ctx);
    if ('missing' in built) {
      results.push(skipped(built.missing));
      continue;
    }
    const target = joinUrl(base, built.url);
    let response: Response;
    let text: string;
    try {
      // The only request this command ever sends: a GET without a body.
      response = await fetch(target, {
        method: 'GET',
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(timeout),
      });
      text = await response.text();
    } catch (err) {
      throw new InputError(`cannot reach ${base.href.replace(/\/$/, '')} (GET ${built.url}): ${networkError(err)}`);
    }
    if (results.filter((r) => r.outcome !== 'skipped').length === 0 && (response.status === 401 || response.status === 403)) {
      throw new InputError(`the server refused the token from ${tokenEnv} (GET ${built.url}: ${errorSummary(response.status, text)}); it must be a server admin's access token`);
    }
    if (op.operationId === 'getUser' && response.status === 404 && errorSummary(404, text).startsWith('404 M_NOT_FOUND')) {
      throw new InputError(`user ${user} does not exist on ${base.href.replace(/\/$/, '')} (GET ${built.url}: ${errorSummary(404, text)})`);
    }
    const mimeType = response.headers.get('content-type') ?? undefined;
    const result = checkExchange(validator, { index, method: 'GET', url: built.url, status: response.status, responseBody: mimeType === undefined ? { text } : { text, mimeType } });
    results.push(result);
    if (response.ok) {
      try {
        ctx.answers.set(op.operationId, JSON.parse(text));
      } catch {
        /* reported by checkExchange already */
      }
    }
  }
  const report: Report = { command: 'check', source: `${base.href.replace(/\/$/, '')} (user ${user})`, results };
  emit(report, { format, output: values.output, verbose: true });
  return exitCode(results);
}
