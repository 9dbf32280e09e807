// npm run docs [-- --force]: builds the API reference website,
// generated/docs/index.html (see scripts/steps/docs.ts).
import path from 'node:path';
import { parseCli, runMain } from './lib/cli.ts';
import { runStep } from './lib/freshness.ts';
import { DOCS_HTML, ROOT } from './lib/paths.ts';
import { run, step } from './steps/docs.ts';

const HELP = `Usage: npm run docs [-- --force]

Builds ${path.relative(ROOT, DOCS_HTML)} with Redocly from the bundle
(generated/openapi.json; run npm run bundle first after editing openapi/).
The page is one self-contained HTML file: open it from disk or put it on
any static host; it makes no network request. Every operation gets curl
and TypeScript samples and its Synapse version notes. Skips the work when
neither the bundle nor the docs build changed since the last run.

  --force   build even when the page is up to date
  --help    show this text
`;

runMain('docs', async () => {
  const { values } = parseCli('npm run docs', { force: { type: 'boolean' } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  await runStep(step, run, values.force === true);
  process.stdout.write(`docs: open file://${DOCS_HTML}\n`);
});
