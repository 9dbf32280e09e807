// Mock server benchmark (issue 6), measured with autocannon in one run:
// - throughput and p99 latency of the mock at 10 connections against a bare
//   Node `http` server that answers the very bytes the mock answers, both in
//   processes of their own (the load generator stays in this process);
// - time from spawning `npm run mock` to its first answered request;
// - the mock's resident memory under load (front layer + Prism child; the
//   npm/tsx wrapper processes are reported apart).
// Importing this module does nothing; call benchMock() or measureMock().
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { freePort } from '../scripts/lib/mock-prism.ts';
import { ROOT } from '../scripts/lib/paths.ts';
import { limitRow, rateRow, type BenchOptions, type BenchRow } from './lib.ts';

const require = createRequire(import.meta.url);

interface AutocannonResult {
  duration: number;
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; average: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = require('autocannon') as Autocannon;

export interface LoadResult {
  /** Completed requests per second. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export interface MockBenchResult {
  connections: number;
  /** Length of one measured window. */
  durationS: number;
  /** Windows per side, alternating bare and mock. */
  rounds: number;
  /** Medians over the rounds. */
  mock: LoadResult;
  bare: LoadResult;
  /** Median over the rounds of mock rps / bare rps (each mock window against the bare window just before it). */
  ratio: number;
  perRound: { mock: LoadResult[]; bare: LoadResult[] };
  /** From spawning `npm run mock` to the first 200 answer. */
  startupMs: number;
  /** Peak resident memory sampled during the mock's load run, in MiB. */
  rssMiB: { front: number; prism: number; mock: number; npmTree: number };
}

const USER_PATH = '/_synapse/admin/v2/users/%40alice%3Aexample.org';
const TOKEN = 'bench-token';

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function medianResult(rs: LoadResult[]): LoadResult {
  return {
    rps: median(rs.map((r) => r.rps)),
    p50Ms: median(rs.map((r) => r.p50Ms)),
    p99Ms: median(rs.map((r) => r.p99Ms)),
    errors: rs.reduce((a, r) => a + r.errors, 0),
    non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function load(url: string, headers: Record<string, string>, connections: number, durationS: number): Promise<LoadResult> {
  const r = await autocannon({ url, headers, connections, duration: durationS, pipelining: 1 });
  return { rps: r.requests.total / r.duration, p50Ms: r.latency.p50, p99Ms: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

/** Every process under `root` (inclusive) with its RSS in KiB and its command line. */
function processTree(root: number): Array<{ pid: number; rssKiB: number; args: string }> {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), rssKiB: Number(m[3]), args: m[4]! }));
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of rows) if (!tree.has(r.pid) && tree.has(r.ppid)) (tree.add(r.pid), (grew = true));
  }
  return rows.filter((r) => tree.has(r.pid));
}

interface MemoryProbe {
  /** Current RSS in MiB of the mock's front process, its Prism child, both, and the whole `npm run mock` tree. */
  sample(): { front: number; prism: number; mock: number; npmTree: number };
}

/** Finds the processes once (ps), then samples their RSS from /proc without blocking the load generator for long. */
function memoryProbe(root: number): MemoryProbe {
  const tree = processTree(root);
  const prism = tree.filter((p) => p.args.includes('prism-cli')).map((p) => p.pid);
  // The node process that runs scripts/mock.ts itself (tsx's loader is on its command line), not the tsx launcher.
  const front = tree.filter((p) => p.args.includes('scripts/mock.ts') && p.args.includes('loader')).map((p) => p.pid);
  const all = tree.map((p) => p.pid);
  const rssMiB = (pid: number): number => {
    try {
      const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return kib ? Number(kib) / 1024 : 0;
    } catch {
      return 0;
    }
  };
  const sum = (pids: number[]) => pids.reduce((a, pid) => a + rssMiB(pid), 0);
  if (!existsSync('/proc/self/status')) {
    // No /proc (macOS): report what ps saw before the load.
    const byPid = new Map(tree.map((p) => [p.pid, p.rssKiB / 1024]));
    const total = (pids: number[]) => pids.reduce((a, pid) => a + (byPid.get(pid) ?? 0), 0);
    return { sample: () => ({ front: total(front), prism: total(prism), mock: total(front) + total(prism), npmTree: total(all) }) };
  }
  return { sample: () => ({ front: sum(front), prism: sum(prism), mock: sum(front) + sum(prism), npmTree: sum(all) }) };
}

/** A bare node:http server in its own process answering `body` to every request; resolves with its URL. */
async function startBare(body: Buffer): Promise<{ url: string; child: ChildProcess }> {
  const code = `
    const body = Buffer.from(process.env.BENCH_BODY, 'base64');
    const headers = { 'content-type': 'application/json', 'content-length': body.length };
    const server = require('node:http').createServer((req, res) => { req.resume(); res.writeHead(200, headers); res.end(body); });
    server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
    process.on('SIGTERM', () => process.exit(0));`;
  const child = spawn(process.execPath, ['-e', code], { env: { ...process.env, BENCH_BODY: body.toString('base64') }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (c) => reject(new Error(`the bare server exited (${c}) before listening`)));
  });
  return { url: `http://127.0.0.1:${port}${USER_PATH}`, child };
}

function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      // The group: npm, its shell, tsx, the mock; the mock stops Prism on SIGINT.
      process.kill(-child.pid!, 'SIGINT');
    } catch {
      child.kill('SIGINT');
    }
  });
}

/** Runs the whole measurement. Leaves nothing running, also when it fails. */
export async function measureMock(opts: { durationS?: number; connections?: number; rounds?: number } = {}): Promise<MockBenchResult> {
  const durationS = opts.durationS ?? 3;
  const rounds = opts.rounds ?? 3;
  const connections = opts.connections ?? 10;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const auth = { authorization: `Bearer ${TOKEN}` };

  const t0 = performance.now();
  const npm = spawn('npm', ['run', '--silent', 'mock', '--', '--port', String(port), '--token', TOKEN], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, HOST: '', PORT: '' },
  });
  let stderr = '';
  npm.stderr!.on('data', (d) => (stderr += d));
  let bare: ChildProcess | undefined;
  try {
    let first: { status: number; body: Buffer } | undefined;
    while (!first) {
      if (npm.exitCode !== null) throw new Error(`npm run mock exited (${npm.exitCode}): ${stderr.trim().split('\n').pop()}`);
      if (performance.now() - t0 > 120_000) throw new Error('npm run mock did not answer within 120 s');
      first = await get(base + USER_PATH, auth).catch(() => undefined);
      if (!first) await sleep(20);
    }
    const startupMs = performance.now() - t0;
    if (first.status !== 200) throw new Error(`the mock answered ${first.status} to the benchmark request`);

    const bareServer = await startBare(first.body);
    bare = bareServer.child;
    const check = await get(bareServer.url);
    if (!check.body.equals(first.body)) throw new Error('the bare server does not answer the same bytes as the mock');

    // Warm both (JIT, the mock's answer cache). Then alternate short windows,
    // bare then mock, so that load from other processes on a shared machine
    // hits both sides alike; the mock's memory is sampled while it is loaded.
    await load(bareServer.url, {}, connections, 1);
    await load(base + USER_PATH, auth, connections, 1);
    const probe = memoryProbe(npm.pid!);
    const peak = { front: 0, prism: 0, mock: 0, npmTree: 0 };
    const bareRounds: LoadResult[] = [];
    const mockRounds: LoadResult[] = [];
    for (let i = 0; i < rounds; i++) {
      bareRounds.push(await load(bareServer.url, {}, connections, durationS));
      const sampler = setInterval(() => {
        const m = probe.sample();
        for (const k of Object.keys(peak) as Array<keyof typeof peak>) peak[k] = Math.max(peak[k], m[k]);
      }, 250);
      try {
        mockRounds.push(await load(base + USER_PATH, auth, connections, durationS));
      } finally {
        clearInterval(sampler);
      }
    }
    const failed = mockRounds.reduce((a, r) => a + r.errors + r.non2xx, 0);
    if (failed > 0) throw new Error(`the mock failed or answered non-2xx to ${failed} requests under load`);
    const mockResult = medianResult(mockRounds);
    const bareResult = medianResult(bareRounds);
    const ratio = median(mockRounds.map((m, i) => m.rps / bareRounds[i]!.rps));
    return { connections, durationS, rounds, mock: mockResult, bare: bareResult, ratio, startupMs, rssMiB: peak, perRound: { mock: mockRounds, bare: bareRounds } };
  } finally {
    bare?.kill('SIGTERM');
    await stopGroup(npm);
  }
}

/** The rows `npm run bench` prints: throughput ratio ≥ 0.15×, p99 ≤ 10 ms at 10 connections, start-up time and memory reported. */
export async function benchMock(opts: BenchOptions): Promise<BenchRow[]> {
  const r = await measureMock({ durationS: opts.smoke ? 1 : 3, rounds: opts.smoke ? 1 : 3, connections: 10 });
  return [
    rateRow(`mock throughput vs bare node:http (${r.connections} connections, median of ${r.rounds})`, r.mock.rps, r.bare.rps, 0.15, 'req/s'),
    limitRow(`mock p99 latency (${r.connections} connections, median of ${r.rounds})`, r.mock.p99Ms, 10, 'ms'),
    limitRow('bare node:http p99 latency (for reference)', r.bare.p99Ms, null, 'ms'),
    limitRow('npm run mock: start to first answer', r.startupMs, null, 'ms'),
    limitRow('mock RSS under load (front + Prism)', r.rssMiB.mock, null, 'MiB'),
    limitRow('npm run mock RSS incl. npm and tsx wrappers', r.rssMiB.npmTree, null, 'MiB'),
  ];
}
