// Small helpers every script uses: argument parsing with clear errors,
// running a tool, and failing with one line instead of a stack trace.
import { spawn } from 'node:child_process';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

/** Runs `main` and turns any thrown error into one readable line and an exit code. */
export function runMain(name: string, main: () => Promise<number | void>): void {
  // `npm run x -- --help | head` closes stdout early: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  main().then(
    (code) => {
      process.exitCode = typeof code === 'number' ? code : 0;
    },
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`${name}: ${message}\n`);
      process.exitCode = err instanceof UsageError ? 2 : 1;
    },
  );
}

/** node:util parseArgs, but unknown flags become a UsageError naming the flag and pointing at --help. */
export function parseCli<T extends ParseArgsConfig['options']>(
  name: string,
  options: T,
  argv = process.argv.slice(2),
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UsageError(`${message.replace(/^.*?: /, '')} (see ${name} --help)`);
  }
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell and collects its output. */
export function runTool(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message}`)));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Drops the noise npm and Redocly print on every run (config warnings, the Node 20 banner). */
export function stripToolNoise(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^npm warn Unknown user config/.test(l))
    .join('\n')
    .replace(/\n?\s*╔[\s\S]*?╝\s*\n?/g, '\n')
    .trim();
}
