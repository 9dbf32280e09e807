// npm run mock [-- --host H --port N --dynamic ...]: serves the bundled spec
// (generated/openapi.yaml) with Prism behind a thin front layer that answers
// auth, routing and validation errors the way Synapse does (scripts/lib/mock*.ts).
import { runMain } from './lib/cli.ts';
import { MOCK_OPTIONS_HELP, mockSettings, serveMock } from './lib/mock-cli.ts';

const HELP = `Usage: npm run mock [-- options]

Serves the Synapse User Admin API described by generated/openapi.yaml on
http://127.0.0.1:4010 until Ctrl-C. Answers come from Stoplight Prism
(the spec's examples, or generated data with --dynamic). Missing or bad
tokens get 401, invalid parameters and bodies get a 400 Matrix error that
names the problem, unknown paths get 404 M_UNRECOGNIZED. Run npm start
instead to rebuild a stale bundle first.

${MOCK_OPTIONS_HELP}`;

runMain('mock', async () => {
  const { help, settings } = mockSettings('npm run mock', process.argv.slice(2));
  if (help) {
    process.stdout.write(HELP);
    return 0;
  }
  await serveMock('mock', settings);
});
