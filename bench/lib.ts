// Shared pieces of the benchmark harness: timing through tinybench and the
// result rows every benchmark returns. Ratios are what we compare (both
// sides measured in the same run on the same machine); absolute times are
// reported for information only.
import { Bench } from 'tinybench';

export interface BenchRow {
  /** What is measured, e.g. "mock throughput vs bare http". */
  metric: string;
  ours: number;
  baseline: number | null;
  unit: string;
  /** ours / baseline (or the reverse for throughput, see `higherIsBetter`); null when there is no baseline. */
  ratio: number | null;
  /** Human-readable goal, e.g. "≤ 1.10×". */
  goal: string;
  met: boolean | null;
}

export interface BenchOptions {
  /** Tiny counts, for the smoke test that keeps the benchmarks from rotting. */
  smoke: boolean;
}

/** Mean wall time of `fn` in milliseconds, measured by tinybench over `iterations` runs (no time budget). */
export async function timeMs(name: string, fn: () => unknown | Promise<unknown>, iterations: number, warmup = false): Promise<number> {
  const bench = new Bench({ name, iterations, time: 0, warmup, warmupIterations: warmup ? 1 : 0, warmupTime: 0, throws: true });
  bench.add(name, async () => {
    await fn();
  });
  await bench.run();
  const result: any = bench.tasks[0]!.result;
  if (result?.error) throw result.error;
  const mean = result?.latency?.mean;
  if (typeof mean !== 'number' || !Number.isFinite(mean)) throw new Error(`benchmark "${name}" produced no timing`);
  return mean;
}

/** Builds a row for a "lower is better" measurement (times). */
export function timeRow(metric: string, ours: number, baseline: number, maxRatio: number, unit = 'ms'): BenchRow {
  const ratio = ours / baseline;
  return { metric, ours, baseline, unit, ratio, goal: `≤ ${maxRatio.toFixed(2)}×`, met: ratio <= maxRatio };
}

/** Builds a row for a "higher is better" measurement (throughput): ratio = ours / baseline, goal is a minimum. */
export function rateRow(metric: string, ours: number, baseline: number, minRatio: number, unit: string): BenchRow {
  const ratio = ours / baseline;
  return { metric, ours, baseline, unit, ratio, goal: `≥ ${minRatio.toFixed(2)}×`, met: ratio >= minRatio };
}

/** A row with an absolute limit and no baseline (e.g. p99 latency ≤ 10 ms). */
export function limitRow(metric: string, ours: number, max: number | null, unit: string): BenchRow {
  return { metric, ours, baseline: null, unit, ratio: null, goal: max === null ? 'report' : `≤ ${max} ${unit}`, met: max === null ? null : ours <= max };
}

function fmt(n: number | null, digits = 2): string {
  if (n === null) return '—';
  if (Math.abs(n) >= 1000) return n.toFixed(0);
  return n.toFixed(digits);
}

/** The one table `npm run bench` prints. */
export function formatTable(rows: BenchRow[]): string {
  const head = ['metric', 'ours', 'baseline', 'ratio', 'goal', 'met?'];
  const body = rows.map((r) => [
    r.metric,
    `${fmt(r.ours)} ${r.unit}`,
    r.baseline === null ? '—' : `${fmt(r.baseline)} ${r.unit}`,
    r.ratio === null ? '—' : `${fmt(r.ratio)}×`,
    r.goal,
    r.met === null ? '—' : r.met ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}
