import { findTestPostgres, type TestPostgresDatabase } from '@latchkey/testing';
import { startIdp, type IdpProcess } from '../../src/test-support/idp-process.js';

/**
 * IdP processes for reliability tests: every one on the same Redis and the same database with
 * the same key encryption key (instances of one deployment, or one instance restarted),
 * warnings only.
 */
export const ISSUER = 'http://idp.localhost:4000';
export const WIKI_API = 'http://wiki.localhost:3002/api';
export const KEK = Buffer.alloc(32, 7).toString('base64url');

export function idpEnv(
  redisUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { REDIS_URL: redisUrl, KEY_ENCRYPTION_KEY: KEK, LOG_LEVEL: 'warn', ...extra };
}

/**
 * Starts IdPs and remembers them, so that `killAll` stops every one a test started. The
 * signing keys live in the database, so instances of one cluster share a database of their
 * own on the PostgreSQL server (an embedded one lives inside one process), made on the first
 * start and dropped by `killAll`: the next test starts with no keys, as a new deployment does.
 * Without a server (locally; CI has one) each instance gets its own embedded database.
 */
export function idpCluster(redisUrl: () => string) {
  const running = new Set<IdpProcess>();
  let database: Promise<TestPostgresDatabase | null> | undefined;
  const databaseEnv = async (): Promise<Record<string, string>> => {
    database ??= findTestPostgres().then((server) =>
      server.available ? server.createDatabase() : null,
    );
    const made = await database;
    return made ? { DATABASE_URL: made.url } : {};
  };
  return {
    async start(extra: Record<string, string> = {}): Promise<IdpProcess> {
      const idp = await startIdp(idpEnv(redisUrl(), { ...(await databaseEnv()), ...extra }));
      running.add(idp);
      return idp;
    },
    /** What a `keys` or `sessions` command needs to act on this cluster's stores. */
    async env(extra: Record<string, string> = {}): Promise<Record<string, string>> {
      return idpEnv(redisUrl(), { ...(await databaseEnv()), ...extra });
    },
    /** SIGKILL, as a crash; the process is forgotten once gone. */
    async crash(idp: IdpProcess): Promise<void> {
      await idp.kill('SIGKILL');
      running.delete(idp);
    },
    async killAll(): Promise<void> {
      const all = [...running];
      running.clear();
      await Promise.all(all.map((idp) => idp.kill('SIGKILL')));
      const made = await database;
      database = undefined;
      await made?.drop();
    },
    /** What every running IdP printed, for a failing test's message. */
    output: () => [...running].map((idp) => idp.output()).join('\n'),
  };
}
