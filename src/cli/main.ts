#!/usr/bin/env node
// synapse-admin-openapi: checks Synapse User Admin API traffic against the
// OpenAPI description. Commands: validate, check, proxy.
import { InputError, TOOL, UsageError } from './args.js';

// Loaded on demand: `--help` and usage errors do not pay for ajv and the spec.
const COMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
  validate: async () => (await import('./validate.js')).validateCommand,
  check: async () => (await import('./check.js')).checkCommand,
  proxy: async () => (await import('./proxy.js')).proxyCommand,
};

const HELP = `Usage: ${TOOL} <command> [options]

Checks Synapse User Admin API traffic against this package's OpenAPI description.

Commands:
  validate   check recorded traffic: one request/response pair, or a HAR file
  check      call the read-only (GET) operations for one user on a live server
             and check every answer
  proxy      run a validating proxy (Prism) in front of a server and check
             every response that passes through

Run "${TOOL} <command> --help" for a command's options.
Exit codes: 0 all valid, 1 mismatches found, 2 usage or input error.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError(`give a command: ${Object.keys(COMMANDS).join(', ')} (see ${TOOL} --help)`);
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const load = COMMANDS[command];
  if (!load) throw new UsageError(`unknown command "${command}"; the commands are ${Object.keys(COMMANDS).join(', ')} (see ${TOOL} --help)`);
  return (await load())(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const expected = err instanceof UsageError || err instanceof InputError;
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${TOOL}: ${expected ? '' : 'internal error: '}${message}\n`);
    process.exitCode = 2;
  },
);
