import { fileURLToPath } from 'node:url';
import { findTestPostgres, startTestRedis, type TestRedis } from '@latchkey/testing';
import { createAuditLog } from '@latchkey/idp/dist/audit/audit-trail.js';
import { migrate } from '@latchkey/idp/dist/db/migration.js';
import { silentLogger } from '@latchkey/idp/dist/logger.js';
import { MIGRATIONS } from '@latchkey/idp/dist/db/migrations/index.js';
import { openDatabase } from '@latchkey/idp/dist/db/open-database.js';
import { createStore } from '@latchkey/idp/dist/store/create-store.js';
import { deriveUserId } from '@latchkey/idp/dist/users/load-users.js';
import { createUserRepository, type UserRepository } from '@latchkey/idp/dist/users/user.js';
import { pick, type BenchContext } from '../context.js';
import { boundedLatencies } from '../directory/bounded-latencies.js';
import { createRedisUserRepository } from '../directory/redis-user-repository.js';
import { basic, SHOP } from '../peers/bench-clients.js';
import { figure, type Row } from '../report/row.js';
import { runHttpRounds, type HttpContender } from '../runner/http-rounds.js';
import { startLoadGenerator } from '../runner/load.js';
import { roundRatios, runRounds } from '../runner/rounds.js';
import { quantile, spread } from '../runner/stats.js';
import {
  codeBody,
  mintCodes,
  openIdpFixtures,
  type IdpFixtures,
} from '../services/idp-fixtures.js';
import { startBenchIdp, type BenchIdp } from '../services/idp.js';
import { signIn } from './login.js';

const REDIS_USERS_MAIN = fileURLToPath(
  new URL('../directory/redis-users-idp-main.ts', import.meta.url),
);
/** Browsers signing in at once: Argon2id, not the directory, bounds a login. */
const BROWSERS = 4;
const CONNECTIONS = 16;
const BASELINE = 'redis';
const LABELS: Record<string, string> = {
  postgres: 'PostgreSQL server',
  pglite: 'PGlite (embedded)',
  redis: 'users in Redis (bench-only repo, as before)',
};

interface Directory {
  name: 'postgres' | 'pglite' | 'redis';
  idp: BenchIdp;
  redis: TestRedis;
  fixtures: IdpFixtures;
}

/**
 * Case 9: what moving the users from Redis to PostgreSQL costs a login and a code redemption.
 * Three IdPs, each on a Redis of its own: the directory on the PostgreSQL server (a database
 * of the bench's own, dropped after), on PGlite in the IdP's process, and the baseline with
 * the users in Redis as before (a bench-only UserRepository, redis-user-repository.ts). The
 * same load on each in rotating rounds; ratios are against the baseline, round by round. Then
 * findByUsername's latency from the bench process to each directory, one look-up at a time.
 */
export async function directoryCase(context: BenchContext): Promise<Row[]> {
  const server = await findTestPostgres();
  if (!server.available) throw new Error(`case 9 needs a PostgreSQL server: ${server.reason}`);
  const database = await server.createDatabase();
  const directories: Directory[] = [];
  const load = startLoadGenerator();
  try {
    for (const [name, options] of [
      ['postgres', { databaseUrl: database.url }],
      ['pglite', { databaseUrl: 'pglite://memory' }],
      [BASELINE, { main: REDIS_USERS_MAIN }],
    ] as const) {
      context.log(`case 9: starting the IdP with ${LABELS[name]}`);
      const redis = await startTestRedis();
      try {
        const idp = await startBenchIdp(redis.url, options);
        directories.push({ name, idp, redis, fixtures: await openIdpFixtures(redis.url) });
      } catch (error) {
        await redis.kill();
        throw error;
      }
    }

    context.log(`case 9: logins, ${BROWSERS} browsers`);
    const loginSeconds = pick(context, 4, 2);
    const logins = await runRounds(
      directories.map((d) => ({
        name: d.name,
        run: () => loginRate(d.idp.url, { seconds: loginSeconds, maxPerBrowser: 200 }),
      })),
      { rounds: pick(context, 3, 1), warmup: 1 },
    );

    const codesPerRound = pick(context, 1000, 300);
    context.log(`case 9: authorization_code, ${codesPerRound} codes a round`);
    const codeContenders: HttpContender[] = directories.map((d) => ({
      name: d.name,
      config: async () => ({
        url: `${d.idp.url}/token`,
        method: 'POST',
        headers: {
          authorization: basic(SHOP),
          'content-type': 'application/x-www-form-urlencoded',
        },
        connections: CONNECTIONS,
        // A ceiling only: the run ends when its codes are spent.
        durationSec: 30,
        bodies: (await mintCodes(d.fixtures, codesPerRound)).map(codeBody),
      }),
    }));
    const codes = await runHttpRounds(load, codeContenders, {
      rounds: pick(context, 3, 1),
      warmup: 1,
    });

    context.log('case 9: findByUsername latency, one at a time');
    const lookups = await lookUpLatencies(context, database.url, directories);
    context.log('case 9: audit event writes, one at a time');
    const auditRow = await auditWriteRow(context, database.url);

    return [
      ...comparedRows(`9 login (Argon2id), ${BROWSERS} browsers`, logins, '/s'),
      ...comparedRows(`9 authorization_code, ${CONNECTIONS} conn.`, codes.rps, '/s', (name) => {
        const runs = codes.runs.get(name) ?? [];
        const p99 = codes.p99Ms.get(name)?.median ?? Number.NaN;
        return `p99 ${p99} ms; ${runs.map((r) => `${r.ok} in ${r.durationSec.toFixed(2)} s`).join(', ')}`;
      }),
      ...lookupRows(lookups),
      auditRow,
    ];
  } finally {
    await load.close();
    for (const d of directories.reverse()) {
      await d.fixtures.close().catch(() => {});
      await d.idp.stop().catch(() => {});
      await d.redis.kill().catch(() => {});
    }
    await database.drop().catch((error: unknown) => {
      context.log(`case 9: could not drop ${database.name}: ${String(error)}`);
    });
  }
}

/** Logins per second of BROWSERS browsers for `seconds`, each stopping after maxPerBrowser. */
async function loginRate(
  url: string,
  { seconds, maxPerBrowser }: { seconds: number; maxPerBrowser: number },
): Promise<number> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const counts = await Promise.all(
    Array.from({ length: BROWSERS }, async () => {
      let done = 0;
      while (performance.now() < deadline && done < maxPerBrowser) {
        await signIn(url);
        done += 1;
      }
      return done;
    }),
  );
  return counts.reduce((a, b) => a + b, 0) / ((performance.now() - started) / 1000);
}

/** Each PostgreSQL directory beside the Redis baseline, with the per-round ratio. */
function comparedRows(
  label: string,
  result: Awaited<ReturnType<typeof runRounds>>,
  unit: string,
  note?: (name: string) => string,
): Row[] {
  const baseline = {
    name: LABELS[BASELINE]!,
    figure: figure(result.figures.get(BASELINE)!, unit),
  };
  return (['postgres', 'pglite'] as const).map((name) => ({
    case: `${label}, ${LABELS[name]}`,
    latchkey: figure(result.figures.get(name)!, unit),
    peer: baseline,
    ratio: roundRatios(result, name, BASELINE),
    target: '–',
    met: null,
    ...(note && { note: `${name}: ${note(name)}; ${BASELINE}: ${note(BASELINE)}` }),
  }));
}

interface LookupRun {
  p50Ms: number;
  p99Ms: number;
  count: number;
  elapsedMs: number;
}

interface LookupResults {
  /** Per directory, the p99 of each round (the figure is their median, as for any round). */
  p99: Awaited<ReturnType<typeof runRounds>>;
  runs: Map<Directory['name'], LookupRun[]>;
}

/**
 * findByUsername from the bench process, as the IdP's login makes it: on the server through
 * a `pg` pool, on an in-process PGlite seeded with the same user, on the baseline's Redis.
 * Warmed first (connections, plans), then one at a time, bounded in count and time, in rounds
 * rotating over the three, so that a burst of the shared machine's noise hits them alike.
 */
async function lookUpLatencies(
  context: BenchContext,
  serverUrl: string,
  directories: readonly Directory[],
): Promise<LookupResults> {
  const bounds = { maxCount: pick(context, 2000, 1000), maxMs: pick(context, 4_000, 2_000) };
  const serverDb = await openDatabase({ kind: 'postgres', url: serverUrl });
  const pgliteDb = await openDatabase({ kind: 'pglite', path: null });
  const redisDir = directories.find((d) => d.name === BASELINE)!;
  const redisStore = createStore(redisDir.redis.url);
  try {
    await migrate(pgliteDb, MIGRATIONS);
    const pglite = createUserRepository(pgliteDb);
    // No hash is checked here: only the look-up is timed.
    await pglite.createIfAbsent({
      id: deriveUserId('alice'),
      username: 'alice',
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
      roles: ['admin'],
      email: 'alice@example.com',
    });
    const repositories: [Directory['name'], UserRepository][] = [
      ['postgres', createUserRepository(serverDb)],
      ['pglite', pglite],
      [BASELINE, createRedisUserRepository(redisStore)],
    ];
    const runs = new Map<Directory['name'], LookupRun[]>();
    const warmup = 1;
    const p99 = await runRounds(
      repositories.map(([name, users]) => ({
        name,
        async run(round) {
          const sample = await boundedLatencies(async () => {
            if ((await users.findByUsername('Alice'))?.username !== 'alice') {
              throw new Error(`${name}: findByUsername did not find alice`);
            }
          }, bounds);
          const run = {
            p50Ms: quantile(sample.samplesMs, 0.5),
            p99Ms: quantile(sample.samplesMs, 0.99),
            count: sample.samplesMs.length,
            elapsedMs: sample.elapsedMs,
          };
          if (round >= warmup) runs.set(name, [...(runs.get(name) ?? []), run]);
          return run.p99Ms;
        },
      })),
      { rounds: pick(context, 5, 2), warmup },
    );
    return { p99, runs };
  } finally {
    await serverDb.close();
    await pgliteDb.close();
    await redisStore.close();
  }
}

function lookupRows({ p99, runs }: LookupResults): Row[] {
  const median = (name: Directory['name']) => p99.figures.get(name)!.median;
  const note = (name: Directory['name']) => {
    const all = runs.get(name) ?? [];
    const p50 = spread(all.map((r) => r.p50Ms)).median;
    const count = all.reduce((sum, r) => sum + r.count, 0);
    const seconds = all.reduce((sum, r) => sum + r.elapsedMs, 0) / 1000;
    return `${LABELS[name]}: p50 ${p50.toFixed(3)} ms, p99 per round ${all.map((r) => r.p99Ms.toFixed(2)).join(' ')} ms, ${count} look-ups in ${seconds.toFixed(1)} s`;
  };
  const baseline = { name: LABELS[BASELINE]!, figure: figure(p99.figures.get(BASELINE)!, ' ms') };
  return [
    {
      case: '9 user look-up p99 (findByUsername), PostgreSQL server',
      latchkey: figure(p99.figures.get('postgres')!, ' ms'),
      peer: baseline,
      target: '< 2 ms',
      met: median('postgres') < 2,
      note: `${note('postgres')}; ${note(BASELINE)}`,
    },
    {
      case: '9 user look-up p99 (findByUsername), PGlite (embedded)',
      latchkey: figure(p99.figures.get('pglite')!, ' ms'),
      peer: baseline,
      target: '–',
      met: null,
      note: note('pglite'),
    },
  ];
}

/**
 * What the audit trail adds to a login: a password login awaits two rows (session.created,
 * login.succeeded; login/finish-login.ts), each one INSERT on the PostgreSQL server, timed here
 * from the bench process one at a time, bounded in count and time.
 */
async function auditWriteRow(context: BenchContext, serverUrl: string): Promise<Row> {
  const db = await openDatabase({ kind: 'postgres', url: serverUrl });
  try {
    const audit = createAuditLog({ database: db, logger: silentLogger, now: Date.now });
    const bounds = { maxCount: pick(context, 2000, 500), maxMs: pick(context, 4_000, 2_000) };
    const runs: { p50Ms: number; p99Ms: number; count: number }[] = [];
    const warmup = 1;
    const p99 = await runRounds(
      [
        {
          name: 'audit',
          async run(round) {
            const sample = await boundedLatencies(
              () =>
                audit.record({
                  type: 'login.succeeded',
                  actor: { kind: 'user', id: 'bench-user' },
                  subject: 'bench-user',
                  client: 'shop',
                  request: { address: '127.0.0.1', userAgent: 'bench', requestId: 'bench' },
                  detail: { method: 'password' },
                }),
              bounds,
            );
            const p99Ms = quantile(sample.samplesMs, 0.99);
            if (round >= warmup) {
              runs.push({
                p50Ms: quantile(sample.samplesMs, 0.5),
                p99Ms,
                count: sample.samplesMs.length,
              });
            }
            return p99Ms;
          },
        },
      ],
      { rounds: pick(context, 3, 1), warmup },
    );
    const p50 = spread(runs.map((r) => r.p50Ms)).median;
    return {
      case: '9 audit event write p99, PostgreSQL server (a login awaits 2)',
      latchkey: figure(p99.figures.get('audit')!, ' ms'),
      target: '–',
      met: null,
      note: `p50 ${p50.toFixed(3)} ms; ${runs.reduce((sum, r) => sum + r.count, 0)} events`,
    };
  } finally {
    await db.close();
  }
}
