import { generateKeyPairSync } from 'node:crypto';
import { freePort, startTestRedis } from '@latchkey/testing';
import { pick, type BenchContext } from '../context.js';
import { startBenchIdp, type BenchIdp } from '../services/idp.js';
import { basic, REPORTS } from '../peers/bench-clients.js';
import { figure, single, type Row } from '../report/row.js';
import { dpopProofs } from '../runner/dpop-proofs.js';
import { runHttpRounds } from '../runner/http-rounds.js';
import { startLoadGenerator } from '../runner/load.js';
import type { LoadConfig } from '../runner/load-protocol.js';
import { roundRatios, runRounds, type Contender, type RoundsResult } from '../runner/rounds.js';
import { spread } from '../runner/stats.js';

const CONNECTIONS = [1, 16, 64] as const;
const BODY = 'grant_type=client_credentials&scope=wiki%3Aread';

/**
 * Case 4: POST /token with client_credentials (client_secret_basic), each answer a fresh
 * ES256-signed JWT access token, against oidc-provider doing the same, at 1, 16 and 64
 * connections. A bare Koa handler answering a fixed body gives the ceiling of this machine.
 */
export async function clientCredentialsCase(context: BenchContext): Promise<Row[]> {
  const [idp, peer, bare] = [
    await context.idp(),
    await context.oidcProvider(),
    await context.bareKoa(),
  ];
  await expectJwt(`${idp.url}/token`);
  await expectJwt(`${peer.url}/token`);
  const load = startLoadGenerator();
  const rows: Row[] = [];
  try {
    for (const connections of CONNECTIONS) {
      const post = (url: string) => (): LoadConfig => ({
        url,
        method: 'POST',
        headers: {
          authorization: basic(REPORTS),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: BODY,
        connections,
        durationSec: pick(context, 3, 1),
      });
      context.log(`case 4: client_credentials at ${connections} connection(s)`);
      const result = await runHttpRounds(
        load,
        [
          { name: 'latchkey', config: post(`${idp.url}/token`) },
          { name: 'oidc-provider', config: post(`${peer.url}/token`) },
          { name: 'bare-koa', config: post(`${bare.url}/token`) },
        ],
        { rounds: pick(context, 3, 1), warmup: 1 },
      );
      const rps = (name: string) => figure(result.rps.figures.get(name)!, '/s');
      const ratio = roundRatios(result.rps, 'latchkey', 'oidc-provider');
      const label = `4 client_credentials, ${connections} conn.`;
      rows.push({
        case: label,
        latchkey: rps('latchkey'),
        peer: { name: 'oidc-provider', figure: rps('oidc-provider') },
        ratio,
        target: '≥ 3×',
        met: ratio.median >= 3,
      });
      if (connections === 16) {
        const p99 = result.p99Ms.get('latchkey')!;
        rows.push({
          case: `${label} p99`,
          latchkey: figure(p99, ' ms'),
          peer: {
            name: 'oidc-provider',
            figure: figure(result.p99Ms.get('oidc-provider')!, ' ms'),
          },
          target: '< 5 ms',
          met: p99.median < 5,
        });
      }
      rows.push({
        case: label,
        latchkey: rps('latchkey'),
        peer: { name: 'bare Koa, fixed body', figure: rps('bare-koa') },
        ratio: roundRatios(result.rps, 'latchkey', 'bare-koa'),
        target: '–',
        met: null,
      });
    }
    rows.push(...(await dpopCost(context, load, idp.url)));
    rows.push(...(await metricsCost(context, load)));
    return rows;
  } finally {
    await load.close();
  }
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
async function metricsCost(
  context: BenchContext,
  load: ReturnType<typeof startLoadGenerator>,
): Promise<Row[]> {
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
  load: ReturnType<typeof startLoadGenerator>,
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
async function dpopCost(
  context: BenchContext,
  load: ReturnType<typeof startLoadGenerator>,
  url: string,
): Promise<Row[]> {
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
