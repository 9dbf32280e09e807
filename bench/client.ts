// The typed client's overhead over a bare fetch() doing the same request
// (GET one user, bearer token, parse the JSON) against a local node:http
// server, timed with tinybench. Importing this module does nothing; call
// measureClientOverhead() (bench/run.ts does).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bench } from 'tinybench';
import { createSynapseAdminClient } from '../src/index.ts';

export interface ClientOverhead {
  /** Milliseconds per getUser() call through the client (median of the round means). */
  ours: number;
  /** Milliseconds per bare fetch() + json() of the same request (median of the round means). */
  baseline: number;
  /** Median of the per-round ratios ours / baseline; the goal is at most 1.10. */
  ratio: number;
}

export interface ClientOverheadOptions {
  /** Requests per side and round (default 100). */
  iterations?: number;
  /**
   * Rounds (default 21). Each round times both sides back to back, in
   * alternating order; the ratio reported is the median of the per-round
   * ratios, so load from other processes that comes and goes hits both
   * sides of a round alike instead of skewing one long block.
   */
  rounds?: number;
}

const USER_ID = '@alice:example.org';
const TOKEN = 'syt_YWxpY2U_benchmarktoken_0000';
const BODY = JSON.stringify({
  name: USER_ID,
  displayname: 'Alice',
  threepids: [{ medium: 'email', address: 'alice@example.org', added_at: 1586458409743, validated_at: 1586458409743 }],
  avatar_url: 'mxc://example.org/SEsfnsuifSDFSSEF',
  admin: false,
  deactivated: false,
  erased: false,
  shadow_banned: false,
  creation_ts: 1560432506,
  last_seen_ts: 1732919539393,
  appservice_id: null,
  consent_server_notice_sent: null,
  consent_version: null,
  consent_ts: null,
  external_ids: [],
  user_type: null,
  locked: false,
  suspended: false,
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function meanMs(name: string, fn: () => Promise<void>, iterations: number, warmup: boolean): Promise<number> {
  const bench = new Bench({ name, iterations, time: 0, warmup, warmupIterations: warmup ? iterations : 0, warmupTime: 0, throws: true });
  bench.add(name, fn);
  await bench.run();
  const mean = (bench.tasks[0]?.result as { latency?: { mean?: number } } | undefined)?.latency?.mean;
  if (typeof mean !== 'number' || !Number.isFinite(mean) || mean <= 0) throw new Error(`benchmark "${name}" produced no timing`);
  return mean;
}

/** Starts a local server, times both sides in alternating rounds, stops the server. */
export async function measureClientOverhead(options: ClientOverheadOptions = {}): Promise<ClientOverhead> {
  const iterations = options.iterations ?? 100;
  const rounds = options.rounds ?? 21;
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`iterations must be a positive integer, got ${iterations}`);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds must be a positive integer, got ${rounds}`);

  const server = http.createServer((req, res) => {
    const ok = req.headers.authorization === `Bearer ${TOKEN}` && req.url === `/_synapse/admin/v2/users/${encodeURIComponent(USER_ID)}`;
    const body = ok ? BODY : '{"errcode":"M_UNRECOGNIZED","error":"unexpected request"}';
    res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = createSynapseAdminClient({ baseUrl: base, accessToken: TOKEN });
    const url = `${base}/_synapse/admin/v2/users/${encodeURIComponent(USER_ID)}`;

    const viaFetch = async () => {
      const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      if (!res.ok) throw new Error(`baseline request failed with ${res.status}`);
      const user = (await res.json()) as { name: string };
      if (user.name !== USER_ID) throw new Error('baseline got the wrong body');
    };
    const viaClient = async () => {
      const user = await client.getUser({ path: { user_id: USER_ID } });
      if (user.name !== USER_ID) throw new Error('client got the wrong body');
    };

    const ours: number[] = [];
    const baseline: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const warmup = r === 0;
      let o: number;
      let b: number;
      // Alternate which side goes first.
      if (r % 2 === 0) {
        b = await meanMs('fetch', viaFetch, iterations, warmup);
        o = await meanMs('client', viaClient, iterations, warmup);
      } else {
        o = await meanMs('client', viaClient, iterations, warmup);
        b = await meanMs('fetch', viaFetch, iterations, warmup);
      }
      ours.push(o);
      baseline.push(b);
      ratios.push(o / b);
    }
    return { ours: median(ours), baseline: median(baseline), ratio: median(ratios) };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
