// startMock(): the front layer (mock-front.ts) listening where the user
// asked, with Prism (mock-prism.ts) behind it serving generated/openapi.yaml.
// Used by `npm run mock`, `npm start`, the e2e global setup and the bench.
import { existsSync, readFileSync } from 'node:fs';
import type net from 'node:net';
import { SynapseAdminValidator } from '../../src/validation.ts';
import { createFrontServer, type AnswerLog, type FrontStats } from './mock-front.ts';
import { startPrism, type PrismProcess } from './mock-prism.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from './mock-cli.ts';
import { BUNDLE_JSON, BUNDLE_YAML } from './paths.ts';

export interface MockOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  dynamic?: boolean;
  seed?: string;
  token?: string;
  /** Distinct static answers kept in memory (0 = no cache). */
  cacheEntries?: number;
  onAnswer?: (entry: AnswerLog) => void;
  /** Called once if Prism dies while the mock runs; the mock is stopped first. */
  onFailure?: (reason: string) => void;
}

export interface RunningMock {
  url: string;
  host: string;
  port: number;
  prismPid: number;
  stats(): FrontStats;
  stop(): Promise<void>;
}


export class MockStartError extends Error {}

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') reject(new MockStartError(`port ${port} on ${host} is already in use; pick another with --port or PORT`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') reject(new MockStartError(`cannot listen on host "${host}": no such local address`));
      else if (err.code === 'EACCES') reject(new MockStartError(`not allowed to listen on port ${port} (ports below 1024 need privileges)`));
      else reject(new MockStartError(`cannot listen on ${host}:${port}: ${err.message}`));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Starts the mock and resolves once it answers requests (Prism included). */
export async function startMock(opts: MockOptions = {}): Promise<RunningMock> {
  const host = opts.host ?? DEFAULT_HOST;
  const port = opts.port ?? DEFAULT_PORT;
  for (const file of [BUNDLE_YAML, BUNDLE_JSON]) {
    if (!existsSync(file)) throw new MockStartError(`${file} is missing: run npm run build (or npm start, which builds first)`);
  }
  const validator = new SynapseAdminValidator(JSON.parse(readFileSync(BUNDLE_JSON, 'utf8')));

  let resolvePort!: (port: number) => void;
  let rejectPort!: (err: Error) => void;
  const prismPort = new Promise<number>((res, rej) => {
    resolvePort = res;
    rejectPort = rej;
  });
  prismPort.catch(() => undefined);
  const front = createFrontServer({ validator, prismPort, token: opts.token, dynamic: opts.dynamic, cacheEntries: opts.cacheEntries, onAnswer: opts.onAnswer });
  // Listen first: a taken port fails in milliseconds, before Prism is started.
  await listen(front.server, port, host);

  let prism: PrismProcess;
  try {
    prism = await startPrism({ document: BUNDLE_YAML, dynamic: opts.dynamic, seed: opts.seed });
  } catch (err) {
    rejectPort(err as Error);
    await new Promise((r) => front.server.close(r));
    throw new MockStartError((err as Error).message);
  }
  resolvePort(prism.port);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    front.server.closeAllConnections();
    await Promise.all([new Promise((r) => front.server.close(r)), prism.stop()]);
  };
  prism.onUnexpectedExit((reason) => {
    void stop().then(() => opts.onFailure?.(reason));
  });

  const address = front.server.address() as net.AddressInfo;
  // A wildcard address is not something to paste into a browser: show loopback instead.
  const reachable = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  const shownHost = address.family === 'IPv6' ? `[${reachable}]` : reachable;
  return {
    url: `http://${shownHost}:${address.port}`,
    host: address.address,
    port: address.port,
    prismPid: prism.pid,
    stats: front.stats,
    stop,
  };
}
