// npm run types [-- --force]: writes generated/schema.d.ts (openapi-typescript)
// and src/operations.generated.ts (the client's operation table).
import { runStepCli } from './lib/freshness.ts';
import { run, step } from './steps/types.ts';

const HELP = `Usage: npm run types [-- --force]

Generates TypeScript from the bundle (run npm run bundle first):
  generated/schema.d.ts          openapi-typescript 7 on generated/openapi.yaml
                                 (--default-non-nullable false, --root-types,
                                 --root-types-no-schema-prefix; reads redocly.yaml)
  src/operations.generated.ts    operationId -> method + path, and which
                                 operations are paginated (used by the client)
Skips the work when the bundle did not change since the last run.

  --force   generate even when the outputs are up to date
  --help    show this text
`;

runStepCli('types', HELP, [{ step, run }]);
