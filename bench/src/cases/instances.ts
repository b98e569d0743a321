import { randomBytes } from 'node:crypto';
import {
  findTestPostgres,
  startRoundRobinProxy,
  startTestRedis,
  type RoundRobinProxy,
} from '@latchkey/testing';
import { pick, type BenchContext } from '../context.js';
import { basic, REPORTS } from '../peers/bench-clients.js';
import { figure, single, type Row } from '../report/row.js';
import { runHttpRounds } from '../runner/http-rounds.js';
import { startLoadGenerator } from '../runner/load.js';
import type { LoadConfig } from '../runner/load-protocol.js';
import { roundRatios } from '../runner/rounds.js';
import { startBenchIdp, type BenchIdp } from '../services/idp.js';
import { signIn } from './login.js';

const COUNTS = [1, 2, 3] as const;
const CONNECTIONS = 16;
/** As case 7: four browsers signing in at once, each at most this many logins a run. */
const BROWSERS = 4;
const MAX_LOGINS_PER_BROWSER = 1000;
const BODY = 'grant_type=client_credentials&scope=wiki%3Aread';
/** One issuer for all: behind a balancer the instances are one IdP to the outside. */
const ISSUER = 'http://idp.localhost:4000';

/**
 * Issue 15 part 4: 1, 2 and 3 IdP processes behind the round-robin balancer
 * (@latchkey/testing), sharing one private redis-server and one database on the PostgreSQL
 * server, in one run. `client_credentials` at 16 connections in rounds that rotate over the
 * three balancers (and the first instance without one, for the balancer's own cost); then
 * case 7's logins (4 browsers, the full browser flow) through each balancer in turn. Ratios
 * are to 1 instance behind the balancer. On two cores the point is the shape: the IdPs, the
 * balancer (in this process) and the load generator share them.
 */
export async function instancesCase(context: BenchContext): Promise<Row[]> {
  const postgres = await findTestPostgres();
  if (!postgres.available) throw new Error(postgres.reason);
  const redis = await startTestRedis();
  const database = await postgres.createDatabase();
  const idps: BenchIdp[] = [];
  const balancers = new Map<number, RoundRobinProxy>();
  const load = startLoadGenerator();
  try {
    const kek = randomBytes(32);
    // One after the other: the first migrates the new database and makes the keys.
    for (const count of COUNTS) {
      context.log(`instances: starting IdP ${count}`);
      idps.push(await startBenchIdp(redis.url, { databaseUrl: database.url, issuer: ISSUER, kek }));
    }
    for (const count of COUNTS) {
      const upstreams = idps.slice(0, count).map((idp) => idp.url);
      balancers.set(count, await startRoundRobinProxy({ upstreams }));
    }
    for (const idp of idps) await signIn(idp.url); // warm: the first login computes the dummy hash
    return [
      ...(await clientCredentials(context, load, idps[0]!, balancers)),
      ...(await logins(context, balancers)),
    ];
  } finally {
    await load.close();
    for (const balancer of balancers.values()) await balancer.close();
    for (const idp of idps) await idp.stop();
    await redis.kill();
    await database.drop();
  }
}

async function clientCredentials(
  context: BenchContext,
  load: ReturnType<typeof startLoadGenerator>,
  direct: BenchIdp,
  balancers: Map<number, RoundRobinProxy>,
): Promise<Row[]> {
  const post = (url: string) => (): LoadConfig => ({
    url: `${url}/token`,
    method: 'POST',
    headers: { authorization: basic(REPORTS), 'content-type': 'application/x-www-form-urlencoded' },
    body: BODY,
    connections: CONNECTIONS,
    durationSec: pick(context, 3, 1),
  });
  context.log(`instances: client_credentials at ${CONNECTIONS} connections, 1/2/3 instances`);
  const result = await runHttpRounds(
    load,
    [
      ...COUNTS.map((count) => ({ name: String(count), config: post(balancers.get(count)!.url) })),
      { name: 'direct', config: post(direct.url) },
    ],
    { rounds: pick(context, 3, 1), warmup: 1 },
  );
  const rps = (name: string) => figure(result.rps.figures.get(name)!, '/s');
  const served = COUNTS.map((count) => balancers.get(count)!.served().join('/'));
  const rows: Row[] = COUNTS.map((count, index) => ({
    case: `instances: client_credentials, ${CONNECTIONS} conn., ${count} instance(s)`,
    latchkey: rps(String(count)),
    peer: { name: '1 instance', figure: rps('1') },
    ratio: roundRatios(result.rps, String(count), '1'),
    target: '–',
    met: null,
    note: `requests per instance over the whole case: ${served[index]}`,
  }));
  rows.push({
    case: `instances: client_credentials, ${CONNECTIONS} conn., 1 instance, balancer`,
    latchkey: rps('1'),
    peer: { name: '1 instance, no balancer', figure: rps('direct') },
    ratio: roundRatios(result.rps, '1', 'direct'),
    target: '–',
    met: null,
  });
  return rows;
}

/**
 * Logins through each balancer in turn: /authorize, the form and POST /login may each land
 * on another instance, so every login also crosses the shared Redis.
 */
async function logins(
  context: BenchContext,
  balancers: Map<number, RoundRobinProxy>,
): Promise<Row[]> {
  const seconds = pick(context, 6, 3);
  const rates = new Map<number, { rate: number; logins: number; seconds: number }>();
  for (const count of COUNTS) {
    context.log(`instances: ${BROWSERS} browsers signing in, ${count} instance(s)`);
    const url = balancers.get(count)!.url;
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    const counts = await Promise.all(
      Array.from({ length: BROWSERS }, async () => {
        let done = 0;
        while (performance.now() < deadline && done < MAX_LOGINS_PER_BROWSER) {
          await signIn(url);
          done += 1;
        }
        return done;
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const total = counts.reduce((a, b) => a + b, 0);
    rates.set(count, { rate: total / elapsed, logins: total, seconds: elapsed });
  }
  const one = rates.get(1)!.rate;
  return COUNTS.map((count) => {
    const { rate, logins: total, seconds: elapsed } = rates.get(count)!;
    return {
      case: `instances: login (Argon2id), ${BROWSERS} browsers, ${count} instance(s)`,
      latchkey: single(rate, '/s', total),
      peer: { name: '1 instance', figure: single(one, '/s') },
      ratio: single(rate / one, ''),
      target: '–',
      met: null,
      note: `${total} logins in ${elapsed.toFixed(1)} s (one run each)`,
    };
  });
}
