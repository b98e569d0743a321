import { findTestPostgres } from '@latchkey/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { serverTestDatabases } from '../test-support/test-database.js';
import { revocationLedgerContract } from './revocation-ledger.contract.js';

const server = await findTestPostgres();
const databases = serverTestDatabases(server);
afterAll(() => databases.dropAll());

describe.skipIf(!server.available)('the PostgreSQL server', () => {
  revocationLedgerContract('PostgreSQL server', () => databases.create());
});

// Keeps the file from failing as "no tests" when the server half is skipped locally.
it.runIf(!server.available)('says why the server half was skipped', () => {
  expect(server.available).toBe(false);
});
