// npm run bundle [-- --force]: writes generated/openapi.{yaml,json},
// generated/openapi.dereferenced.json and generated/coverage.json.
import { runStepCli } from './lib/freshness.ts';
import { run, step } from './steps/bundle.ts';
// The OpenAPI 3.0 edition is derived from the bundle, so it follows it.
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

runStepCli('bundle', HELP, [{ step, run }, openapi30]);
