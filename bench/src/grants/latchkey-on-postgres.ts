import { findTestPostgres, startTestRedis, type TestRedis } from '@latchkey/testing';
import { openIdpFixtures, type IdpFixtures } from '../services/idp-fixtures.js';
import { startBenchIdp, type BenchIdp } from '../services/idp.js';

/** The built IdP for the token-grant rows, on a Redis and a database of its own. */
export interface LatchkeyOnPostgres {
  idp: BenchIdp;
  redis: TestRedis;
  fixtures: IdpFixtures;
  stop(): Promise<void>;
}

/**
 * The IdP as deployed: its directory on the PostgreSQL server (a database made for the run and
 * dropped after), not `pglite://memory`, which lives in one process and so cannot serve
 * several workers; `workers` is IDP_WORKERS. Fails with the reason when no server answers.
 */
export async function startLatchkeyOnPostgres(
  caseName: string,
  workers: number,
): Promise<LatchkeyOnPostgres> {
  const server = await findTestPostgres();
  if (!server.available) {
    throw new Error(`${caseName} needs a PostgreSQL server: ${server.reason}`);
  }
  const database = await server.createDatabase();
  const redis = await startTestRedis();
  const stopAll = async (idp?: BenchIdp, fixtures?: IdpFixtures) => {
    await fixtures?.close().catch(() => {});
    await idp?.stop().catch(() => {});
    await redis.kill().catch(() => {});
    await database.drop().catch(() => {});
  };
  let idp: BenchIdp | undefined;
  try {
    idp = await startBenchIdp(redis.url, {
      databaseUrl: database.url,
      env: { IDP_WORKERS: String(workers) },
    });
    const fixtures = await openIdpFixtures(redis.url);
    return { idp, redis, fixtures, stop: () => stopAll(idp, fixtures) };
  } catch (error) {
    await stopAll(idp);
    throw error;
  }
}
