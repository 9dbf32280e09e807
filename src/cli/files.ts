// Reading the files given on the command line, with one clear line per problem.
import { readFileSync } from 'node:fs';
import { InputError } from './args.js';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/** Reads a text file (`-` is standard input). */
export function readText(file: string, what: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new InputError(`cannot read ${what} ${file === '-' ? 'from standard input' : `"${file}"`}: ${REASONS[code] ?? (err as Error).message}`);
  }
}

/** Parses JSON text; the error names the file and where the JSON breaks. */
export function parseJson(text: string, file: string, what: string): unknown {
  if (text.trim() === '') throw new InputError(`${what} "${file}" is empty, not JSON`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${what} "${file}" is not valid JSON: ${(err as Error).message.split('\n')[0]}`);
  }
}

export function readJson(file: string, what: string): unknown {
  return parseJson(readText(file, what), file, what);
}
