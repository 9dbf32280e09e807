// Skips a build step when none of its inputs changed since it last ran and
// its outputs are still there. State lives in node_modules/.cache, never in git.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCli, runMain } from './cli.ts';
import { CACHE_DIR, ROOT } from './paths.ts';

function listFiles(p: string): string[] {
  if (!existsSync(p)) return [];
  if (statSync(p).isFile()) return [p];
  return readdirSync(p, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((d) => listFiles(path.join(p, d.name)));
}

/** A hash of the contents and names of every file under the given paths. */
export function hashInputs(inputs: string[]): string {
  const h = createHash('sha256');
  for (const file of inputs.flatMap(listFiles)) {
    h.update(path.relative(ROOT, file));
    h.update('\0');
    h.update(readFileSync(file));
    h.update('\0');
  }
  return h.digest('hex');
}

export interface Step {
  name: string;
  inputs: string[];
  outputs: string[];
}

function stateFile(name: string) {
  return path.join(CACHE_DIR, `${name}.sha256`);
}

/** True when the step's outputs exist and its inputs hash to what they did after its last successful run. */
export function isFresh(step: Step): boolean {
  if (!step.outputs.every((o) => existsSync(o))) return false;
  const file = stateFile(step.name);
  return existsSync(file) && readFileSync(file, 'utf8') === hashInputs(step.inputs);
}

export function markFresh(step: Step): void {
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(stateFile(step.name), hashInputs(step.inputs));
}

/** Runs `work` unless the step is fresh (and `force` is off). Returns whether it ran. */
export async function runStep(step: Step, work: () => Promise<void>, force = false): Promise<boolean> {
  if (!force && isFresh(step)) {
    process.stdout.write(`${step.name}: up to date, skipped\n`);
    return false;
  }
  const started = performance.now();
  await work();
  markFresh(step);
  process.stdout.write(`${step.name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return true;
}

export interface StepModule {
  step: Step;
  run: () => Promise<void>;
}

/**
 * The whole command line of a single-step script (`npm run bundle`, `types`,
 * `docs`): `--help`, `--force`, then the steps in order, each skipped when fresh.
 */
export function runStepCli(name: string, help: string, steps: StepModule[], after?: () => void): void {
  runMain(name, async () => {
    const { values } = parseCli(`npm run ${name}`, { force: { type: 'boolean' } });
    if (values.help) {
      process.stdout.write(help);
      return 0;
    }
    for (const m of steps) await runStep(m.step, m.run, values.force === true);
    after?.();
  });
}
