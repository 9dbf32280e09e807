// npm run bench [-- --smoke] [--only NAME,…]: every benchmark in one run,
// printed as one table and written to bench/results/latest.json. Ratios
// compare two things measured side by side in this run; absolute times are
// only context (machines here are shared and noisy).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCli, runMain, UsageError } from '../scripts/lib/cli.ts';
import { ROOT } from '../scripts/lib/paths.ts';
import { benchBuild } from './build.ts';
import { formatTable, type BenchOptions, type BenchRow } from './lib.ts';
import { benchMock } from './mock.ts';
import { benchScale } from './scale.ts';
import { benchValidatorRows } from './validator.ts';
import { measureClientOverhead } from './client.ts';

async function benchClient(opts: BenchOptions): Promise<BenchRow[]> {
  const r = await measureClientOverhead(opts.smoke ? { iterations: 20, rounds: 1 } : {});
  return [{ metric: 'client: getUser via the typed client vs raw fetch', ours: r.ours, baseline: r.baseline, unit: 'ms', ratio: r.ratio, goal: '≤ 1.10×', met: r.ratio <= 1.1 }];
}

export const BENCHMARKS: Record<string, (opts: BenchOptions) => Promise<BenchRow[]>> = {
  build: benchBuild,
  scale: benchScale,
  mock: benchMock,
  client: benchClient,
  validator: benchValidatorRows,
};

const HELP = `Usage: npm run bench [-- --smoke] [--only NAME[,NAME…]]

Runs the benchmarks (${Object.keys(BENCHMARKS).join(', ')}) one after the
other, prints one table (metric, ours, baseline, ratio, goal, met?) and
writes the same rows as JSON to bench/results/latest.json.

  --smoke        tiny counts: checks every benchmark still runs (seconds, not minutes)
  --only LIST    run only these benchmarks, comma-separated
  --out FILE     write the JSON elsewhere
  --help         show this text
`;

runMain('bench', async () => {
  const { values } = parseCli('npm run bench', { smoke: { type: 'boolean' }, only: { type: 'string' }, out: { type: 'string' } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const names = values.only ? values.only.split(',').map((s) => s.trim()) : Object.keys(BENCHMARKS);
  const unknown = names.filter((n) => !(n in BENCHMARKS));
  if (unknown.length) throw new UsageError(`unknown benchmark "${unknown[0]}" (choose from ${Object.keys(BENCHMARKS).join(', ')})`);
  const opts: BenchOptions = { smoke: values.smoke === true };
  const rows: BenchRow[] = [];
  const started = performance.now();
  for (const name of names) {
    process.stderr.write(`bench: running ${name}…\n`);
    rows.push(...(await BENCHMARKS[name]!(opts)));
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(formatTable(rows) + '\n');
  process.stdout.write(`bench: ${rows.length} rows in ${seconds.toFixed(0)} s on ${os.cpus().length} cores, node ${process.version}${opts.smoke ? ' (smoke run: counts too small for real numbers)' : ''}\n`);
  const out = values.out ?? path.join(ROOT, 'bench', 'results', 'latest.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), smoke: opts.smoke, node: process.version, cores: os.cpus().length, seconds, rows }, null, 2) + '\n');
  return 0;
});
