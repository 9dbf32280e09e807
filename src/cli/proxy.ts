// `proxy`: Prism in proxy mode in front of a real server, with every
// exchange that passes through checked by the shared validator.
//
//   client ──▶ Prism (--host/--port) ──▶ recorder (loopback, ephemeral) ──▶ upstream
//
// Prism is the proxy clients talk to (with --errors it also turns responses
// it finds invalid into errors); the recorder behind it sees the upstream's
// real answers, checks each exchange with src/validation.ts and prints one
// line per exchange as it happens. Ctrl-C (SIGINT) or SIGTERM ends the
// session: the report is written and the exit code says whether everything
// that passed through was valid.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SynapseAdminValidator } from '../validation.js';
import { COMMON_HELP, COMMON_OPTIONS, InputError, TOOL, UsageError, joinUrl, networkError, parse, parseBaseUrl, parseFormat, parseTimeout } from './args.js';
import { checkExchange, type ExchangeResult } from './exchange.js';
import { exitCode, resultLines, summaryLine, type Report } from './report.js';
import { emit } from './output.js';

export const PROXY_HELP = `Usage: ${TOOL} proxy --upstream URL [options]

Runs Prism's validation proxy in front of a Synapse server. Point your client
(or your test suite) at the proxy instead of the server: every request is
passed on unchanged, and every exchange is checked against the spec and
printed as one line while the session runs. Stop it with Ctrl-C (SIGINT) or
SIGTERM: the report is written and the exit code tells whether everything
that passed through was valid.

Options:
  --upstream URL      the real server, e.g. http://localhost:8008 (a path prefix is kept)
  --host HOST         address the proxy listens on (default 127.0.0.1)
  --port PORT         port the proxy listens on (default 4010; 0 picks a free one)
  --errors            let Prism answer 500 instead of passing on a response that
                      its own checks find invalid (fails the client's request)
  --timeout SECONDS   give up on an upstream answer after this long (default 30)

Live lines go to standard output with --format text, to standard error with
--format json or junit (the report then follows when the session ends).

${COMMON_HELP.replace(/\n  -v, --verbose[^\n]*\n/, '\n  -v, --verbose             accepted; proxy always lists every exchange\n')}
`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  upstream: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  errors: { type: 'boolean' },
  timeout: { type: 'string' },
} as const;

/** Headers that belong to one connection and must not be forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length']);

/** The bundled spec that Prism reads: the same file the validator uses. */
export function bundledSpecPath(): string {
  return fileURLToPath(new URL('../../generated/openapi.json', import.meta.url));
}

/** How to start Prism: the installed @stoplight/prism-cli, else `prism` on PATH. */
export function prismCommand(): { cmd: string; args: string[] } {
  try {
    const require = createRequire(import.meta.url);
    const pkgFile = require.resolve('@stoplight/prism-cli/package.json');
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { bin?: string | Record<string, string> };
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.prism;
    if (bin) return { cmd: process.execPath, args: [path.join(path.dirname(pkgFile), bin)] };
  } catch {
    /* not installed next to us: try PATH */
  }
  return { cmd: 'prism', args: [] };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

/** Starts Prism and resolves with the URL it listens on once it says so. */
function startPrism(args: string[]): Promise<{ child: ChildProcess; url: string; log: string[] }> {
  const { cmd, args: pre } = prismCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...pre, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    const log: string[] = [];
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new InputError('Prism did not start within 60 s'));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      for (const raw of chunk.toString().split('\n')) {
        // eslint-disable-next-line no-control-regex
        const line = raw.replace(/\u001b\[[0-9;]*m/g, '').trim();
        if (!line) continue;
        log.push(line);
        if (log.length > 50) log.shift();
        const m = /Prism is listening on (https?:\/\/\S+)/.exec(line);
        if (m && !ready) {
          ready = true;
          clearTimeout(timer);
          resolve({ child, url: m[1]!, log });
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new InputError(`cannot start Prism (${err.message}); install @stoplight/prism-cli`));
    });
    child.on('exit', (code) => {
      if (ready) return;
      clearTimeout(timer);
      const why = log.filter((l) => /error|fatal|EADDRINUSE|EACCES/i.test(l)).pop() ?? log.pop() ?? `exit code ${code}`;
      reject(new InputError(`Prism could not start: ${why.replace(/^.*?(error|fatal)\s+/i, '')}`));
    });
  });
}

export async function proxyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('proxy', OPTIONS, argv, true);
  if (values.help) {
    process.stdout.write(PROXY_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`proxy takes no file arguments, got "${positionals[0]}" (see ${TOOL} proxy --help)`);
  const format = parseFormat('proxy', values.format);
  const upstream = parseBaseUrl('proxy', '--upstream', values.upstream);
  const host = values.host ?? '127.0.0.1';
  const portText = values.port ?? '4010';
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port must be a port number from 0 to 65535, not "${portText}"`);
  const timeout = parseTimeout(values.timeout, 30);
  const spec = bundledSpecPath();
  if (!existsSync(spec)) throw new InputError(`the bundled spec ${spec} is missing; run npm run bundle`);
  const upstreamName = upstream.href.replace(/\/$/, '');

  // Fail early, with one line, when the upstream cannot be reached at all.
  try {
    await fetch(upstream, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeout) }).then((r) => r.arrayBuffer());
  } catch (err) {
    throw new InputError(`cannot reach the upstream ${upstreamName}: ${networkError(err)}`);
  }

  const validator = new SynapseAdminValidator(undefined, { sqliteIntBools: values['sqlite-int-bools'] === true });
  const results: ExchangeResult[] = [];
  const live = format === 'text' ? process.stdout : process.stderr;

  const recorder = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const index = results.length + 1;
      const method = (req.method ?? 'GET').toUpperCase();
      const url = req.url ?? '/';
      const requestBody = await readBody(req);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (v === undefined || HOP_BY_HOP.has(k) || k === 'accept-encoding') continue;
        for (const value of Array.isArray(v) ? v : [v]) headers.append(k, value);
      }
      let answer: Response;
      let body: Buffer;
      try {
        answer = await fetch(joinUrl(upstream, url), {
          method,
          headers,
          body: method === 'GET' || method === 'HEAD' || requestBody.length === 0 ? undefined : new Uint8Array(requestBody),
          redirect: 'manual',
          signal: AbortSignal.timeout(timeout),
        });
        body = Buffer.from(await answer.arrayBuffer());
      } catch (err) {
        const why = networkError(err);
        live.write(`${TOOL} proxy: cannot reach the upstream ${upstreamName} for ${method} ${url}: ${why}\n`);
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errcode: 'M_UNKNOWN', error: `${TOOL} proxy: cannot reach the upstream: ${why}` }));
        return;
      }
      const out: Record<string, string> = {};
      answer.headers.forEach((v, k) => {
        if (!HOP_BY_HOP.has(k) && k !== 'content-encoding') out[k] = v;
      });
      res.writeHead(answer.status, out);
      res.end(body);

      const reqType = req.headers['content-type'];
      const resType = answer.headers.get('content-type') ?? undefined;
      const result = checkExchange(validator, {
        index,
        method,
        url,
        requestBody: requestBody.length > 0 ? (reqType ? { text: requestBody.toString('utf8'), mimeType: reqType } : { text: requestBody.toString('utf8') }) : undefined,
        status: answer.status,
        responseBody: body.length > 0 ? (resType ? { text: body.toString('utf8'), mimeType: resType } : { text: body.toString('utf8') }) : undefined,
      });
      results.push(result);
      for (const line of resultLines(result, true)) live.write(line + '\n');
    })().catch((err: unknown) => {
      live.write(`${TOOL} proxy: internal error on ${req.method} ${req.url}: ${(err as Error).message}\n`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const recorderPort = await listen(recorder, '127.0.0.1', 0);

  const prismArgs = ['proxy', spec, `http://127.0.0.1:${recorderPort}`, '-h', host, '-p', portText, '-v', 'info'];
  if (values.errors) prismArgs.push('--errors');
  let prism: Awaited<ReturnType<typeof startPrism>>;
  try {
    prism = await startPrism(prismArgs);
  } catch (err) {
    recorder.close();
    throw err;
  }
  // Never leave Prism behind, however this process ends.
  process.once('exit', () => prism.child.kill('SIGTERM'));
  live.write(`${TOOL} proxy: listening on ${prism.url} -> ${upstreamName} (Prism proxy, spec ${path.basename(spec)}); Ctrl-C ends the session\n`);

  const prismExited = new Promise<void>((resolve) => prism.child.once('exit', () => resolve()));
  // Ends with a signal (the normal way) or with Prism dying under us.
  const why = await new Promise<'signal' | 'prism-exit'>((resolve) => {
    const onSignal = () => resolve('signal');
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    void prismExited.then(() => resolve('prism-exit'));
  });
  recorder.close();
  recorder.closeAllConnections();
  if (why === 'signal') {
    prism.child.kill('SIGTERM');
    // Wait until Prism is gone (its port closed), forcing it after 5 s.
    const force = setTimeout(() => prism.child.kill('SIGKILL'), 5000);
    await prismExited;
    clearTimeout(force);
  }
  const report: Report = { command: 'proxy', source: upstreamName, results };
  // The text lines were printed live; only the summary is left to say.
  if (format === 'text' && values.output === undefined) process.stdout.write(summaryLine(report) + '\n');
  else emit(report, { format, output: values.output, verbose: false });
  if (why === 'prism-exit') throw new InputError(`Prism stopped unexpectedly: ${prism.log[prism.log.length - 1] ?? 'no output'}`);
  const code = exitCode(results);
  return code;
}
