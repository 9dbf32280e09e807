// npm start [-- options]: builds what is stale (scripts/build.ts skips fresh
// steps), then starts the mock exactly like npm run mock and prints its URL.
import { BIN, DOCS_HTML, ROOT } from './lib/paths.ts';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { runMain } from './lib/cli.ts';
import { MOCK_OPTIONS_HELP, mockSettings, serveMock } from './lib/mock-cli.ts';

const HELP = `Usage: npm start [-- options]

Runs the build (npm run build: every step whose inputs changed since its
last run; fresh steps are skipped), then prints where the docs page is and serves the mock like
npm run mock, printing its URL once it answers.

${MOCK_OPTIONS_HELP}`;

function build(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN('tsx'), [path.join(ROOT, 'scripts', 'build.ts')], { cwd: ROOT, stdio: 'inherit' });
    child.on('error', (err) => reject(new Error(`cannot run the build: ${err.message}`)));
    child.on('exit', (code, signal) => resolve(signal ? 1 : (code ?? 1)));
  });
}

runMain('start', async () => {
  // Parse first: a bad flag must not cost a build.
  const { help, settings } = mockSettings('npm start', process.argv.slice(2));
  if (help) {
    process.stdout.write(HELP);
    return 0;
  }
  const code = await build();
  if (code !== 0) throw new Error(`the build failed (exit ${code}), see above; npm run mock serves the last bundle as it is`);
  process.stdout.write(`start: API reference: file://${DOCS_HTML} (open it in a browser, or serve generated/docs/ from any static host)\n`);
  await serveMock('start', settings);
});
