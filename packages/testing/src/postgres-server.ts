import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server the tests use: DATABASE_URL when it names one, else the machines' own. */
const ADMIN_URL =
  process.env.DATABASE_URL && /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL)
    ? process.env.DATABASE_URL
    : 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of the test's own on the real server, dropped when the test is done. */
export interface TestPostgresDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

export type TestPostgres =
  | { readonly available: true; createDatabase(): Promise<TestPostgresDatabase> }
  | { readonly available: false; readonly reason: string };

/**
 * Whether a PostgreSQL server answers. Locally, none means the server half of a suite is
 * skipped with the reason printed (`pnpm test` needs only Node, pnpm and redis-server); in CI
 * (`CI` set, where .ci/run makes sure a server answers) it is a failure.
 */
export async function findTestPostgres(): Promise<TestPostgres> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const reason = `no PostgreSQL server answers at ${redact(ADMIN_URL)} (${(error as Error).message})`;
    if (process.env.CI) throw new Error(`${reason}; CI must run the server half of the suites`);
    process.stderr.write(`skipping the PostgreSQL server tests: ${reason}\n`);
    return { available: false, reason };
  } finally {
    await client.end().catch(() => undefined);
  }
  return { available: true, createDatabase };
}

async function createDatabase(): Promise<TestPostgresDatabase> {
  const name = `latchkey_test_${randomBytes(6).toString('hex')}`;
  await onPostgresServer((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    name,
    // FORCE: connections a test left open (or a gate kept half-open) must not keep it alive.
    drop: async () => {
      await onPostgresServer((client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}

/** Runs `work` on a short-lived connection to the server's admin database. */
export async function onPostgresServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.href;
}
