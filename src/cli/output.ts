// Writes a finished report where the user asked for it.
import { writeFileSync } from 'node:fs';
import { InputError, type Format } from './args.js';
import { render, summaryLine, type Report } from './report.js';

export interface OutputOptions {
  format: Format;
  output?: string;
  verbose: boolean;
}

export function emit(report: Report, opts: OutputOptions): void {
  const text = render(report, opts.format, opts.verbose);
  if (opts.output === undefined) {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(opts.output, text);
  } catch (err) {
    throw new InputError(`cannot write the report to "${opts.output}": ${(err as Error).message}`);
  }
  // The log of a CI job still shows the outcome when the report goes to a file.
  process.stderr.write(`${summaryLine(report)} (report: ${opts.output})\n`);
}
