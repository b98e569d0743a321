import {
  findTestPostgres,
  linkIn,
  startSmtpCapture,
  startTcpGate,
  waitFor,
  type SmtpCapture,
  type TcpGate,
  type TestPostgresDatabase,
} from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../db/migration.js';
import { MIGRATIONS } from '../db/migrations/index.js';
import { createPgDatabase } from '../db/pg-database.js';
import {
  askForResetLink,
  createTestUser,
  fieldValue,
  openForm,
} from '../test-support/account-flows.js';
import { createBrowser } from '../test-support/browser.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';

/**
 * The real PostgreSQL server going away under the reset pages, through a TCP gate: a clear
 * 503 page (never a 500), nothing half-written, and the same link works once it is back.
 */
const server = await findTestPostgres();
let database: TestPostgresDatabase | undefined;
let gate: TcpGate;
let smtp: SmtpCapture;
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
  smtp = await startSmtpCapture();
  idp = await startTestIdp({ SMTP_URL: smtp.url }, undefined, { database: db });
}, 120_000);
afterAll(async () => {
  await idp?.close();
  await smtp?.close();
  await gate?.close();
  await database?.drop();
});

const recovered = () =>
  waitFor(
    'the IdP to answer from the database again',
    async () => (await fetch(`${idp.url}/readyz`)).status === 200,
    { timeoutMs: 20_000, intervalMs: 100 },
  );

describe.skipIf(!server.available)(
  'reset pages with the database away',
  { timeout: 60_000 },
  () => {
    it('503 pages while it is away; afterwards the password is unchanged and the link works', async () => {
      const user = await createTestUser(idp);
      await askForResetLink(createBrowser(), idp.url, user.email!);
      await idp.afterAnswer.idle();
      await idp.outbox.idle();
      const mailed = linkIn(await smtp.waitFor(user.email!), '/reset-password');
      const link = new URL(`${mailed.pathname}${mailed.search}`, idp.url);
      const browser = createBrowser();
      const form = await openForm(browser, link);

      gate.shut();
      try {
        const page = await browser.fetch(link);
        expect(page.status).toBe(503);
        expect(page.headers.get('content-type')).toMatch(/^text\/html/);
        expect(await page.text()).toContain('Temporarily unavailable');
        const post = await browser.post(`${idp.url}/reset-password`, {
          csrf: form.csrf,
          token: fieldValue(form.html, 'token'),
          password: 'while the database is away',
        });
        expect(post.status).toBe(503);
        // Asking for a link still answers as always: the look-up happens after the answer.
        expect((await askForResetLink(createBrowser(), idp.url, 'x@example.com')).status).toBe(200);
      } finally {
        gate.open();
      }
      await recovered();
      expect((await idp.users.findById(user.id))?.passwordVersion).toBe(user.passwordVersion);
      const again = await openForm(browser, link);
      expect(again.status).toBe(200);
      const done = await browser.post(`${idp.url}/reset-password`, {
        csrf: again.csrf,
        token: fieldValue(again.html, 'token'),
        password: 'once the database is back',
      });
      expect(done.status).toBe(200);
    });
  },
);

it.runIf(!server.available)('says why the server half was skipped', () => {
  expect(server.available).toBe(false);
});
