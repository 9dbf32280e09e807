// Argument parsing and the two kinds of expected failure of the CLI.
// (scripts/lib/cli.ts does the same for the repository's own scripts, but
// src/ is compiled on its own into dist/ and cannot import from scripts/.)
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const TOOL = 'synapse-admin-openapi';

/** Bad arguments: exit code 2, with a pointer to --help. */
export class UsageError extends Error {}

/** Bad input (missing file, invalid JSON, unreachable server, …): exit code 2. */
export class InputError extends Error {}

/** The output formats every command accepts. */
export const FORMATS = ['text', 'json', 'junit'] as const;
export type Format = (typeof FORMATS)[number];

/** Options shared by every command. */
export const COMMON_OPTIONS = {
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'sqlite-int-bools': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const COMMON_HELP = `Output:
  --format text|json|junit  report format (default text: one line per mismatch)
  -o, --output FILE         write the report to FILE instead of standard output
  -v, --verbose             text format: also list the exchanges that are valid
  --sqlite-int-bools        accept 0/1 in the boolean fields that Synapse on
                            SQLite sends as integers (docs/decisions.md D1)
  -h, --help                show this text

Exit codes: 0 all valid, 1 mismatches found, 2 usage or input error.`;

/** node:util parseArgs in strict mode; its errors become one UsageError line. */
export type Parsed<T extends NonNullable<ParseArgsConfig['options']>> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: boolean; strict: true }>>;

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(command: string, options: T, argv: string[], positionals = false): Parsed<T> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: positionals, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    throw new UsageError(`${message.replace(/\. To specify a positional argument.*$/, '')} (see ${TOOL} ${command} --help)`);
  }
}

export function parseFormat(command: string, value: string | undefined): Format {
  if (value === undefined) return 'text';
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${value}" (see ${TOOL} ${command} --help)`);
}

/** `--timeout SECONDS` (a positive number) in milliseconds, or the default. */
export function parseTimeout(value: string | undefined, defaultSeconds: number): number {
  if (value === undefined) return defaultSeconds * 1000;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--timeout must be a positive number of seconds, not "${value}"`);
  return n * 1000;
}

/** A URL given on the command line: http(s) only, without query or fragment. */
export function parseBaseUrl(command: string, flag: string, value: string | undefined): URL {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required (see ${TOOL} ${command} --help)`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} "${value}" is not a URL; give e.g. http://localhost:8008`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${flag} "${value}" must start with http:// or https://`);
  if (url.search || url.hash) throw new UsageError(`${flag} "${value}" must not carry a query string or fragment`);
  return url;
}

/** Joins a base URL (which may carry a path prefix) and an absolute API path. */
export function joinUrl(base: URL, pathAndQuery: string): string {
  return base.origin + base.pathname.replace(/\/+$/, '') + pathAndQuery;
}

/** The one line printed for a network failure: the cause, not undici's "fetch failed". */
export function networkError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'no answer within the timeout';
  const cause = e?.cause;
  if (cause?.code) return `${cause.code}${cause.message && !cause.message.includes(cause.code) ? ` (${cause.message})` : ''}`;
  return cause?.message ?? e?.message ?? String(err);
}
