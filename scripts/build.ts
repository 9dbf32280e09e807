// npm run build [-- --force]: every derived artefact, in dependency order.
// Each step is skipped when its inputs did not change since it last
// succeeded (see scripts/lib/freshness.ts), so a no-op rebuild is cheap.
import { parseCli, runMain } from './lib/cli.ts';
import { runStep, type StepModule } from './lib/freshness.ts';
import * as bundle from './steps/bundle.ts';
import * as lint from './steps/lint.ts';
import * as dist from './steps/dist.ts';
import * as types from './steps/types.ts';
import * as docs from './steps/docs.ts';
import * as openapi30 from './steps/openapi30.ts';


/** Steps in order; each list entry runs after the previous one, steps inside one entry run in parallel. */
export const STAGES: StepModule[][] = [[bundle], [openapi30, lint, types, docs], [dist]];

const HELP = `Usage: npm run build [-- --force]

Runs, in order: ${STAGES.map((s) => s.map((m) => m.step.name).join(' + ')).join(', ')}.
A step whose inputs did not change since its last successful run is
skipped and says so.

  --force   run every step even when its outputs are up to date
  --help    show this text
`;

runMain('build', async () => {
  const { values } = parseCli('npm run build', { force: { type: 'boolean' } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const started = performance.now();
  for (const stage of STAGES) {
    await Promise.all(stage.map((m) => runStep(m.step, m.run, values.force === true)));
  }
  process.stdout.write(`build: finished in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
});
