// npm run docs [-- --force]: builds the API reference website,
// generated/docs/index.html (see scripts/steps/docs.ts).
import path from 'node:path';
import { runStepCli } from './lib/freshness.ts';
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

runStepCli('docs', HELP, [{ step, run }], () => process.stdout.write(`docs: open file://${DOCS_HTML}\n`));
