// The command line shared by `npm run mock` and `npm start`: flags and
// environment, the ready line, and a clean stop on Ctrl-C / SIGTERM.
import { parseCli, UsageError } from './cli.ts';
import type { RunningMock } from './mock.ts';

// Kept here (not imported from mock.ts) so that --help and argument errors do not load the validator and Prism's path.
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4010;

export const MOCK_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  dynamic: { type: 'boolean' },
  seed: { type: 'string' },
  token: { type: 'string' },
  log: { type: 'boolean' },
  'no-cache': { type: 'boolean' },
} as const;

export const MOCK_OPTIONS_HELP = `  --host H     address to listen on (default: env HOST, else ${DEFAULT_HOST})
  --port N     port to listen on, 0 for any free one (default: env PORT, else ${DEFAULT_PORT})
  --dynamic    answers generated from the schemas instead of the spec's examples
  --seed S     with --dynamic (or Prefer: dynamic=true): repeatable random answers
  --token T    accept only this bearer token (others get 401 M_UNKNOWN_TOKEN);
               without it any non-empty bearer token is accepted
  --log        print one line per request (method, URL, status, time, source)
  --no-cache   ask Prism for every request instead of reusing its static answers
  --help       show this text

Prism's Prefer header picks a status or an example per request, e.g.
  curl -H 'Authorization: Bearer t' -H 'Prefer: code=404' URL
  curl -H 'Authorization: Bearer t' -H 'Prefer: code=401, example=unknownToken' URL
  curl -H 'Authorization: Bearer t' -H 'Prefer: dynamic=true' URL
`;

export interface MockSettings {
  host: string;
  port: number;
  dynamic: boolean;
  seed?: string;
  token?: string;
  log: boolean;
  cache: boolean;
}

function parsePort(text: string, from: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new UsageError(`${from} "${text}" is not a port number (0-65535)`);
  return Number(text);
}

/** Flags win over HOST/PORT from the environment. */
export function mockSettings(name: string, argv: string[], env: NodeJS.ProcessEnv = process.env): { help: boolean; settings: MockSettings } {
  const { values } = parseCli(name, MOCK_OPTIONS, argv);
  const host = values.host ?? (env.HOST || DEFAULT_HOST);
  if (host.trim() === '' || /\s/.test(host)) throw new UsageError(`--host "${host}" is not a host name or address`);
  const port = values.port !== undefined ? parsePort(values.port, '--port') : env.PORT ? parsePort(env.PORT, 'PORT') : DEFAULT_PORT;
  if (values.token !== undefined && (values.token === '' || /\s/.test(values.token))) throw new UsageError('--token must be a non-empty string without spaces');
  if (values.seed !== undefined && values.seed === '') throw new UsageError('--seed must not be empty');
  return {
    help: values.help === true,
    settings: {
      host,
      port,
      dynamic: values.dynamic === true,
      seed: values.seed,
      token: values.token,
      log: values.log === true,
      cache: values['no-cache'] !== true,
    },
  };
}

/** Starts the mock, prints where it is, and resolves when it was stopped by a signal (rejects if Prism dies). */
export async function serveMock(name: string, s: MockSettings): Promise<void> {
  let failure: ((reason: string) => void) | undefined;
  const failed = new Promise<never>((_res, rej) => (failure = (reason) => rej(new Error(reason))));
  failed.catch(() => undefined);
  const { startMock } = await import('./mock.ts');
  const { PRISM_VERSION } = await import('./mock-prism.ts');
  const mock: RunningMock = await startMock({
    host: s.host,
    port: s.port,
    dynamic: s.dynamic,
    seed: s.seed,
    token: s.token,
    cacheEntries: s.cache ? undefined : 0,
    onAnswer: s.log ? (e) => process.stdout.write(`${e.method} ${e.url} -> ${e.status} (${e.ms.toFixed(1)} ms, ${e.source})\n`) : undefined,
    onFailure: (reason) => failure?.(reason),
  });
  const mode = s.dynamic ? `dynamic answers${s.seed !== undefined ? `, seed ${s.seed}` : ''}` : 'static examples';
  const auth = s.token ? 'only the --token bearer token' : 'any bearer token';
  process.stdout.write(
    `${name}: Synapse User Admin API mock ready at ${mock.url} (${mode}; ${auth}; Prism ${PRISM_VERSION}, pid ${mock.prismPid})\n` +
      `${name}: try  curl -H 'Authorization: Bearer ${s.token ?? 'anything'}' ${mock.url}/_synapse/admin/v2/users/%40alice%3Aexample.org\n` +
      `${name}: Ctrl-C stops it\n`,
  );
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`${name}: second ${signal}, exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      mock.stop().then(() => {
        process.stdout.write(`${name}: stopped (${signal})\n`);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
  });
  await Promise.race([stopped, failed]);
}
