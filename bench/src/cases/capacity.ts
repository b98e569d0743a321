import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { findTestPostgres, freePort, startTestRedis, type TestRedis } from '@latchkey/testing';
import { createAuditLog } from '@latchkey/idp/dist/audit/audit-trail.js';
import { openDatabase } from '@latchkey/idp/dist/db/open-database.js';
import { silentLogger } from '@latchkey/idp/dist/logger.js';
import { createSessionRepository } from '@latchkey/idp/dist/sessions/session.js';
import { createStore } from '@latchkey/idp/dist/store/create-store.js';
import { storeKeys, revocationKeys } from '@latchkey/protocol';
import { pick, type BenchContext } from '../context.js';
import {
  commandCalls,
  commandsBetween,
  memoryPerKey,
  usedMemory,
} from '../capacity/redis-stats.js';
import { databaseQueries } from '../capacity/query-count.js';
import { basic, REPORTS, SHOP } from '../peers/bench-clients.js';
import { single, type Row } from '../report/row.js';
import { startLoadGenerator } from '../runner/load.js';
import { codeBody, openIdpFixtures, type IdpFixtures } from '../services/idp-fixtures.js';
import { BENCH_ADMIN, startBenchIdp, type BenchIdp } from '../services/idp.js';
import { signIn } from './login.js';

const run = promisify(execFile);
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

interface Counted {
  redisCommands: number;
  queries: number;
}

/**
 * Case 10: the figures docs/capacity.md is built from. One IdP on the PostgreSQL server and a
 * private Redis, nothing else on that Redis:
 *
 * - what each kind of operation costs Redis and PostgreSQL, counted (not timed) over a known
 *   number of operations sent one at a time: Redis commands from INFO commandstats, queries
 *   from the IdP's own query histogram;
 * - what each kind of record costs Redis in memory (MEMORY USAGE, exact), and an audit event
 *   PostgreSQL (relation size);
 * - what the IdP process answers per second when it has one core to itself (taskset: the IdP
 *   on core 0; Redis and the load generator on the others).
 */
export async function capacityCase(context: BenchContext): Promise<Row[]> {
  const server = await findTestPostgres();
  if (!server.available) throw new Error(`case 10 needs a PostgreSQL server: ${server.reason}`);
  const database = await server.createDatabase();
  const redis: TestRedis = await startTestRedis();
  const metricsPort = await freePort();
  let idp: BenchIdp | undefined;
  let fixtures: IdpFixtures | undefined;
  const inspect = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  const load = startLoadGenerator();
  try {
    idp = await startBenchIdp(redis.url, {
      databaseUrl: database.url,
      env: {
        METRICS_PORT: String(metricsPort),
        METRICS_HOST: '127.0.0.1',
        // On, as in production, so that their Redis commands are counted; set high enough
        // that the one-core load is never refused.
        RATE_LIMIT_TOKEN_PER_CLIENT: '100000000/1m',
        RATE_LIMIT_TOKEN_PER_ADDRESS: '100000000/1m',
        RATE_LIMIT_LOGIN_PER_ADDRESS: '100000000/1m',
        RATE_LIMIT_AUTHORIZE_PER_ADDRESS: '100000000/1m',
      },
    });
    fixtures = await openIdpFixtures(redis.url);
    const theIdp = idp;
    const theFixtures = fixtures;
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;

    /** Counts what `work` makes Redis and PostgreSQL do, per operation. */
    const count = async (operations: number, work: () => Promise<void>): Promise<Counted> => {
      const commands = await commandCalls(inspect);
      const queries = await databaseQueries(metricsUrl);
      await work();
      const commandsAfter = await commandCalls(inspect);
      const queriesAfter = await databaseQueries(metricsUrl);
      return {
        redisCommands: commandsBetween(commands, commandsAfter) / operations,
        queries: (queriesAfter - queries) / operations,
      };
    };

    // Warm-up: the first login computes the dummy hash, the first token loads the keys.
    await signIn(theIdp.url);
    await clientCredentials(theIdp.url);
    const idlePerSecond = await idleCommandsPerSecond(inspect);

    context.log('case 10: operations counted one at a time');
    const logins = pick(context, 20, 8);
    const perLogin = await count(logins, async () => {
      for (let i = 0; i < logins; i += 1) await signIn(theIdp.url);
    });
    const redemptions = pick(context, 200, 50);
    const session = await theFixtures.session();
    const codes = await Promise.all(
      Array.from({ length: redemptions }, () => theFixtures.code(session)),
    );
    const refreshTokens: string[] = [];
    const perRedemption = await count(redemptions, async () => {
      for (const code of codes) refreshTokens.push(await redeem(theIdp.url, codeBody(code)));
    });
    const perRefresh = await count(refreshTokens.length, async () => {
      for (const token of refreshTokens) await refresh(theIdp.url, token);
    });
    const machineTokens = pick(context, 300, 100);
    const perClientCredentials = await count(machineTokens, async () => {
      for (let i = 0; i < machineTokens; i += 1) await clientCredentials(theIdp.url);
    });
    const adminToken = await adminAccessToken(theIdp.url);
    const revocations = pick(context, 100, 30);
    const doomed = await Promise.all(
      Array.from({ length: revocations }, () => theFixtures.session()),
    );
    const perRevocation = await count(revocations, async () => {
      for (const { sid } of doomed) await revokeSession(theIdp.url, adminToken, sid);
    });

    context.log('case 10: memory per record');
    const memory = await recordMemory(context, redis.url, inspect);
    const auditBytes = await auditEventBytes(context, database.url);

    context.log('case 10: one IdP process on one core');
    const oneCore = await oneCoreRates(context, theIdp, redis, theFixtures, load);

    const counted = (name: string, figures: Counted, note: string): Row[] => [
      {
        case: `10 Redis commands per ${name}`,
        latchkey: single(round1(figures.redisCommands), ''),
        target: '–',
        met: null,
        note,
      },
      {
        case: `10 PostgreSQL queries per ${name}`,
        latchkey: single(round1(figures.queries), ''),
        target: '–',
        met: null,
      },
    ];
    const bytes = (name: string, value: number, note: string): Row => ({
      case: `10 Redis memory per ${name}`,
      latchkey: single(Math.round(value), ' B'),
      target: '–',
      met: null,
      note,
    });
    return [
      ...counted(
        'login',
        perLogin,
        `${logins} browser logins: /authorize, form, POST /login, code`,
      ),
      ...counted('code redemption', perRedemption, `${redemptions} codes, each redeemed once`),
      ...counted('refresh', perRefresh, `${refreshTokens.length} rotations`),
      ...counted('client_credentials token', perClientCredentials, `${machineTokens} tokens`),
      ...counted('revocation', perRevocation, `${revocations} admin DELETE /sessions/{sid}`),
      bytes(
        'session',
        memory.session,
        `${memory.sessions} sessions of distinct users: record + per-user set + live set entry; used_memory delta ${Math.round(memory.sessionDelta)} B`,
      ),
      bytes('refresh family', memory.family, `mean of ${memory.families} families`),
      bytes('revoked entry', memory.revoked, `${memory.revokedEntries} entries in the revoked set`),
      {
        case: '10 PostgreSQL bytes per audit event',
        latchkey: single(Math.round(auditBytes.bytes), ' B'),
        target: '–',
        met: null,
        note: `${auditBytes.events} events, table and indexes (pg_total_relation_size)`,
      },
      {
        case: '10 Redis commands per idle second (the IdP alone)',
        latchkey: single(round1(idlePerSecond), ''),
        target: '–',
        met: null,
        note: 'timers: key-set checks, pruners; not taken off the counts above',
      },
      ...oneCore,
    ];
  } finally {
    await load.close();
    inspect.disconnect();
    await fixtures?.close().catch(() => {});
    await idp?.stop().catch(() => {});
    await redis.kill().catch(() => {});
    await database.drop().catch((error: unknown) => {
      context.log(`case 10: could not drop ${database.name}: ${String(error)}`);
    });
  }
}

/**
 * Commands the IdP sends on its own in one idle second (its timers: key-set checks, pruners).
 * Reported beside the counts rather than taken off them: over a count's few seconds it is
 * well under one command per operation.
 */
async function idleCommandsPerSecond(inspect: Redis): Promise<number> {
  const before = await commandCalls(inspect);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  return commandsBetween(before, await commandCalls(inspect)) / 2;
}

async function recordMemory(
  context: BenchContext,
  redisUrl: string,
  inspect: Redis,
): Promise<{
  session: number;
  sessionDelta: number;
  sessions: number;
  family: number;
  families: number;
  revoked: number;
  revokedEntries: number;
}> {
  const store = createStore(redisUrl);
  try {
    const sessions = createSessionRepository(store, { idleTtlMs: 3_600_000, maxTtlMs: 43_200_000 });
    const count = pick(context, 2_000, 500);
    const before = await usedMemory(inspect);
    const made = [];
    for (let i = 0; i < count; i += 1) {
      made.push(
        await sessions.create({ sub: `capacity-${i}`, username: `capacity-${i}` }, Date.now()),
      );
    }
    const sessionDelta = ((await usedMemory(inspect)) - before) / count;
    const record = await memoryPerKey(inspect, storeKeys.session('*'));
    const perUser = await memoryPerKey(inspect, storeKeys.userSessions('capacity-*'));
    const live = await inspect.memory('USAGE', storeKeys.liveSessions, 'SAMPLES', 0);
    const liveMembers = await inspect.zcard(storeKeys.liveSessions);
    const families = await memoryPerKey(inspect, storeKeys.refreshFamily('*'));
    const revokedBytes = await inspect.memory('USAGE', revocationKeys.set, 'SAMPLES', 0);
    const revokedEntries = await inspect.zcard(revocationKeys.set);
    return {
      session: record.bytesPerKey + perUser.bytesPerKey + Number(live) / Math.max(liveMembers, 1),
      sessionDelta,
      sessions: made.length,
      family: families.bytesPerKey,
      families: families.keys,
      revoked: Number(revokedBytes) / Math.max(revokedEntries, 1),
      revokedEntries,
    };
  } finally {
    await store.close();
  }
}

async function auditEventBytes(
  context: BenchContext,
  url: string,
): Promise<{ bytes: number; events: number }> {
  const db = await openDatabase({ kind: 'postgres', url });
  try {
    const size = async () => {
      const [row] = await db.query<{ size: string }>(
        `SELECT pg_total_relation_size('audit_events')::text AS size`,
      );
      return Number(row?.size);
    };
    const audit = createAuditLog({ database: db, logger: silentLogger, now: Date.now });
    const events = pick(context, 5_000, 1_000);
    const before = await size();
    for (let i = 0; i < events; i += 1) {
      await audit.record({
        type: 'login.succeeded',
        actor: { kind: 'user', id: `capacity-${i}` },
        subject: `capacity-${i}`,
        client: 'shop',
        request: { address: '127.0.0.1', userAgent: 'Mozilla/5.0 (bench)', requestId: `r-${i}` },
        detail: { method: 'password' },
      });
    }
    return { bytes: ((await size()) - before) / events, events };
  } finally {
    await db.close();
  }
}

/**
 * Throughput of the IdP pinned to core 0 (every thread: libuv's pool too, where Argon2id
 * runs), with Redis and the load generator moved off it. On a machine without taskset the
 * rows say so and measure the unpinned process.
 */
async function oneCoreRates(
  context: BenchContext,
  idp: BenchIdp,
  redis: TestRedis,
  fixtures: IdpFixtures,
  load: ReturnType<typeof startLoadGenerator>,
): Promise<Row[]> {
  // The load generator is spawned on its first run, by this process: it inherits this
  // process's cores, so the bench moves itself off core 0 first, and Redis with it.
  const cores = availableParallelism();
  const pinned = cores > 1 && (await pin(idp.pid, '0'));
  if (pinned) {
    await pin(process.pid, `1-${cores - 1}`);
    await pin(await redisPid(redis), `1-${cores - 1}`);
  }
  const seconds = pick(context, 6, 3);
  const where = pinned ? 'IdP pinned to core 0' : 'not pinned (one core, or no taskset)';
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
  const pool: string[] = [];
  const poolCodes = await Promise.all(Array.from({ length: 64 }, () => fixtures.code(session)));
  for (const code of poolCodes) pool.push(await redeem(idp.url, codeBody(code)));
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
  if (pinned) await pin(process.pid, `0-${cores - 1}`);
  return [
    rate('client_credentials', machine.rps, `16 conn., p99 ${machine.p99Ms} ms`),
    rate('code redemption', redeemed.rps, `16 conn., p99 ${redeemed.p99Ms} ms`),
    rate('refresh with rotation', refreshed.rps, `16 conn., p99 ${refreshed.p99Ms} ms`),
    rate('login (Argon2id)', logins, '4 browsers'),
  ];
}

async function redisPid(redis: TestRedis): Promise<number> {
  const client = new Redis(redis.url);
  try {
    return Number(/^process_id:(\d+)/m.exec(await client.info('server'))?.[1] ?? -1);
  } finally {
    client.disconnect();
  }
}

async function pin(pid: number, cores: string): Promise<boolean> {
  try {
    await run('taskset', ['-a', '-p', '-c', cores, String(pid)]);
    return true;
  } catch {
    return false;
  }
}

async function postToken(base: string, client: { id: string; secret: string }, body: string) {
  const response = await fetch(`${base}/token`, {
    method: 'POST',
    headers: { ...FORM, authorization: basic(client) },
    body,
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok)
    throw new Error(`POST /token answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

async function clientCredentials(base: string): Promise<void> {
  await postToken(base, REPORTS, 'grant_type=client_credentials&scope=wiki%3Aread');
}

async function redeem(base: string, body: string): Promise<string> {
  return String((await postToken(base, SHOP, body)).refresh_token);
}

async function refresh(base: string, token: string): Promise<void> {
  await postToken(
    base,
    SHOP,
    new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
  );
}

async function adminAccessToken(base: string): Promise<string> {
  const json = await postToken(
    base,
    BENCH_ADMIN,
    new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'latchkey:admin',
      resource: `${base}/admin/v1`,
    }).toString(),
  );
  return String(json.access_token);
}

async function revokeSession(base: string, token: string, sid: string): Promise<void> {
  const response = await fetch(`${base}/admin/v1/sessions/${encodeURIComponent(sid)}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
  });
  await response.arrayBuffer();
  if (response.status !== 204)
    throw new Error(`DELETE /admin/v1/sessions answered ${response.status}`);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
