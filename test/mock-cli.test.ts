// `npm run mock` / `npm start` as processes: help, bad arguments (one line,
// exit 2, no Prism started), a taken port, and the lifecycle: ready line
// with the URL, answers, Ctrl-C stops it with its Prism child, and a
// killed mock does not leave Prism behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, onTestFinished, test } from 'vitest';
import { ROOT } from '../scripts/lib/paths.ts';
import { rawRequest, validator } from './e2e/helpers.ts';

// Relative to ROOT, where the processes run.
const MOCK = 'scripts/mock.ts';
const START = 'scripts/start.ts';
const USER = '/_synapse/admin/v2/users/%40alice%3Aexample.org';

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a script in one node process (tsx as a loader, so signals reach the script itself); `cleanup` gets a kill to run when the test ends. */
function run(script: string, args: string[], env: NodeJS.ProcessEnv, cleanup: (fn: () => void) => void): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, HOST: '', PORT: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  // Whatever a failed test left running is killed by its pid.
  cleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function waitFor(what: string, check: () => boolean, ms: number) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Gone, or a zombie nobody reaped yet (an orphan in a container without init). */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = `/proc/${pid}/stat`;
  return existsSync(stat) && /^\d+ \(.*\) Z/.test(readFileSync(stat, 'utf8'));
}

const READY = /ready at (http:\/\/127\.0\.0\.1:\d+) .*pid (\d+)\)/;

// Each case is its own short-lived process: run them side by side (with the test context's expect and cleanup).
describe('arguments', () => {
  test.concurrent.for([
    [MOCK, ['--help'], 'Usage: npm run mock'],
    [START, ['--help'], 'Usage: npm start'],
  ] as const)('%s %s prints its usage', async ([script, args, usage], { expect, onTestFinished }) => {
    const r = run(script, [...args], {}, onTestFinished);
    expect((await r.exited).code).toBe(0);
    expect(r.stdout()).toContain(usage);
    expect(r.stdout()).toContain('--dynamic');
  });

  test.concurrent.for([
    [MOCK, ['--bogus'], {}, /^mock: Unknown option '--bogus'.*--help\)$/],
    [MOCK, ['--port', 'abc'], {}, /^mock: --port "abc" is not a port number \(0-65535\)$/],
    [MOCK, ['--port', '70000'], {}, /^mock: --port "70000" is not a port number/],
    [MOCK, [], { PORT: 'eighty' }, /^mock: PORT "eighty" is not a port number/],
    [MOCK, ['--token', ''], {}, /^mock: --token must be a non-empty string/],
    [START, ['--bogus'], {}, /^start: Unknown option '--bogus'.*see npm start --help\)$/],
  ] as const)('%s %j (env %j) → exit 2 with one line', async ([script, args, env, message], { expect, onTestFinished }) => {
    const r = run(script, [...args], env, onTestFinished);
    expect((await r.exited).code).toBe(2);
    expect(r.stderr().trim()).toMatch(message);
    expect(r.stderr().trim().split('\n')).toHaveLength(1);
    expect(r.stdout()).toBe('');
  });

  test('a port already in use → exit 1, one line naming it, before Prism is started', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const r = run(MOCK, [], { PORT: String(port) }, onTestFinished);
      expect((await r.exited).code).toBe(1);
      expect(r.stderr().trim()).toBe(`mock: port ${port} on 127.0.0.1 is already in use; pick another with --port or PORT`);
    } finally {
      blocker.close();
    }
  });
});

describe('lifecycle', () => {
  test('--dynamic on a free port: prints the URL, answers within the spec, Ctrl-C stops it and its Prism child', async () => {
    const r = run(MOCK, ['--port', '0', '--dynamic', '--seed', '7', '--token', 'cli-token'], {}, onTestFinished);
    await waitFor('the ready line', () => READY.test(r.stdout()) || r.child.exitCode !== null, 60_000);
    const [, url, pid] = READY.exec(r.stdout())!;
    expect(r.stdout()).toContain('dynamic answers, seed 7');
    const answer = await rawRequest(url!, { path: USER, headers: { authorization: 'Bearer cli-token' } });
    expect(answer.status).toBe(200);
    expect(validator.validateResponse('getUser', 200, answer.json).issues).toEqual([]);
    r.child.kill('SIGINT');
    expect(await r.exited).toEqual({ code: 0, signal: null });
    expect(r.stdout()).toContain('mock: stopped (SIGINT)');
    expect(r.stderr()).toBe('');
    expect(isGone(Number(pid))).toBe(true);
  });

  test('if Prism dies, the mock stops with one line saying so (exit 1)', async () => {
    const r = run(MOCK, ['--port', '0'], {}, onTestFinished);
    await waitFor('the ready line', () => READY.test(r.stdout()) || r.child.exitCode !== null, 60_000);
    process.kill(Number(READY.exec(r.stdout())![2]), 'SIGKILL');
    expect((await r.exited).code).toBe(1);
    expect(r.stderr().trim()).toBe('mock: Prism exited unexpectedly (signal SIGKILL)');
  });

  test('a mock killed with SIGKILL does not leave Prism running', async () => {
    const r = run(MOCK, ['--port', '0'], {}, onTestFinished);
    await waitFor('the ready line', () => READY.test(r.stdout()) || r.child.exitCode !== null, 60_000);
    const pid = Number(READY.exec(r.stdout())![2]);
    expect(isGone(pid)).toBe(false);
    r.child.kill('SIGKILL');
    await r.exited;
    await waitFor(`Prism (pid ${pid}) to exit`, () => isGone(pid), 10_000);
  });
});
