// Stoplight Prism as a supervised child process: the engine that turns the
// bundled spec into answers. Only the front layer (mock-front.ts) talks to
// it, on a loopback port of its own. The child is killed when the mock
// stops, when this process exits, and (through an IPC channel whose loss
// it watches) when this process dies without cleaning up.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The CLI entry of the installed @stoplight/prism-cli. */
export const PRISM_CLI = path.join(path.dirname(require.resolve('@stoplight/prism-cli/package.json')), 'dist', 'index.js');
export const PRISM_VERSION: string = require('@stoplight/prism-cli/package.json').version;

// Runs inside the child before Prism: exit as soon as the parent's IPC
// channel closes (the parent exited or was killed), then load Prism's CLI,
// which reads process.argv[2..] like `prism mock …` would.
const GUARD = `process.on('disconnect', () => process.exit(0)); require(process.argv[1]);`;

export interface PrismOptions {
  /** The spec file Prism serves (generated/openapi.yaml). */
  document: string;
  /** Answers generated from the schemas instead of the examples. */
  dynamic?: boolean;
  /** Seed for dynamic answers (makes them repeatable). */
  seed?: string;
  /** Give up when Prism is not answering after this long. */
  startTimeoutMs?: number;
}

export interface PrismProcess {
  port: number;
  pid: number;
  /** Resolves when the child exited, whatever the reason. */
  exited: Promise<void>;
  /** Called once if Prism exits without stop() having been called. */
  onUnexpectedExit(cb: (reason: string) => void): void;
  /** The last lines Prism printed (it runs with logging off, so mostly startup failures). */
  output(): string;
  stop(): Promise<void>;
}

/** A free loopback port: bind port 0, read it, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** True once something answers HTTP on the port (any status). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Kills every child still alive when this process exits (stop() removes it from here). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

async function spawnOnce(opts: PrismOptions, port: number): Promise<PrismProcess> {
  installExitHook();
  const args = ['-e', GUARD, PRISM_CLI, 'mock', opts.document, '--host', '127.0.0.1', '--port', String(port), '--verboseLevel', 'silent'];
  if (opts.dynamic) args.push('--dynamic');
  if (opts.seed !== undefined) args.push('--seed', opts.seed);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, FORCE_COLOR: '0' } });
  live.add(child);
  let tail = '';
  const keep = (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let stopping = false;
  let unexpected: ((reason: string) => void) | undefined;
  let exitInfo: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
      if (!stopping && unexpected) unexpected(`Prism exited unexpectedly (${exitInfo})${said(tail)}`);
      resolve();
    });
  });
  child.on('error', () => undefined); // reported through 'exit' or the start timeout
  // The IPC channel only exists for the guard; don't let it keep us alive.
  child.channel?.unref();
  child.unref();

  const stop = async () => {
    if (exitInfo !== undefined) return;
    stopping = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exitInfo !== undefined) throw new Error(`Prism did not start (${exitInfo})${said(tail)}`);
    if (await answers(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Prism did not answer on port ${port} within ${Math.round((opts.startTimeoutMs ?? 60_000) / 1000)} s${said(tail)}`);
    }
    await sleep(25);
  }
  return {
    port,
    pid: child.pid!,
    exited,
    onUnexpectedExit: (cb) => {
      unexpected = cb;
    },
    output: () => tail,
    stop,
  };
}

/** `: <the line that explains it>` from Prism's output, or nothing when it printed nothing useful. */
function said(text: string): string {
  // eslint-disable-next-line no-control-regex
  const lines = text.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => l.trim()).filter((l) => l && !/Starting Prism/.test(l));
  const line = lines.find((l) => /Error|error:/.test(l)) ?? lines[lines.length - 1];
  return line ? `: ${line}` : '';
}

/** Starts Prism on a free loopback port and waits until it answers. Retries twice if the port was taken meanwhile. */
export async function startPrism(opts: PrismOptions): Promise<PrismProcess> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await spawnOnce(opts, await freePort());
    } catch (err) {
      lastError = err;
      if (!/EADDRINUSE/.test(String(err))) break;
    }
  }
  throw lastError;
}
