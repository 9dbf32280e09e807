// npm run conformance: validates every docs fixture, every example in the
// spec and every mutation of the valid ones, and prints the table.
import { parseCli, runMain, UsageError } from './lib/cli.ts';
import { formatReport, runConformance } from './lib/conformance.ts';
import { formatIssue } from '../src/validation.ts';

const HELP = `Usage: npm run conformance [-- options]

Checks the schemas of generated/openapi.json against
  - every JSON example of every docs era (test/fixtures/docs-examples,
    written by npm run extract-examples): it must validate, or fail for
    exactly the reasons listed in scripts/lib/conformance-known.ts;
  - every example inside the spec (body, parameter and schema examples);
  - mutations of the valid examples (a required field dropped, a wrong
    type, null, a value outside an enum, a forbidden extra field, a bad
    map key): each must be rejected.
Prints fixtures per era (passed, known differences, failed, repaired doc
bugs, unmapped blocks) and mutations generated/killed with the kill rate.
Exits 1 when anything does not conform.

Options:
  --json         print the report as JSON instead of the table
  --list KIND    also list the cases of one kind: fixtures, examples,
                 mutations or known (one line each)
  --help         show this text
`;

const KINDS = ['fixtures', 'examples', 'mutations', 'known'] as const;

runMain('conformance', async () => {
  const { values } = parseCli('npm run conformance', { json: { type: 'boolean' }, list: { type: 'string' } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.list !== undefined && !(KINDS as readonly string[]).includes(values.list)) {
    throw new UsageError(`--list must be one of ${KINDS.join(', ')}, got "${values.list}"`);
  }
  if (values.list !== undefined && values.json) throw new UsageError('--list prints lines of text; it cannot be combined with --json');
  const run = runConformance();
  if (values.json) process.stdout.write(JSON.stringify(run.report, null, 2) + '\n');
  else process.stdout.write(formatReport(run.report) + '\n');
  const lines: string[] = [];
  switch (values.list) {
    case 'fixtures':
      for (const f of run.fixtures) lines.push(`${f.outcome.padEnd(6)} ${f.entry.id} -> ${f.entry.operationId} ${f.entry.role}${f.entry.status ? ` ${f.entry.status}` : ''}`);
      break;
    case 'known':
      for (const f of run.fixtures.filter((x) => x.entry.known)) {
        lines.push(`${f.entry.id} (${f.entry.operationId}):`);
        for (const i of f.issues) lines.push(`    ${formatIssue(i)} [${i.keyword}]`);
      }
      break;
    case 'examples':
      for (const e of run.examples) lines.push(`${e.valid ? 'valid  ' : 'INVALID'} ${e.example.label}`);
      break;
    case 'mutations':
      for (const m of run.mutations) lines.push(`${m.killed ? 'killed  ' : 'SURVIVED'} ${m.mutation.id}: ${m.mutation.description}`);
      break;
  }
  if (lines.length) process.stdout.write(`\n${lines.join('\n')}\n`);
  return run.report.problems.length === 0 ? 0 : 1;
});
