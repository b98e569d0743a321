import { findTestPostgres, startTestRedis, type TestRedis } from '@latchkey/testing';
import { pick, type BenchContext } from '../context.js';
import { basic, REPORTS, SHOP } from '../peers/bench-clients.js';
import { single, type Row } from '../report/row.js';
import { startLoadGenerator } from '../runner/load.js';
import { pinServersToCoreZero } from '../runner/pinning.js';
import { codeBody, openIdpFixtures, type IdpFixtures } from '../services/idp-fixtures.js';
import { startBenchIdp, type BenchIdp } from '../services/idp.js';
import { signIn } from './login.js';
import { redeemAll } from '../grants/redeem-all.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * What one IdP process answers per second with one core to itself: the IdP (every thread,
 * libuv's pool included, where Argon2id runs) pinned to core 0 with taskset, Redis and the
 * load generator on the other cores. The directory on the PostgreSQL server, rate limits off
 * (as in the throughput cases: they would cap the load, not measure the work). On a machine
 * with one core or without taskset the rows say so and measure the unpinned process.
 * docs/capacity.md sizes deployments from these rows and case 10's counts.
 */
export async function oneCoreCase(context: BenchContext): Promise<Row[]> {
  const server = await findTestPostgres();
  if (!server.available) throw new Error(`one-core needs a PostgreSQL server: ${server.reason}`);
  const database = await server.createDatabase();
  const redis = await startTestRedis();
  const load = startLoadGenerator();
  let idp: BenchIdp | undefined;
  let fixtures: IdpFixtures | undefined;
  try {
    idp = await startBenchIdp(redis.url, { databaseUrl: database.url });
    fixtures = await openIdpFixtures(redis.url);
    await signIn(idp.url); // warm: the first login computes the dummy hash
    return await oneCoreRates(context, idp, redis, fixtures, load);
  } finally {
    await load.close();
    await fixtures?.close().catch(() => {});
    await idp?.stop().catch(() => {});
    await redis.kill().catch(() => {});
    await database.drop().catch((error: unknown) => {
      context.log(`one-core: could not drop ${database.name}: ${String(error)}`);
    });
  }
}

async function oneCoreRates(
  context: BenchContext,
  idp: BenchIdp,
  redis: TestRedis,
  fixtures: IdpFixtures,
  load: ReturnType<typeof startLoadGenerator>,
): Promise<Row[]> {
  // The load generator is spawned on its first run, by this process: it inherits this
  // process's cores, so the bench moves itself off core 0 first, and Redis with it.
  const pinning = await pinServersToCoreZero([idp.pid], [redis.url]);
  try {
    return await measure(context, idp, fixtures, load, pinning.where);
  } finally {
    await pinning.release();
  }
}

async function measure(
  context: BenchContext,
  idp: BenchIdp,
  fixtures: IdpFixtures,
  load: ReturnType<typeof startLoadGenerator>,
  where: string,
): Promise<Row[]> {
  const seconds = pick(context, 6, 3);
  const machine = await load.run({
    url: `${idp.url}/token`,
    method: 'POST',
    headers: { ...FORM, authorization: basic(REPORTS) },
    body: 'grant_type=client_credentials&scope=wiki%3Aread',
    connections: 16,
    durationSec: seconds,
  });
  const session = await fixtures.session();
  const codes = await Promise.all(
    Array.from({ length: pick(context, 3_000, 600) }, () => fixtures.code(session)),
  );
  const redeemed = await load.run({
    url: `${idp.url}/token`,
    method: 'POST',
    headers: { ...FORM, authorization: basic(SHOP) },
    bodies: codes.map(codeBody),
    connections: 16,
    durationSec: seconds,
  });
  const poolCodes = await Promise.all(Array.from({ length: 64 }, () => fixtures.code(session)));
  const pool = await redeemAll(idp.url, poolCodes.map(codeBody));
  const refreshed = await load.run({
    url: `${idp.url}/token`,
    method: 'POST',
    headers: { ...FORM, authorization: basic(SHOP) },
    refresh: { tokens: pool, extraBody: '' },
    connections: 16,
    durationSec: seconds,
  });
  const loginDeadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const loginCounts = await Promise.all(
    Array.from({ length: 4 }, async () => {
      let done = 0;
      while (performance.now() < loginDeadline && done < 500) {
        await signIn(idp.url);
        done += 1;
      }
      return done;
    }),
  );
  const logins = loginCounts.reduce((a, b) => a + b, 0) / ((performance.now() - started) / 1000);
  const rate = (name: string, rps: number, note: string): Row => ({
    case: `10 one IdP process on one core: ${name}`,
    latchkey: single(Math.round(rps), '/s'),
    target: '–',
    met: null,
    note: `${where}; ${note}`,
  });
  return [
    rate('client_credentials', machine.rps, `16 conn., p99 ${machine.p99Ms} ms`),
    rate('code redemption', redeemed.rps, `16 conn., p99 ${redeemed.p99Ms} ms`),
    rate('refresh with rotation', refreshed.rps, `16 conn., p99 ${refreshed.p99Ms} ms`),
    rate('login (Argon2id)', logins, '4 browsers'),
  ];
}
