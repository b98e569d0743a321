import { afterAll, describe, expect, it } from 'vitest';
import { createPgDatabase } from '../db/pg-database.js';
import { migrate } from '../db/migration.js';
import { MIGRATIONS } from '../db/migrations/index.js';
import { findTestPostgres, type TestPostgresDatabase } from '@latchkey/testing';
import { keyRepositoryContract } from './key-repository.contract.js';

const server = await findTestPostgres();
const made: TestPostgresDatabase[] = [];
afterAll(async () => {
  for (const database of made) await database.drop();
});

describe.skipIf(!server.available)('the PostgreSQL server', () => {
  keyRepositoryContract('PostgreSQL server', async () => {
    if (!server.available) throw new Error(server.reason);
    const database = await server.createDatabase();
    made.push(database);
    const db = createPgDatabase(database.url);
    await migrate(db, MIGRATIONS);
    return db;
  });
});

// Keeps the file from failing as "no tests" when the server half is skipped locally.
it.runIf(!server.available)('says why the server half was skipped', () => {
  expect(server.available).toBe(false);
});
