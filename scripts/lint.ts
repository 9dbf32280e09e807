// npm run lint: Redocly (recommended-strict + our rules) on openapi/ and
// Spectral (spectral:oas + OWASP + our rules) on the bundle. Exit 0 only
// when neither reports an error or a warning.
import { parseCli, runMain } from './lib/cli.ts';
import { formatProblem, lintAll } from './lib/lint.ts';

const HELP = `Usage: npm run lint [-- --bundle FILE]

Lints openapi/ with Redocly (redocly.yaml) and the bundled description with
Spectral (.spectral.yaml). Prints one line per problem:
  file:line severity rule (tool): message  at #/json/pointer
Exits 0 when there is no error and no warning, 1 otherwise, 2 on bad usage.

  --bundle FILE   give Spectral this bundle instead of bundling afresh
  --help          show this text
`;

runMain('lint', async () => {
  const { values } = parseCli('npm run lint', { bundle: { type: 'string' } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const problems = await lintAll({ bundle: values.bundle });
  for (const p of problems) process.stdout.write(formatProblem(p) + '\n');
  const count = (sev: string) => problems.filter((p) => p.severity === sev).length;
  const errors = count('error');
  const warnings = count('warning');
  process.stdout.write(`lint: ${errors} errors, ${warnings} warnings, ${problems.length - errors - warnings} notes (Redocly on openapi/, Spectral on the bundle)\n`);
  return errors + warnings > 0 ? 1 : 0;
});
