// npm run bundle [-- --force]: writes generated/openapi.{yaml,json},
// generated/openapi.dereferenced.json and generated/coverage.json.
import { parseCli, runMain } from './lib/cli.ts';
import { runStep } from './lib/freshness.ts';
import { run, step } from './steps/bundle.ts';
import * as openapi30 from './steps/openapi30.ts';

const HELP = `Usage: npm run bundle [-- --force]

Bundles openapi/openapi.yaml with Redocly into generated/openapi.yaml and
generated/openapi.json (self-contained, internal $refs only),
generated/openapi.dereferenced.json (no $ref at all) and
generated/coverage.json (operation -> upstream docs section and versions),
then down-converts the bundle to generated/openapi-3.0.yaml for generators
without OpenAPI 3.1 support.
Skips the work when nothing under openapi/ changed since the last run.

  --force   bundle even when the outputs are up to date
  --help    show this text
`;

runMain('bundle', async () => {
  const { values } = parseCli('npm run bundle', { force: { type: 'boolean' } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  await runStep(step, run, values.force === true);
  // The OpenAPI 3.0 edition is derived from the bundle, so it follows it.
  await runStep(openapi30.step, openapi30.run, values.force === true);
});
