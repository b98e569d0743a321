import { generateKeyPairSync } from 'node:crypto';
import { freePort, startTestRedis } from '@latchkey/testing';
import { pick, type BenchContext } from '../context.js';
import { clientCredentialsRounds } from '../grants/grant-rounds.js';
import { atLeast, above, p99Row, ratioRow } from '../grants/grant-rows.js';
import { LATCHKEY, PEER_MAP, PEER_REDIS, startOneCoreServers } from '../grants/one-core-servers.js';
import { CLIENT_CREDENTIALS_BODY as BODY, tokensNote } from '../grants/token-answers.js';
import {
  startBareKoa,
  SIGNING_FLOOR,
  startSigningFloor,
  type BaselineServer,
} from '../peers/bare-koa.js';
import { startBenchIdp, type BenchIdp } from '../services/idp.js';
import { basic, REPORTS } from '../peers/bench-clients.js';
import { figure, single, type Row } from '../report/row.js';
import { dpopProofs } from '../runner/dpop-proofs.js';
import { runHttpRounds } from '../runner/http-rounds.js';
import { startLoadGenerator, type LoadGenerator } from '../runner/load.js';
import type { LoadConfig } from '../runner/load-protocol.js';
import { pinServersToCoreZero, type Pinning } from '../runner/pinning.js';
import { roundRatios, runRounds, type Contender, type RoundsResult } from '../runner/rounds.js';
import { spread } from '../runner/stats.js';

const CONNECTIONS = [1, 16, 64] as const;
const BARE = { name: 'bare-koa', label: 'bare Koa, fixed body' };

/**
 * Case 4, one core each: POST /token with client_credentials (client_secret_basic), each
 * answer a fresh ES256-signed JWT access token, at 1, 16 and 64 connections. Latchkey (one
 * process, directory on the PostgreSQL server), oidc-provider on its Redis adapter (the same
 * Redis server) and on a Map, a bare Koa handler answering a fixed body (the ceiling of one
 * core) and the signing floor (plain node:http that checks the secret and signs the same
 * token, nothing else: what any server must spend on this answer), each pinned to core 0 with every thread, the load generator, Redis and the bench
 * on the other cores (runner/pinning.ts). Then, unpinned, on the same IdP, a DPoP proof
 * against none, and what metrics cost.
 */
export async function clientCredentialsCase(context: BenchContext): Promise<Row[]> {
  const trio = await startOneCoreServers('client-credentials');
  let bare: BaselineServer | undefined;
  let floor: BaselineServer | undefined;
  try {
    const jwks = await fetch(`${trio.idp.url}/jwks`);
    bare = await startBareKoa(Buffer.from(await jwks.arrayBuffer()));
    floor = await startSigningFloor();
    const pinning = await pinServersToCoreZero(
      [...trio.servers.map((server) => server.pid), bare.pid, floor.pid],
      [trio.redisUrl],
    );
    // Spawned after the pinning, so that it starts off core 0.
    const load = startLoadGenerator();
    const rows: Row[] = [];
    try {
      rows.push(...(await oneCoreRows(context, load, trio, { bare, floor }, pinning)));
    } finally {
      await load.close();
      await pinning.release();
    }
    // Latchkey against itself, unpinned, with a load generator started on every core: pinned,
    // with the generator (an ES256 proof per request), Redis and the bench on one core, its
    // plain side read 2.7k/s where the row before read 7k/s.
    const unpinnedLoad = startLoadGenerator();
    try {
      rows.push(...(await dpopCost(context, unpinnedLoad, trio.idp.url)));
      rows.push(...(await metricsCost(context, unpinnedLoad)));
    } finally {
      await unpinnedLoad.close();
    }
    return rows;
  } finally {
    await bare?.stop();
    await floor?.stop();
    await trio.stop();
  }
}

async function oneCoreRows(
  context: BenchContext,
  load: LoadGenerator,
  trio: Awaited<ReturnType<typeof startOneCoreServers>>,
  baselines: { bare: BaselineServer; floor: BaselineServer },
  pinning: Pinning,
): Promise<Row[]> {
  const rows: Row[] = [];
  const tokens = tokensNote('client_credentials', trio.servers, trio.answers);
  for (const connections of CONNECTIONS) {
    context.log(`case 4: client_credentials at ${connections} connection(s), one core each`);
    const result = await clientCredentialsRounds(
      context,
      load,
      [
        ...trio.servers,
        { name: BARE.name, url: baselines.bare.url },
        { name: SIGNING_FLOOR.name, url: baselines.floor.url },
      ],
      connections,
    );
    const label = `4 one core each: client_credentials, ${connections} conn.`;
    const versusRedis = ratioRow(
      label,
      result,
      LATCHKEY,
      PEER_REDIS,
      atLeast(3),
      `${pinning.where}; ${tokens}`,
    );
    context.oneCoreRatios.set(`client_credentials ${connections}`, versusRedis.ratio.median);
    rows.push(versusRedis, ratioRow(label, result, LATCHKEY, PEER_MAP, above(1)));
    if (connections === 16) rows.push(p99Row(label, result, LATCHKEY, PEER_REDIS, { maxMs: 5 }));
    rows.push(ratioRow(label, result, LATCHKEY, BARE, null));
    const versusFloor = ratioRow(label, result, LATCHKEY, SIGNING_FLOOR, null);
    // The all-cores rows put Latchkey against the floor again, to see whether it keeps its
    // share of the floor when the cores are shared with the load generator.
    context.oneCoreRatios.set(`floor client_credentials ${connections}`, versusFloor.ratio.median);
    context.oneCoreRatios.set(
      `floor over peer client_credentials ${connections}`,
      roundRatios(result.rps, SIGNING_FLOOR.name, PEER_REDIS.name).median,
    );
    rows.push(versusFloor);
  }
  return rows;
}

/**
 * What Prometheus metrics cost on this path: two IdPs started alike for this row, each on a
 * Redis of its own, one with METRICS_PORT set, alternating in rounds at 16 connections.
 * Target: < 3 %. Not the case's own IdP as the baseline: it has run the whole case before
 * this row, warmer than a process started now, which once read as a 20-30 % cost.
 *
 * Two rows: throughput, which is what the issue names but which on a shared two-core machine
 * swings by ±15 % between rounds (more than the effect); and the IdP process's own CPU time
 * per answered request (its `process.cpuUsage()` across each round, read through the probe),
 * which the load generator and other jobs disturb far less. The CPU row's ratio is off/on:
 * 0.97 means metrics add 3 % to each request's cost.
 */
async function metricsCost(context: BenchContext, load: LoadGenerator): Promise<Row[]> {
  // Redis servers of their own: on the case's one an IdP would take over the other's keys,
  // sealed under that IdP's key-encryption key.
  const redis = await startTestRedis();
  const plainRedis = await startTestRedis();
  const metered = await startBenchIdp(redis.url, {
    env: { METRICS_PORT: String(await freePort()) },
  });
  const plain = await startBenchIdp(plainRedis.url);
  try {
    await expectJwt(`${metered.url}/token`);
    await expectJwt(`${plain.url}/token`);
    const config = (url: string): LoadConfig => ({
      url,
      method: 'POST',
      headers: {
        authorization: basic(REPORTS),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: BODY,
      connections: 16,
      durationSec: pick(context, 3, 1),
    });
    const cpuPerRequest = new Map<string, number[]>([
      ['metrics', []],
      ['plain', []],
    ]);
    const contender = (name: string, idp: BenchIdp): Contender => ({
      name,
      async run(round) {
        const before = await idp.probe('sample');
        const result = await load.run(config(`${idp.url}/token`));
        const after = await idp.probe('sample');
        const failed = result.non2xx + result.errors + result.timeouts;
        if (failed > 0) throw new Error(`${name}: ${failed} requests failed`);
        if (round >= WARMUP) {
          cpuPerRequest.get(name)!.push((after.cpuMicros - before.cpuMicros) / result.ok);
        }
        return result.rps;
      },
    });
    context.log('case 4: client_credentials with and without metrics');
    const rps = await runRounds([contender('metrics', metered), contender('plain', plain)], {
      rounds: pick(context, 7, 1),
      warmup: WARMUP,
    });
    const throughput = roundRatios(rps, 'metrics', 'plain');
    const cpu: RoundsResult = {
      samples: cpuPerRequest,
      figures: new Map([...cpuPerRequest].map(([name, values]) => [name, spread(values)])),
    };
    // Off over on: below 1 when metrics make each request cost more.
    const cpuRatio = roundRatios(cpu, 'plain', 'metrics');
    const inMetrics = await metricsProfileShare(context, load, metered, config);
    return [
      {
        case: '4 client_credentials, 16 conn., metrics on',
        latchkey: figure(rps.figures.get('metrics')!, '/s'),
        peer: { name: 'latchkey, metrics off', figure: figure(rps.figures.get('plain')!, '/s') },
        ratio: throughput,
        target: '≥ 0.97×',
        met: throughput.median >= 0.97,
      },
      {
        case: '4 IdP CPU per client_credentials answer, metrics on (ratio: off/on)',
        latchkey: figure(cpu.figures.get('metrics')!, ' µs'),
        peer: { name: 'latchkey, metrics off', figure: figure(cpu.figures.get('plain')!, ' µs') },
        ratio: cpuRatio,
        target: '≥ 0.97×',
        met: cpuRatio.median >= 0.97,
      },
      {
        case: '4 IdP CPU in metrics code, client_credentials 16 conn. (V8 profile)',
        latchkey: single(inMetrics * 100, ' %'),
        target: '< 3 %',
        met: inMetrics < 0.03,
        note: "self time in prom-client and the IdP's metrics/ scripts, of all busy samples",
      },
    ];
  } finally {
    await metered.stop();
    await plain.stop();
    await redis.kill();
    await plainRedis.kill();
  }
}

/**
 * The share of the metered IdP's busy CPU samples whose own code (self time) is metrics code:
 * prom-client and the IdP's metrics/ scripts, sampled by V8's profiler in the IdP process
 * during one load run. Unlike the two ratios it needs no baseline, so the machine's noise
 * moves it little. Node's own event plumbing the `finish` listener causes is not counted.
 */
async function metricsProfileShare(
  context: BenchContext,
  load: LoadGenerator,
  idp: BenchIdp,
  config: (url: string) => LoadConfig,
): Promise<number> {
  const patterns = ['/node_modules/prom-client/', '/apps/idp/dist/metrics/'];
  await idp.probe('profile-start');
  await load.run(config(`${idp.url}/token`));
  const { shares } = await idp.probe('profile-stop', false, patterns);
  context.log(`case 4: metrics code in the profile: ${JSON.stringify(shares)}`);
  return patterns.reduce((sum, pattern) => sum + (shares?.[pattern] ?? 0), 0);
}

/** Rounds thrown away before the metrics row measures: JIT, key imports, connections. */
const WARMUP = 1;

/**
 * /token with a DPoP proof (RFC 9449: proof checked, its jti written to Redis, the token bound
 * with cnf.jkt) beside the same request without one, on the same IdP, alternating in rounds
 * at 16 connections. Each request carries a fresh proof, made by the load generator.
 */
async function dpopCost(context: BenchContext, load: LoadGenerator, url: string): Promise<Row[]> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateJwk = privateKey.export({ format: 'jwk' });
  const post = (dpop: boolean) => (): LoadConfig => ({
    url: `${url}/token`,
    method: 'POST',
    headers: {
      authorization: basic(REPORTS),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: BODY,
    ...(dpop && { dpop: { privateJwk, htu: `${url}/token` } }),
    connections: 16,
    durationSec: pick(context, 3, 1),
  });
  // The proofs must really be accepted and bind the token, or the row measures refusals.
  const check = await fetch(`${url}/token`, {
    method: 'POST',
    headers: {
      authorization: basic(REPORTS),
      'content-type': 'application/x-www-form-urlencoded',
      dpop: dpopProofs({ privateJwk, htu: `${url}/token` })(),
    },
    body: BODY,
  });
  const checked = (await check.json()) as { token_type?: string };
  if (checked.token_type !== 'DPoP') {
    throw new Error(
      `${url}/token did not bind a token: ${check.status} ${JSON.stringify(checked)}`,
    );
  }
  context.log('case 4: client_credentials with and without a DPoP proof');
  const result = await runHttpRounds(
    load,
    [
      { name: 'dpop', config: post(true) },
      { name: 'plain', config: post(false) },
    ],
    { rounds: pick(context, 3, 1), warmup: 1 },
  );
  return [
    {
      case: '4 client_credentials, 16 conn., DPoP proof',
      latchkey: figure(result.rps.figures.get('dpop')!, '/s'),
      peer: {
        name: 'latchkey, no proof',
        figure: figure(result.rps.figures.get('plain')!, '/s'),
      },
      ratio: roundRatios(result.rps, 'dpop', 'plain'),
      target: '–',
      met: null,
    },
  ];
}

/** Both servers must really issue a JWT access token here, or the comparison means nothing. */
async function expectJwt(url: string): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: basic(REPORTS), 'content-type': 'application/x-www-form-urlencoded' },
    body: BODY,
  });
  const body = (await response.json()) as { access_token?: string };
  const header = body.access_token?.split('.')[0];
  const alg = header
    ? (JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string }).alg
    : undefined;
  if (response.status !== 200 || alg !== 'ES256') {
    throw new Error(
      `${url} did not issue an ES256 JWT: ${response.status} ${JSON.stringify(body)}`,
    );
  }
}
