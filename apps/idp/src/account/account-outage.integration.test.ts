import {
  findTestPostgres,
  startTcpGate,
  waitFor,
  type TcpGate,
  type TestPostgresDatabase,
} from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../db/migration.js';
import { MIGRATIONS } from '../db/migrations/index.js';
import { createPgDatabase } from '../db/pg-database.js';
import { accountHtml, ALICE, field, signInAtAccount, text } from '../test-support/account-pages.js';
import { createBrowser } from '../test-support/browser.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';

/**
 * The account pages with the real PostgreSQL server going away under them, through a TCP gate
 * the test controls: a readable 503 page (never a 500), nothing changed, and the pages answer
 * again by themselves once the server does.
 */
const server = await findTestPostgres();
let database: TestPostgresDatabase | undefined;
let gate: TcpGate;
let idp: TestIdp;

beforeAll(async () => {
  if (!server.available) return;
  database = await server.createDatabase();
  const target = new URL(database.url);
  gate = await startTcpGate(Number(target.port || 5432));
  target.hostname = '127.0.0.1';
  target.port = String(gate.port);
  const db = createPgDatabase(target.href, { connectTimeoutMs: 1_000, queryTimeoutMs: 1_000 });
  await migrate(db, MIGRATIONS);
  idp = await startTestIdp({}, undefined, { database: db });
}, 60_000);
afterAll(async () => {
  await idp?.close();
  await gate?.close();
  await database?.drop();
});

const recovered = () =>
  waitFor(
    'the IdP to answer from the database again',
    async () => (await fetch(`${idp.url}/readyz`)).status === 200,
    { timeoutMs: 20_000, intervalMs: 100 },
  );

describe.skipIf(!server.available)('the account pages with the database unreachable', () => {
  it('GET /account and a password change: the 503 page, nothing changed, then recovery', async () => {
    const browser = createBrowser();
    await signInAtAccount(browser, idp.url, ALICE);
    const form = await accountHtml(browser, idp.url, '/account/password');
    const before = (await idp.users.findByUsername('alice'))!.passwordVersion;

    gate.shut();
    try {
      for (const answer of [
        await browser.fetch(`${idp.url}/account`),
        await browser.fetch(`${idp.url}/account?lang=zh-CN`),
        await browser.post(`${idp.url}/account/password`, {
          csrf: field(form, 'csrf'),
          current_password: ALICE.password,
          new_password: 'a-brand-new-passphrase',
          confirm_password: 'a-brand-new-passphrase',
        }),
      ]) {
        expect(answer.status).toBe(503);
        expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
        expect(answer.headers.get('retry-after')).toBe('5');
        expect(answer.headers.get('cache-control')).toBe('no-store');
        const page = text(await answer.text());
        expect(page).toMatch(/Temporarily unavailable|暂时不可用/);
      }
    } finally {
      gate.open();
    }
    await recovered();
    expect((await idp.users.findByUsername('alice'))!.passwordVersion).toBe(before);
    expect(text(await accountHtml(browser, idp.url, '/account?lang=en'))).toContain(
      'Signed in as alice',
    );
  });
});

it.runIf(!server.available)('says why the server half was skipped', () => {
  expect(server.available).toBe(false);
});
